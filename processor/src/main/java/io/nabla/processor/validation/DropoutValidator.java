package io.nabla.processor.validation;

import io.nabla.processor.model.LayerSpec.DropoutSpec;
import io.nabla.processor.reading.LayerDeclaration;

/** {@code @Dropout}: a rate in {@code [0, 1)}, one input. */
final class DropoutValidator implements LayerValidator {
  @Override
  public void validate(LayerDeclaration layer, ValidationReport report) {
    double rate = ((DropoutSpec) layer.spec()).rate();
    if (!(rate >= 0 && rate < 1)) {
      report.error(ErrorMessages.badRate(layer.name(), rate), layer.method(), layer.annotation(), "rate");
    }
    Sizes.checkOneInput("Dropout", layer, report);
  }
}
