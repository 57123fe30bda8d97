package io.nabla.tests.parity;

import io.nabla.Activation;
import io.nabla.Dense;
import io.nabla.Embedding;
import io.nabla.Input;
import io.nabla.Loss;
import io.nabla.Network;
import io.nabla.Tensor;

/**
 * Fixtures {@code fixtures/EmbeddingRepeats.json} (batch 3) and {@code EmbeddingRepeats_b1.json}: an embedding with
 * a vocabulary of 4 over 6 tokens per sample, so ids repeat within a sample and across the batch and their
 * gradients add up in the table's rows; then a GELU dense layer and a linear output per position, MSE.
 */
@Network(loss = Loss.MSE)
public interface EmbeddingRepeats {
  @Input(value = {6}, tokens = true) Tensor ids();
  @Embedding(vocabulary = 4, dimension = 3) Tensor table(Tensor ids);
  @Dense(units = 5, activation = Activation.GELU) Tensor hidden(Tensor table);
  @Dense(units = 2) Tensor y(Tensor hidden);
}
