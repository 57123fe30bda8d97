package io.nabla.processor.validation;

import io.nabla.processor.reading.LayerDeclaration;

/** {@code @Add}: at least two inputs, a usable leaky slope. Shapes are checked once they are inferred. */
final class AddValidator implements LayerValidator {
  @Override
  public void validate(LayerDeclaration layer, ValidationReport report) {
    LayerValidator.checkLeakySlope(layer, report);
    int n = layer.inputParameters().size();
    if (n < 2) {
      report.error(ErrorMessages.arity("Add", layer.name(), "two or more inputs", n), layer.method(),
          layer.annotation());
    }
  }
}
