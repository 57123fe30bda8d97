package io.nabla.samples;

import io.nabla.Activation;
import io.nabla.Dense;
import io.nabla.Input;
import io.nabla.Loss;
import io.nabla.Network;
import io.nabla.Tensor;

/** A small classifier of the 8x8 UCI handwritten digits: 64 pixels, 128 ReLU units, 10 logits. */
@Network(loss = Loss.SOFTMAX_CROSS_ENTROPY)
public interface DigitsMlp {
  @Input({64}) Tensor pixels();

  @Dense(units = 128, activation = Activation.RELU) Tensor hidden(Tensor pixels);

  @Dense(units = 10) Tensor logits(Tensor hidden);
}
