package io.nabla.processor.validation;

import io.nabla.processor.reading.LayerDeclaration;

/** {@code @Flatten}, {@code @GlobalAvgPool}, {@code @PositionalEmbedding}: no hyperparameters, exactly one input. */
final class SingleInputValidator implements LayerValidator {
  @Override
  public void validate(LayerDeclaration layer, ValidationReport report) {
    Sizes.checkOneInput(layer.kind().displayName(), layer, report);
  }
}
