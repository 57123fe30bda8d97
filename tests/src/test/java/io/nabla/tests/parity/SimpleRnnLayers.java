package io.nabla.tests.parity;

import io.nabla.Activation;
import io.nabla.Concat;
import io.nabla.Dense;
import io.nabla.Input;
import io.nabla.Loss;
import io.nabla.Network;
import io.nabla.SimpleRnn;
import io.nabla.Tensor;

/**
 * Fixtures {@code fixtures/SimpleRnnLayers.json} (batch 3) and {@code SimpleRnnLayers_b1.json}:
 * {@code @SimpleRnn} over 5 steps, one direction and two, every step's state and the last,
 * reading the input and reading a dense layer, stacked.
 */
@Network(loss = Loss.SOFTMAX_CROSS_ENTROPY)
public interface SimpleRnnLayers {
  @Input({5, 3}) Tensor x();
  @Dense(units = 4, activation = Activation.TANH) Tensor embedded(Tensor x);
  @SimpleRnn(units = 4, returnSequences = true) Tensor seqUni(Tensor embedded);
  @SimpleRnn(units = 3, bidirectional = true) Tensor lastBi(Tensor seqUni);
  @SimpleRnn(units = 3, returnSequences = true, bidirectional = true) Tensor seqBi(Tensor x);
  @SimpleRnn(units = 4) Tensor lastUni(Tensor seqBi);
  @Concat Tensor joined(Tensor lastBi, Tensor lastUni);
  @Dense(units = 3) Tensor logits(Tensor joined);
}
