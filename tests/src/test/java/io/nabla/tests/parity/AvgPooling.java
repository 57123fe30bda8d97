package io.nabla.tests.parity;

import io.nabla.Activation;
import io.nabla.AvgPool2d;
import io.nabla.Conv2d;
import io.nabla.Dense;
import io.nabla.Flatten;
import io.nabla.Input;
import io.nabla.Loss;
import io.nabla.Network;
import io.nabla.Tensor;

/**
 * Fixtures {@code fixtures/AvgPooling.json} (batch 3) and {@code AvgPooling_b1.json}: average pooling with padded
 * zeros counted in the mean (PyTorch's {@code count_include_pad=True}), stride different from the kernel, a
 * rectangular window, and the default stride on an odd size.
 */
@Network(loss = Loss.SOFTMAX_CROSS_ENTROPY)
public interface AvgPooling {
  @Input({2, 9, 7}) Tensor image();
  @Conv2d(filters = 3, kernel = 3, padding = 1, activation = Activation.TANH) Tensor conv1(Tensor image);
  @AvgPool2d(kernel = 3, stride = 2, padding = 1) Tensor pool1(Tensor conv1);
  @AvgPool2d(kernel = {2, 3}, stride = {1, 2}, padding = 1) Tensor pool2(Tensor pool1);
  @AvgPool2d(kernel = 2) Tensor pool3(Tensor pool2);
  @Flatten Tensor features(Tensor pool3);
  @Dense(units = 3) Tensor logits(Tensor features);
}
