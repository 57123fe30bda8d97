package io.nabla.samples;

import io.nabla.Activation;
import io.nabla.BatchNorm;
import io.nabla.Conv2d;
import io.nabla.Dense;
import io.nabla.Flatten;
import io.nabla.Input;
import io.nabla.Loss;
import io.nabla.MaxPool2d;
import io.nabla.Network;
import io.nabla.Tensor;

/** A small CNN for the bundled 8×8 digits: [3×3 convolution, batch norm + ReLU, 2×2 max pool] twice, dense. */
@Network(loss = Loss.SOFTMAX_CROSS_ENTROPY)
public interface DigitsCnn {
  @Input({1, 8, 8}) Tensor image();

  @Conv2d(filters = 16, kernel = 3, padding = 1, bias = false) Tensor conv1(Tensor image);

  @BatchNorm(activation = Activation.RELU) Tensor bn1(Tensor conv1);

  @MaxPool2d(kernel = 2) Tensor pool1(Tensor bn1);

  @Conv2d(filters = 32, kernel = 3, padding = 1, bias = false) Tensor conv2(Tensor pool1);

  @BatchNorm(activation = Activation.RELU) Tensor bn2(Tensor conv2);

  @MaxPool2d(kernel = 2) Tensor pool2(Tensor bn2);

  @Flatten Tensor features(Tensor pool2);

  @Dense(units = 10) Tensor logits(Tensor features);
}
