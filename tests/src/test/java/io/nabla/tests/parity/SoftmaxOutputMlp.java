package io.nabla.tests.parity;

import io.nabla.Activation;
import io.nabla.Dense;
import io.nabla.Input;
import io.nabla.Loss;
import io.nabla.Network;
import io.nabla.Tensor;

/** Fixture (b), {@code fixtures/SoftmaxOutputMlp.json}: {@link SoftmaxMlp} with a softmax output fused with the loss. */
@Network(loss = Loss.SOFTMAX_CROSS_ENTROPY)
public interface SoftmaxOutputMlp {
  @Input({5}) Tensor x();
  @Dense(units = 6, activation = Activation.RELU) Tensor hidden(Tensor x);
  @Dense(units = 3, activation = Activation.SOFTMAX) Tensor logits(Tensor hidden);
}
