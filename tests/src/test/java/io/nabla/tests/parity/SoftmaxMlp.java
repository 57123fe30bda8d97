package io.nabla.tests.parity;

import io.nabla.Activation;
import io.nabla.Dense;
import io.nabla.Input;
import io.nabla.Loss;
import io.nabla.Network;
import io.nabla.Tensor;

/** Fixture (a), {@code fixtures/SoftmaxMlp.json}: a softmax cross-entropy MLP with identity logits. */
@Network(loss = Loss.SOFTMAX_CROSS_ENTROPY)
public interface SoftmaxMlp {
  @Input({5}) Tensor x();
  @Dense(units = 6, activation = Activation.RELU) Tensor hidden(Tensor x);
  @Dense(units = 3) Tensor logits(Tensor hidden);
}
