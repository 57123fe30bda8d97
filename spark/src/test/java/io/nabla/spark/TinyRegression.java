package io.nabla.spark;

import io.nabla.Dense;
import io.nabla.Input;
import io.nabla.Loss;
import io.nabla.Network;
import io.nabla.Tensor;

/** A linear regression, for the float-target paths (MSE): three inputs, one output. */
@Network(loss = Loss.MSE)
interface TinyRegression {
  @Input({3}) Tensor x();

  @Dense(units = 1) Tensor y(Tensor x);
}
