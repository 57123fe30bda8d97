package io.nabla.runtime;

import io.nabla.Activation;
import io.nabla.runtime.checkpoint.Checkpoint;
import io.nabla.runtime.checkpoint.Safetensors;
import io.nabla.runtime.kernel.Kernels;
import java.io.File;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The base of every generated network's forward pass: the flat parameters and running statistics, argument checks,
 * predictions, loading trained weights, and the summary. The processor generates two subclasses per declaration:
 * {@code <Name>Inference} extends this directly (forward only: no gradients, no optimizer state, for apps that
 * only run a trained network), and {@code <Name>Net} extends it through {@link GeneratedModel}, which adds training.
 */
public abstract class GeneratedInference {
  protected final float[] parameters;
  protected final Kernels kernels;
  /** Running statistics of batch norms, laid out as {@link #buffers()} says. */
  protected final float[] buffers;
  /** The random stream of dropout masks (used in training passes only). */
  protected final Rng random = new Rng(0);

  private final String name;
  private final int maxBatch;
  private final List<ParameterTensor> tensors;
  private final Buffers bufferSet;
  private final List<LayerInfo> layers;
  private final List<LayerInfo> inputs;
  private final LayerInfo output;
  /** The output's last dimension, over which {@link #predictClasses} takes the argmax. */
  private final int outputWidth;
  /** Reused to pass a single input on, so a forward pass allocates nothing. */
  private final float[] @Nullable [] single = new float[1][];
  private int lastBatch;

  protected GeneratedInference(String name, int maxBatch, Kernels kernels, int parameterCount,
      List<ParameterTensor> tensors, int bufferCount, List<ParameterTensor> bufferTensors, List<LayerInfo> layers) {
    this(null, name, maxBatch, kernels, parameterCount, tensors, bufferCount, bufferTensors, layers);
  }

  /**
   * As the other constructor; with {@code shared} non-null, this network reads {@code shared}'s parameters and
   * running statistics (the same arrays) instead of allocating its own: a part of a data-parallel training step.
   */
  GeneratedInference(@Nullable GeneratedInference shared, String name, int maxBatch, Kernels kernels,
      int parameterCount, List<ParameterTensor> tensors, int bufferCount, List<ParameterTensor> bufferTensors,
      List<LayerInfo> layers) {
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
    this.maxBatch = maxBatch;
    this.kernels = kernels;
    this.parameters = shared != null ? shared.parameters : new float[parameterCount];
    this.tensors = Collections.unmodifiableList(new ArrayList<>(tensors));
    this.buffers = shared != null ? shared.buffers : new float[bufferCount];
    this.bufferSet = new Buffers(buffers, bufferTensors);
    for (ParameterTensor buffer : shared != null ? Collections.<ParameterTensor>emptyList() : bufferTensors) {
      float value = buffer.init() == ParameterTensor.Init.ONES ? 1f : 0f;
      Arrays.fill(buffers, buffer.offset(), buffer.offset() + buffer.size(), value);
    }
    this.layers = Collections.unmodifiableList(new ArrayList<>(layers));
    List<LayerInfo> in = new ArrayList<>();
    for (LayerInfo layer : layers) {
      if (layer.kind().equals("Input")) {
        in.add(layer);
      }
    }
    this.inputs = Collections.unmodifiableList(in);
    this.output = layers.get(layers.size() - 1);
    int[] outputShape = output.outputShape();
    this.outputWidth = outputShape.length == 0 ? 1 : outputShape[outputShape.length - 1];
  }

  // ---- what the generated subclass provides ----

  /** Runs every layer's forward on {@code batch} samples; {@code inputs} are checked already. */
  protected abstract void forwardPass(float[][] inputs, int batch);

  /** The output buffer of layer {@code index} in {@link #layers()} order (inputs: the caller's array). */
  protected abstract float[] layerOutput(int index);

  /** The activation of the output layer, as declared (softmax and sigmoid outputs hold probabilities). */
  protected abstract Activation outputActivation();

  /**
   * Whether the current forward pass (or, during backward, the last one) runs in training mode; never here,
   * where dropout is the identity and batch norm uses its running statistics.
   */
  protected boolean trainingPass() {
    return false;
  }

  /** Called at the start of every checked forward pass, before {@link #forwardPass}. */
  protected void beforeForward() {}

  // ---- the network ----

  /** The simple name of the declaration, e.g. {@code FashionMlp}. */
  public final String name() {
    return name;
  }

  /** The largest batch {@link #forward(float[], int)} accepts. */
  public final int maxBatch() {
    return maxBatch;
  }

