package io.nabla.processor.validation;

import io.nabla.processor.model.LayerSpec.AttentionSpec;
import io.nabla.processor.reading.LayerDeclaration;

/**
 * {@code @MultiHeadAttention}: at least one head, one input. That the heads divide the input's dimension is
 * checked once shapes are inferred.
 */
final class AttentionValidator implements LayerValidator {
  @Override
  public void validate(LayerDeclaration layer, ValidationReport report) {
    AttentionSpec spec = (AttentionSpec) layer.spec();
    if (spec.heads() < 1) {
      report.error(ErrorMessages.nonPositiveHeads(layer.name(), spec.heads()), layer.method(), layer.annotation(),
          "heads");
    }
    Sizes.checkOneInput("MultiHeadAttention", layer, report);
  }
}
