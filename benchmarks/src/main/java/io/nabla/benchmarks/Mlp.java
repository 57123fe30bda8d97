package io.nabla.benchmarks;

import io.nabla.Activation;
import io.nabla.Dense;
import io.nabla.Input;
import io.nabla.Loss;
import io.nabla.Network;
import io.nabla.Tensor;

/**
 * The benchmarked network, the same declaration as the samples' {@code FashionMlp}: 784 pixels, 256 and 128 ReLU
 * units, 10 logits, softmax cross-entropy. {@code bench/pytorch_mlp.py} builds the same network in PyTorch.
 */
@Network(loss = Loss.SOFTMAX_CROSS_ENTROPY)
public interface Mlp {
  @Input({784}) Tensor pixels();

  @Dense(units = 256, activation = Activation.RELU) Tensor hidden1(Tensor pixels);

  @Dense(units = 128, activation = Activation.RELU) Tensor hidden2(Tensor hidden1);

  @Dense(units = 10) Tensor logits(Tensor hidden2);
}