  /** The named parameter tensors, in the order of the flat buffer {@link #parameterValues()}. */
  public final List<ParameterTensor> parameterTensors() {
    return tensors;
  }

  /** The flat parameter buffer (live, not a copy). */
  public final float[] parameterValues() {
    return parameters;
  }

  /** The running statistics of batch norms (empty without them). */
  public final Buffers buffers() {
    return bufferSet;
  }

  /** Every layer, inputs first, in the order forward runs them; the last is the output. */
  public final List<LayerInfo> layers() {
    return layers;
  }

  /** The input layers, in declaration order. */
  public final List<LayerInfo> inputs() {
    return inputs;
  }

  /** The output layer. */
  public final LayerInfo output() {
    return output;
  }

  /** Per-sample size of the only input (an exception if there are several). */
  public final int inputSize() {
    if (inputs.size() != 1) {
      throw new IllegalStateException(name + " has " + inputs.size() + " inputs; ask inputs() for their sizes");
    }
    return inputs.get(0).outputSize();
  }

  /** Per-sample size of the output. */
  public final int outputSize() {
    return output.outputSize();
  }

  /**
   * Runs the network on {@code batch} samples of the only input. Returns the output buffer itself, whose first
   * {@code batch · outputSize()} values are valid until the next call; copy what you keep.
   *
   * @throws IllegalArgumentException naming the input if it holds fewer than {@code batch · inputSize()} values,
   *     or if {@code batch} is not in {@code [1, maxBatch()]}
   */
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

  /** As {@link #forward(float[], int)} for a network with several inputs, in declaration order. */
  public final float[] forward(float[][] data, int batch) {
    checkForward(data, batch);
    beforeForward();
    forwardPass(data, batch);
    lastBatch = batch;
    return layerOutput(layers.size() - 1);
  }

  /** The checks of {@link #forward(float[][], int)}: the batch and every input's length. */
  final void checkForward(float[][] data, int batch) {
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
  }

  /** The outputs for {@code batch} samples, copied into a new array ({@link #predict(float[], int, float[])}: none). */
  public final float[] predict(float[] input, int batch) {
    checkBatch(batch);
    return predict(input, batch, new float[batch * outputSize()]);
  }

  /**
   * The outputs for {@code batch} samples, written into the first {@code batch · outputSize()} values of
   * {@code into}, which is returned; the rest of {@code into} is left as it was. Allocates nothing (after the JIT's
   * warm-up), so an app can predict per frame without garbage.
   *
   * @throws IllegalArgumentException if {@code into} is shorter than {@code batch · outputSize()} (checked before the
   *     network runs), or as {@link #forward(float[], int)}
   * @throws NullPointerException if {@code into} is null
   */
  public final float[] predict(float[] input, int batch, float[] into) {
    Objects.requireNonNull(into, "into");
    checkBatch(batch);
    int n = batch * outputSize();
    if (into.length < n) {
      throw new IllegalArgumentException(name + ".predict's output array holds " + into.length + " values, "
          + batch + " samples × " + outputSize() + " outputs need " + n);
    }
    float[] out = forward(input, batch);
    System.arraycopy(out, 0, into, 0, n);
    return into;
  }

  /**
   * The most likely class of each output row: the argmax over the last dimension, or, for one output per row
   * (binary cross-entropy), 1 when the logit is positive (the probability above 0.5) and 0 otherwise. In a new
   * array ({@link #predictClasses(float[], int, int[])}: none).
   */
  public final int[] predictClasses(float[] input, int batch) {
    checkBatch(batch);
    return predictClasses(input, batch, new int[outputRows(batch)]);
  }

  /**
   * {@link #predictClasses(float[], int)} written into the first values of {@code into}, one per output row
   * ({@code batch · outputSize()} divided by the output's last dimension: {@code batch} for an output of one
   * dimension), which is returned; the rest of {@code into} is left as it was. Allocates nothing (after the JIT's
   * warm-up).
   *
   * @throws IllegalArgumentException if {@code into} is shorter than the output rows (checked before the network
   *     runs), or as {@link #forward(float[], int)}
   * @throws NullPointerException if {@code into} is null
   */
  public final int[] predictClasses(float[] input, int batch, int[] into) {
    Objects.requireNonNull(into, "into");
    checkBatch(batch);
    int rows = outputRows(batch);
    if (into.length < rows) {
      throw new IllegalArgumentException(name + ".predictClasses's output array holds " + into.length + " values, "
          + batch + " samples have " + rows + " output rows");
    }
    float[] out = forward(input, batch);
    int width = outputWidth;
    // One output per row (binary cross-entropy): class 1 when the logit is positive (probability above 0.5).
    float threshold = outputActivation() == Activation.SIGMOID ? 0.5f : 0f;
    for (int r = 0; r < rows; r++) {
      into[r] = width == 1 ? (out[r] > threshold ? 1 : 0) : argmax(out, r * width, width);
    }
    return into;
  }

