package io.nabla.tests.parity;

import io.nabla.Activation;
import io.nabla.Concat;
import io.nabla.Conv2d;
import io.nabla.Dense;
import io.nabla.Flatten;
import io.nabla.GlobalAvgPool;
import io.nabla.Input;
import io.nabla.Loss;
import io.nabla.MaxPool2d;
import io.nabla.Network;
import io.nabla.Tensor;

/**
 * Fixtures {@code fixtures/ConvConcat.json} (batch 3) and {@code ConvConcat_b1.json}: a channel concatenation of two
 * convolutions, a max pooling of the input and the input itself (which takes no gradient), and a concatenation of
 * features: the global average of the joined channels and a flattened strided convolution.
 */
@Network(loss = Loss.SOFTMAX_CROSS_ENTROPY)
public interface ConvConcat {
  @Input({2, 6, 6}) Tensor image();
  @Conv2d(filters = 3, kernel = 3, padding = 1, activation = Activation.TANH) Tensor wide(Tensor image);
  @Conv2d(filters = 2, kernel = 1, activation = Activation.RELU) Tensor narrow(Tensor image);
  @MaxPool2d(kernel = 3, stride = 1, padding = 1) Tensor pooled(Tensor image);
  @Concat Tensor joined(Tensor wide, Tensor narrow, Tensor pooled, Tensor image);
  @Conv2d(filters = 4, kernel = 3, stride = 2, activation = Activation.TANH) Tensor conv(Tensor joined);
  @GlobalAvgPool Tensor summary(Tensor joined);
  @Flatten Tensor flat(Tensor conv);
  @Concat Tensor features(Tensor summary, Tensor flat);
  @Dense(units = 3) Tensor logits(Tensor features);
}
