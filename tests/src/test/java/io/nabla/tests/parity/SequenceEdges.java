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
 * Fixtures {@code fixtures/SequenceEdges.json} (batch 3) and {@code SequenceEdges_b1.json}: layer norm and learned
 * positions reading a features input (no input gradient), two embeddings of one token input (ids below the smaller
 * vocabulary), a four-way {@code @Add}, attention with heads of size 1, a SiLU dense layer without bias, and a
 * causal attention as the MSE output.
 */
@Network(loss = Loss.MSE)
public interface SequenceEdges {
  @Input({3, 4}) Tensor x();
  @Input(value = {3}, tokens = true) Tensor ids();
  @LayerNorm Tensor normIn(Tensor x);
  @PositionalEmbedding Tensor posIn(Tensor x);
  @Embedding(vocabulary = 5, dimension = 4) Tensor small(Tensor ids);
  @Embedding(vocabulary = 7, dimension = 4) Tensor large(Tensor ids);
  @Add Tensor joined(Tensor normIn, Tensor posIn, Tensor small, Tensor large);
  @MultiHeadAttention(heads = 4) Tensor wide(Tensor joined);
  @Dense(units = 4, activation = Activation.SILU, bias = false) Tensor gated(Tensor wide);
  @MultiHeadAttention(heads = 2, causal = true) Tensor out(Tensor gated);
}
