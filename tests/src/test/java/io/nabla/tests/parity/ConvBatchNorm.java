package io.nabla.tests.parity;

import io.nabla.Activation;
import io.nabla.AvgPool2d;
import io.nabla.BatchNorm;
import io.nabla.Conv2d;
import io.nabla.Dense;
import io.nabla.Flatten;
import io.nabla.Input;
import io.nabla.Loss;
import io.nabla.Network;
import io.nabla.Tensor;

/**
 * Fixtures {@code fixtures/ConvBatchNorm.json} (training, batch 3), {@code ConvBatchNorm_eval.json} (inference,
 * batch 3) and {@code ConvBatchNorm_eval_b1.json} (inference, batch 1; PyTorch cannot train {@code bn2} on one
 * sample): batch norm after a convolution without bias (2-D, ReLU; folded into {@code conv1} in inference) and after
 * a dense layer (1-D, momentum 0.2, sigmoid).
 */
@Network(loss = Loss.SOFTMAX_CROSS_ENTROPY)
public interface ConvBatchNorm {
  @Input({3, 5, 5}) Tensor image();
  @Conv2d(filters = 4, kernel = 3, padding = 1, bias = false) Tensor conv1(Tensor image);
  @BatchNorm(activation = Activation.RELU) Tensor bn1(Tensor conv1);
  @AvgPool2d(kernel = 2) Tensor pool1(Tensor bn1);
  @Flatten Tensor features(Tensor pool1);
  @Dense(units = 5, bias = false) Tensor hidden(Tensor features);
  @BatchNorm(momentum = 0.2, activation = Activation.SIGMOID) Tensor bn2(Tensor hidden);
  @Dense(units = 3) Tensor logits(Tensor bn2);
}
