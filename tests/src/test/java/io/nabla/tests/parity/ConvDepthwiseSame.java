package io.nabla.tests.parity;

import io.nabla.Activation;
import io.nabla.Conv2d;
import io.nabla.Input;
import io.nabla.Loss;
import io.nabla.Network;
import io.nabla.Tensor;

/**
 * Fixtures {@code fixtures/ConvDepthwiseSame.json} (batch 3) and {@code ConvDepthwiseSame_b1.json}: a depthwise
 * convolution (channel multiplier 2) with SAME padding and no bias, then SAME convolutions with even effective
 * kernels, whose extra row and column go at the bottom and right as with PyTorch's {@code padding='same'}
 * ({@code even}: 4×2, padding top 1, bottom 2, left 0, right 1; {@code out}: 2×2 with dilation (1, 3), padding top 0,
 * bottom 1, left 1, right 2). The output is a convolution, under MSE.
 */
@Network(loss = Loss.MSE)
public interface ConvDepthwiseSame {
  @Input({3, 6, 7}) Tensor image();
  @Conv2d(filters = 6, kernel = 3, padding = Conv2d.SAME, groups = 3, bias = false, activation = Activation.TANH)
  Tensor depthwise(Tensor image);
  @Conv2d(filters = 4, kernel = {4, 2}, padding = Conv2d.SAME, groups = 2, activation = Activation.TANH)
  Tensor even(Tensor depthwise);
  @Conv2d(filters = 2, kernel = 2, padding = Conv2d.SAME, dilation = {1, 3}) Tensor out(Tensor even);
}
