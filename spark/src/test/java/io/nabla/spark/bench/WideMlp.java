package io.nabla.spark.bench;

import io.nabla.Activation;
import io.nabla.Dense;
import io.nabla.Input;
import io.nabla.Loss;
import io.nabla.Network;
import io.nabla.Tensor;

/** The README's benchmark network, 784-256-128-10 (FashionMlp's layers): enough work per example to spread. */
@Network(loss = Loss.SOFTMAX_CROSS_ENTROPY)
public interface WideMlp {
  @Input({784}) Tensor pixels();

  @Dense(units = 256, activation = Activation.RELU) Tensor hidden(Tensor pixels);

  @Dense(units = 128, activation = Activation.RELU) Tensor hidden2(Tensor hidden);

  @Dense(units = 10) Tensor logits(Tensor hidden2);
}
