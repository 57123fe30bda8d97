package io.nabla.processor.validation;

import io.nabla.processor.model.LayerSpec.RecurrentSpec;
import io.nabla.processor.reading.LayerDeclaration;

/**
 * {@code @SimpleRnn}, {@code @Lstm}, {@code @Gru}: positive units, exactly one input. That the input is a
 * {@code (time, features)} sequence is checked once shapes are inferred.
 */
final class RecurrentValidator implements LayerValidator {
  @Override
  public void validate(LayerDeclaration layer, ValidationReport report) {
    RecurrentSpec spec = (RecurrentSpec) layer.spec();
    String kind = layer.kind().displayName();
    if (spec.units() < 1) {
      report.error(ErrorMessages.nonPositiveRecurrentUnits(kind, layer.name(), spec.units()), layer.method(),
          layer.annotation(), "units");
    }
    Sizes.checkOneInput(kind, layer, report);
  }
}
