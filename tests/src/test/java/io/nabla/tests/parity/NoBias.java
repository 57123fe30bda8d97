package io.nabla.tests.parity;

import io.nabla.Activation;
import io.nabla.Dense;
import io.nabla.Input;
import io.nabla.Loss;
import io.nabla.Network;
import io.nabla.Tensor;

/** Fixture (h), {@code fixtures/NoBias.json}: Dense layers without bias (ReLU and identity), then a sigmoid output. */
@Network(loss = Loss.MSE)
public interface NoBias {
  @Input({4}) Tensor x();
  @Dense(units = 5, activation = Activation.RELU, bias = false) Tensor hidden(Tensor x);
  @Dense(units = 4, bias = false) Tensor mid(Tensor hidden);
  @Dense(units = 2, activation = Activation.SIGMOID) Tensor out(Tensor mid);
}
