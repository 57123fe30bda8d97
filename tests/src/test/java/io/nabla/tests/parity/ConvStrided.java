package io.nabla.tests.parity;

import io.nabla.Activation;
import io.nabla.Conv2d;
import io.nabla.Dense;
import io.nabla.Flatten;
import io.nabla.Input;
import io.nabla.Loss;
import io.nabla.Network;
import io.nabla.Tensor;

/**
 * Fixtures {@code fixtures/ConvStrided.json} (batch 3) and {@code ConvStrided_b1.json}: convolutions with stride,
 * rectangular kernels and padding that differs between height and width, flattened into a dense layer.
 */
@Network(loss = Loss.SOFTMAX_CROSS_ENTROPY)
public interface ConvStrided {
  @Input({2, 7, 6}) Tensor image();
  @Conv2d(filters = 3, kernel = 3, padding = 1, activation = Activation.TANH) Tensor conv1(Tensor image);
  @Conv2d(filters = 4, kernel = {3, 2}, stride = {2, 1}, padding = {1, 2}, activation = Activation.RELU)
  Tensor conv2(Tensor conv1);
  @Conv2d(filters = 2, kernel = {1, 3}, stride = {1, 3}, activation = Activation.LEAKY_RELU, leakySlope = 0.1f)
  Tensor conv3(Tensor conv2);
  @Flatten Tensor features(Tensor conv3);
  @Dense(units = 3) Tensor logits(Tensor features);
}
