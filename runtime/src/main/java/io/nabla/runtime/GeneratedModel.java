package io.nabla.runtime;

import io.nabla.Activation;
import io.nabla.Loss;
import io.nabla.runtime.kernel.Kernels;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * The base of every generated network: the flat parameter and gradient buffers, argument checks, initialisation,
 * predictions and the summary. A generated subclass adds only what depends on its layers: the buffers and one
 * forward/backward method pair per layer, wired in {@link #forwardPass}, {@link #lossPass} and
 * {@link #backwardPass}.
 */
public abstract class GeneratedModel implements Model {
  protected final float[] parameters;
  protected final float[] gradients;
  protected final Kernels kernels;
  /** Running statistics of batch norms, laid out as {@link #buffers()} says; forward updates them in training. */
  protected final float[] buffers;
  /** The random stream of dropout masks, seeded by {@link #initialize(long)}. */
  protected final Rng random = new Rng(0);

  private final String name;
  private final Loss loss;
  private final int maxBatch;
  private final Parameters parameterSet;
  private final Buffers bufferSet;
  private final List<LayerInfo> layers;
  private final List<LayerInfo> inputs;
  private final LayerInfo output;
  private final int classes;
  private final int targetsPerSample;

  /** The stream of {@link Rng#forStream} that seeds dropout; parameter tensors use streams 0, 1, 2, .... */
  private static final long RANDOM_STREAM = -1;

  private boolean training = true;
  private boolean forwardTraining = true;
  /** Reused to pass a single input on, so a training step allocates nothing. */
  private final float[][] single = new float[1][];
  private int lastBatch;
  private boolean lossReady;

  protected GeneratedModel(String name, Loss loss, int maxBatch, Kernels kernels, int parameterCount,
      List<ParameterTensor> tensors, List<LayerInfo> layers) {
    this(name, loss, maxBatch, kernels, parameterCount, tensors, 0, Collections.<ParameterTensor>emptyList(),
        layers);
  }

  /** As the other constructor, for a model with {@code bufferCount} floats of running statistics. */
  protected GeneratedModel(String name, Loss loss, int maxBatch, Kernels kernels, int parameterCount,
      List<ParameterTensor> tensors, int bufferCount, List<ParameterTensor> bufferTensors, List<LayerInfo> layers) {
    if (maxBatch < 1) {
      throw new IllegalArgumentException(name + ": maxBatch must be at least 1, got " + maxBatch);
    }
    if (kernels == null) {
      throw new NullPointerException(name + ": kernels");
    }
    for (LayerInfo layer : layers) {
      if ((long) maxBatch * layer.outputSize() > Integer.MAX_VALUE - 8) {
        throw new IllegalArgumentException(name + ": maxBatch " + maxBatch + " × " + layer.outputSize()
            + " values of layer '" + layer.name() + "' do not fit a Java array; use a smaller maxBatch");
      }
    }
    this.name = name;
    this.loss = loss;
    this.maxBatch = maxBatch;
    this.kernels = kernels;
    this.parameters = new float[parameterCount];
    this.gradients = new float[parameterCount];
    this.parameterSet = new Parameters(parameters, gradients, tensors);
    this.buffers = new float[bufferCount];
    this.bufferSet = new Buffers(buffers, bufferTensors);
    this.layers = Collections.unmodifiableList(new ArrayList<>(layers));
    List<LayerInfo> in = new ArrayList<>();
    for (LayerInfo layer : layers) {
      if (layer.kind().equals("Input")) {
        in.add(layer);
      }
    }
    this.inputs = Collections.unmodifiableList(in);
    this.output = layers.get(layers.size() - 1);
    int[] shape = output.outputShape();
    int last = shape[shape.length - 1];
    this.classes = loss == Loss.SOFTMAX_CROSS_ENTROPY ? last : 0;
    this.targetsPerSample = loss == Loss.SOFTMAX_CROSS_ENTROPY ? output.outputSize() / last : output.outputSize();
    initialize(0);
  }

  // ---- what the generated subclass provides ----

  /** Runs every layer's forward on {@code batch} samples; {@code inputs} are checked already. */
  protected abstract void forwardPass(float[][] inputs, int batch);

  /** Computes the loss of the last forward and writes the output gradient; arguments are checked already. */
  protected abstract float lossPass(int[] labels, float[] targets, int batch);

  /** Runs every layer's backward in reverse order, accumulating into {@link #gradients}. */
  protected abstract void backwardPass(int batch);

  /** The output buffer of layer {@code index} in {@link #layers()} order (inputs: the caller's array). */
  protected abstract float[] layerOutput(int index);

  /** The activation of the output layer, as declared (softmax and sigmoid outputs hold probabilities). */
  protected abstract Activation outputActivation();

  // ---- Model ----

  @Override
  public final String name() {
    return name;
  }

  @Override
  public final Loss loss() {
    return loss;
  }

  @Override
  public final int maxBatch() {
    return maxBatch;
  }

  @Override
  public final Parameters parameters() {
    return parameterSet;
  }

  @Override
  public final Buffers buffers() {
    return bufferSet;
  }

  @Override
  public final List<LayerInfo> layers() {
    return layers;
  }

  @Override
  public final List<LayerInfo> inputs() {
    return inputs;
  }

  @Override
  public final LayerInfo output() {
    return output;
  }

  @Override
  public final int inputSize() {
    if (inputs.size() != 1) {
      throw new IllegalStateException(name + " has " + inputs.size() + " inputs; ask inputs() for their sizes");
    }
    return inputs.get(0).outputSize();
  }

  @Override
  public final int outputSize() {
    return output.outputSize();
  }

  @Override
  public final int targetsPerSample() {
    return targetsPerSample;
  }

  @Override
  public final int classCount() {
    return classes;
  }

  @Override
  public final void initialize(long seed) {
    List<ParameterTensor> tensors = parameterSet.tensors();
    for (int t = 0; t < tensors.size(); t++) {
      ParameterTensor tensor = tensors.get(t);
      Rng rng = Rng.forStream(seed, t);
      if (tensor.init() == ParameterTensor.Init.ONES) {
        Arrays.fill(parameters, tensor.offset(), tensor.offset() + tensor.size(), 1f);
        continue;
      }
      double limit;
      switch (tensor.init()) {
        case HE_UNIFORM:
          limit = Math.sqrt(6.0 / tensor.fanIn());
          break;
        case GLOROT_UNIFORM:
          limit = Math.sqrt(6.0 / (tensor.fanIn() + tensor.fanOut()));
          break;
        case RECURRENT_UNIFORM:
          limit = 1.0 / Math.sqrt(tensor.fanIn());
          break;
        default:
          limit = 0;
      }
      for (int i = 0; i < tensor.size(); i++) {
        parameters[tensor.offset() + i] = limit == 0 ? 0f : (float) ((2 * rng.nextDouble() - 1) * limit);
      }
    }
    Arrays.fill(gradients, 0f);
    for (ParameterTensor buffer : bufferSet.tensors()) {
      float value = buffer.init() == ParameterTensor.Init.ONES ? 1f : 0f;
      Arrays.fill(buffers, buffer.offset(), buffer.offset() + buffer.size(), value);
    }
    random.restore(Rng.forStream(seed, RANDOM_STREAM).state());
  }

  /**
   * Whether the current forward pass (or, during backward, the last one) runs in training mode: {@link #isTraining()}
   * when forward started, so backward follows its forward even if {@link #setTraining} was called in between.
   */
  protected final boolean trainingPass() {
    return forwardTraining;
  }

  @Override
  public final long randomState() {
    return random.state();
  }

  @Override
  public final void restoreRandomState(long state) {
    random.restore(state);
  }

  @Override
  public void setTraining(boolean training) {
    this.training = training;
  }

  @Override
  public final boolean isTraining() {
    return training;
  }

  @Override
  public final float[] forward(float[] input, int batch) {
    if (inputs.size() != 1) {
      throw new IllegalArgumentException(
          name + " has " + inputs.size() + " inputs " + names(inputs) + "; call forward(float[][], int)");
    }
    single[0] = input;
    try {
      return forward(single, batch);
    } finally {
      single[0] = null;
    }
  }

  @Override
  public final float[] forward(float[][] data, int batch) {
    checkBatch(batch);
    if (data.length != inputs.size()) {
      throw new IllegalArgumentException(name + " has " + inputs.size() + " inputs " + names(inputs)
          + " but forward got " + data.length + " arrays");
    }
    for (int i = 0; i < data.length; i++) {
      LayerInfo input = inputs.get(i);
      long needed = (long) batch * input.outputSize();
      if (data[i] == null || data[i].length < needed) {
        throw new IllegalArgumentException("input '" + input.name() + "' of " + name + " needs " + batch + " × "
            + input.outputSize() + " = " + needed + " values, got " + (data[i] == null ? "null" : data[i].length));
      }
    }
    forwardTraining = training;
    forwardPass(data, batch);
    lastBatch = batch;
    lossReady = false;
    return layerOutput(layers.size() - 1);
  }

  @Override
  public final float loss(int[] labels, int batch) {
    if (loss != Loss.SOFTMAX_CROSS_ENTROPY) {
      throw new IllegalArgumentException(name + "'s loss " + loss + " takes float targets: call loss(float[], int)");
    }
    checkLossBatch(batch);
    int rows = batch * targetsPerSample;
    if (labels.length < rows) {
      throw new IllegalArgumentException(
          name + ": loss needs " + rows + " labels for " + batch + " samples, got " + labels.length);
    }
    for (int i = 0; i < rows; i++) {
      if (labels[i] < 0 || labels[i] >= classes) {
        throw new IllegalArgumentException("label " + labels[i] + " at index " + i + " is out of range: layer '"
            + output.name() + "' of " + name + " has " + classes + " classes (0.." + (classes - 1) + ")");
      }
    }
    return finishLoss(lossPass(labels, null, batch));
  }

  @Override
  public final float loss(float[] targets, int batch) {
    if (loss == Loss.SOFTMAX_CROSS_ENTROPY) {
      throw new IllegalArgumentException(name + "'s loss " + loss + " takes integer labels: call loss(int[], int)");
    }
    checkLossBatch(batch);
    int n = batch * targetsPerSample;
    if (targets.length < n) {
      throw new IllegalArgumentException(
          name + ": loss needs " + n + " targets for " + batch + " samples, got " + targets.length);
    }
    return finishLoss(lossPass(null, targets, batch));
  }

  @Override
  public final void backward() {
    if (!lossReady) {
      throw new IllegalStateException(name + ": backward() needs forward(...) then loss(...) first");
    }
    backwardPass(lastBatch);
    lossReady = false;
  }

  @Override
  public final void zeroGradients() {
    Arrays.fill(gradients, 0f);
  }

  @Override
  public final float[] predict(float[] input, int batch) {
    float[] out = forward(input, batch);
    return Arrays.copyOf(out, batch * outputSize());
  }

  @Override
  public final int[] predictClasses(float[] input, int batch) {
    float[] out = forward(input, batch);
    int[] shape = output.outputShape();
    int width = shape[shape.length - 1];
    int rows = batch * outputSize() / width;
    int[] classes = new int[rows];
    // One output per row (binary cross-entropy): class 1 when the logit is positive (probability above 0.5).
    float threshold = outputActivation() == Activation.SIGMOID ? 0.5f : 0f;
    for (int r = 0; r < rows; r++) {
      classes[r] = width == 1 ? (out[r] > threshold ? 1 : 0) : argmax(out, r * width, width);
    }
    return classes;
  }

  @Override
  public final int countCorrect(int[] labels, float[] targets, int batch) {
    float[] out = layerOutput(layers.size() - 1);
    int correct = 0;
    if (loss == Loss.SOFTMAX_CROSS_ENTROPY) {
      int rows = batch * targetsPerSample;
      for (int r = 0; r < rows; r++) {
        if (argmax(out, r * classes, classes) == labels[r]) {
          correct++;
        }
      }
    } else if (loss == Loss.BINARY_CROSS_ENTROPY_WITH_LOGITS) {
      float threshold = outputActivation() == Activation.SIGMOID ? 0.5f : 0f;
      int n = batch * targetsPerSample;
      for (int i = 0; i < n; i++) {
        if ((out[i] > threshold) == (targets[i] > 0.5f)) {
          correct++;
        }
      }
    }
    return correct;
  }

  @Override
  public final float[] activations(String layer) {
    for (int i = 0; i < layers.size(); i++) {
      if (layers.get(i).name().equals(layer)) {
        if (lastBatch == 0) {
          throw new IllegalStateException(name + ": no forward has run yet");
        }
        return Arrays.copyOf(layerOutput(i), lastBatch * layers.get(i).outputSize());
      }
    }
    throw new IllegalArgumentException(name + " has no layer '" + layer + "'; its layers are " + names(layers));
  }

  @Override
  public final String describeNonFinite() {
    for (ParameterTensor tensor : parameterSet.tensors()) {
      for (int i = 0; i < tensor.size(); i++) {
        float v = parameters[tensor.offset() + i];
        if (Float.isNaN(v) || Float.isInfinite(v)) {
          return "parameter " + tensor.name() + "[" + i + "] = " + v;
        }
      }
    }
    for (ParameterTensor tensor : parameterSet.tensors()) {
      for (int i = 0; i < tensor.size(); i++) {
        float v = gradients[tensor.offset() + i];
        if (Float.isNaN(v) || Float.isInfinite(v)) {
          return "gradient of " + tensor.name() + "[" + i + "] = " + v;
        }
      }
    }
    for (ParameterTensor tensor : bufferSet.tensors()) {
      for (int i = 0; i < tensor.size(); i++) {
        float v = buffers[tensor.offset() + i];
        if (Float.isNaN(v) || Float.isInfinite(v)) {
          return "buffer " + tensor.name() + "[" + i + "] = " + v;
        }
      }
    }
    if (lastBatch > 0) {
      for (int l = 0; l < layers.size(); l++) {
        float[] out = layerOutput(l);
        int n = lastBatch * layers.get(l).outputSize();
        for (int i = 0; i < n && i < out.length; i++) {
          if (Float.isNaN(out[i]) || Float.isInfinite(out[i])) {
            return "output of layer '" + layers.get(l).name() + "' [" + i + "] = " + out[i];
          }
        }
      }
    }
    return null;
  }

  @Override
  public final String summary() {
    String[] header = {"Layer", "Kind", "Inputs", "Output shape", "Parameters"};
    List<String[]> rows = new ArrayList<>();
    rows.add(header);
    for (LayerInfo layer : layers) {
      rows.add(new String[] {layer.name(), layer.kind(),
          layer.inputs().isEmpty() ? "-" : commaSeparated(layer.inputs()),
          shape(layer.outputShape()), String.format(Locale.ROOT, "%,d", layer.parameterCount())});
    }
    int[] width = new int[header.length];
    for (String[] row : rows) {
      for (int c = 0; c < row.length; c++) {
        width[c] = Math.max(width[c], row[c].length());
      }
    }
    StringBuilder sb = new StringBuilder();
    sb.append(name).append(" (loss ").append(loss).append(")\n");
    int total = 0;
    for (int c = 0; c < width.length; c++) {
      total += width[c] + 2;
    }
    String rule = repeat('-', total - 2) + "\n";
    for (int r = 0; r < rows.size(); r++) {
      String[] row = rows.get(r);
      StringBuilder line = new StringBuilder();
      for (int c = 0; c < row.length; c++) {
        String cell = row[c];
        String pad = repeat(' ', width[c] - cell.length());
        line.append(c == row.length - 1 ? pad + cell : cell + pad + "  ");
      }
      sb.append(line).append('\n');
      if (r == 0) {
        sb.append(rule);
      }
    }
    sb.append(rule);
    sb.append(String.format(Locale.ROOT, "Total parameters: %,d (%,d bytes as float32)%n", parameters.length,
        4L * parameters.length));
    return sb.toString();
  }

  @Override
  public String toString() {
    return name + " " + layers;
  }

  // ---- helpers ----

  private void checkBatch(int batch) {
    if (batch < 1 || batch > maxBatch) {
      throw new IllegalArgumentException(
          name + ": batch must be in [1, " + maxBatch + "] (maxBatch given to the constructor), got " + batch);
    }
  }

  private void checkLossBatch(int batch) {
    if (lastBatch == 0) {
      throw new IllegalStateException(name + ": loss(...) needs a forward(...) first");
    }
    if (batch != lastBatch) {
      throw new IllegalArgumentException(
          name + ": loss batch " + batch + " differs from the last forward's batch " + lastBatch);
    }
  }

  private float finishLoss(float value) {
    lossReady = true;
    return value;
  }

  static int argmax(float[] v, int from, int n) {
    int best = 0;
    for (int c = 1; c < n; c++) {
      if (v[from + c] > v[from + best]) {
        best = c;
      }
    }
    return best;
  }

  private static String names(List<LayerInfo> list) {
    List<String> names = new ArrayList<>();
    for (LayerInfo l : list) {
      names.add(l.name());
    }
    return names.toString();
  }

  /** As {@code String.join(", ", items)}, which Android 21 lacks. */
  private static String commaSeparated(List<String> items) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < items.size(); i++) {
      sb.append(i == 0 ? "" : ", ").append(items.get(i));
    }
    return sb.toString();
  }

  private static String shape(int[] shape) {
    StringBuilder sb = new StringBuilder("(");
    for (int i = 0; i < shape.length; i++) {
      sb.append(i == 0 ? "" : ", ").append(shape[i]);
    }
    return sb.append(shape.length == 1 ? ",)" : ")").toString();
  }

  private static String repeat(char c, int n) {
    char[] chars = new char[Math.max(0, n)];
    Arrays.fill(chars, c);
    return new String(chars);
  }
}
