package io.nabla.tests.parity;

import io.nabla.Activation;
import io.nabla.Add;
import io.nabla.Dense;
import io.nabla.Input;
import io.nabla.Loss;
import io.nabla.Network;
import io.nabla.Tensor;

/**
 * Fixture {@code fixtures/TwoInputsJoin.json}: two rank-2 inputs, {@code a} feeding two layers, a three-way join
 * with leaky ReLU, and a rank-2 sigmoid output fused with binary cross-entropy.
 */
@Network(loss = Loss.BINARY_CROSS_ENTROPY_WITH_LOGITS)
public interface TwoInputsJoin {
  @Input({2, 4}) Tensor a();
  @Input({2, 3}) Tensor b();
  @Dense(units = 4, activation = Activation.RELU) Tensor pa(Tensor a);
  @Dense(units = 4, activation = Activation.TANH) Tensor pb(Tensor b);
  @Dense(units = 4) Tensor skip(Tensor a);
  @Add(activation = Activation.LEAKY_RELU, leakySlope = 0.1f) Tensor joined(Tensor pa, Tensor pb, Tensor skip);
  @Dense(units = 2, activation = Activation.SIGMOID) Tensor out(Tensor joined);
}
