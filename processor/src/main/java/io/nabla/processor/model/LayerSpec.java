package io.nabla.processor.model;

import io.nabla.Activation;

/** A layer's hyperparameters as declared, one record per {@link LayerKind}. */
public sealed interface LayerSpec {
  LayerKind kind();

  /** {@code @Input(shape)}. */
  record InputSpec(Shape shape) implements LayerSpec {
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

  /** The activation applied to this layer's output, or identity for layers without one. */
  default Activation activation() {
    return Activation.IDENTITY;
  }

  default float leakySlope() {
    return 0f;
  }
}
