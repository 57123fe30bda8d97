package io.nabla.tests.parity;

import io.nabla.Activation;
import io.nabla.Dense;
import io.nabla.Flatten;
import io.nabla.Input;
import io.nabla.LayerNorm;
import io.nabla.Loss;
import io.nabla.MultiHeadAttention;
import io.nabla.Network;
import io.nabla.Tensor;

/**
 * Fixtures {@code fixtures/FullAttentionOne.json} (batch 3) and {@code FullAttentionOne_b1.json}: self-attention
 * over 1 position of 6 features: 3 heads without a mask reading the input (no input gradient), a SiLU dense layer,
 * 1 causal head, layer norm with epsilon 1e-3, flattened into the logits.
 */
@Network(loss = Loss.SOFTMAX_CROSS_ENTROPY)
public interface FullAttentionOne {
  @Input({1, 6}) Tensor x();
  @MultiHeadAttention(heads = 3) Tensor mixed(Tensor x);
  @Dense(units = 6, activation = Activation.SILU) Tensor gated(Tensor mixed);
  @MultiHeadAttention(heads = 1, causal = true) Tensor masked(Tensor gated);
  @LayerNorm(epsilon = 1e-3f) Tensor norm(Tensor masked);
  @Flatten Tensor features(Tensor norm);
  @Dense(units = 3) Tensor logits(Tensor features);
}
