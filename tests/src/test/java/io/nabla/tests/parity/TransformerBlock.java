package io.nabla.tests.parity;

import io.nabla.Activation;
import io.nabla.Add;
import io.nabla.Dense;
import io.nabla.Embedding;
import io.nabla.Input;
import io.nabla.LayerNorm;
import io.nabla.Loss;
import io.nabla.MultiHeadAttention;
import io.nabla.Network;
import io.nabla.PositionalEmbedding;
import io.nabla.Tensor;

/**
 * Fixtures {@code fixtures/TransformerBlock.json} (batch 3) and {@code TransformerBlock_b1.json}: a pre-norm
 * transformer block over 5 tokens (vocabulary 11, dimension 8): embedding, learned positions, layer norm, causal 2-head
 * self-attention with a residual {@code @Add}, layer norm, a GELU feed-forward with a residual {@code @Add}, layer
 * norm, logits per position (one label per position).
 */
@Network(loss = Loss.SOFTMAX_CROSS_ENTROPY)
public interface TransformerBlock {
  @Input(value = {5}, tokens = true) Tensor tokens();
  @Embedding(vocabulary = 11, dimension = 8) Tensor embed(Tensor tokens);
  @PositionalEmbedding Tensor positioned(Tensor embed);
  @LayerNorm Tensor norm1(Tensor positioned);
  @MultiHeadAttention(heads = 2, causal = true) Tensor attention(Tensor norm1);
  @Add Tensor residual1(Tensor attention, Tensor positioned);
  @LayerNorm Tensor norm2(Tensor residual1);
  @Dense(units = 16, activation = Activation.GELU) Tensor ff1(Tensor norm2);
  @Dense(units = 8) Tensor ff2(Tensor ff1);
  @Add Tensor residual2(Tensor ff2, Tensor residual1);
  @LayerNorm Tensor norm3(Tensor residual2);
  @Dense(units = 11) Tensor logits(Tensor norm3);
}
