package io.nabla.tests.parity;

import io.nabla.Activation;
import io.nabla.Dense;
import io.nabla.Input;
import io.nabla.Loss;
import io.nabla.Network;
import io.nabla.Tensor;

/** Fixture (f), {@code fixtures/RowsSoftmax.json}: a rank-2 input, Dense on the last axis, one label per row. */
@Network(loss = Loss.SOFTMAX_CROSS_ENTROPY)
public interface RowsSoftmax {
  @Input({3, 5}) Tensor x();
  @Dense(units = 4, activation = Activation.TANH) Tensor hidden(Tensor x);
  @Dense(units = 3) Tensor logits(Tensor hidden);
}
