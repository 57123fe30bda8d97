package io.nabla.tests.parity;

import io.nabla.Activation;
import io.nabla.Conv2d;
import io.nabla.Dense;
import io.nabla.Dropout;
import io.nabla.Flatten;
import io.nabla.Input;
import io.nabla.Loss;
import io.nabla.Network;
import io.nabla.Tensor;

/**
 * Fixtures {@code fixtures/ConvDropout.json} (batch 3) and {@code ConvDropout_b1.json}, both in inference mode, where
 * dropout is the identity in Nabla and PyTorch. Training is not compared with PyTorch: Nabla draws its masks from
 * its own seeded random stream, so they cannot match {@code torch.nn.Dropout}'s; the finite-difference tests check
 * that backward applies the mask forward drew.
 */
@Network(loss = Loss.SOFTMAX_CROSS_ENTROPY)
public interface ConvDropout {
  @Input({2, 5, 6}) Tensor image();
  @Conv2d(filters = 3, kernel = 3, activation = Activation.TANH) Tensor conv1(Tensor image);
  @Dropout(rate = 0.3) Tensor drop1(Tensor conv1);
  @Flatten Tensor features(Tensor drop1);
  @Dense(units = 6, activation = Activation.TANH) Tensor hidden(Tensor features);
  @Dropout(rate = 0.5) Tensor drop2(Tensor hidden);
  @Dense(units = 3) Tensor logits(Tensor drop2);
}
