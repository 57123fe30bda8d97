package io.nabla;

/** Element-wise activations. Each has a derivative that is a function of its output, so backward needs no cache. */
public enum Activation {
  /** {@code y = x}. */
  IDENTITY,
  /** {@code y = max(0, x)}. */
  RELU,
  /** {@code y = x} for {@code x > 0}, {@code slope · x} otherwise; the slope must be at least 0. */
  LEAKY_RELU,
  /** {@code y = 1 / (1 + e^-x)}, computed stably for large {@code |x|}. */
  SIGMOID,
  /** {@code y = tanh(x)}. */
  TANH,
  /**
   * {@code y_i = e^x_i / Σ_j e^x_j} over the last dimension. Only on the output layer of a network whose loss is
   * {@link Loss#SOFTMAX_CROSS_ENTROPY}, where it is fused with the loss.
   */
  SOFTMAX
}
