package io.nabla.samples;

import io.nabla.runtime.Model;
import io.nabla.runtime.kernel.Kernels;
import java.util.Arrays;
import java.util.List;

/**
 * {@link FashionCnn} on Fashion-MNIST (the images as (1, 28, 28)), or with {@code --arch small} the
 * {@link FashionSmallCnn} of the performance comparison.
 */
final class FashionCnnSample extends FashionSample {
  static final String NAME = "fashion-cnn";
  static final int EPOCHS = 15;
  static final String SMALL = "small";

  FashionCnnSample() {
    super(NAME, EPOCHS);
  }

  @Override
  List<String> architectures() {
    return Arrays.asList(DEFAULT_ARCHITECTURE, SMALL);
  }

  @Override
  Model newModel(int maxBatch, Kernels kernels) {
    return new FashionCnnNet(maxBatch, kernels);
  }

  @Override
  Model newModel(String architecture, int maxBatch, Kernels kernels) {
    return SMALL.equals(architecture) ? new FashionSmallCnnNet(maxBatch, kernels) : newModel(maxBatch, kernels);
  }
}