  /** The rows of {@code batch} samples' outputs that {@link #predictClasses} classifies, one class each. */
  private int outputRows(int batch) {
    return batch * outputSize() / outputWidth;
  }

  /** A copy of layer {@code name}'s output for the last forward ({@code batch · size} values). */
  public final float[] activations(String layer) {
    for (int i = 0; i < layers.size(); i++) {
      if (layers.get(i).name().equals(layer)) {
        if (lastBatch == 0) {
          throw new IllegalStateException(name + ": no forward has run yet");
        }
        return copyOutput(i);
      }
    }
    throw new IllegalArgumentException(name + " has no layer '" + layer + "'; its layers are " + names(layers));
  }

  /** Layer {@code index}'s output for the last forward, {@code lastBatch() · size} values, copied. */
  float[] copyOutput(int index) {
    return Arrays.copyOf(layerOutput(index), lastBatch * layers.get(index).outputSize());
  }

  /** The output buffer of the last forward: {@code lastBatch() · outputSize()} values valid. */
  public final float[] lastOutput() {
    if (lastBatch == 0) {
      throw new IllegalStateException(name + ": no forward has run yet");
    }
    return layerOutput(layers.size() - 1);
  }

  /** Records a forward of {@code batch} samples made outside {@link #forward(float[][], int)} (by its parts). */
  final void setLastBatch(int batch) {
    lastBatch = batch;
  }

  /** The batch of the last forward, 0 before the first. */
  protected final int lastBatch() {
    return lastBatch;
  }

  /**
   * Where non-finite values first appear: the first parameter tensor, running statistic or layer output (in forward
   * order) holding a NaN or infinity, with its index and value; {@code null} if everything is finite.
   */
  public @Nullable String describeNonFinite() {
    @Nullable String found = firstNonFinite(parameters, tensors, "parameter ");
    if (found == null) {
      found = firstNonFinite(buffers, bufferSet.tensors(), "buffer ");
    }
    if (found == null && lastBatch > 0) {
      for (int l = 0; l < layers.size() && found == null; l++) {
        found = nonFiniteOutput(l);
      }
    }
    return found;
  }

  /** {@code "output of layer 'x' [i] = v"} for layer {@code index}'s first NaN or infinity, or {@code null}. */
  @Nullable String nonFiniteOutput(int index) {
    return nonFiniteOutput(index, 0);
  }

  /** As {@link #nonFiniteOutput(int)}, with indices counted from sample {@code firstSample} of a whole batch. */
  final @Nullable String nonFiniteOutput(int index, int firstSample) {
    float[] out = layerOutput(index);
    int size = layers.get(index).outputSize();
    int n = lastBatch * size;
    for (int i = 0; i < n && i < out.length; i++) {
      if (Float.isNaN(out[i]) || Float.isInfinite(out[i])) {
        return "output of layer '" + layers.get(index).name() + "' [" + ((long) firstSample * size + i) + "] = "
            + out[i];
      }
    }
    return null;
  }

  /** {@code "<what><tensor>[i] = v"} for the first NaN or infinity of {@code values}, or {@code null}. */
  protected static @Nullable String firstNonFinite(float[] values, List<ParameterTensor> tensors, String what) {
    for (ParameterTensor tensor : tensors) {
      for (int i = 0; i < tensor.size(); i++) {
        float v = values[tensor.offset() + i];
        if (Float.isNaN(v) || Float.isInfinite(v)) {
          return what + tensor.name() + "[" + i + "] = " + v;
        }
      }
    }
    return null;
  }

  // ---- loading trained weights ----

  /**
   * Loads the parameters (and running statistics) from {@code file}: a Nabla checkpoint (recognised by its magic
   * bytes) or a safetensors file, e.g. one exported from PyTorch. Every tensor of this network must be there with
   * its shape; extra tensors in the file are an error too, so a file of another network is never half-loaded.
   *
   * @throws IllegalArgumentException naming the first tensor that is missing, extra or of another shape; nothing
   *     is loaded then
   * @throws IOException if the file cannot be read or is not a checkpoint or safetensors file
   */
  public final void load(File file) throws IOException {
    if (isCheckpoint(file)) {
      loadTensors(file, Checkpoint.read(file), null);
    } else {
      loadTensors(file, null, Safetensors.read(file));
    }
  }

