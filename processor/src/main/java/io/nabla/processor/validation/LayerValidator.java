package io.nabla.processor.validation;

import io.nabla.processor.model.LayerKind;
import io.nabla.processor.reading.LayerDeclaration;
import java.util.EnumMap;
import java.util.Map;

/**
 * Checks one layer annotation on its own: its hyperparameters and how many layers it reads. One implementation
 * per annotation, looked up in {@link #forKind}; each reports on the exact annotation value to change.
 */
public interface LayerValidator {
  void validate(LayerDeclaration layer, ValidationReport report);

  /** The validator of each layer kind. */
  static LayerValidator forKind(LayerKind kind) {
    return Table.VALIDATORS.get(kind);
  }

  /** The table, checked complete when loaded. */
  final class Table {
    private static final Map<LayerKind, LayerValidator> VALIDATORS = new EnumMap<>(LayerKind.class);

    static {
      VALIDATORS.put(LayerKind.INPUT, new InputValidator());
      VALIDATORS.put(LayerKind.DENSE, new DenseValidator());
      VALIDATORS.put(LayerKind.ADD, new AddValidator());
      VALIDATORS.put(LayerKind.CONV2D, new Conv2dValidator());
      VALIDATORS.put(LayerKind.MAX_POOL2D, new PoolValidator());
      VALIDATORS.put(LayerKind.AVG_POOL2D, new PoolValidator());
      VALIDATORS.put(LayerKind.GLOBAL_AVG_POOL, new SingleInputValidator());
      VALIDATORS.put(LayerKind.FLATTEN, new SingleInputValidator());
      VALIDATORS.put(LayerKind.DROPOUT, new DropoutValidator());
      VALIDATORS.put(LayerKind.BATCH_NORM, new BatchNormValidator());
      VALIDATORS.put(LayerKind.CONCAT, new ConcatValidator());
      VALIDATORS.put(LayerKind.SIMPLE_RNN, new RecurrentValidator());
      VALIDATORS.put(LayerKind.LSTM, new RecurrentValidator());
      VALIDATORS.put(LayerKind.GRU, new RecurrentValidator());
      VALIDATORS.put(LayerKind.EMBEDDING, new EmbeddingValidator());
      VALIDATORS.put(LayerKind.POSITIONAL_EMBEDDING, new SingleInputValidator());
      VALIDATORS.put(LayerKind.LAYER_NORM, new LayerNormValidator());
      VALIDATORS.put(LayerKind.MULTI_HEAD_ATTENTION, new AttentionValidator());
      for (LayerKind kind : LayerKind.values()) {
        if (!VALIDATORS.containsKey(kind)) {
          throw new IllegalStateException("no validator for layer kind " + kind);
        }
      }
    }

    private Table() {}
  }

  /** Shared by validators of layers with an activation. */
  static void checkLeakySlope(LayerDeclaration layer, ValidationReport report) {
    float slope = layer.spec().leakySlope();
    if (layer.spec().activation() == io.nabla.Activation.LEAKY_RELU
        && (!(slope >= 0f) || Float.isInfinite(slope))) {
      report.error(ErrorMessages.badLeakySlope(layer.name(), slope), layer.method(), layer.annotation(),
          "leakySlope");
    }
  }
}
