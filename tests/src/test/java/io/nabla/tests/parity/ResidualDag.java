package io.nabla.tests.parity;

import io.nabla.Activation;
import io.nabla.Add;
import io.nabla.Dense;
import io.nabla.Input;
import io.nabla.Loss;
import io.nabla.Network;
import io.nabla.Tensor;

/**
 * Fixture (e), {@code fixtures/ResidualDag.json}: {@code stem} feeds both {@code branch} and the join. The join is
 * declared before {@code branch} on purpose: the generated forward order must not depend on declaration order.
 */
@Network(loss = Loss.SOFTMAX_CROSS_ENTROPY)
public interface ResidualDag {
  @Input({5}) Tensor x();
  @Dense(units = 4, activation = Activation.RELU) Tensor stem(Tensor x);
  @Add(activation = Activation.RELU) Tensor joined(Tensor branch, Tensor stem);
  @Dense(units = 4, activation = Activation.TANH) Tensor branch(Tensor stem);
  @Dense(units = 3) Tensor logits(Tensor joined);
}
