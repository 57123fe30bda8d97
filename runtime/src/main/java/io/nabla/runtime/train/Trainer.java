package io.nabla.runtime.train;

import io.nabla.Loss;
import io.nabla.runtime.Model;
import io.nabla.runtime.Rng;
import io.nabla.runtime.checkpoint.Architecture;
import io.nabla.runtime.checkpoint.Checkpoint;
import io.nabla.runtime.checkpoint.CheckpointIOException;
import io.nabla.runtime.kernel.Kernels;
import io.nabla.runtime.optim.GradientClipping;
import io.nabla.runtime.optim.Optimizer;
import io.nabla.runtime.schedule.LearningRateSchedule;
import java.io.File;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The training loop: epochs of seeded-shuffled minibatches (the last one may be smaller), each step
 * {@code forward, loss, backward} ({@link Model#trainStep}), {@code optimizer.stepAndZeroGradients} (the gradients
 * are zeroed once before the first step; each step's optimizer clears them as it consumes them, so they read zero
 * between steps and after training, as after PyTorch's {@code zero_grad()}); then the epoch's loss, accuracy and extra
 * metrics, on the training data and on a validation set (given, or split off the training data). Listeners see
 * every batch and epoch; early stopping may end training and restore the best weights. Batch buffers are
 * allocated once, so steps allocate nothing. The same seed, model initialisation and data give the same weights,
 * bit for bit.
 *
 * <pre>{@code
 * History history = Trainer.builder()
 *     .optimizer(Adam.of(1e-3)).epochs(10).batchSize(64).seed(42)
 *     .validationSplit(0.1)
 *     .metric(Metric.topKAccuracy(3))
 *     .schedule(Schedules.sequential(Schedules.linearWarmup(0.1, 2), 2, Schedules.cosine(8)))
 *     .earlyStopping(EarlyStopping.monitor("val_loss").patience(3).restoreBestWeights(true))
 *     .listener(ConsoleProgress.toStandardOutput())
 *     .build()
 *     .fit(model, train, null);
 * }</pre>
 */
public final class Trainer {
  private final Optimizer optimizer;
  private final int epochs;
  private final int batchSize;
  private final long seed;
  private final double validationSplit;
  private final List<Metric> metrics;
  private final @Nullable EarlyStopping earlyStopping;
  private final List<TrainingListener> listeners;
  private final @Nullable LearningRateSchedule schedule;
  private final @Nullable String scheduleMonitor;
  private final @Nullable GradientClipping clipping;
  private final @Nullable File checkpointFile;
  private final int checkpointEvery;
  private final @Nullable File resumeFile;

  private Trainer(Builder b) {
    this.optimizer = b.optimizer;
    this.epochs = b.epochs;
    this.batchSize = b.batchSize;
    this.seed = b.seed;
    this.validationSplit = b.validationSplit;
    this.metrics = Collections.unmodifiableList(new ArrayList<>(b.metrics));
    this.earlyStopping = b.earlyStopping;
    this.listeners = Collections.unmodifiableList(new ArrayList<>(b.listeners));
    this.schedule = b.schedule;
    this.scheduleMonitor = b.scheduleMonitor;
    this.clipping = b.clipping;
    this.checkpointFile = b.checkpointFile;
    this.checkpointEvery = b.checkpointEvery;
    this.resumeFile = b.resumeFile;
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Trains {@code model} on {@code train}; {@code validation} may be {@code null} (then, with
   * {@link Builder#validationSplit}, a seeded share of {@code train} is held out instead). Returns one result per
   * epoch run.
   *
   * @throws TrainingDivergedException if the loss becomes NaN or infinite, naming the epoch, step and the first
   *     non-finite parameter, gradient or layer output
   * @throws IllegalArgumentException if the data does not fit the model
   * @throws CheckpointIOException naming the file, if a {@link Builder#checkpoint checkpoint} cannot be written
   *     or the one to {@link Builder#resumeFrom resume from} cannot be read
   */
  public History fit(Model model, Dataset train, @Nullable Dataset validation) {
    if (validation == null && validationSplit > 0) {
      Dataset[] parts = train.split(1 - validationSplit, seed ^ 0x5DEECE66DL);
      train = parts[0];
      validation = parts[1];
    }
    checkFits(model, train, "training");
    if (validation != null) {
      checkFits(model, validation, "validation");
    }
    if (batchSize > model.maxBatch()) {
      throw new IllegalArgumentException("batch size " + batchSize + " exceeds " + model.name()
          + "'s maxBatch " + model.maxBatch() + "; construct the model with a larger maxBatch");
    }
    if (earlyStopping != null) {
      checkMonitored(earlyStopping.monitored(), validation != null, "early stopping");
    }
    if (schedule != null && scheduleMonitor != null) {
      checkMonitored(scheduleMonitor, validation != null, "the schedule");
    }
    model.setTraining(true);
    Batch batch = new Batch(model, train, batchSize);
    Rng rng = new Rng(seed);
    int[] order = new int[train.size()];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    int steps = (train.size() + batchSize - 1) / batchSize;
    Progress progress = new Progress();
    if (resumeFile != null) {
      progress.resume(resumeFile, checkpointFile, model, optimizer, schedule, rng, order);
    }
    for (TrainingListener listener : listeners) {
      listener.onTrainBegin(epochs, steps, train.size());
    }
    List<EpochResult> results = progress.results;
    BatchResult batchResult = new BatchResult(0, 0, steps, 0, 0, 0, 0, 0);
    boolean stopped = progress.stopped;
    // Each step ends with the optimizer zeroing the gradients it consumed; this zeroes them for the first.
    model.zeroGradients();
    for (int epoch = progress.epoch + 1; epoch <= epochs && !stopped; epoch++) {
      rng.shuffle(order);
      for (Metric metric : metrics) {
        metric.reset();
      }
      double lossSum = 0;
      long correct = 0;
      long start = System.nanoTime();
      int step = 0;
      int seen = 0;
      for (int from = 0; from < order.length; from += batchSize) {
        step++;
        int b = batch.fill(order, from);
        // Forward, loss and backward; a generated network runs a large batch in parts side by side.
        float loss = model.trainStep(batch.featureArrays, batch.labels, batch.targets, b);
        if (Float.isNaN(loss) || Float.isInfinite(loss)) {
          String where = model.describeNonFinite();
          throw new TrainingDivergedException("loss is " + loss + " at epoch " + epoch + ", step " + step
              + (where == null ? "" : "; first non-finite value: " + where)
              + "; try a lower learning rate or check the input data for NaN"
              + (checkpointFile != null && progress.saved > 0 ? "; the checkpoint " + checkpointFile
                  + " still holds epoch " + progress.saved : ""), epoch, step);
        }
        float[] output = model.lastOutput();
        correct += model.countCorrect(batch.labels, batch.targets, b);
        for (Metric metric : metrics) {
          metric.update(model, output, batch.labels, batch.targets, b);
        }
        if (clipping != null) {
          clipping.apply(model.parameters());
        }
        if (schedule != null) {
          schedule.apply(optimizer, progress.globalStep, epoch - 1);
        }
        optimizer.stepAndZeroGradients(model.parameters());
        progress.globalStep++;
        lossSum += (double) loss * b;
        seen += b;
        if (!listeners.isEmpty()) {
          BatchResult result = batchResult.set(epoch, step, steps, seen, loss, lossSum / seen,
              accuracy(model, correct, seen), (System.nanoTime() - start) / 1e9);
          for (TrainingListener listener : listeners) {
            listener.onBatch(result);
          }
        }
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      Map<String, Double> values = EpochResult.standard(lossSum / train.size(),
          accuracy(model, correct, train.size()), Double.NaN, Double.NaN);
      for (Metric metric : metrics) {
        values.put(metric.name(), metric.value());
      }
      if (validation != null) {
        Map<String, Double> val = evaluate(model, validation, batchSize, metrics);
        for (Map.Entry<String, Double> e : val.entrySet()) {
          values.put("val_" + e.getKey(), e.getValue());
        }
        model.setTraining(true);
      }
      if (!Double.isNaN(optimizer.learningRate())) {
        values.put("lr", optimizer.learningRate());
      }
      if (schedule != null) {
        String monitor = scheduleMonitor != null ? scheduleMonitor : validation != null ? "val_loss" : "loss";
        schedule.observe(values.containsKey(monitor) ? values.get(monitor) : Double.NaN);
      }
      EpochResult result = new EpochResult(epoch, epochs, values, seconds, train.size());
      results.add(result);
      for (TrainingListener listener : listeners) {
        listener.onEpoch(result);
      }
      if (earlyStopping != null) {
        double value = result.metric(earlyStopping.monitored());
        if (earlyStopping.improves(value, progress.best)) {
          progress.best = value;
          progress.bestEpoch = epoch;
          progress.sinceBest = 0;
          if (earlyStopping.restoresBestWeights()) {
            // The running statistics belong with the weights they were gathered for.
            progress.bestWeights = model.parameters().values().clone();
            progress.bestBuffers = model.buffers().values().clone();
          }
        } else if (++progress.sinceBest >= Math.max(1, earlyStopping.patience())) {
          stopped = epoch < epochs;
        }
      }
      progress.epoch = epoch;
      progress.stopped = stopped;
      if (checkpointFile != null && (epoch % checkpointEvery == 0 || epoch == epochs || stopped)) {
        progress.save(checkpointFile, model, optimizer, schedule, rng, order);
      }
      if (stopped) {
        break;
      }
    }
    if (progress.bestWeights != null && earlyStopping != null && earlyStopping.restoresBestWeights()) {
      System.arraycopy(progress.bestWeights, 0, model.parameters().values(), 0, progress.bestWeights.length);
      System.arraycopy(progress.bestBuffers, 0, model.buffers().values(), 0, progress.bestBuffers.length);
    }
    History history = new History(results, stopped, progress.bestEpoch);
    for (TrainingListener listener : listeners) {
      listener.onTrainEnd(history);
    }
    return history;
  }

  /** Throws unless training will measure metric {@code name}. */
  private void checkMonitored(String name, boolean hasValidation, String who) {
    List<String> known = new ArrayList<>();
    known.add("loss");
    known.add("accuracy");
    for (Metric metric : metrics) {
      known.add(metric.name());
    }
    if (hasValidation) {
      int n = known.size();
      for (int i = 0; i < n; i++) {
        known.add("val_" + known.get(i));
      }
    }
    if (!known.contains(name)) {
      throw new IllegalArgumentException(who + " monitors '" + name + "', which this training does not measure"
          + (!hasValidation && name.startsWith("val_") ? " (no validation data: pass some, or set validationSplit)"
              : "") + "; it measures " + known);
    }
  }

  private static List<String> measured(EpochResult result) {
    List<String> names = new ArrayList<>();
    for (Map.Entry<String, Double> e : result.metrics().entrySet()) {
      if (!Double.isNaN(e.getValue())) {
        names.add(e.getKey());
      }
    }
    return names;
  }

  /** The mean loss and accuracy of {@code model} on {@code data}, in inference mode, in batches. */
  public static Evaluation evaluate(Model model, Dataset data, int batchSize) {
    Map<String, Double> values = evaluate(model, data, batchSize, Collections.<Metric>emptyList());
    return new Evaluation(values.get("loss"), values.get("accuracy"));
  }

  /** {@code loss}, {@code accuracy} and each metric of {@code model} on {@code data}, in inference mode. */
  public static Map<String, Double> evaluate(Model model, Dataset data, int batchSize, List<Metric> metrics) {
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
    for (Metric metric : metrics) {
      metric.reset();
    }
    for (int from = 0; from < order.length; from += size) {
      int b = batch.fill(order, from);
      float[] output = model.forward(batch.features, b);
      lossSum += (double) batch.loss(model, b) * b;
      correct += model.countCorrect(batch.labels, batch.targets, b);
      for (Metric metric : metrics) {
        metric.update(model, output, batch.labels, batch.targets, b);
      }
    }
    model.setTraining(wasTraining);
    Map<String, Double> values = new LinkedHashMap<>();
    values.put("loss", lossSum / data.size());
    values.put("accuracy", accuracy(model, correct, data.size()));
    for (Metric metric : metrics) {
      values.put(metric.name(), metric.value());
    }
    return values;
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

  /**
   * Where a run stands between epochs: everything a checkpoint must hold so that a resumed run continues bit
   * for bit (the shuffling generator and order, the model's random stream for dropout, step count, early-stopping
   * and schedule state, history). The model's weights and buffers are in the checkpoint's own sections.
   */
  private final class Progress {
    final List<EpochResult> results = new ArrayList<>();
    int epoch;
    long globalStep;
    double best = Double.NaN;
    int bestEpoch;
    int sinceBest;
    float @Nullable [] bestWeights;
    /** The model's buffers (running statistics) when {@link #bestWeights} were taken; set with them. */
    float @Nullable [] bestBuffers;
    boolean stopped;
    int saved;

    void save(File file, Model model, Optimizer optimizer, @Nullable LearningRateSchedule schedule, Rng rng,
        int[] order) {
      Map<String, Object> state = new LinkedHashMap<>();
      state.put("epoch", (long) epoch);
      state.put("seed", seed);
      state.put("batch_size", (long) batchSize);
      state.put("global_step", globalStep);
      state.put("rng", rng.state());
      state.put("model_rng", model.randomState());
      state.put("order", order.clone());
      state.put("best", best);
      state.put("best_epoch", (long) bestEpoch);
      state.put("since_best", (long) sinceBest);
      state.put("stopped_early", stopped);
      if (bestWeights != null) {
        state.put("best_weights", bestWeights);
        if (bestBuffers.length > 0) {
          state.put("best_buffers", bestBuffers);
        }
      }
      if (schedule != null) {
        state.put("schedule", new LinkedHashMap<String, Object>(schedule.state()));
      }
      Map<String, Object> history = new LinkedHashMap<>();
      if (!results.isEmpty()) {
        for (String metric : results.get(0).metrics().keySet()) {
          double[] values = new double[results.size()];
          for (int i = 0; i < values.length; i++) {
            values[i] = results.get(i).metric(metric);
          }
          history.put(metric, values);
        }
        double[] seconds = new double[results.size()];
        long[] samples = new long[results.size()];
        for (int i = 0; i < seconds.length; i++) {
          seconds[i] = results.get(i).seconds();
          samples[i] = results.get(i).samples();
        }
        state.put("history_seconds", seconds);
        state.put("history_samples", samples);
      }
      state.put("history", history);
      try {
        Checkpoint.save(file, model, optimizer.state(), state);
      } catch (IOException e) {
        throw new CheckpointIOException(file, "cannot write the checkpoint " + file + " after epoch " + epoch
            + ": " + e.getMessage() + "; the previous checkpoint, if any, is intact", e);
      }
      saved = epoch;
    }

    void resume(File file, @Nullable File checkpointFile, Model model, Optimizer optimizer,
        @Nullable LearningRateSchedule schedule, Rng rng, int[] order) {
      Checkpoint checkpoint;
      try {
        checkpoint = Checkpoint.read(file);
      } catch (IOException e) {
        throw new CheckpointIOException(file, "cannot resume from " + file + ": " + e.getMessage(), e);
      }
      Map<String, Object> state = checkpoint.trainerState();
      if (!state.containsKey("epoch") || !state.containsKey("order")) {
        throw new IllegalArgumentException(file + " holds weights but no training state (it was not written by"
            + " Trainer); load it with Checkpoint.read(...).restoreInto(model) and train from there");
      }
      checkSame(file, "seed", state.get("seed"), seed);
      checkSame(file, "batch size", state.get("batch_size"), batchSize);
      long[] savedOrder = toLongs(state.get("order"));
      if (savedOrder.length != order.length) {
        throw new IllegalArgumentException(file + " was written for a training set of " + savedOrder.length
            + " samples, but this one has " + order.length);
      }
      // The optimizer first: a mismatch (another optimizer kind) then throws before the model is touched.
      if (checkpoint.hasOptimizerState()) {
        optimizer.restore(checkpoint.optimizerState());
      }
      float[] savedBest = null;
      float[] savedBestBuffers = new float[0];
      // Checked before the model is touched: the best weights must fit it, with their buffers. (A model of another
      // architecture is left to restoreInto, whose message names the difference.)
      if (state.containsKey("best_weights") && checkpoint.architecture().equals(Architecture.of(model))) {
        savedBest = bestArray(file, state, "best_weights", model.parameters().size(), "parameters");
        if (model.buffers().size() > 0) {
          savedBestBuffers = bestArray(file, state, "best_buffers", model.buffers().size(), "buffer values");
        }
      }
      checkpoint.restoreInto(model);
      // Older checkpoints lack it; their models had no dropout, so the stream did not matter.
      if (state.get("model_rng") instanceof Number) {
        model.restoreRandomState(((Number) state.get("model_rng")).longValue());
      }
      for (int i = 0; i < order.length; i++) {
        order[i] = (int) savedOrder[i];
      }
      rng.restore(((Number) state.get("rng")).longValue());
      epoch = ((Number) state.get("epoch")).intValue();
      globalStep = ((Number) state.get("global_step")).longValue();
      best = ((Number) state.get("best")).doubleValue();
      bestEpoch = ((Number) state.get("best_epoch")).intValue();
      sinceBest = ((Number) state.get("since_best")).intValue();
      stopped = Boolean.TRUE.equals(state.get("stopped_early"));
      if (savedBest != null) {
        bestWeights = savedBest.clone();
        bestBuffers = savedBestBuffers.clone();
      }
      if (schedule != null && state.get("schedule") instanceof Map) {
        Map<String, Double> scheduleState = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : ((Map<?, ?>) state.get("schedule")).entrySet()) {
          scheduleState.put((String) e.getKey(), ((Number) e.getValue()).doubleValue());
        }
        schedule.restore(scheduleState);
      }
      Map<?, ?> history = (Map<?, ?>) state.get("history");
      if (history != null && !history.isEmpty()) {
        double[] seconds = (double[]) state.get("history_seconds");
        long[] samples = toLongs(state.get("history_samples"));
        for (int i = 0; i < seconds.length; i++) {
          Map<String, Double> metrics = new LinkedHashMap<>();
          for (Map.Entry<?, ?> e : history.entrySet()) {
            metrics.put((String) e.getKey(), ((double[]) e.getValue())[i]);
          }
          results.add(new EpochResult(i + 1, epochs, metrics, seconds[i], (int) samples[i]));
        }
      }
      // The divergence message may name the checkpoint only if it is the file resumed from.
      saved = checkpointFile != null && file.getAbsoluteFile().equals(checkpointFile.getAbsoluteFile()) ? epoch : 0;
    }
  }

  /** Trainer-state entry {@code key}: a float array of {@code size} values, or an exception naming the file. */
  private static float[] bestArray(File file, Map<String, Object> state, String key, int size, String what) {
    Object value = state.get(key);
    if (!(value instanceof float[]) || ((float[]) value).length != size) {
      throw new IllegalArgumentException(file + ": the trainer state's '" + key + "' is "
          + (value == null ? "missing" : value instanceof float[] ? ((float[]) value).length + " floats"
              : "a " + value.getClass().getSimpleName()) + ", but the model has " + size + " " + what
          + " (the best weights of early stopping)");
    }
    return (float[]) value;
  }

  /** A resumed run must keep the settings that decide its data order; {@code null}: not saved (older file). */
  private static void checkSame(File file, String what, @Nullable Object saved, long now) {
    if (saved != null && ((Number) saved).longValue() != now) {
      throw new IllegalArgumentException(file + " was written by a run with " + what + " " + saved + ", but this"
          + " one has " + now + "; resume with the same settings, or start a new run");
    }
  }

  private static long[] toLongs(Object value) {
    if (value instanceof long[]) {
      return (long[]) value;
    }
    int[] ints = (int[]) value;
    long[] longs = new long[ints.length];
    for (int i = 0; i < ints.length; i++) {
      longs[i] = ints[i];
    }
    return longs;
  }

  /** Reused batch buffers. */
  private static final class Batch {
    final Dataset data;
    final int capacity;
    final float[] features;
    /** {@link #features} as the one input of {@link Model#trainStep}. */
    final float[][] featureArrays;
    final int @Nullable [] labels;
    final float @Nullable [] targets;

    /** The model's kernels, over whose threads the features are copied (null: the calling thread). */
    final @Nullable Kernels kernels;
    private int @Nullable [] order;
    private int from;
    private final Kernels.RangeTask copyFeatures = new Kernels.RangeTask() {
      @Override
      public void run(int start, int end) {
        data.gatherFeatures(order, from, features, start, end);
      }
    };

    Batch(Model model, Dataset data, int capacity) {
      this.data = data;
      this.capacity = capacity;
      this.kernels = model.parameters().kernels();
      this.features = new float[capacity * data.featureSize()];
      this.featureArrays = new float[][] {features};
      this.labels = data.hasLabels() ? new int[capacity * data.targetsPerSample()] : null;
      this.targets = data.hasLabels() ? null : new float[capacity * data.targetsPerSample()];
    }

    /**
     * Gathers samples {@code order[from ...]} and returns how many. The labels (and the indices' check) on the
     * calling thread; the features, a random gather from memory of up to megabytes, split over the model's
     * threads from {@value #SPLIT_FROM} floats (each float copied once, so the batch is the same).
     */
    int fill(int[] order, int from) {
      int n = Math.min(capacity, order.length - from);
      for (int i = 0; i < n; i++) {
        data.gather(order[from + i], i, null, labels, targets);
      }
      int floats = n * data.featureSize();
      if (kernels == null || floats < SPLIT_FROM) {
        data.gatherFeatures(order, from, features, 0, floats);
        return n;
      }
      this.order = order;
      this.from = from;
      try {
        kernels.forEachRange(floats, SPLIT_FROM, copyFeatures);
      } finally {
        this.order = null;
      }
      return n;
    }

    /** The features of a batch split from this many floats (128 KB). */
    static final int SPLIT_FROM = 1 << 15;

    float loss(Model model, int b) {
      return labels != null ? model.loss(labels, b) : model.loss(targets, b);
    }
  }

  /** Settings for a {@link Trainer}, checked by {@link #build()}. */
  public static final class Builder {
    private @Nullable Optimizer optimizer;
    private int epochs = 10;
    private int batchSize = 32;
    private long seed;
    private final List<TrainingListener> listeners = new ArrayList<>();
    private final List<Metric> metrics = new ArrayList<>();
    private double validationSplit;
    private @Nullable EarlyStopping earlyStopping;
    private @Nullable LearningRateSchedule schedule;
    private @Nullable String scheduleMonitor;
    private @Nullable GradientClipping clipping;
    private @Nullable File checkpointFile;
    private int checkpointEvery = 1;
    private @Nullable File resumeFile;

    private Builder() {}

    /** Holds out this share of the training data (seeded) as validation set when {@code fit} gets none. */
    public Builder validationSplit(double fraction) {
      if (!(fraction >= 0 && fraction < 1)) {
        throw new IllegalArgumentException("validation split must be in [0, 1), got " + fraction);
      }
      this.validationSplit = fraction;
      return this;
    }

    /** An extra metric, reported for training and validation data ({@code top5_accuracy}, ...). */
    public Builder metric(Metric metric) {
      this.metrics.add(metric);
      return this;
    }

    /**
     * Sets the optimizer's learning rate before every step from {@code schedule} (per epoch or per step, as the
     * schedule says); at each epoch's end the schedule observes {@code val_loss} (or {@code loss} without
     * validation data), which only {@code ReduceOnPlateau} uses.
     */
    public Builder schedule(LearningRateSchedule schedule) {
      this.schedule = schedule;
      return this;
    }

    /** As {@link #schedule(LearningRateSchedule)}, observing metric {@code monitor} (e.g. {@code val_accuracy}). */
    public Builder schedule(LearningRateSchedule schedule, String monitor) {
      this.schedule = schedule;
      this.scheduleMonitor = monitor;
      return this;
    }

    /**
     * Clips gradients before every optimizer step, e.g. {@code GradientClipping.byNorm(1.0)} (PyTorch's
     * {@code clip_grad_norm_} over all parameters) or {@code GradientClipping.byValue(0.5)}.
     */
    public Builder clipping(GradientClipping clipping) {
      this.clipping = clipping;
      return this;
    }

    /**
     * Saves a checkpoint to {@code file} every {@code everyEpochs} epochs and after the last: the weights and
     * buffers, the optimizer's state and the trainer's (epoch, step, shuffling, the model's random stream for
     * dropout, early stopping, schedule, history), written atomically so a crash leaves the previous checkpoint
     * intact. {@link #resumeFrom} continues from it.
     */
    public Builder checkpoint(File file, int everyEpochs) {
      if (everyEpochs < 1) {
        throw new IllegalArgumentException("checkpoint interval must be at least 1 epoch, got " + everyEpochs);
      }
      this.checkpointFile = file;
      this.checkpointEvery = everyEpochs;
      return this;
    }

    /**
     * Continues the run saved in {@code file} by {@link #checkpoint}: restores the model's weights, buffers and
     * random stream, the optimizer's and schedule's state, the shuffling and the history, then trains the remaining
     * epochs. With the same settings and data, the result equals an uninterrupted run bit for bit, dropout
     * included.
     */
    public Builder resumeFrom(File file) {
      this.resumeFile = file;
      return this;
    }

    public Builder earlyStopping(EarlyStopping earlyStopping) {
      this.earlyStopping = earlyStopping;
      return this;
    }

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
