package io.nabla.runtime;

import io.nabla.Activation;
import io.nabla.Loss;
import io.nabla.runtime.kernel.ActivationFunctions;
import io.nabla.runtime.kernel.Kernels;
import io.nabla.runtime.kernel.LossFunctions;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * A hand-written stand-in for generated code: one input {@code x} of {@code in} features and one dense layer
 * {@code fc} of {@code units} outputs, as the processor would generate for
 * <pre>{@code
 * @Input(shape = in) Tensor x();
 * @Dense(units = units, activation = activation) Tensor fc(Tensor x);
 * }</pre>
 * Softmax (with softmax cross-entropy) and sigmoid (with binary cross-entropy) outputs hold probabilities while
 * the loss reads the logits, as {@link Loss} documents.
 */
public final class TinyDenseModel extends GeneratedModel {
  public static final float SLOPE = 0.01f;

  private final int in;
  private final int units;
  private final Activation activation;
  private final boolean fusedWithLoss;
  private final float[] logits;
  private final float[] out;
  private final float[] dOut;
  private float[] x;

  public TinyDenseModel(String name, Loss loss, int maxBatch, Kernels kernels, int in, int units,
      Activation activation) {
    super(name, loss, maxBatch, kernels, units * in + units, tensors(in, units, activation), layers(in, units));
    if (activation == Activation.SOFTMAX && loss != Loss.SOFTMAX_CROSS_ENTROPY) {
      throw new IllegalArgumentException("softmax output needs softmax cross-entropy");
    }
    this.in = in;
    this.units = units;
    this.activation = activation;
    this.fusedWithLoss = activation == Activation.SOFTMAX
        || (activation == Activation.SIGMOID && loss == Loss.BINARY_CROSS_ENTROPY_WITH_LOGITS);
    this.logits = new float[maxBatch * units];
    this.out = fusedWithLoss ? new float[maxBatch * units] : logits;
    this.dOut = new float[maxBatch * units];
  }

  /** 2 → 1, identity, MSE. */
  public static TinyDenseModel linearRegression(int maxBatch) {
    return new TinyDenseModel("LinearRegression", Loss.MSE, maxBatch, Kernels.portable(), 2, 1,
        Activation.IDENTITY);
  }

  /** 2 → 3, softmax, softmax cross-entropy. */
  public static TinyDenseModel softmaxClassifier(int maxBatch) {
    return new TinyDenseModel("SoftmaxClassifier", Loss.SOFTMAX_CROSS_ENTROPY, maxBatch, Kernels.portable(), 2,
        3, Activation.SOFTMAX);
  }

  private static List<ParameterTensor> tensors(int in, int units, Activation activation) {
    ParameterTensor.Init init = activation == Activation.RELU || activation == Activation.LEAKY_RELU
        ? ParameterTensor.Init.HE_UNIFORM
        : ParameterTensor.Init.GLOROT_UNIFORM;
    return Arrays.asList(
        new ParameterTensor("fc", ParameterTensor.Kind.WEIGHT, 0, new int[] {units, in}, init, in, units),
        new ParameterTensor("fc", ParameterTensor.Kind.BIAS, units * in, new int[] {units},
            ParameterTensor.Init.ZEROS, in, units));
  }

  private static List<LayerInfo> layers(int in, int units) {
    return Arrays.asList(
        new LayerInfo("x", "Input", Collections.<String>emptyList(), new int[] {in}, 0),
        new LayerInfo("fc", "Dense", Collections.singletonList("x"), new int[] {units}, units * in + units));
  }

  @Override
  protected void forwardPass(float[][] inputs, int batch) {
    x = inputs[0];
    Activation affine = fusedWithLoss ? Activation.IDENTITY : activation;
    kernels.denseForward(logits, x, 0, parameters, 0, units * in, batch, in, units, affine, SLOPE);
    if (activation == Activation.SOFTMAX) {
      LossFunctions.softmax(logits, out, batch, units);
    } else if (fusedWithLoss) {
      System.arraycopy(logits, 0, out, 0, batch * units);
      ActivationFunctions.apply(out, 0, batch * units, Activation.SIGMOID, 0f);
    }
  }

  @Override
  protected float lossPass(int[] labels, float[] targets, int batch) {
    switch (loss()) {
      case SOFTMAX_CROSS_ENTROPY:
        return LossFunctions.softmaxCrossEntropy(logits, labels, batch, units, dOut);
      case BINARY_CROSS_ENTROPY_WITH_LOGITS:
        return LossFunctions.binaryCrossEntropyWithLogits(logits, targets, batch * units, dOut);
      default:
        return LossFunctions.meanSquaredError(out, targets, batch * units, dOut);
    }
  }

  @Override
  protected void backwardPass(int batch) {
    // The fused losses give the gradient with respect to the logits already.
    Activation back = loss() == Loss.MSE ? activation : Activation.IDENTITY;
    kernels.activationBackward(dOut, out, batch, units, back, SLOPE, gradients, units * in);
    kernels.matmulTN(gradients, 0, dOut, 0, x, 0, units, in, batch, true);
  }

  @Override
  protected float[] layerOutput(int index) {
    return index == 0 ? x : out;
  }

  @Override
  protected Activation outputActivation() {
    return activation;
  }

  /** Sets the weights (row-major, {@code units × in}) and biases. */
  public TinyDenseModel set(float[] weight, float[] bias) {
    System.arraycopy(weight, 0, parameters, 0, units * in);
    System.arraycopy(bias, 0, parameters, units * in, units);
    return this;
  }
}
