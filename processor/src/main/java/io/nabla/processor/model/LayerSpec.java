package io.nabla.processor.model;

import io.nabla.Activation;

/** A layer's hyperparameters as declared, one record per {@link LayerKind}. */
public sealed interface LayerSpec {
  LayerKind kind();

  /** {@code @Input(shape, tokens)}. */
  record InputSpec(Shape shape, boolean tokens) implements LayerSpec {
    @Override
    public LayerKind kind() {
      return LayerKind.INPUT;
    }
  }

  /** {@code @Dense(units, activation, bias, leakySlope)}. */
  record DenseSpec(int units, Activation activation, boolean bias, float leakySlope) implements LayerSpec {
    @Override
    public LayerKind kind() {
      return LayerKind.DENSE;
    }
  }

  /** {@code @Add(activation, leakySlope)}. */
  record AddSpec(Activation activation, float leakySlope) implements LayerSpec {
    @Override
    public LayerKind kind() {
      return LayerKind.ADD;
    }
  }

  /** {@code @Conv2d}: sizes as written ({@code {k}} or {@code {kH, kW}}; padding may be {@code {Conv2d.SAME}}). */
  record Conv2dSpec(int filters, int[] kernel, int[] stride, int[] padding, int[] dilation, int groups,
      boolean bias, Activation activation, float leakySlope) implements LayerSpec {
    @Override
    public LayerKind kind() {
      return LayerKind.CONV2D;
    }

    public boolean samePadding() {
      return padding.length == 1 && padding[0] == io.nabla.Conv2d.SAME;
    }
  }

  /** {@code @MaxPool2d} or {@code @AvgPool2d}; an empty stride means the kernel. */
  record PoolSpec(LayerKind kind, int[] kernel, int[] stride, int[] padding) implements LayerSpec {}

  /** {@code @GlobalAvgPool}. */
  record GlobalAvgPoolSpec() implements LayerSpec {
    @Override
    public LayerKind kind() {
      return LayerKind.GLOBAL_AVG_POOL;
    }
  }

  /** {@code @Flatten}. */
  record FlattenSpec() implements LayerSpec {
    @Override
    public LayerKind kind() {
      return LayerKind.FLATTEN;
    }
  }

  /** {@code @Dropout(rate)}. */
  record DropoutSpec(double rate) implements LayerSpec {
    @Override
    public LayerKind kind() {
      return LayerKind.DROPOUT;
    }
  }

  /** {@code @BatchNorm(momentum, epsilon, activation, leakySlope)}. */
  record BatchNormSpec(double momentum, double epsilon, Activation activation, float leakySlope)
      implements LayerSpec {
    @Override
    public LayerKind kind() {
      return LayerKind.BATCH_NORM;
    }
  }

  /** {@code @Concat}. */
  record ConcatSpec() implements LayerSpec {
    @Override
    public LayerKind kind() {
      return LayerKind.CONCAT;
    }
  }

  /**
   * {@code @SimpleRnn}, {@code @Lstm} or {@code @Gru} (the kind says which): {@code units} per direction, the output
   * every step's state or the last, one or two directions.
   */
  record RecurrentSpec(LayerKind kind, int units, boolean returnSequences, boolean bidirectional)
      implements LayerSpec {
    /** Blocks of {@code units} rows in the weights, stacked in PyTorch's order: 1, GRU r z n, LSTM i f g o. */
    public int gates() {
      return switch (kind) {
        case LSTM -> 4;
        case GRU -> 3;
        default -> 1;
      };
    }

    public int directions() {
      return bidirectional ? 2 : 1;
    }
  }

  /** {@code @Embedding(vocabulary, dimension)}. */
  record EmbeddingSpec(int vocabulary, int dimension) implements LayerSpec {
    @Override
    public LayerKind kind() {
      return LayerKind.EMBEDDING;
    }
  }

  /** {@code @PositionalEmbedding}. */
  record PositionalEmbeddingSpec() implements LayerSpec {
    @Override
    public LayerKind kind() {
      return LayerKind.POSITIONAL_EMBEDDING;
    }
  }

  /** {@code @LayerNorm(epsilon)}. */
  record LayerNormSpec(double epsilon) implements LayerSpec {
    @Override
    public LayerKind kind() {
      return LayerKind.LAYER_NORM;
    }
  }

  /** {@code @MultiHeadAttention(heads, causal)}. */
  record AttentionSpec(int heads, boolean causal) implements LayerSpec {
    @Override
    public LayerKind kind() {
      return LayerKind.MULTI_HEAD_ATTENTION;
    }
  }

  /** The activation applied to this layer's output, or identity for layers without one. */
  default Activation activation() {
    return Activation.IDENTITY;
  }

  default float leakySlope() {
    return 0f;
  }
}
