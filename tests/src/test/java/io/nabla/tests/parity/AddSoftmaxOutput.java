package io.nabla.tests.parity;

import io.nabla.Activation;
import io.nabla.Add;
import io.nabla.Dense;
import io.nabla.Input;
import io.nabla.Loss;
import io.nabla.Network;
import io.nabla.Tensor;

/** Fixture {@code fixtures/AddSoftmaxOutput.json}: an {@code @Add} output with softmax, fused with the loss. */
@Network(loss = Loss.SOFTMAX_CROSS_ENTROPY)
public interface AddSoftmaxOutput {
  @Input({4}) Tensor x();
  @Dense(units = 3) Tensor p(Tensor x);
  @Dense(units = 3, activation = Activation.TANH) Tensor q(Tensor x);
  @Add(activation = Activation.SOFTMAX) Tensor out(Tensor p, Tensor q);
}
