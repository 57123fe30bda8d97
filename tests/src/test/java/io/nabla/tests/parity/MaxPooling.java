package io.nabla.tests.parity;

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
 * Fixtures {@code fixtures/MaxPooling.json} (batch 3) and {@code MaxPooling_b1.json}: max pooling on an odd input
 * with stride different from the kernel and padding, a rectangular window with padding, and the default stride
 * (the kernel) dropping the last row and column.
 */
@Network(loss = Loss.SOFTMAX_CROSS_ENTROPY)
public interface MaxPooling {
  @Input({2, 9, 7}) Tensor image();
  @Conv2d(filters = 3, kernel = 3, padding = 1, activation = Activation.TANH) Tensor conv1(Tensor image);
  @MaxPool2d(kernel = 3, stride = 2, padding = 1) Tensor pool1(Tensor conv1);
  @MaxPool2d(kernel = {2, 3}, stride = {1, 2}, padding = 1) Tensor pool2(Tensor pool1);
  @MaxPool2d(kernel = 2) Tensor pool3(Tensor pool2);
  @Flatten Tensor features(Tensor pool3);
  @Dense(units = 3) Tensor logits(Tensor features);
}
