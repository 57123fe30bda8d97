package io.nabla.samples;

import io.nabla.Dense;
import io.nabla.Input;
import io.nabla.Loss;
import io.nabla.Lstm;
import io.nabla.Network;
import io.nabla.Tensor;

/**
 * {@link FashionGru} with an LSTM ({@code fashion-gru --arch lstm}): 28 steps of 28 pixels, the last state
 * classified.
 */
@Network(loss = Loss.SOFTMAX_CROSS_ENTROPY)
public interface FashionLstm {
  @Input({28, 28}) Tensor image();

  @Lstm(units = 128) Tensor lstm(Tensor image);

  @Dense(units = 10) Tensor logits(Tensor lstm);
}