  private static boolean isCheckpoint(File file) throws IOException {
    byte[] magic = new byte[8];
    InputStream in = new FileInputStream(file);
    try {
      int n = 0;
      while (n < magic.length) {
        int r = in.read(magic, n, magic.length - n);
        if (r < 0) {
          return false;
        }
        n += r;
      }
    } finally {
      in.close();
    }
    return new String(magic, "US-ASCII").equals("NABLACKP");
  }

  private void loadTensors(File file, @Nullable Checkpoint checkpoint, @Nullable Safetensors safetensors) {
    List<ParameterTensor> all = new ArrayList<>(tensors);
    all.addAll(bufferSet.tensors());
    List<String> available = checkpoint != null ? checkpointNames(checkpoint) : safetensors.names();
    float[][] values = new float[all.size()][];
    List<String> expected = new ArrayList<>();
    for (int t = 0; t < all.size(); t++) {
      ParameterTensor tensor = all.get(t);
      expected.add(tensor.name());
      if (!available.contains(tensor.name())) {
        throw new IllegalArgumentException(file + " has no tensor " + tensor.name() + " " + shape(tensor.shape())
            + " of " + name + "; it holds " + available);
      }
      int[] shape = checkpoint != null ? checkpointShape(checkpoint, tensor.name()) : safetensors.shape(tensor.name());
      if (!Arrays.equals(shape, tensor.shape())) {
        throw new IllegalArgumentException(file + ": tensor " + tensor.name() + " has shape " + shape(shape) + ", "
            + name + " needs " + shape(tensor.shape()));
      }
      values[t] = checkpoint != null ? checkpoint.tensor(tensor.name()) : safetensors.tensor(tensor.name());
    }
    for (String present : available) {
      if (!expected.contains(present)) {
        throw new IllegalArgumentException(file + " holds tensor " + present + ", which " + name
            + " does not have: is it a file of another network?");
      }
    }
    for (int t = 0; t < all.size(); t++) {
      ParameterTensor tensor = all.get(t);
      float[] target = t < tensors.size() ? parameters : buffers;
      System.arraycopy(values[t], 0, target, tensor.offset(), tensor.size());
    }
  }

  private static List<String> checkpointNames(Checkpoint checkpoint) {
    List<String> names = new ArrayList<>();
    for (io.nabla.runtime.checkpoint.Architecture.Tensor t : checkpoint.architecture().tensors()) {
      names.add(t.name());
    }
    names.addAll(checkpoint.bufferNames());
    return names;
  }

  private static int[] checkpointShape(Checkpoint checkpoint, String name) {
    for (io.nabla.runtime.checkpoint.Architecture.Tensor t : checkpoint.architecture().tensors()) {
      if (t.name().equals(name)) {
        return t.shape();
      }
    }
    return checkpoint.bufferShape(name);
  }

  /** A table of layers: name, kind, inputs, output shape, parameter count, FLOPs, and the totals. */
  public final String summary() {
    String[] header = {"Layer", "Kind", "Inputs", "Output shape", "Parameters", "FLOPs"};
    List<String[]> rows = new ArrayList<>();
    rows.add(header);
    long flops = 0;
    for (LayerInfo layer : layers) {
      rows.add(new String[] {layer.name(), layer.kind(),
          layer.inputs().isEmpty() ? "-" : commaSeparated(layer.inputs()),
          shape(layer.outputShape()), String.format(Locale.ROOT, "%,d", layer.parameterCount()),
          String.format(Locale.ROOT, "%,d", layer.flops())});
      flops += layer.flops();
    }
    int[] width = new int[header.length];
    for (String[] row : rows) {
      for (int c = 0; c < row.length; c++) {
        width[c] = Math.max(width[c], row[c].length());
      }
    }
    StringBuilder sb = new StringBuilder();
    sb.append(summaryTitle()).append('\n');
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
        // Numbers right-aligned, as Keras's summary.
        line.append(c >= 4 ? pad + cell + (c == row.length - 1 ? "" : "  ") : cell + pad + "  ");
      }
      sb.append(line).append('\n');
      if (r == 0) {
        sb.append(rule);
      }
    }
    sb.append(rule);
    sb.append(String.format(Locale.ROOT, "Total parameters: %,d (%,d bytes as float32)%n", parameters.length,
        4L * parameters.length));
    if (buffers.length > 0) {
      sb.append(String.format(Locale.ROOT, "Running statistics: %,d (not trained)%n", buffers.length));
    }
    sb.append(String.format(Locale.ROOT, "Forward FLOPs per sample: %,d (backward about twice that)%n", flops));
    return sb.toString();
  }

  /** The first line of {@link #summary()}. */
  protected String summaryTitle() {
    return name + " (inference)";
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
