package io.nabla.tests.gradients;

import io.nabla.Activation;
import io.nabla.Add;
import io.nabla.Dense;
import io.nabla.Embedding;
import io.nabla.Flatten;
import io.nabla.Input;
import io.nabla.LayerNorm;
import io.nabla.Loss;
import io.nabla.MultiHeadAttention;
import io.nabla.Network;
import io.nabla.PositionalEmbedding;
import io.nabla.Tensor;

/**
 * Small transformer networks for the finite-difference checks: token embeddings, learned positions, pre-norm
 * blocks of causal or full attention and a GELU or SiLU feed-forward layer, residual adds, a per-position
 * classifier (a language model's head) or a pooled one, over sequences of 4 positions and of 1.
 */
final class TransformerDeclarations {
  private TransformerDeclarations() {}

  /** A causal pre-norm block with a GELU feed-forward layer and a per-position head. */
  @Network(loss = Loss.SOFTMAX_CROSS_ENTROPY)
  interface CausalBlock {
    @Input(value = {4}, tokens = true) Tensor text();
    @Embedding(vocabulary = 7, dimension = 8) Tensor embed(Tensor text);
    @PositionalEmbedding Tensor positioned(Tensor embed);
    @LayerNorm Tensor norm1(Tensor positioned);
    @MultiHeadAttention(heads = 2, causal = true) Tensor attention(Tensor norm1);
    @Add Tensor residual(Tensor positioned, Tensor attention);
    @LayerNorm Tensor norm2(Tensor residual);
    @Dense(units = 12, activation = Activation.GELU) Tensor expand(Tensor norm2);
    @Dense(units = 8) Tensor project(Tensor expand);
    @Add Tensor block(Tensor residual, Tensor project);
    @LayerNorm Tensor normOut(Tensor block);
    @Dense(units = 7) Tensor logits(Tensor normOut);
  }

  /** The same over one position: the attention of a single query is its own value. */
  @Network(loss = Loss.SOFTMAX_CROSS_ENTROPY)
  interface CausalBlockOnePosition {
    @Input(value = {1}, tokens = true) Tensor text();
    @Embedding(vocabulary = 7, dimension = 8) Tensor embed(Tensor text);
    @PositionalEmbedding Tensor positioned(Tensor embed);
    @LayerNorm Tensor norm1(Tensor positioned);
    @MultiHeadAttention(heads = 2, causal = true) Tensor attention(Tensor norm1);
    @Add Tensor residual(Tensor positioned, Tensor attention);
    @LayerNorm Tensor norm2(Tensor residual);
    @Dense(units = 12, activation = Activation.GELU) Tensor expand(Tensor norm2);
    @Dense(units = 8) Tensor project(Tensor expand);
    @Add Tensor block(Tensor residual, Tensor project);
    @LayerNorm Tensor normOut(Tensor block);
    @Dense(units = 7) Tensor logits(Tensor normOut);
  }

  /**
   * Full (non-causal) attention with one and with four heads, reading features directly (no gradient into the
   * input) and reading a layer, a SiLU layer, and a classifier over the flattened sequence.
   */
  @Network(loss = Loss.SOFTMAX_CROSS_ENTROPY)
  interface FullAttention {
    @Input({3, 8}) Tensor x();
    @MultiHeadAttention(heads = 4) Tensor attention(Tensor x);
    @Dense(units = 8, activation = Activation.SILU) Tensor mixed(Tensor attention);
    @MultiHeadAttention(heads = 1) Tensor again(Tensor mixed);
    @LayerNorm(epsilon = 1e-3f) Tensor norm(Tensor again);
    @Flatten Tensor flat(Tensor norm);
    @Dense(units = 3) Tensor logits(Tensor flat);
  }

  /** An attention layer as the output, under mean squared error. */
  @Network(loss = Loss.MSE)
  interface AttentionOutput {
    @Input(value = {5}, tokens = true) Tensor text();
    @Embedding(vocabulary = 4, dimension = 6) Tensor embed(Tensor text);
    @MultiHeadAttention(heads = 3, causal = true) Tensor attention(Tensor embed);
  }
}
