package io.nabla.tests.parity;

import io.nabla.Activation;
import io.nabla.Dense;
import io.nabla.Input;
import io.nabla.Loss;
import io.nabla.Network;
import io.nabla.Tensor;

/** Fixture (d), {@code fixtures/BceSigmoid.json}: binary cross-entropy on a sigmoid output fused with the loss. */
@Network(loss = Loss.BINARY_CROSS_ENTROPY_WITH_LOGITS)
public interface BceSigmoid {
  @Input({4}) Tensor x();
  @Dense(units = 5, activation = Activation.TANH) Tensor hidden(Tensor x);
  @Dense(units = 3, activation = Activation.SIGMOID) Tensor out(Tensor hidden);
}
