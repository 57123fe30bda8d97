package io.nabla.runtime;

import io.nabla.Activation;
import io.nabla.Loss;
import io.nabla.runtime.kernel.DropoutKernels;
import io.nabla.runtime.kernel.Kernels;
import io.nabla.runtime.kernel.LossFunctions;
import io.nabla.runtime.kernel.NormalizationKernels;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * A hand-written stand-in for generated code with buffers and a random stream: an input {@code x} of {@code in}
 * features, a batch norm {@code bn} (running statistics {@code bn.running_mean} and {@code bn.running_var} in
 * {@link #buffers()}), a dropout {@code drop} drawing its masks from {@link #random}, and a dense softmax layer
 * {@code fc} of {@code units} outputs with softmax cross-entropy; as the processor would generate for
 * <pre>{@code
 * @Input(shape = in) Tensor x();
 * @BatchNorm Tensor bn(Tensor x);
 * @Dropout(rate = rate) Tensor drop(Tensor bn);
 * @Dense(units = units, activation = SOFTMAX) Tensor fc(Tensor drop);
 * }</pre>
 * Its PyTorch twin is {@code fc(drop(bn(x)))} with {@code nn.BatchNorm1d(in)}, {@code nn.Dropout(rate)} and
 * {@code nn.Linear(in, units)}, then a softmax; the state_dict names are the same (without
 * {@code bn.num_batches_tracked}).
 */
public final class TinyNormModel extends GeneratedModel {
  public static final float MOMENTUM = 0.1f;
  public static final float EPSILON = 1e-5f;

  private final int in;
  private final int units;
  private final float rate;
  private final int weightOff;
  private final int biasOff;
  private final float[] normed;
  private final float[] xhat;
  private final float[] invStd;
  private final float[] mask;
  private final float[] dropped;
  private final float[] logits;
  private final float[] out;
  private final float[] dOut;
  private final float[] dDropped;
  private final float[] dNormed;
  private float[] x;

  public TinyNormModel(String name, int maxBatch, int in, int units, float rate) {
    this(name, maxBatch, in, units, rate, buffers(in));
  }

  /**
   * As {@link #TinyNormModel(String, int, int, int, float)} with other buffer tensors, laid out one after the
   * other, to test what refuses a mismatch (forward needs bn's two buffers).
   */
  public TinyNormModel(String name, int maxBatch, int in, int units, float rate, List<ParameterTensor> buffers) {
    super(name, Loss.SOFTMAX_CROSS_ENTROPY, maxBatch, Kernels.portable(), 2 * in + units * in + units,
        tensors(in, units), size(buffers), buffers, layers(in, units));
    this.in = in;
    this.units = units;
    this.rate = rate;
    this.weightOff = 2 * in;
    this.biasOff = 2 * in + units * in;
    this.normed = new float[maxBatch * in];
    this.xhat = new float[maxBatch * in];
    this.invStd = new float[in];
    this.mask = new float[maxBatch * in];
    this.dropped = new float[maxBatch * in];
    this.logits = new float[maxBatch * units];
    this.out = new float[maxBatch * units];
    this.dOut = new float[maxBatch * units];
    this.dDropped = new float[maxBatch * in];
    this.dNormed = new float[maxBatch * in];
  }

  /** 2 → bn → dropout(0.25) → 3, for the trainer's 2-D clusters. */
  public static TinyNormModel classifier(int maxBatch) {
    return new TinyNormModel("NormClassifier", maxBatch, 2, 3, 0.25f);
  }

  /** The twin of tools/reference/make_safetensors_fixture.py's torch BnNet: x(3) → bn → dropout(0.5) → fc(2). */
  public static TinyNormModel torchTwin() {
    return new TinyNormModel("BnNet", 4, 3, 2, 0.5f);
  }

  private static List<ParameterTensor> tensors(int in, int units) {
    return Arrays.asList(
        new ParameterTensor("bn", ParameterTensor.Kind.WEIGHT, 0, new int[] {in}, ParameterTensor.Init.ONES, in,
            in),
        new ParameterTensor("bn", ParameterTensor.Kind.BIAS, in, new int[] {in}, ParameterTensor.Init.ZEROS, in,
            in),
        new ParameterTensor("fc", ParameterTensor.Kind.WEIGHT, 2 * in, new int[] {units, in},
            ParameterTensor.Init.GLOROT_UNIFORM, in, units),
        new ParameterTensor("fc", ParameterTensor.Kind.BIAS, 2 * in + units * in, new int[] {units},
            ParameterTensor.Init.ZEROS, in, units));
  }

  private static int size(List<ParameterTensor> buffers) {
    int n = 0;
    for (ParameterTensor t : buffers) {
      n += t.size();
    }
    return n;
  }

  /** bn's running mean (initially 0) and running variance (initially 1). */
  public static List<ParameterTensor> buffers(int in) {
    return Arrays.asList(
        new ParameterTensor("bn", ParameterTensor.Kind.RUNNING_MEAN, 0, new int[] {in}, ParameterTensor.Init.ZEROS,
            in, in),
        new ParameterTensor("bn", ParameterTensor.Kind.RUNNING_VAR, in, new int[] {in}, ParameterTensor.Init.ONES,
            in, in));
  }

  private static List<LayerInfo> layers(int in, int units) {
    return Arrays.asList(
        new LayerInfo("x", "Input", Collections.<String>emptyList(), new int[] {in}, 0),
        new LayerInfo("bn", "BatchNorm", Collections.singletonList("x"), new int[] {in}, 2 * in),
        new LayerInfo("drop", "Dropout", Collections.singletonList("bn"), new int[] {in}, 0),
        new LayerInfo("fc", "Dense", Collections.singletonList("drop"), new int[] {units}, units * in + units));
  }

  @Override
  protected void forwardPass(float[][] inputs, int batch) {
    x = inputs[0];
    int n = batch * in;
    if (isTraining()) {
      NormalizationKernels.batchNormTraining(x, batch, in, 1, parameters, 0, in, buffers, 0, in, MOMENTUM,
          EPSILON, xhat, invStd, Activation.IDENTITY, 0f, normed);
      DropoutKernels.forward(normed, n, rate, random, mask, dropped);
    } else {
      NormalizationKernels.batchNormInference(x, batch, in, 1, parameters, 0, in, buffers, 0, in, EPSILON, xhat,
          invStd, Activation.IDENTITY, 0f, normed);
      Arrays.fill(mask, 0, n, 1f);
      System.arraycopy(normed, 0, dropped, 0, n);
    }
    kernels.denseForward(logits, dropped, 0, parameters, weightOff, biasOff, batch, in, units,
        Activation.IDENTITY, 0f);
    LossFunctions.softmax(logits, out, batch, units);
  }

  @Override
  protected float lossPass(int[] labels, float[] targets, int batch) {
    return LossFunctions.softmaxCrossEntropy(logits, labels, batch, units, dOut);
  }

  @Override
  protected void backwardPass(int batch) {
    int n = batch * in;
    // dOut is the gradient at the logits already (softmax fused with the loss).
    kernels.activationBackward(dOut, out, batch, units, Activation.IDENTITY, 0f, gradients, biasOff);
    kernels.matmulTN(gradients, weightOff, dOut, 0, dropped, 0, units, in, batch, true);
    kernels.matmulNN(dDropped, 0, dOut, 0, parameters, weightOff, batch, in, units, false);
    Arrays.fill(dNormed, 0, n, 0f);
    DropoutKernels.backward(dDropped, mask, n, dNormed);
    NormalizationKernels.batchNormBackward(dNormed, normed, Activation.IDENTITY, 0f, xhat, invStd, batch, in, 1,
        parameters, 0, gradients, in, isTraining(), null);
  }

  @Override
  protected float[] layerOutput(int index) {
    switch (index) {
      case 0:
        return x;
      case 1:
        return normed;
      case 2:
        return dropped;
      default:
        return out;
    }
  }

  @Override
  protected Activation outputActivation() {
    return Activation.SOFTMAX;
  }
}
