package io.nabla.processor.validation;

import io.nabla.processor.reading.LayerDeclaration;

/** {@code @Concat}: two or more inputs. Shapes are checked once they are inferred. */
final class ConcatValidator implements LayerValidator {
  @Override
  public void validate(LayerDeclaration layer, ValidationReport report) {
    int n = layer.inputParameters().size();
    if (n < 2) {
      report.error(ErrorMessages.arity("Concat", layer.name(), "two or more inputs", n), layer.method(),
          layer.annotation());
    }
  }
}
