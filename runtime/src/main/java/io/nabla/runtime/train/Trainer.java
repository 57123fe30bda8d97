package io.nabla.runtime.train;

import io.nabla.Loss;
import io.nabla.runtime.Model;
import io.nabla.runtime.Rng;
import io.nabla.runtime.optim.Optimizer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A minimal training loop: epochs of seeded-shuffled minibatches (the last one may be smaller), each step
 * {@code zeroGradients, forward, loss, backward, optimizer.step}, then the mean loss and accuracy of the epoch
 * and, if given, of a validation set. Batch buffers are allocated once, so steps allocate nothing. The same seed,
 * model initialisation and data give the same weights, bit for bit.
 *
 * <pre>{@code
 * List<EpochResult> history = Trainer.builder()
 *     .optimizer(Adam.of(1e-3)).epochs(10).batchSize(64).seed(42)
 *     .listener(System.out::println)
 *     .build()
 *     .fit(model, train, test);
 * }</pre>
 */
public final class Trainer {
  private final Optimizer optimizer;
  private final int epochs;
  private final int batchSize;
  private final long seed;
  private final List<TrainingListener> listeners;

  private Trainer(Builder b) {
    this.optimizer = b.optimizer;
    this.epochs = b.epochs;
    this.batchSize = b.batchSize;
    this.seed = b.seed;
    this.listeners = Collections.unmodifiableList(new ArrayList<>(b.listeners));
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Trains {@code model} on {@code train}; {@code validation} may be {@code null}. Returns one result per epoch.
   *
   * @throws TrainingDivergedException if the loss becomes NaN or infinite, naming the epoch, step and the first
   *     non-finite parameter, gradient or layer output
   * @throws IllegalArgumentException if the data does not fit the model
   */
  public List<EpochResult> fit(Model model, Dataset train, Dataset validation) {
    checkFits(model, train, "training");
    if (validation != null) {
      checkFits(model, validation, "validation");
    }
    if (batchSize > model.maxBatch()) {
      throw new IllegalArgumentException("batch size " + batchSize + " exceeds " + model.name()
          + "'s maxBatch " + model.maxBatch() + "; construct the model with a larger maxBatch");
    }
    model.setTraining(true);
    Batch batch = new Batch(model, train, batchSize);
    Rng rng = new Rng(seed);
    int[] order = new int[train.size()];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    List<EpochResult> history = new ArrayList<>();
    for (int epoch = 1; epoch <= epochs; epoch++) {
      rng.shuffle(order);
      double lossSum = 0;
      long correct = 0;
      long start = System.nanoTime();
      int step = 0;
      for (int from = 0; from < order.length; from += batchSize) {
        step++;
        int b = batch.fill(order, from);
        model.zeroGradients();
        model.forward(batch.features, b);
        float loss = batch.loss(model, b);
        if (Float.isNaN(loss) || Float.isInfinite(loss)) {
          String where = model.describeNonFinite();
          throw new TrainingDivergedException("loss is " + loss + " at epoch " + epoch + ", step " + step
              + (where == null ? "" : "; first non-finite value: " + where)
              + "; try a lower learning rate or check the input data for NaN", epoch, step);
        }
        model.backward();
        optimizer.step(model.parameters());
        lossSum += (double) loss * b;
        correct += model.countCorrect(batch.labels, batch.targets, b);
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      double accuracy = accuracy(model, correct, train.size());
      Evaluation val = validation == null ? null : evaluate(model, validation, batchSize);
      model.setTraining(true);
      EpochResult result = new EpochResult(epoch, epochs, lossSum / train.size(), accuracy,
          val == null ? Double.NaN : val.loss(), val == null ? Double.NaN : val.accuracy(), seconds,
          train.size());
      history.add(result);
      for (TrainingListener listener : listeners) {
        listener.onEpoch(result);
      }
    }
    return history;
  }

  /** The mean loss and accuracy of {@code model} on {@code data}, in inference mode, in batches. */
  public static Evaluation evaluate(Model model, Dataset data, int batchSize) {
    checkFits(model, data, "evaluation");
    int size = Math.min(batchSize, model.maxBatch());
    boolean wasTraining = model.isTraining();
    model.setTraining(false);
    Batch batch = new Batch(model, data, size);
    int[] order = new int[data.size()];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    double lossSum = 0;
    long correct = 0;
    for (int from = 0; from < order.length; from += size) {
      int b = batch.fill(order, from);
      model.forward(batch.features, b);
      lossSum += (double) batch.loss(model, b) * b;
      correct += model.countCorrect(batch.labels, batch.targets, b);
    }
    model.setTraining(wasTraining);
    return new Evaluation(lossSum / data.size(), accuracy(model, correct, data.size()));
  }

  private static double accuracy(Model model, long correct, int samples) {
    if (model.loss() == Loss.MSE) {
      return Double.NaN;
    }
    return (double) correct / ((long) samples * model.targetsPerSample());
  }

  private static void checkFits(Model model, Dataset data, String what) {
    if (model.inputs().size() != 1) {
      throw new IllegalArgumentException("the Trainer takes single-input models; " + model.name() + " has "
          + model.inputs().size() + " inputs: train it with forward(float[][], int), loss, backward and an optimizer");
    }
    if (data.size() == 0) {
      throw new IllegalArgumentException("the " + what + " data is empty");
    }
    if (data.featureSize() != model.inputSize()) {
      throw new IllegalArgumentException("the " + what + " data has " + data.featureSize()
          + " features per sample but " + model.name() + "'s input '" + model.inputs().get(0).name() + "' takes "
          + model.inputSize());
    }
    boolean wantsLabels = model.loss() == Loss.SOFTMAX_CROSS_ENTROPY;
    if (data.hasLabels() != wantsLabels) {
      throw new IllegalArgumentException("the " + what + " data has " + (data.hasLabels() ? "labels" : "targets")
          + " but " + model.name() + "'s loss " + model.loss() + " takes " + (wantsLabels ? "labels" : "targets"));
    }
    if (data.targetsPerSample() != model.targetsPerSample()) {
      throw new IllegalArgumentException("the " + what + " data has " + data.targetsPerSample()
          + (wantsLabels ? " labels" : " targets") + " per sample but " + model.name() + " takes "
          + model.targetsPerSample());
    }
    if (wantsLabels) {
      int[] labels = data.labels();
      for (int i = 0; i < labels.length; i++) {
        if (labels[i] < 0 || labels[i] >= model.classCount()) {
          throw new IllegalArgumentException("label " + labels[i] + " of sample " + i / data.targetsPerSample()
              + " in the " + what + " data is out of range: " + model.name() + "'s output '" + model.output().name()
              + "' has " + model.classCount() + " classes (0.." + (model.classCount() - 1) + ")");
        }
      }
    }
  }

  /** Reused batch buffers. */
  private static final class Batch {
    final Dataset data;
    final int capacity;
    final float[] features;
    final int[] labels;
    final float[] targets;

    Batch(Model model, Dataset data, int capacity) {
      this.data = data;
      this.capacity = capacity;
      this.features = new float[capacity * data.featureSize()];
      this.labels = data.hasLabels() ? new int[capacity * data.targetsPerSample()] : null;
      this.targets = data.hasLabels() ? null : new float[capacity * data.targetsPerSample()];
    }

    /** Gathers samples {@code order[from ...]} and returns how many. */
    int fill(int[] order, int from) {
      int n = Math.min(capacity, order.length - from);
      for (int i = 0; i < n; i++) {
        data.gather(order[from + i], i, features, labels, targets);
      }
      return n;
    }

    float loss(Model model, int b) {
      return labels != null ? model.loss(labels, b) : model.loss(targets, b);
    }
  }

  /** Settings for a {@link Trainer}, checked by {@link #build()}. */
  public static final class Builder {
    private Optimizer optimizer;
    private int epochs = 10;
    private int batchSize = 32;
    private long seed;
    private final List<TrainingListener> listeners = new ArrayList<>();

    private Builder() {}

    public Builder optimizer(Optimizer optimizer) {
      this.optimizer = optimizer;
      return this;
    }

    public Builder epochs(int epochs) {
      this.epochs = epochs;
      return this;
    }

    public Builder batchSize(int batchSize) {
      this.batchSize = batchSize;
      return this;
    }

    /** The seed of the shuffling (initialise the model with {@link Model#initialize(long)}). */
    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    public Builder listener(TrainingListener listener) {
      this.listeners.add(listener);
      return this;
    }

    public Trainer build() {
      if (optimizer == null) {
        throw new IllegalArgumentException("a Trainer needs an optimizer, e.g. optimizer(Adam.defaults())");
      }
      if (epochs < 1) {
        throw new IllegalArgumentException("epochs must be at least 1, got " + epochs);
      }
      if (batchSize < 1) {
        throw new IllegalArgumentException("batch size must be at least 1, got " + batchSize);
      }
      return new Trainer(this);
    }
  }
}
