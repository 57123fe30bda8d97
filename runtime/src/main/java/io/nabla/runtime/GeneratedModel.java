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
    this(name, loss, maxBatch, kernels, parameterCount, tensors, 0, Collections.<ParameterTensor>emptyList(),
        layers);
  }

  /** As the other constructor, for a model with {@code bufferCount} floats of running statistics. */
  protected GeneratedModel(String name, Loss loss, int maxBatch, Kernels kernels, int parameterCount,
      List<ParameterTensor> tensors, int bufferCount, List<ParameterTensor> bufferTensors, List<LayerInfo> layers) {
    super(name, maxBatch, kernels, parameterCount, tensors, bufferCount, bufferTensors, layers);
    this.loss = loss;
    this.gradients = new float[parameterCount];
    this.parameterSet = new Parameters(parameters, gradients, tensors, kernels);
    LayerInfo output = output();
    int[] shape = output.outputShape();
    int last = shape[shape.length - 1];
    this.classes = loss == Loss.SOFTMAX_CROSS_ENTROPY ? last : 0;
    this.targetsPerSample = loss == Loss.SOFTMAX_CROSS_ENTROPY ? output.outputSize() / last : output.outputSize();
    initialize(0);
  }

  // ---- what the generated subclass provides ----

  /** Computes the loss of the last forward and writes the output gradient; arguments are checked already. */
  protected abstract float lossPass(int @Nullable [] labels, float @Nullable [] targets, int batch);

  /** Runs every layer's backward in reverse order, accumulating into {@link #gradients}. */
  protected abstract void backwardPass(int batch);

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
    return finishLoss(lossPass(labels, null, batch));
  }

  @Override
  public final float loss(float[] targets, int batch) {
    if (loss == Loss.SOFTMAX_CROSS_ENTROPY) {
      throw new IllegalArgumentException(name() + "'s loss " + loss + " takes integer labels: call loss(int[], int)");
    }
    checkLossBatch(batch);
    int n = batch * targetsPerSample;
    if (targets.length < n) {
      throw new IllegalArgumentException(
          name() + ": loss needs " + n + " targets for " + batch + " samples, got " + targets.length);
    }
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

  private void checkLossBatch(int batch) {
    if (lastBatch() == 0) {
      throw new IllegalStateException(name() + ": loss(...) needs a forward(...) first");
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
