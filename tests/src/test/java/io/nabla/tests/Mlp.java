package io.nabla.tests;

import io.nabla.Activation;
import io.nabla.Add;
import io.nabla.Dense;
import io.nabla.Input;
import io.nabla.Loss;
import io.nabla.Network;
import io.nabla.Tensor;

@Network(loss = Loss.SOFTMAX_CROSS_ENTROPY)
public interface Mlp {
  @Input({6}) Tensor pixels();
  @Dense(units = 5, activation = Activation.RELU) Tensor hidden(Tensor pixels);
  @Dense(units = 4, activation = Activation.TANH) Tensor second(Tensor hidden);
  @Add(activation = Activation.SIGMOID) Tensor joined(Tensor second, Tensor skip);
  @Dense(units = 4) Tensor skip(Tensor hidden);
  @Dense(units = 3, activation = Activation.SOFTMAX) Tensor logits(Tensor joined);
}
