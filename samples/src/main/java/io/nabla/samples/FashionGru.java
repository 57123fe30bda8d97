package io.nabla.samples;

import io.nabla.Dense;
import io.nabla.Gru;
import io.nabla.Input;
import io.nabla.Loss;
import io.nabla.Network;
import io.nabla.Tensor;

/**
 * Fashion-MNIST read row by row: each image is a sequence of 28 steps of 28 pixels, which a GRU reads top to
 * bottom; its last state feeds the classifier.
 */
@Network(loss = Loss.SOFTMAX_CROSS_ENTROPY)
public interface FashionGru {
  @Input({28, 28}) Tensor image();

  @Gru(units = 128) Tensor gru(Tensor image);

  @Dense(units = 10) Tensor logits(Tensor gru);
}
