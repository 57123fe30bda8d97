package io.nabla.spark;

import io.nabla.BatchNorm;
import io.nabla.Dense;
import io.nabla.Input;
import io.nabla.Loss;
import io.nabla.Network;
import io.nabla.Tensor;

/** A network with batch-norm running statistics, which Spark training refuses (they are not synchronised). */
@Network(loss = Loss.SOFTMAX_CROSS_ENTROPY)
interface NormalizedMlp {
  @Input({64}) Tensor pixels();

  @Dense(units = 16) Tensor hidden(Tensor pixels);

  @BatchNorm Tensor normalized(Tensor hidden);

  @Dense(units = 10) Tensor logits(Tensor normalized);
}
