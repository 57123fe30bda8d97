package io.nabla.tests.parity;

import io.nabla.Activation;
import io.nabla.Dense;
import io.nabla.Input;
import io.nabla.Loss;
import io.nabla.Network;
import io.nabla.Tensor;

/** Fixture (c), {@code fixtures/MixedActivationsMse.json}: leaky ReLU (slope 0.2), tanh and sigmoid, MSE. */
@Network(loss = Loss.MSE)
public interface MixedActivationsMse {
  @Input({4}) Tensor x();
  @Dense(units = 5, activation = Activation.LEAKY_RELU, leakySlope = 0.2f) Tensor leaky(Tensor x);
  @Dense(units = 4, activation = Activation.TANH) Tensor squash(Tensor leaky);
  @Dense(units = 3, activation = Activation.SIGMOID) Tensor gate(Tensor squash);
  @Dense(units = 2) Tensor out(Tensor gate);
}
