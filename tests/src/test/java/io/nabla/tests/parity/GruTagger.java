package io.nabla.tests.parity;

import io.nabla.Dense;
import io.nabla.Gru;
import io.nabla.Input;
import io.nabla.Loss;
import io.nabla.Network;
import io.nabla.Tensor;

/**
 * Fixtures {@code fixtures/GruTagger.json} (batch 3) and {@code GruTagger_b1.json}: a bidirectional GRU read by a
 * per-step classifier, one label per step.
 */
@Network(loss = Loss.SOFTMAX_CROSS_ENTROPY)
public interface GruTagger {
  @Input({6, 3}) Tensor x();
  @Gru(units = 4, returnSequences = true, bidirectional = true) Tensor tags(Tensor x);
  @Dense(units = 3) Tensor logits(Tensor tags);
}
