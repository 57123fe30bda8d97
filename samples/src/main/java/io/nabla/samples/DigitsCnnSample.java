package io.nabla.samples;

import io.nabla.runtime.Model;
import io.nabla.runtime.kernel.Kernels;

/** {@link DigitsCnn} on the bundled 8×8 digits (each image as (1, 8, 8)), split as the digits sample does. */
final class DigitsCnnSample extends DigitsSample {
  static final String NAME = "digits-cnn";
  static final int EPOCHS = 30;

  DigitsCnnSample() {
    super(NAME, EPOCHS);
  }

  @Override
  Model newModel(int maxBatch, Kernels kernels) {
    return new DigitsCnnNet(maxBatch, kernels);
  }
}
