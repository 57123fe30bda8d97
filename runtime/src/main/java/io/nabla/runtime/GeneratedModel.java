package io.nabla.runtime;

import io.nabla.Activation;
import io.nabla.Loss;
import io.nabla.runtime.kernel.Kernels;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The base of every generated trainable network ({@code <Name>Net}): on top of {@link GeneratedInference}'s
 * forward pass, the gradient buffer, initialisation, training and inference modes, the loss and backward. A
 * generated subclass adds only what depends on its layers: the buffers and one forward/backward method pair per
 * layer, wired in {@link #forwardPass}, {@link #lossPass} and {@link #backwardPass}.
 */
public abstract class GeneratedModel extends GeneratedInference implements Model {
  protected final float[] gradients;

  private final Loss loss;
  private final Parameters parameterSet;
  private final int classes;
  private final int targetsPerSample;

  /** The stream of {@link Rng#forStream} that seeds dropout; parameter tensors use streams 0, 1, 2, .... */
  private static final long RANDOM_STREAM = -1;

  private boolean training = true;
  private boolean forwardTraining = true;
  private boolean lossReady;

  protected GeneratedModel(String name, Loss loss, int maxBatch, Kernels kernels, int parameterCount,
      List<ParameterTensor> tensors, List<LayerInfo> layers) {
    this(null, name, loss, maxBatch, kernels, parameterCount, tensors, layers);
  }

  /** As the other constructor, for a model with {@code bufferCount} floats of running statistics. */
  protected GeneratedModel(String name, Loss loss, int maxBatch, Kernels kernels, int parameterCount,
      List<ParameterTensor> tensors, int bufferCount, List<ParameterTensor> bufferTensors, List<LayerInfo> layers) {
    this(null, name, loss, maxBatch, kernels, parameterCount, tensors, bufferCount, bufferTensors, layers);
  }

  /**
   * As the first constructor; with {@code shared} non-null, a part of {@code shared}'s data-parallel steps
   * ({@link #newPart}): it reads {@code shared}'s parameters and keeps its own activations (and gradients, but for
   * the first part, which adds into {@code shared}'s).
   */
  protected GeneratedModel(@Nullable GeneratedModel shared, String name, Loss loss, int maxBatch, Kernels kernels,
      int parameterCount, List<ParameterTensor> tensors, List<LayerInfo> layers) {
    this(shared, name, loss, maxBatch, kernels, parameterCount, tensors, 0,
        Collections.<ParameterTensor>emptyList(), layers);
  }

  /** As the second constructor, with {@code shared} as the third says. */
  protected GeneratedModel(@Nullable GeneratedModel shared, String name, Loss loss, int maxBatch, Kernels kernels,
      int parameterCount, List<ParameterTensor> tensors, int bufferCount, List<ParameterTensor> bufferTensors,
      List<LayerInfo> layers) {
    super(shared, name, maxBatch, kernels, parameterCount, tensors, bufferCount, bufferTensors, layers);
    this.loss = loss;
    this.gradients = shared != null && shared.lendGradients ? shared.gradients : new float[parameterCount];
    this.parameterSet = new Parameters(parameters, gradients, tensors, kernels);
    LayerInfo output = output();
    int[] shape = output.outputShape();
    int last = shape[shape.length - 1];
    this.classes = loss == Loss.SOFTMAX_CROSS_ENTROPY ? last : 0;
    this.targetsPerSample = loss == Loss.SOFTMAX_CROSS_ENTROPY ? output.outputSize() / last : output.outputSize();
    this.isPart = shared != null;
    boolean independent = !isPart;
    long flops = 0;
    for (LayerInfo layer : layers) {
      // Batch norm's statistics and dropout's one random stream span the whole batch.
      independent &= !layer.kind().equals("BatchNorm") && !layer.kind().equals("Dropout");
      flops += layer.flops();
    }
    this.samplesIndependent = independent;
    this.flopsPerSample = flops;
    if (!isPart) {
      initialize(0);
    }
  }

  // ---- what the generated subclass provides ----

  /** Computes the loss of the last forward and writes the output gradient; arguments are checked already. */
  protected abstract float lossPass(int @Nullable [] labels, float @Nullable [] targets, int batch);

  /** Runs every layer's backward in reverse order, accumulating into {@link #gradients}. */
  protected abstract void backwardPass(int batch);

  /**
   * A new network of this class for one part of this one's data-parallel steps: built with this network as
   * {@code shared}, at most {@code maxBatch} samples, on {@code kernels}. The generated subclass returns
   * {@code new <Name>Net(this, maxBatch, kernels)}; this default returns {@code null}, and every step runs whole.
   */
  protected @Nullable GeneratedModel newPart(int maxBatch, Kernels kernels) {
    return null;
  }

  // ---- Model ----

  @Override
  public final Loss loss() {
    return loss;
  }

  @Override
  public final Parameters parameters() {
    return parameterSet;
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
      if (tensor.init() == ParameterTensor.Init.NORMAL) {
        for (int i = 0; i < tensor.size(); i++) {
          parameters[tensor.offset() + i] = (float) rng.nextGaussian();
        }
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
    for (ParameterTensor buffer : buffers().tensors()) {
      float value = buffer.init() == ParameterTensor.Init.ONES ? 1f : 0f;
      Arrays.fill(buffers, buffer.offset(), buffer.offset() + buffer.size(), value);
    }
    random.restore(Rng.forStream(seed, RANDOM_STREAM).state());
  }

  /**
   * Whether the current forward pass (or, during backward, the last one) runs in training mode: {@link #isTraining()}
   * when forward started, so backward follows its forward even if {@link #setTraining} was called in between.
   */
  @Override
  protected final boolean trainingPass() {
    return forwardTraining;
  }

  @Override
  protected final void beforeForward() {
    forwardTraining = training;
    lossReady = false;
    lastStepSplit = false;
  }

  /** As {@link GeneratedInference#describeNonFinite()}, with the gradients checked after the parameters. */
  @Override
  public final @Nullable String describeNonFinite() {
    @Nullable String found = firstNonFinite(parameters, parameterSet.tensors(), "parameter ");
    if (found == null) {
      found = firstNonFinite(gradients, parameterSet.tensors(), "gradient of ");
    }
    return found != null ? found : super.describeNonFinite();
  }

  @Override
  protected final String summaryTitle() {
    return name() + " (loss " + loss + ")";
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
    if (parts != null) {
      for (GeneratedModel part : parts) {
        part.setTraining(training);
      }
    }
  }

  @Override
  public final boolean isTraining() {
    return training;
  }

  @Override
  public final float loss(int[] labels, int batch) {
    if (loss != Loss.SOFTMAX_CROSS_ENTROPY) {
      throw new IllegalArgumentException(name() + "'s loss " + loss + " takes float targets: call loss(float[], int)");
    }
    checkLossBatch(batch);
    checkLabels(labels, batch);
    return finishLoss(lossPass(labels, null, batch));
  }

  @Override
  public final float loss(float[] targets, int batch) {
    if (loss == Loss.SOFTMAX_CROSS_ENTROPY) {
      throw new IllegalArgumentException(name() + "'s loss " + loss + " takes integer labels: call loss(int[], int)");
    }
    checkLossBatch(batch);
    checkTargets(targets, batch);
    return finishLoss(lossPass(null, targets, batch));
  }

  @Override
  public final void backward() {
    if (!lossReady) {
      throw new IllegalStateException(name() + ": backward() needs forward(...) then loss(...) first");
    }
    backwardPass(lastBatch());
    lossReady = false;
  }

  @Override
  public final void zeroGradients() {
    parameterSet.zeroGradients();
  }

  // ---- data-parallel training steps ----

  /**
   * A split training step runs one part per this many samples (the last ones spread over the parts), or per fewer
   * when a part of this many would hold more than {@value #PART_BYTES} bytes of batch-sized buffers, in at most
   * {@value #MAX_PARTS} parts: small parts keep a part's activations in its core's cache from layer to layer.
   */
  static final int PART_SAMPLES = 16;
  /**
   * Halve the samples per part ({@link #partSamples(long)}) while a part would hold more than this many bytes of
   * batch-sized buffers (activations, their gradients, a convolution's unfolded input): two parts in flight then fit
   * the 8 MiB L3 that two cores of an AMD Zen share. The small CNN holds 426 KB per sample, so one part per 8
   * samples; the benchmarks' two-block transformer of context 64 and width 128, 2.4 MB per sequence, one per
   * sequence. {@value #MAX_PARTS} parts at most still bound how small the parts get: that transformer runs a batch
   * of 32 in 8 parts of 4 (9.9 MB each), and the CNN a batch of 256 in 8 parts of 32.
   */
  static final long PART_BYTES = 4L << 20;
  /** The most parts a step runs in. */
  static final int MAX_PARTS = 8;
  /**
   * Training batches of at least this many samples (two parts of {@value #PART_SAMPLES}) may run in parts, each on
   * its own network that shares these parameters: see {@link #trainStep}.
   */
  public static final int SPLIT_FROM = 2 * PART_SAMPLES;
  /**
   * A batch runs in parts only when its forward takes at least this many floating-point operations per parameter
   * ({@link LayerInfo#flops()}): adding a part's gradients costs a pass over them, and splitting a network with
   * many parameters and little work per sample (an MLP at batch 256: 512) loses more than it gains.
   */
  static final long SPLIT_FLOPS_PER_PARAMETER = 2048;
  /** Adding the parts' gradients splits over the kernels' threads from this many parameters. */
  private static final int REDUCE_SPLIT_FROM = 1 << 15;

  private final boolean isPart;
  /** No layer couples the samples of a batch (batch norm, dropout's random stream). */
  private final boolean samplesIndependent;
  /** The forward's floating-point operations per sample, as the processor estimated them. */
  private final long flopsPerSample;
  /** Samples per part of a split step ({@link #partSamples(long)}), set when the parts are made. */
  private int partSamples = PART_SAMPLES;
  /** The parts' networks, made at the first split step; {@code null} before. */
  private GeneratedModel @Nullable [] parts;
  /** The kernels make no kernels for parts, or this class makes no parts: every step runs whole. */
  private boolean partsUnavailable;
  /** Set while the first part is made: it adds into this network's gradients instead of its own. */
  private boolean lendGradients;
  /** Whether the last training pass ran in parts: the hidden layers' outputs are then the parts'. */
  private boolean lastStepSplit;
  private final SplitStep splitStep = new SplitStep();

  /**
   * Forward, loss and backward of one training batch, the gradients added into {@link #parameters()}'s: returns
   * the loss, the output rows in {@link #lastOutput()}. When the loss is not finite the backward is skipped, so
   * {@link #describeNonFinite()} still finds where the NaN began.
   *
   * <p>A large batch runs data-parallel: at least {@value #SPLIT_FROM} samples and {@value
   * #SPLIT_FLOPS_PER_PARAMETER} forward operations per parameter, on the portable or Vector API kernels, in a
   * network without batch norm or dropout. It is cut into one part per {@value #PART_SAMPLES} samples, or fewer
   * when such a part's activations would outgrow a cache ({@value #PART_BYTES} bytes), at most {@value
   * #MAX_PARTS} parts, each run through forward, loss and backward on its own network that shares these
   * parameters, the parts side by side on the kernels' threads (each part on whichever thread claims it first;
   * with more threads than parts, each part's products split over its share of them, {@link Kernels#forPart}).
   * Small parts keep a part's activations in its core's cache from layer to layer: the small CNN trains faster in
   * parts even on one thread. The first part adds its gradients straight into these, each other part into its
   * own, added here afterwards element by element in part order; each part's loss gradient is scaled by its share
   * of the batch, so it is the whole batch's mean's. The parts depend on the batch only, so the results are
   * bitwise the same for any thread count; they differ from one whole pass at rounding level (the sums over the
   * batch are split). Any other batch runs {@code forward}, {@code loss}, {@code backward} on this network. The
   * parts' networks are made at the first split step and together hold the activations of up to one and a half
   * batches, beside this network's.
   *
   * @throws IllegalArgumentException as {@link #forward(float[][], int)} and {@link #loss(int[], int)} do
   */
  @Override
  public final float trainStep(float[][] inputs, int @Nullable [] labels, float @Nullable [] targets, int batch) {
    boolean wantsLabels = loss == Loss.SOFTMAX_CROSS_ENTROPY;
    if (wantsLabels ? labels == null : targets == null) {
      throw new IllegalArgumentException(name() + "'s loss " + loss + " takes " + (wantsLabels ? "labels" : "targets")
          + " but trainStep got none");
    }
    if (!splits(batch)) {
      return Model.super.trainStep(inputs, labels, targets, batch);
    }
    checkForward(inputs, batch);
    if (wantsLabels) {
      checkLabels(labels, batch);
    } else {
      checkTargets(targets, batch);
    }
    beforeForward();
    return splitStep.run(inputs, labels, targets, batch);
  }

  /**
   * Whether {@link #trainStep} runs a batch of {@code batch} samples in parts in the current mode, as its
   * documentation says; the same answer for any thread count. The first {@code true} makes the parts' networks, as
   * the first such step would.
   */
  public final boolean trainsInParts(int batch) {
    return splits(batch);
  }

  /**
   * How many parts {@link #trainStep} runs a batch of {@code batch} samples in, 1 when it runs whole; like
   * {@link #trainsInParts}, the same for any thread count, and the first split makes the parts' networks.
   */
  public final int trainingParts(int batch) {
    return splits(batch) ? partCount(batch, partSamples) : 1;
  }

  /**
   * The parts of a split step of {@code batch} samples: one per {@code partSamples}, at most {@value #MAX_PARTS}.
   */
  static int partCount(int batch, int partSamples) {
    return Math.max(2, Math.min(MAX_PARTS, batch / partSamples));
  }

  /**
   * The most samples a part of a step of at most {@code maxBatch} samples holds: at most 3·{@code partSamples}/2
   * while the parts are {@code batch / partSamples} (a batch {@code < partSamples·(P + 1)} over {@code P ≥ 2}
   * parts), a {@value #MAX_PARTS}-th of the batch beyond.
   */
  static int partBatch(int maxBatch, int partSamples) {
    return Math.min(maxBatch, Math.max(3 * partSamples / 2, (maxBatch + MAX_PARTS - 1) / MAX_PARTS));
  }

  /**
   * Samples per part for a network whose batch-sized buffers hold {@code bytesPerSample} bytes per sample:
   * {@value #PART_SAMPLES}, halved while a part would hold more than {@value #PART_BYTES} bytes, at least 1.
   */
  static int partSamples(long bytesPerSample) {
    int samples = PART_SAMPLES;
    while (samples > 1 && bytesPerSample > PART_BYTES / samples) {
      samples /= 2;
    }
    return samples;
  }

  /**
   * The bytes of this network's batch-sized buffers per sample (the generated subclass counts them), which
   * {@link #partSamples(long)} sizes the parts of a split step by; 0 when unknown.
   */
  protected long bytesPerSample() {
    return 0;
  }

  /** Whether a training step of {@code batch} samples runs in parts; makes the parts on first use. */
  private boolean splits(int batch) {
    if (batch < SPLIT_FROM || batch > maxBatch() || !samplesIndependent || !training || partsUnavailable) {
      return false;
    }
    if (flopsPerSample * batch < SPLIT_FLOPS_PER_PARAMETER * parameters.length) {
      return false;
    }
    if (parts == null) {
      partSamples = partSamples(bytesPerSample());
      int count = partCount(maxBatch(), partSamples);
      int partBatch = partBatch(maxBatch(), partSamples);
      GeneratedModel[] made = new GeneratedModel[count];
      for (int p = 0; p < count; p++) {
        @Nullable Kernels partKernels = kernels.forPart(p, count);
        lendGradients = p == 0;
        @Nullable GeneratedModel part;
        try {
          part = partKernels == null || lossGradient() == null ? null
              : newPart(partBatch, partKernels);
        } finally {
          lendGradients = false;
        }
        if (part == null) {
          partsUnavailable = true;
          return false;
        }
        part.setTraining(training);
        made[p] = part;
      }
      parts = made;
      splitStep.allocate(made);
    }
    return true;
  }

  /**
   * The buffer {@link #lossPass} writes the loss gradient into ({@code batch · outputSize()} values), which a part
   * scales by its share of the batch; the generated subclass returns it. {@code null}: every step runs whole.
   */
  protected float @Nullable [] lossGradient() {
    return null;
  }

  /** One split step in flight: the parts' work ({@link Kernels#forEachPart}) and the sum of their gradients. */
  private final class SplitStep implements Kernels.PartTask, Kernels.RangeTask {
    /** Part {@code p} holds samples {@code [first[p], first[p + 1])}. */
    final int[] first = new int[MAX_PARTS + 1];
    /** The number of parts of the step in flight, or of the last one. */
    int count;
    private final float[] partLoss = new float[MAX_PARTS];
    /** The inputs, labels or targets of the parts after the first (which reads the caller's arrays from row 0). */
    private float[] @Nullable [] @Nullable [] partInputs;
    private int @Nullable [] @Nullable [] partLabels;
    private float @Nullable [] @Nullable [] partTargets;
    private boolean backwardPhase;
    private float @Nullable [] @Nullable [] inputs;
    private int @Nullable [] labels;
    private float @Nullable [] targets;
    private int batch;

    void allocate(GeneratedModel[] made) {
      partInputs = new float[made.length][][];
      partLabels = new int[made.length][];
      partTargets = new float[made.length][];
      List<LayerInfo> in = inputs();
      for (int p = 1; p < made.length; p++) {
        int rows = made[p].maxBatch();
        partInputs[p] = new float[in.size()][];
        for (int i = 0; i < in.size(); i++) {
          partInputs[p][i] = new float[rows * in.get(i).outputSize()];
        }
        if (loss == Loss.SOFTMAX_CROSS_ENTROPY) {
          partLabels[p] = new int[rows * targetsPerSample];
        } else {
          partTargets[p] = new float[rows * targetsPerSample];
        }
      }
    }

    float run(float[][] inputs, int @Nullable [] labels, float @Nullable [] targets, int batch) {
      count = partCount(batch, partSamples);
      for (int p = 0; p <= count; p++) {
        first[p] = (int) ((long) batch * p / count);
      }
      this.inputs = inputs;
      this.labels = labels;
      this.targets = targets;
      this.batch = batch;
      try {
        backwardPhase = false;
        try {
          kernels.forEachPart(count, this);
        } catch (RuntimeException e) {
          // A part found bad input (a token id out of range) and names its index within the part: a whole forward
          // names it within the batch, and leaves this network's outputs those of one consistent pass.
          forward(inputs, batch);
          throw e;
        }
        float value = 0;
        for (int p = 0; p < count; p++) {
          value += share(p) * partLoss[p];
        }
        setLastBatch(batch);
        lastStepSplit = true;
        if (!Float.isNaN(value) && !Float.isInfinite(value)) {
          backwardPhase = true;
          kernels.forEachPart(count, this);
          kernels.forEachRange(gradients.length, REDUCE_SPLIT_FROM, this);
        }
        return value;
      } finally {
        this.inputs = null;
        this.labels = null;
        this.targets = null;
      }
    }

    /** Part {@code p}'s share of the batch, by which its mean loss and loss gradient are scaled. */
    private float share(int p) {
      return (float) (first[p + 1] - first[p]) / batch;
    }

    /**
     * Part {@code p}'s forward and loss, its loss gradient scaled by its share and its output rows copied into this
     * network's; or its backward.
     */
    @Override
    public void run(int p) {
      GeneratedModel part = parts[p];
      int from = first[p];
      int rows = first[p + 1] - from;
      if (backwardPhase) {
        part.backward();
        return;
      }
      float[][] in = inputs;
      boolean wantsLabels = loss == Loss.SOFTMAX_CROSS_ENTROPY;
      int @Nullable [] partLabelsOf = labels;
      float @Nullable [] partTargetsOf = targets;
      if (p > 0) {
        // This part's gradients were added into this network's last step; it starts again from zero.
        Arrays.fill(part.gradients, 0f);
        in = partInputs[p];
        List<LayerInfo> inputLayers = inputs();
        for (int i = 0; i < in.length; i++) {
          int size = inputLayers.get(i).outputSize();
          System.arraycopy(inputs[i], from * size, in[i], 0, rows * size);
        }
        int n = rows * targetsPerSample;
        if (wantsLabels) {
          partLabelsOf = partLabels[p];
          System.arraycopy(labels, from * targetsPerSample, partLabelsOf, 0, n);
        } else {
          partTargetsOf = partTargets[p];
          System.arraycopy(targets, from * targetsPerSample, partTargetsOf, 0, n);
        }
      }
      float[] out = part.forward(in, rows);
      partLoss[p] = wantsLabels ? part.loss(partLabelsOf, rows) : part.loss(partTargetsOf, rows);
      int size = outputSize();
      float[] dz = part.lossGradient();
      float w = share(p);
      for (int i = 0; i < rows * size; i++) {
        dz[i] *= w;
      }
      System.arraycopy(out, 0, layerOutput(layers().size() - 1), from * size, rows * size);
    }

    /** {@code g[i] += gₚ[i]} for the parts after the first, in part order (the first added into {@code g}). */
    @Override
    public void run(int from, int to) {
      for (int p = 1; p < count; p++) {
        float[] g = parts[p].gradients;
        for (int i = from; i < to; i++) {
          gradients[i] += g[i];
        }
      }
    }
  }

  @Override
  final float[] copyOutput(int index) {
    if (!lastStepSplit) {
      return super.copyOutput(index);
    }
    int size = layers().get(index).outputSize();
    float[] out = new float[lastBatch() * size];
    for (int p = 0; p < splitStep.count; p++) {
      int from = splitStep.first[p];
      System.arraycopy(parts[p].layerOutput(index), 0, out, from * size, (splitStep.first[p + 1] - from) * size);
    }
    return out;
  }

  @Override
  final @Nullable String nonFiniteOutput(int index) {
    if (!lastStepSplit) {
      return super.nonFiniteOutput(index);
    }
    for (int p = 0; p < splitStep.count; p++) {
      @Nullable String found = parts[p].nonFiniteOutput(index, splitStep.first[p]);
      if (found != null) {
        return found;
      }
    }
    return null;
  }


  /** Argmax rows split over the kernels' threads from this many logits ({@link Kernels#forEachRange}). */
  private static final int COUNT_SPLIT_FROM = 1 << 15;

  /** The rows' argmax count of {@link #countCorrect} in flight: each range adds its own count, exact in any order. */
  private final class CountRange implements Kernels.RangeTask {
    final java.util.concurrent.atomic.AtomicInteger correct = new java.util.concurrent.atomic.AtomicInteger();
    float @Nullable [] out;
    int @Nullable [] labels;

    @Override
    public void run(int from, int to) {
      int c = 0;
      for (int r = from; r < to; r++) {
        if (argmax(out, r * classes, classes) == labels[r]) {
          c++;
        }
      }
      correct.addAndGet(c);
    }
  }

  private final CountRange countRange = new CountRange();

  @Override
  public final int countCorrect(int @Nullable [] labels, float @Nullable [] targets, int batch) {
    float[] out = layerOutput(layers().size() - 1);
    int correct = 0;
    if (loss == Loss.SOFTMAX_CROSS_ENTROPY) {
      int rows = batch * targetsPerSample;
      CountRange task = countRange;
      task.correct.set(0);
      task.out = out;
      task.labels = labels;
      try {
        kernels.forEachRange(rows, Math.max(1, COUNT_SPLIT_FROM / Math.max(1, classes)), task);
      } finally {
        task.out = null;
        task.labels = null;
      }
      correct = task.correct.get();
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

  // ---- helpers ----

  private void checkLabels(int[] labels, int batch) {
    int rows = batch * targetsPerSample;
    if (labels.length < rows) {
      throw new IllegalArgumentException(
          name() + ": loss needs " + rows + " labels for " + batch + " samples, got " + labels.length);
    }
    for (int i = 0; i < rows; i++) {
      if (labels[i] < 0 || labels[i] >= classes) {
        throw new IllegalArgumentException("label " + labels[i] + " at index " + i + " is out of range: layer '"
            + output().name() + "' of " + name() + " has " + classes + " classes (0.." + (classes - 1) + ")");
      }
    }
  }

  private void checkTargets(float[] targets, int batch) {
    int n = batch * targetsPerSample;
    if (targets.length < n) {
      throw new IllegalArgumentException(
          name() + ": loss needs " + n + " targets for " + batch + " samples, got " + targets.length);
    }
  }

  private void checkLossBatch(int batch) {
    if (lastBatch() == 0 || lastStepSplit) {
      throw new IllegalStateException(name() + ": loss(...) needs a forward(...) first"
          + (lastStepSplit ? " (the last trainStep ran in parts, leaving no whole forward here)" : ""));
    }
    if (batch != lastBatch()) {
      throw new IllegalArgumentException(
          name() + ": loss batch " + batch + " differs from the last forward's batch " + lastBatch());
    }
  }

  private float finishLoss(float value) {
    lossReady = true;
    return value;
  }
}
