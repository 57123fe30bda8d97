package io.nabla.benchmarks;

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
 * The transformer of the comparison: a small causal language model over contexts of 64 token ids from a vocabulary
 * of 96, {@code Embedding(96, 128)} plus learned positions, two pre-norm blocks (GPT-2's arrangement: {@code x +
 * attention(norm(x))}, then {@code x + mlp(norm(x))}, 4 heads, a 512-unit GELU feed-forward layer), a final layer
 * norm and 96 logits at every position, softmax cross-entropy against the next token at every position.
 * {@code bench/pytorch_mlp.py --arch transformer} builds the same network in PyTorch.
 */
@Network(loss = Loss.SOFTMAX_CROSS_ENTROPY)
public interface TinyTransformer {
  int VOCABULARY = 96;
  int CONTEXT = 64;

  @Input(value = {CONTEXT}, tokens = true) Tensor text();

  @Embedding(vocabulary = VOCABULARY, dimension = 128) Tensor embed(Tensor text);

  @PositionalEmbedding Tensor positioned(Tensor embed);

  @LayerNorm Tensor norm1(Tensor positioned);

  @MultiHeadAttention(heads = 4, causal = true) Tensor attention1(Tensor norm1);

  @Add Tensor residual1(Tensor positioned, Tensor attention1);

  @LayerNorm Tensor norm2(Tensor residual1);

  @Dense(units = 512, activation = Activation.GELU) Tensor expand1(Tensor norm2);

  @Dense(units = 128) Tensor project1(Tensor expand1);

  @Add Tensor block1(Tensor residual1, Tensor project1);

  @LayerNorm Tensor norm3(Tensor block1);

  @MultiHeadAttention(heads = 4, causal = true) Tensor attention2(Tensor norm3);

  @Add Tensor residual2(Tensor block1, Tensor attention2);

  @LayerNorm Tensor norm4(Tensor residual2);

  @Dense(units = 512, activation = Activation.GELU) Tensor expand2(Tensor norm4);

  @Dense(units = 128) Tensor project2(Tensor expand2);

  @Add Tensor block2(Tensor residual2, Tensor project2);

  @LayerNorm Tensor normOut(Tensor block2);

  @Dense(units = VOCABULARY) Tensor logits(Tensor normOut);
}
