package io.nabla.benchmarks;

import io.nabla.Dense;
import io.nabla.Gru;
import io.nabla.Input;
import io.nabla.Loss;
import io.nabla.Network;
import io.nabla.Tensor;

/**
 * The GRU of the comparison, the same declaration as the samples' {@code FashionGru} ({@code fashion-gru}): each
 * Fashion-MNIST image read as 28 steps of 28 pixels by a GRU of 128 units, whose last state feeds 10 logits.
 * {@code bench/pytorch_mlp.py --arch gru} builds the same network in PyTorch ({@code nn.GRU(28, 128,
 * batch_first=True)} and {@code nn.Linear(128, 10)} on the last step's state).
 */
@Network(loss = Loss.SOFTMAX_CROSS_ENTROPY)
public interface RowGru {
  @Input({28, 28}) Tensor image();

  @Gru(units = 128) Tensor gru(Tensor image);

  @Dense(units = 10) Tensor logits(Tensor gru);
}
