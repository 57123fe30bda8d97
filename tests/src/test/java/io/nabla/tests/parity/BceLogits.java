package io.nabla.tests.parity;

import io.nabla.Activation;
import io.nabla.Dense;
import io.nabla.Input;
import io.nabla.Loss;
import io.nabla.Network;
import io.nabla.Tensor;

/** Fixture (d), {@code fixtures/BceLogits.json}: binary cross-entropy on an identity (logits) output. */
@Network(loss = Loss.BINARY_CROSS_ENTROPY_WITH_LOGITS)
public interface BceLogits {
  @Input({4}) Tensor x();
  @Dense(units = 5, activation = Activation.TANH) Tensor hidden(Tensor x);
  @Dense(units = 3) Tensor out(Tensor hidden);
}
