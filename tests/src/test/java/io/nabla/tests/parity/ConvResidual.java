package io.nabla.tests.parity;

import io.nabla.Activation;
import io.nabla.Add;
import io.nabla.BatchNorm;
import io.nabla.Conv2d;
import io.nabla.Dense;
import io.nabla.GlobalAvgPool;
import io.nabla.Input;
import io.nabla.Loss;
import io.nabla.Network;
import io.nabla.Tensor;

/**
 * Fixtures {@code fixtures/ConvResidual.json} (training, batch 3), {@code _b1} (training, batch 1) and
 * {@code _eval} (inference, batch 3): ResNet basic blocks joined with {@code @Add(RELU)}, an identity shortcut
 * around two convolution + batch norm layers, then a strided block whose shortcut is a strided 1×1 convolution +
 * batch norm. In inference every batch norm here folds into its convolution.
 */
@Network(loss = Loss.SOFTMAX_CROSS_ENTROPY)
public interface ConvResidual {
  @Input({3, 6, 5}) Tensor image();
  @Conv2d(filters = 4, kernel = 3, padding = 1, activation = Activation.RELU) Tensor stem(Tensor image);
  @Conv2d(filters = 4, kernel = 3, padding = Conv2d.SAME, bias = false) Tensor c1(Tensor stem);
  @BatchNorm(activation = Activation.RELU) Tensor b1(Tensor c1);
  @Conv2d(filters = 4, kernel = 3, padding = 1, bias = false) Tensor c2(Tensor b1);
  @BatchNorm Tensor b2(Tensor c2);
  @Add(activation = Activation.RELU) Tensor add1(Tensor b2, Tensor stem);
  @Conv2d(filters = 6, kernel = 3, stride = 2, padding = 1, bias = false) Tensor c3(Tensor add1);
  @BatchNorm(activation = Activation.RELU) Tensor b3(Tensor c3);
  @Conv2d(filters = 6, kernel = 3, padding = Conv2d.SAME, bias = false) Tensor c4(Tensor b3);
  @BatchNorm Tensor b4(Tensor c4);
  @Conv2d(filters = 6, kernel = 1, stride = 2, bias = false) Tensor shortcut(Tensor add1);
  @BatchNorm Tensor bs(Tensor shortcut);
  @Add(activation = Activation.RELU) Tensor add2(Tensor b4, Tensor bs);
  @GlobalAvgPool Tensor pooled(Tensor add2);
  @Dense(units = 3) Tensor logits(Tensor pooled);
}
