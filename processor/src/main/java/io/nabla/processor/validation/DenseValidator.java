package io.nabla.processor.validation;

import io.nabla.processor.model.LayerSpec.DenseSpec;
import io.nabla.processor.reading.LayerDeclaration;

/** {@code @Dense}: positive units, a usable leaky slope, exactly one input. */
final class DenseValidator implements LayerValidator {
  @Override
  public void validate(LayerDeclaration layer, ValidationReport report) {
    DenseSpec spec = (DenseSpec) layer.spec();
    if (spec.units() < 1) {
      report.error(ErrorMessages.nonPositiveUnits(layer.name(), spec.units()), layer.method(), layer.annotation(),
          "units");
    }
    LayerValidator.checkLeakySlope(layer, report);
    int n = layer.inputParameters().size();
    if (n != 1) {
      report.error(ErrorMessages.arity("Dense", layer.name(), "exactly one input", n), layer.method(),
          layer.annotation());
    }
  }
}
