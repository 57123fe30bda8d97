package io.nabla;

/**
 * Element-wise activations. Most have a derivative that is a function of their output, so backward needs no cache;
 * {@link #GELU} and {@link #SILU} do not, and a layer using them keeps its pre-activation for backward.
 */
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
   * {@code y = x · Φ(x) = x/2 · (1 + erf(x/√2))}, the exact (erf) form of PyTorch's {@code nn.GELU()} and Keras's
   * {@code gelu(approximate=False)}: the activation of transformer feed-forward blocks.
   */
  GELU,
  /** {@code y = x · σ(x)} (SiLU, also called swish), as PyTorch's {@code nn.SiLU}. */
  SILU,
  /**
   * {@code y_i = e^x_i / Σ_j e^x_j} over the last dimension. Only on the output layer of a network whose loss is
   * {@link Loss#SOFTMAX_CROSS_ENTROPY}, where it is fused with the loss.
   */
  SOFTMAX
}
