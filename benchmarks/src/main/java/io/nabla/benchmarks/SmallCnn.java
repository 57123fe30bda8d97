package io.nabla.benchmarks;

import io.nabla.Activation;
import io.nabla.Conv2d;
import io.nabla.Dense;
import io.nabla.Flatten;
import io.nabla.Input;
import io.nabla.Loss;
import io.nabla.MaxPool2d;
import io.nabla.Network;
import io.nabla.Tensor;

/**
 * The CNN of the comparison, the same declaration as the samples' {@code FashionSmallCnn} ({@code fashion-cnn --arch
 * small}): conv 1→16 3×3 pad 1 + ReLU + 2×2 max pool, conv 16→32 3×3 pad 1 + ReLU + 2×2 max pool, dense 1568→10,
 * softmax cross-entropy. {@code bench/pytorch_mlp.py --arch cnn} builds the same network in PyTorch.
 */
@Network(loss = Loss.SOFTMAX_CROSS_ENTROPY)
public interface SmallCnn {
  @Input({1, 28, 28}) Tensor image();

  @Conv2d(filters = 16, kernel = 3, padding = 1, activation = Activation.RELU) Tensor conv1(Tensor image);

  @MaxPool2d(kernel = 2) Tensor pool1(Tensor conv1);

  @Conv2d(filters = 32, kernel = 3, padding = 1, activation = Activation.RELU) Tensor conv2(Tensor pool1);

  @MaxPool2d(kernel = 2) Tensor pool2(Tensor conv2);

  @Flatten Tensor features(Tensor pool2);

  @Dense(units = 10) Tensor logits(Tensor features);
}
