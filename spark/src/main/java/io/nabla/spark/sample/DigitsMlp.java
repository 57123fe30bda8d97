package io.nabla.spark.sample;

import io.nabla.Activation;
import io.nabla.Dense;
import io.nabla.Input;
import io.nabla.Loss;
import io.nabla.Network;
import io.nabla.Tensor;

/**
 * The samples module's digits classifier, declared again here so this module carries no command-line sample of
 * its own dependencies: 64 pixels, 128 ReLU units, 10 logits. The same name and layers, so a checkpoint written by
 * either sample loads into the other's {@code DigitsMlpNet}.
 */
@Network(loss = Loss.SOFTMAX_CROSS_ENTROPY)
public interface DigitsMlp {
  @Input({64}) Tensor pixels();

  @Dense(units = 128, activation = Activation.RELU) Tensor hidden(Tensor pixels);

  @Dense(units = 10) Tensor logits(Tensor hidden);
}
