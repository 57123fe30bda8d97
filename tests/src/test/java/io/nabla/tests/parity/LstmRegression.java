package io.nabla.tests.parity;

import io.nabla.Activation;
import io.nabla.Dense;
import io.nabla.Input;
import io.nabla.Loss;
import io.nabla.Lstm;
import io.nabla.Network;
import io.nabla.Tensor;

/**
 * Fixtures {@code fixtures/LstmRegression.json} (batch 3) and {@code LstmRegression_b1.json}: an LSTM over every
 * step as the output, MSE against a target per step.
 */
@Network(loss = Loss.MSE)
public interface LstmRegression {
  @Input({4, 2}) Tensor x();
  @Dense(units = 3, activation = Activation.TANH) Tensor embedded(Tensor x);
  @Lstm(units = 3, returnSequences = true) Tensor y(Tensor embedded);
}
