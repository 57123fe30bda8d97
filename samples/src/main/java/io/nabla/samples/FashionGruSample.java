package io.nabla.samples;

import io.nabla.runtime.Model;
import io.nabla.runtime.kernel.Kernels;
import java.util.Arrays;
import java.util.List;

/**
 * {@link FashionGru} on Fashion-MNIST, each image read as 28 rows of 28 pixels (the same data as
 * {@code fashion-mlp}: a sample's 784 values are its rows one after another), or with {@code --arch lstm} the
 * {@link FashionLstm}.
 */
final class FashionGruSample extends FashionSample {
  static final String NAME = "fashion-gru";
  static final int EPOCHS = 12;
  static final String LSTM = "lstm";

  FashionGruSample() {
    super(NAME, EPOCHS);
  }

  @Override
  List<String> architectures() {
    return Arrays.asList(DEFAULT_ARCHITECTURE, LSTM);
  }

  @Override
  Model newModel(int maxBatch, Kernels kernels) {
    return new FashionGruNet(maxBatch, kernels);
  }

  @Override
  Model newModel(String architecture, int maxBatch, Kernels kernels) {
    return LSTM.equals(architecture) ? new FashionLstmNet(maxBatch, kernels) : newModel(maxBatch, kernels);
  }
}
