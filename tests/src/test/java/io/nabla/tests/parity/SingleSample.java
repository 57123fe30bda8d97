package io.nabla.tests.parity;

import io.nabla.Activation;
import io.nabla.Dense;
import io.nabla.Input;
import io.nabla.Loss;
import io.nabla.Network;
import io.nabla.Tensor;

/** Fixture (g), {@code fixtures/SingleSample.json}: a batch of one; leaky ReLU with its default slope. */
@Network(loss = Loss.SOFTMAX_CROSS_ENTROPY)
public interface SingleSample {
  @Input({4}) Tensor x();
  @Dense(units = 5, activation = Activation.LEAKY_RELU) Tensor hidden(Tensor x);
  @Dense(units = 3, activation = Activation.SOFTMAX) Tensor logits(Tensor hidden);
}
