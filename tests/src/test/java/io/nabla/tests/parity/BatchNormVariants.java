package io.nabla.tests.parity;

import io.nabla.Activation;
import io.nabla.BatchNorm;
import io.nabla.Conv2d;
import io.nabla.Dense;
import io.nabla.Flatten;
import io.nabla.Input;
import io.nabla.Loss;
import io.nabla.Network;
import io.nabla.Tensor;

/**
 * Fixtures {@code fixtures/BatchNormVariants.json}, {@code _b1}, {@code _eval} and {@code _eval_b1} (training and
 * inference, batch 3 and 1): batch norm on the input (momentum 0.3, epsilon 1e-3), after a convolution (leaky ReLU
 * 0.1, epsilon 1e-4; folded in inference), and after a convolution with an activation (not folded, momentum 0.05).
 */
@Network(loss = Loss.MSE)
public interface BatchNormVariants {
  @Input({3, 6, 5}) Tensor image();
  @BatchNorm(momentum = 0.3, epsilon = 1e-3) Tensor bn0(Tensor image);
  @Conv2d(filters = 4, kernel = 3, padding = {1, 0}, bias = false) Tensor conv1(Tensor bn0);
  @BatchNorm(epsilon = 1e-4, activation = Activation.LEAKY_RELU, leakySlope = 0.1f) Tensor bn1(Tensor conv1);
  @Conv2d(filters = 4, kernel = {1, 3}, activation = Activation.TANH) Tensor conv2(Tensor bn1);
  @BatchNorm(momentum = 0.05) Tensor bn2(Tensor conv2);
  @Flatten Tensor features(Tensor bn2);
  @Dense(units = 2) Tensor y(Tensor features);
}
