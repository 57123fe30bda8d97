package io.nabla.samples;

import io.nabla.runtime.Model;
import io.nabla.runtime.kernel.Kernels;

/** {@link FashionResNet}, residual blocks declared with {@code @Add}, on Fashion-MNIST. */
final class FashionResNetSample extends FashionSample {
  static final String NAME = "fashion-resnet";
  static final int EPOCHS = 15;

  FashionResNetSample() {
    super(NAME, EPOCHS);
  }

  @Override
  Model newModel(int maxBatch, Kernels kernels) {
    return new FashionResNetNet(maxBatch, kernels);
  }
}
