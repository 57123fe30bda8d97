package io.nabla.processor.validation;

import io.nabla.processor.model.LayerSpec.LayerNormSpec;
import io.nabla.processor.reading.LayerDeclaration;

/** {@code @LayerNorm}: a positive, finite epsilon, one input. */
final class LayerNormValidator implements LayerValidator {
  @Override
  public void validate(LayerDeclaration layer, ValidationReport report) {
    LayerNormSpec spec = (LayerNormSpec) layer.spec();
    if (!(spec.epsilon() > 0) || Double.isInfinite(spec.epsilon())) {
      report.error(ErrorMessages.badLayerNormEpsilon(layer.name(), spec.epsilon()), layer.method(),
          layer.annotation(), "epsilon");
    }
    Sizes.checkOneInput("LayerNorm", layer, report);
  }
}
