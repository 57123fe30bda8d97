package io.nabla;

/** Training losses. Each is the mean over the batch (and over elements where stated), as PyTorch's default. */
public enum Loss {
  /**
   * Mean squared error against float targets of the output's shape: {@code mean((y - t)²)} over every element,
   * as PyTorch's {@code MSELoss}.
   */
  MSE,
  /**
   * Cross-entropy of the softmax over the output's last dimension against integer class labels, one per row
   * (one per sample for a rank-1 output): {@code mean(logsumexp(z) - z[label])}, as PyTorch's
   * {@code CrossEntropyLoss} on logits. The output layer's activation is {@link Activation#IDENTITY} (its
   * output is the logits) or {@link Activation#SOFTMAX} (its output is the probabilities); the loss reads the
   * logits either way and backward is the fused {@code (p - onehot(label)) / rows}.
   */
  SOFTMAX_CROSS_ENTROPY,
  /**
   * Binary cross-entropy of the sigmoid of the output against float targets in [0, 1], over every element, as
   * PyTorch's {@code BCEWithLogitsLoss}: {@code mean(max(z, 0) - z·t + log(1 + e^-|z|))}. The output layer's
   * activation is {@link Activation#IDENTITY} (logits) or {@link Activation#SIGMOID} (probabilities); backward
   * is the fused {@code (σ(z) - t) / n}.
   */
  BINARY_CROSS_ENTROPY_WITH_LOGITS
}
