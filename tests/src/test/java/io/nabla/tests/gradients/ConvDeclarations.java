package io.nabla.tests.gradients;

import io.nabla.Activation;
import io.nabla.Add;
import io.nabla.AvgPool2d;
import io.nabla.BatchNorm;
import io.nabla.Concat;
import io.nabla.Conv2d;
import io.nabla.Dense;
import io.nabla.Dropout;
import io.nabla.Flatten;
import io.nabla.GlobalAvgPool;
import io.nabla.Input;
import io.nabla.Loss;
import io.nabla.MaxPool2d;
import io.nabla.Network;
import io.nabla.Tensor;

/**
 * Small convolutional networks that, together, use every convolutional layer and option (stride, asymmetric and
 * SAME padding, dilation, groups, depthwise, no bias), on odd sizes, for the finite-difference checks. Smooth
 * activations keep the finite differences away from kinks.
 */
final class ConvDeclarations {
  private ConvDeclarations() {}

  /** Two convolutions (the second strided, with rectangular kernel and padding), flatten, dense. */
  @Network(loss = Loss.SOFTMAX_CROSS_ENTROPY)
  interface ConvBasics {
    @Input({2, 7, 6}) Tensor image();
    @Conv2d(filters = 3, kernel = 3, padding = 1, activation = Activation.TANH) Tensor conv1(Tensor image);
    @Conv2d(filters = 4, kernel = {2, 3}, stride = {2, 1}, padding = {1, 0}, activation = Activation.TANH) Tensor conv2(Tensor conv1);
    @Flatten Tensor features(Tensor conv2);
    @Dense(units = 3) Tensor logits(Tensor features);
  }

  /** Dilation with groups, then a depthwise convolution with SAME padding and no bias, global pooling, MSE. */
  @Network(loss = Loss.MSE)
  interface DilatedGrouped {
    @Input({4, 9, 8}) Tensor image();
    @Conv2d(filters = 4, kernel = 3, dilation = 2, groups = 2, activation = Activation.TANH) Tensor conv1(
        Tensor image);
    @Conv2d(filters = 8, kernel = 3, groups = 4, padding = Conv2d.SAME, bias = false,
        activation = Activation.SIGMOID) Tensor depthwise(Tensor conv1);
    @GlobalAvgPool Tensor pooled(Tensor depthwise);
    @Dense(units = 2) Tensor y(Tensor pooled);
  }

  /** Max pooling (odd input, so the last row is dropped), then average pooling with padding and stride. */
  @Network(loss = Loss.SOFTMAX_CROSS_ENTROPY)
  interface Pools {
    @Input({2, 9, 7}) Tensor image();
    @Conv2d(filters = 3, kernel = 3, padding = 1, activation = Activation.TANH) Tensor conv1(Tensor image);
    @MaxPool2d(kernel = 2) Tensor pool1(Tensor conv1);
    @Conv2d(filters = 3, kernel = 2, activation = Activation.TANH) Tensor conv2(Tensor pool1);
    @AvgPool2d(kernel = 3, stride = 2, padding = 1) Tensor pool2(Tensor conv2);
    @Flatten Tensor features(Tensor pool2);
    @Dense(units = 3) Tensor logits(Tensor features);
  }

  /** Batch norm after a convolution (folded in inference) and after a dense layer (over features). */
  @Network(loss = Loss.SOFTMAX_CROSS_ENTROPY)
  interface Normalized {
    @Input({3, 5, 5}) Tensor image();
    @Conv2d(filters = 4, kernel = 3, padding = 1, bias = false) Tensor conv1(Tensor image);
    @BatchNorm(activation = Activation.TANH) Tensor bn1(Tensor conv1);
    @MaxPool2d(kernel = 2, stride = 2) Tensor pool1(Tensor bn1);
    @Flatten Tensor features(Tensor pool1);
    @Dense(units = 5, bias = false) Tensor hidden(Tensor features);
    @BatchNorm(momentum = 0.2, activation = Activation.SIGMOID) Tensor bn2(Tensor hidden);
    @Dense(units = 3) Tensor logits(Tensor bn2);
  }

  /** Two branches joined along channels, a strided convolution, dropout. */
  @Network(loss = Loss.SOFTMAX_CROSS_ENTROPY)
  interface Branches {
    @Input({2, 6, 6}) Tensor image();
    @Conv2d(filters = 3, kernel = 3, padding = 1, activation = Activation.TANH) Tensor wide(Tensor image);
    @Conv2d(filters = 2, kernel = 1, activation = Activation.TANH) Tensor narrow(Tensor image);
    @Concat Tensor joined(Tensor wide, Tensor narrow);
    @Conv2d(filters = 4, kernel = 3, stride = 2, activation = Activation.TANH) Tensor conv(Tensor joined);
    @Dropout(rate = 0.3) Tensor dropped(Tensor conv);
    @Flatten Tensor features(Tensor dropped);
    @Dense(units = 3) Tensor logits(Tensor features);
  }

  /** A residual block: two SAME convolutions added to the block's input. */
  @Network(loss = Loss.MSE)
  interface Residual {
    @Input({3, 5, 4}) Tensor image();
    @Conv2d(filters = 3, kernel = 3, padding = 1, activation = Activation.TANH) Tensor stem(Tensor image);
    @Conv2d(filters = 3, kernel = 3, padding = Conv2d.SAME, activation = Activation.TANH) Tensor branch(
        Tensor stem);
    @Conv2d(filters = 3, kernel = 3, padding = Conv2d.SAME) Tensor branch2(Tensor branch);
    @Add(activation = Activation.TANH) Tensor block(Tensor branch2, Tensor stem);
    @GlobalAvgPool Tensor pooled(Tensor block);
    @Dense(units = 2) Tensor y(Tensor pooled);
  }
}
