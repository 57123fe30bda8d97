package io.nabla.processor.validation;

import io.nabla.processor.model.LayerSpec.BatchNormSpec;
import io.nabla.processor.reading.LayerDeclaration;

/** {@code @BatchNorm}: momentum in {@code (0, 1]}, a positive epsilon, a usable leaky slope, one input. */
final class BatchNormValidator implements LayerValidator {
  @Override
  public void validate(LayerDeclaration layer, ValidationReport report) {
    BatchNormSpec spec = (BatchNormSpec) layer.spec();
    if (!(spec.momentum() > 0 && spec.momentum() <= 1)) {
      report.error(ErrorMessages.badMomentum(layer.name(), spec.momentum()), layer.method(), layer.annotation(),
          "momentum");
    }
    if (!(spec.epsilon() > 0) || Double.isInfinite(spec.epsilon())) {
      report.error(ErrorMessages.badEpsilon(layer.name(), spec.epsilon()), layer.method(), layer.annotation(),
          "epsilon");
    }
    LayerValidator.checkLeakySlope(layer, report);
    Sizes.checkOneInput("BatchNorm", layer, report);
  }
}
