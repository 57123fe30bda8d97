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
 * Fixtures {@code fixtures/FoldedConvBias_eval.json} and {@code FoldedConvBias_eval_b1.json} (inference, batch 3
 * and 1): batch norms folded into convolutions with bias, one strided and grouped, one depthwise with SAME padding.
 * Inference only: in training, a bias before a batch norm has no effect and a gradient of 0 but for rounding, which
 * a relative tolerance cannot compare.
 */
@Network(loss = Loss.SOFTMAX_CROSS_ENTROPY)
public interface FoldedConvBias {
  @Input({4, 7, 6}) Tensor image();
  @Conv2d(filters = 4, kernel = 3, stride = 2, padding = 1, groups = 2) Tensor conv1(Tensor image);
  @BatchNorm(activation = Activation.TANH) Tensor bn1(Tensor conv1);
  @Conv2d(filters = 8, kernel = 3, padding = Conv2d.SAME, groups = 4) Tensor depthwise(Tensor bn1);
  @BatchNorm(epsilon = 1e-3, activation = Activation.LEAKY_RELU, leakySlope = 0.2f) Tensor bn2(Tensor depthwise);
  @Flatten Tensor features(Tensor bn2);
  @Dense(units = 3) Tensor logits(Tensor features);
}
