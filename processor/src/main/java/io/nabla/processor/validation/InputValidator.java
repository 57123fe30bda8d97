package io.nabla.processor.validation;

import io.nabla.processor.model.LayerSpec.InputSpec;
import io.nabla.processor.reading.LayerDeclaration;

/** {@code @Input}: a non-empty shape of positive dimensions that fits an array, and no parameters. */
final class InputValidator implements LayerValidator {
  @Override
  public void validate(LayerDeclaration layer, ValidationReport report) {
    int[] dims = ((InputSpec) layer.spec()).shape().dims();
    if (dims.length == 0) {
      report.error(ErrorMessages.emptyShape(layer.name()), layer.method(), layer.annotation(), "value");
    }
    long size = 1;
    for (int i = 0; i < dims.length; i++) {
      if (dims[i] < 1) {
        report.error(ErrorMessages.nonPositiveDimension(layer.name(), i, dims[i]), layer.method(),
            layer.annotation(), "value");
        return;
      }
      size *= dims[i];
      if (size > Integer.MAX_VALUE / 8) {
        report.error(ErrorMessages.tooLarge(layer.name(), "a shape of more than 2^28 values"), layer.method(),
            layer.annotation(), "value");
        return;
      }
    }
    if (!layer.inputParameters().isEmpty()) {
      report.error(ErrorMessages.inputWithParameters(layer.name()), layer.inputParameters().get(0));
    }
  }
}
