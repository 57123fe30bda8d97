package io.nabla.tests.parity;

import io.nabla.Activation;
import io.nabla.Conv2d;
import io.nabla.Dense;
import io.nabla.GlobalAvgPool;
import io.nabla.Input;
import io.nabla.Loss;
import io.nabla.Network;
import io.nabla.Tensor;

/**
 * Fixtures {@code fixtures/ConvDilatedGrouped.json} (batch 3) and {@code ConvDilatedGrouped_b1.json}: dilation
 * (different per axis) with groups, then a strided grouped convolution with dilation and padding, global average
 * pooling, MSE.
 */
@Network(loss = Loss.MSE)
public interface ConvDilatedGrouped {
  @Input({4, 9, 8}) Tensor image();
  @Conv2d(filters = 6, kernel = 3, dilation = {2, 1}, groups = 2, activation = Activation.TANH)
  Tensor conv1(Tensor image);
  @Conv2d(filters = 4, kernel = {2, 3}, stride = 2, padding = 1, dilation = {1, 2}, groups = 2,
      activation = Activation.SIGMOID)
  Tensor conv2(Tensor conv1);
  @GlobalAvgPool Tensor pooled(Tensor conv2);
  @Dense(units = 2) Tensor y(Tensor pooled);
}
