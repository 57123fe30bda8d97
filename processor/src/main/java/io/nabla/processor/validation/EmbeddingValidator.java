package io.nabla.processor.validation;

import io.nabla.processor.model.LayerSpec.EmbeddingSpec;
import io.nabla.processor.reading.LayerDeclaration;

/**
 * {@code @Embedding}: a positive vocabulary and dimension, one input. That the input is a token input is checked
 * once the graph's layers are known.
 */
final class EmbeddingValidator implements LayerValidator {
  @Override
  public void validate(LayerDeclaration layer, ValidationReport report) {
    EmbeddingSpec spec = (EmbeddingSpec) layer.spec();
    if (spec.vocabulary() < 1) {
      report.error(ErrorMessages.nonPositiveEmbedding(layer.name(), "vocabulary", spec.vocabulary()),
          layer.method(), layer.annotation(), "vocabulary");
    }
    if (spec.dimension() < 1) {
      report.error(ErrorMessages.nonPositiveEmbedding(layer.name(), "dimension", spec.dimension()),
          layer.method(), layer.annotation(), "dimension");
    }
    Sizes.checkOneInput("Embedding", layer, report);
  }
}
