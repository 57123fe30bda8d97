package io.nabla.spark;

import io.nabla.Loss;
import io.nabla.runtime.Model;
import io.nabla.runtime.checkpoint.Architecture;
import io.nabla.runtime.checkpoint.Checkpoint;
import io.nabla.runtime.checkpoint.CheckpointIOException;
import io.nabla.runtime.optim.Optimizer;
import io.nabla.runtime.schedule.LearningRateSchedule;
import io.nabla.runtime.train.BatchResult;
import io.nabla.runtime.train.EpochResult;
import io.nabla.runtime.train.Evaluation;
import io.nabla.runtime.train.History;
import io.nabla.runtime.train.TrainingDivergedException;
import io.nabla.runtime.train.TrainingListener;
import java.io.File;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.storage.StorageLevel;

/**
 * Trains a generated network on an Apache Spark cluster by synchronous data parallelism over its flat parameter
 * and gradient buffers; the model class does not change.
 *
 * <pre>{@code
 * DigitsMlpNet model = new DigitsMlpNet(64);
 * model.initialize(42);
 * History history = SparkTrainer.builder(DigitsMlpNet::new)        // how executors make the network
 *     .mode(SparkTrainer.Mode.GRADIENT)
 *     .optimizer(() -> Adam.of(1e-3))
 *     .schedule(Schedules.cosine(20))
 *     .epochs(20).batchSize(256).seed(42)
 *     .checkpoint(new File("digits.nabla"), 5)
 *     .build()
 *     .fit(model, examples, validation);                         // JavaRDD<Example>; the model ends trained
 * }</pre>
 *
 * <p><b>Modes.</b> {@link Mode#GRADIENT}: every step, each partition computes the gradient of its share of the
 * global batch with the generated code, {@code treeAggregate} sums the shares, and the driver applies the
 * optimizer: the same updates as one machine training on the same global batches, up to the order of float sums.
 * {@link Mode#AVERAGING}: each partition takes {@link Builder#averagingFrequency K} local steps on its shares of
 * K consecutive global batches, from the broadcast parameters and optimizer state, then the parameters and the
 * optimizer's buffers are averaged, weighted by the examples each partition took (Deeplearning4j's parameter
 * averaging). Fewer, larger messages; the result is close to, not equal to, one machine's.
 *
 * <p><b>Data.</b> The examples are checked, packed into flat arrays and cached on the executors for the run (one
 * block per partition, {@code MEMORY_AND_DISK}), then unpersisted. Nothing but flat float arrays and a few counts
 * crosses the network per step: the parameters as a broadcast variable, destroyed after the step that used it,
 * and one weighted gradient (or parameter set) per partition. Each epoch every partition shuffles its rows, by the
 * seed, the epoch and its index; the global batches interleave the partitions in proportion to their sizes
 * ({@link #fit(Model, JavaRDD, JavaRDD)} says how), so every example is used once per epoch.
 *
 * <p><b>Determinism.</b> The same seed, data and partitioning give the same weights bit for bit, whatever the
 * order in which tasks finish: the partitions' contributions are summed along a fixed binary tree over the
 * partition indices, not in the order Spark's {@code treeAggregate} combines them. A different number of
 * partitions sums in another order and gives results equal up to rounding.
 *
 * <p><b>Failures.</b> A failed task is retried by Spark ({@code spark.task.maxFailures}); a step's result counts
 * each partition exactly once, which the sum checks. Resuming after the driver itself failed is what
 * {@link Builder#checkpoint checkpoints} are for.
 */
public final class SparkTrainer {

  /** How the partitions' work is combined. */
  public enum Mode {
    /** Sum the partitions' gradients every step; the driver steps the optimizer. Equal to one machine's run. */
    GRADIENT,
    /** Local steps on every partition, then average parameters and optimizer state every K steps. */
    AVERAGING
  }

  /** The trainer-state key that marks a checkpoint written by this class. */
  static final String TRAINER_KEY = "trainer";
  static final String TRAINER_NAME = "spark";

  private final ModelFactory factory;
  private final Mode mode;
  private final OptimizerFactory optimizerFactory;
  private final LearningRateSchedule schedule;
  private final int epochs;
  private final int batchSize;
  private final int averagingFrequency;
  private final long seed;
  private final int treeDepth;
  private final List<TrainingListener> listeners;
  private final File checkpointFile;
  private final int checkpointEvery;
  private final File resumeFile;
  private Optimizer optimizer;

  private SparkTrainer(Builder b) {
    this.factory = b.factory;
    this.mode = b.mode;
    this.optimizerFactory = b.optimizerFactory;
    this.schedule = b.schedule;
    this.epochs = b.epochs;
    this.batchSize = b.batchSize;
    this.averagingFrequency = b.averagingFrequency;
    this.seed = b.seed;
    this.treeDepth = b.treeDepth;
    this.listeners = Collections.unmodifiableList(new ArrayList<>(b.listeners));
    this.checkpointFile = b.checkpointFile;
    this.checkpointEvery = b.checkpointEvery;
    this.resumeFile = b.resumeFile;
  }

  /** A builder for a trainer whose executors make the network with {@code factory}, e.g. {@code DigitsMlpNet::new}. */
  public static Builder builder(ModelFactory factory) {
    return new Builder(factory);
  }

  /** As {@link #fit(Model, JavaRDD, JavaRDD)} without validation data. */
  public History fit(Model model, JavaRDD<Example> train) {
    return fit(model, train, null);
  }

  /**
   * Trains {@code model} (the driver's instance: it holds the initial weights and ends with the trained ones) on
   * {@code train}, and after every epoch measures {@code val_loss} and {@code val_accuracy} on {@code validation}
   * if it is not {@code null}. Returns one result per epoch, as the single-machine trainer does.
   *
   * <p>Each epoch is {@code ceil(N / batchSize)} steps over the {@code N} examples. Partition {@code p} of
   * {@code n} examples shuffles its rows (seeded by the seed, the epoch and {@code p}); its row {@code k} sits at
   * position {@code (k + ½) / n} of the epoch, and step {@code s} takes the examples at the next
   * {@code batchSize} positions (the last step may take fewer). Use as many partitions as the cluster has task
   * slots, of about the same size.
   *
   * @throws IllegalArgumentException if the model has batch-norm running statistics (not synchronised yet); naming
   *     the partition and example, if an example does not fit the model
   *     (wrong feature count, labels for a targets model or the reverse, a label out of range, a non-finite
   *     feature); if the data is empty; if the factory's network is not {@code model}'s; or if a checkpoint to
   *     resume from belongs to another run
   * @throws TrainingDivergedException if the loss becomes NaN or infinite
   * @throws CheckpointIOException naming the file, if a checkpoint cannot be written or read
   */
  public History fit(Model model, JavaRDD<Example> train, JavaRDD<Example> validation) {
    if (model.buffers().size() > 0) {
      // The executors' running statistics would never reach the driver's model, whose inference would then use
      // the initial ones: refuse rather than return a network that predicts wrongly.
      throw new IllegalArgumentException(model.name() + " has batch-norm running statistics ("
          + model.buffers().tensors().get(0).name() + ", ...), which Spark training does not synchronise yet;"
          + " train it with the single-machine Trainer");
    }
    DataShape shape = DataShape.of(model);
    checkFactory(model);
    optimizer = optimizerFactory.create();
    if (optimizer == null) {
      throw new IllegalArgumentException("the optimizer factory returned null");
    }
    JavaRDD<Block> blocks = pack(train, shape);
    JavaRDD<Block> validationBlocks = validation == null ? null : pack(validation, shape);
    try {
      long[] sizes = sizes(blocks);
      BatchPlan plan = new BatchPlan(sizes, batchSize);
      if (plan.total() == 0) {
        throw new IllegalArgumentException("the training data is empty (" + sizes.length + " empty partitions)");
      }
      if (validationBlocks != null && sum(sizes(validationBlocks)) == 0) {
        throw new IllegalArgumentException("the validation data is empty");
      }
      Run run = new Run(JavaSparkContext.fromSparkContext(train.context()), model, shape, blocks,
          validationBlocks, plan, sizes);
      return run.train();
    } finally {
      blocks.unpersist(false);
      if (validationBlocks != null) {
        validationBlocks.unpersist(false);
      }
    }
  }

  /**
   * As {@link #fit(Model, JavaRDD)} on the rows of a DataFrame: {@code featuresColumn} an array of numbers,
   * {@code labelColumn} an integral number (or a double holding one, as Spark ML writes labels) for a softmax
   * cross-entropy model, a number or an array of numbers for the others. See {@link Examples#fromRows}.
   */
  public History fit(Model model, Dataset<Row> train, String featuresColumn, String labelColumn) {
    return fit(model, Examples.fromRows(train, featuresColumn, labelColumn, model), null);
  }

  /**
   * The mean loss and the accuracy ({@code NaN} for MSE) of {@code model}'s current weights on {@code data},
   * computed on the executors.
   *
   * @throws IllegalArgumentException naming the partition and example, if an example does not fit the model, or if
   *     the data is empty
   */
  public Evaluation evaluate(Model model, JavaRDD<Example> data) {
    DataShape shape = DataShape.of(model);
    checkFactory(model);
    JavaRDD<Block> blocks = pack(data, shape);
    try {
      long total = sum(sizes(blocks));
      if (total == 0) {
        throw new IllegalArgumentException("the evaluation data is empty");
      }
      return evaluate(JavaSparkContext.fromSparkContext(data.context()), model, shape, blocks,
          UUID.randomUUID().toString());
    } finally {
      blocks.unpersist(false);
    }
  }

  /** The optimizer of the last {@code fit}, on the driver (in averaging mode, holding the averaged state). */
  public Optimizer optimizer() {
    return optimizer;
  }

  private Evaluation evaluate(JavaSparkContext spark, Model model, DataShape shape, JavaRDD<Block> blocks,
      String runId) {
    int chunk = Math.min(batchSize, 1024);
    Tasks.Setup setup = new Tasks.Setup(runId + "/evaluate", factory, shape, chunk, model.parameters().size(), seed);
    Broadcast<float[]> parameters = spark.broadcast(model.parameters().values().clone());
    Contribution sum;
    try {
      sum = aggregate(blocks, new Tasks.Evaluate(setup, parameters));
    } finally {
      parameters.destroy();
    }
    return new Evaluation(sum.lossSum / sum.samples, accuracy(shape, sum.correct, sum.samples));
  }

  private void checkFactory(Model model) {
    Model made = factory.create(1);
    if (made == null) {
      throw new IllegalArgumentException("the model factory returned null");
    }
    String difference = Architecture.of(made).differenceFrom(Architecture.of(model));
    if (difference != null) {
      throw new IllegalArgumentException("the model factory makes " + made.name() + ", which is not the network"
          + " being trained (" + model.name() + "): " + difference);
    }
  }

  private static JavaRDD<Block> pack(JavaRDD<Example> examples, DataShape shape) {
    return examples.mapPartitionsWithIndex(new Tasks.Pack(shape), true).persist(StorageLevel.MEMORY_AND_DISK());
  }

  /** Every partition's example count, by partition index; computing it checks and caches the blocks. */
  private static long[] sizes(JavaRDD<Block> blocks) {
    List<Long> counts = SparkJobs.run(() -> blocks.map(new Tasks.Size()).collect());
    long[] sizes = new long[counts.size()];
    for (int p = 0; p < sizes.length; p++) {
      sizes[p] = counts.get(p);
    }
    return sizes;
  }

  private static long sum(long[] values) {
    long sum = 0;
    for (long v : values) {
      sum += v;
    }
    return sum;
  }

  /** Runs one job over every block and returns the sum of their contributions, checked complete. */
  private Contribution aggregate(JavaRDD<Block> blocks, Function2<ContributionTree, Block, ContributionTree> task) {
    int partitions = blocks.getNumPartitions();
    ContributionTree sum = SparkJobs.run(
        () -> blocks.treeAggregate(new ContributionTree(partitions), task, new Tasks.Merge(), treeDepth));
    return sum.root();
  }

  private static double accuracy(DataShape shape, long correct, long samples) {
    return shape.loss == Loss.MSE ? Double.NaN : (double) correct / ((double) samples * shape.targetsPerSample);
  }

  /** One call of {@code fit}: the driver's loop and where it stands. */
  private final class Run {
    final JavaSparkContext spark;
    final Model model;
    final DataShape shape;
    final JavaRDD<Block> blocks;
    final JavaRDD<Block> validation;
    final BatchPlan plan;
    final long[] sizes;
    final String runId = UUID.randomUUID().toString();
    final Tasks.Setup setup;
    final List<EpochResult> results = new ArrayList<>();
    int epoch;
    long globalStep;
    int saved;

    Run(JavaSparkContext spark, Model model, DataShape shape, JavaRDD<Block> blocks, JavaRDD<Block> validation,
        BatchPlan plan, long[] sizes) {
      this.spark = spark;
      this.model = model;
      this.shape = shape;
      this.blocks = blocks;
      this.validation = validation;
      this.plan = plan;
      this.sizes = sizes;
      this.setup = new Tasks.Setup(runId + "/train", factory, shape, plan.maxShare(), model.parameters().size(),
          seed);
    }

    History train() {
      if (resumeFile != null) {
        resume(resumeFile);
      }
      int steps = plan.stepsPerEpoch();
      for (TrainingListener listener : listeners) {
        listener.onTrainBegin(epochs, steps, (int) Math.min(Integer.MAX_VALUE, plan.total()));
      }
      model.setTraining(true);
      for (int e = epoch + 1; e <= epochs; e++) {
        long start = System.nanoTime();
        Totals totals = mode == Mode.GRADIENT ? gradientEpoch(e, start) : averagingEpoch(e, start);
        double seconds = (System.nanoTime() - start) / 1e9;
        Map<String, Double> values = new LinkedHashMap<>();
        values.put("loss", totals.lossSum / totals.samples);
        values.put("accuracy", accuracy(shape, totals.correct, totals.samples));
        values.put("val_loss", Double.NaN);
        values.put("val_accuracy", Double.NaN);
        if (validation != null) {
          Evaluation measured = evaluate(spark, model, shape, validation, runId);
          values.put("val_loss", measured.loss());
          values.put("val_accuracy", measured.accuracy());
        }
        if (!Double.isNaN(optimizer.learningRate())) {
          values.put("lr", optimizer.learningRate());
        }
        if (schedule != null) {
          schedule.observe(values.get(validation != null ? "val_loss" : "loss"));
        }
        EpochResult result = new EpochResult(e, epochs, values, seconds,
            (int) Math.min(Integer.MAX_VALUE, totals.samples));
        results.add(result);
        for (TrainingListener listener : listeners) {
          listener.onEpoch(result);
        }
        epoch = e;
        if (checkpointFile != null && (e % checkpointEvery == 0 || e == epochs)) {
          save(checkpointFile);
        }
      }
      History history = new History(results, false, 0);
      for (TrainingListener listener : listeners) {
        listener.onTrainEnd(history);
      }
      return history;
    }

    /** One epoch of gradient mode: a Spark job per step. */
    Totals gradientEpoch(int e, long start) {
      int partitions = plan.partitions();
      Totals totals = new Totals();
      float[] values = model.parameters().values();
      plan.startEpoch();
      int step = 0;
      while (plan.hasNextStep()) {
        step++;
        int[] starts = new int[partitions];
        int[] counts = new int[partitions];
        int batch = plan.nextStep(starts, counts);
        if (schedule != null) {
          schedule.apply(optimizer, globalStep, e - 1);
        }
        // A copy: in local mode the executors read the broadcast object itself.
        Broadcast<float[]> parameters = spark.broadcast(values.clone());
        Contribution sum;
        try {
          sum = aggregate(blocks, new Tasks.GradientStep(setup, parameters, e, starts, counts, batch));
        } finally {
          parameters.destroy();
        }
        checkComplete(sum, batch, e, step);
        checkFinite(sum, batch, e, step);
        System.arraycopy(sum.arrays[0], 0, model.parameters().gradients(), 0, values.length);
        optimizer.step(model.parameters());
        globalStep++;
        totals.add(sum);
        report(e, step, totals, sum.lossSum / batch, start);
      }
      return totals;
    }

    /** One epoch of averaging mode: a Spark job per round of K local steps. */
    Totals averagingEpoch(int e, long start) {
      int partitions = plan.partitions();
      Totals totals = new Totals();
      float[] values = model.parameters().values();
      plan.startEpoch();
      int step = 0;
      while (plan.hasNextStep()) {
        int[][] starts = new int[averagingFrequency][partitions];
        int[][] counts = new int[averagingFrequency][partitions];
        double[] rates = schedule == null ? null : new double[averagingFrequency];
        long examples = 0;
        int k = 0;
        for (; k < averagingFrequency && plan.hasNextStep(); k++) {
          examples += plan.nextStep(starts[k], counts[k]);
          if (rates != null) {
            rates[k] = schedule.apply(optimizer, globalStep + k, e - 1);
          }
        }
        if (k < averagingFrequency) {
          starts = Arrays.copyOf(starts, k);
          counts = Arrays.copyOf(counts, k);
          rates = rates == null ? null : Arrays.copyOf(rates, k);
        }
        Broadcast<Tasks.RoundStart> round = spark.broadcast(
            new Tasks.RoundStart(values.clone(), OptimizerSnapshot.of(optimizer.state())));
        Contribution sum;
        try {
          sum = aggregate(blocks, new Tasks.AveragingRound(setup, optimizerFactory, round, e, starts, counts,
              examples, rates));
        } finally {
          round.destroy();
        }
        step += k;
        checkComplete(sum, examples, e, step);
        checkFinite(sum, examples, e, step);
        System.arraycopy(sum.arrays[0], 0, values, 0, values.length);
        restoreAveragedState(sum);
        globalStep += k;
        totals.add(sum);
        report(e, step, totals, sum.lossSum / examples, start);
      }
      return totals;
    }

    /** Gives the driver's optimizer the averaged buffers and the first partition's scalars (its step count). */
    private void restoreAveragedState(Contribution sum) {
      if (sum.arrays.length == 1 && (sum.scalars == null || sum.scalars.length == 0)) {
        return;
      }
      String[] names = Arrays.copyOfRange(sum.arrayNames, 1, sum.arrayNames.length);
      float[][] buffers = Arrays.copyOfRange(sum.arrays, 1, sum.arrays.length);
      String kind = optimizer.state().kind();
      optimizer.restore(new OptimizerSnapshot(kind, names, buffers,
          sum.scalarNames == null ? new String[0] : sum.scalarNames,
          sum.scalars == null ? new double[0] : sum.scalars).toState());
    }

    private void checkComplete(Contribution sum, long expected, int e, int step) {
      if (sum.samples != expected) {
        throw new IllegalStateException("epoch " + e + ", step " + step + " summed " + sum.samples
            + " examples instead of " + expected);
      }
    }

    private void checkFinite(Contribution sum, long examples, int e, int step) {
      double loss = sum.lossSum / examples;
      if (Double.isNaN(loss) || Double.isInfinite(loss)) {
        String where = model.describeNonFinite();
        throw new TrainingDivergedException("loss is " + loss + " at epoch " + e + ", step " + step
            + (where == null ? "" : "; first non-finite value on the driver: " + where)
            + "; try a lower learning rate or check the input data"
            + (saved > 0 ? "; the checkpoint " + checkpointFile + " still holds epoch " + saved : ""), e, step);
      }
    }

    private void report(int e, int step, Totals totals, double loss, long start) {
      if (listeners.isEmpty()) {
        return;
      }
      BatchResult result = new BatchResult(e, step, plan.stepsPerEpoch(),
          (int) Math.min(Integer.MAX_VALUE, totals.samples), loss, totals.lossSum / totals.samples,
          accuracy(shape, totals.correct, totals.samples), (System.nanoTime() - start) / 1e9);
      for (TrainingListener listener : listeners) {
        listener.onBatch(result);
      }
    }

    void save(File file) {
      Map<String, Object> state = new LinkedHashMap<>();
      state.put(TRAINER_KEY, TRAINER_NAME);
      state.put("mode", mode.name().toLowerCase(java.util.Locale.ROOT));
      state.put("epoch", (long) epoch);
      state.put("seed", seed);
      state.put("batch_size", (long) batchSize);
      state.put("averaging_frequency", (long) averagingFrequency);
      state.put("global_step", globalStep);
      state.put("partition_sizes", sizes.clone());
      if (schedule != null) {
        state.put("schedule", new LinkedHashMap<String, Object>(schedule.state()));
      }
      Map<String, Object> history = new LinkedHashMap<>();
      double[] seconds = new double[results.size()];
      long[] samples = new long[results.size()];
      for (int i = 0; i < results.size(); i++) {
        seconds[i] = results.get(i).seconds();
        samples[i] = results.get(i).samples();
      }
      if (!results.isEmpty()) {
        for (String metric : results.get(0).metrics().keySet()) {
          double[] column = new double[results.size()];
          for (int i = 0; i < column.length; i++) {
            column[i] = results.get(i).metric(metric);
          }
          history.put(metric, column);
        }
      }
      state.put("history", history);
      state.put("history_seconds", seconds);
      state.put("history_samples", samples);
      try {
        Checkpoint.save(file, model, optimizer.state(), state);
      } catch (IOException e) {
        throw new CheckpointIOException(file, "cannot write the checkpoint " + file + " after epoch " + epoch
            + ": " + e.getMessage() + "; the previous checkpoint, if any, is intact", e);
      }
      saved = epoch;
    }

    void resume(File file) {
      Checkpoint checkpoint;
      try {
        checkpoint = Checkpoint.read(file);
      } catch (IOException e) {
        throw new CheckpointIOException(file, "cannot resume from " + file + ": " + e.getMessage(), e);
      }
      Map<String, Object> state = checkpoint.trainerState();
      if (!TRAINER_NAME.equals(state.get(TRAINER_KEY))) {
        throw new IllegalArgumentException(file + " was not written by SparkTrainer; load its weights with"
            + " Checkpoint.read(file).restoreInto(model) and start a new run from them");
      }
      String savedMode = (String) state.get("mode");
      if (!mode.name().toLowerCase(java.util.Locale.ROOT).equals(savedMode)) {
        throw new IllegalArgumentException(file + " was written in " + savedMode + " mode, but this run is in "
            + mode.name().toLowerCase(java.util.Locale.ROOT) + " mode; resume with the same settings");
      }
      checkSame(file, "seed", state.get("seed"), seed);
      checkSame(file, "batch size", state.get("batch_size"), batchSize);
      if (mode == Mode.AVERAGING) {
        checkSame(file, "averaging frequency", state.get("averaging_frequency"), averagingFrequency);
      }
      long[] savedSizes = (long[]) state.get("partition_sizes");
      if (!Arrays.equals(savedSizes, sizes)) {
        throw new IllegalArgumentException(file + " was written for partitions of " + describe(savedSizes)
            + " examples, but this data has partitions of " + describe(sizes) + "; resume on the same data,"
            + " partitioned the same way");
      }
      if (checkpoint.hasOptimizerState()) {
        optimizer.restore(checkpoint.optimizerState());
      }
      checkpoint.restoreInto(model);
      epoch = ((Number) state.get("epoch")).intValue();
      globalStep = ((Number) state.get("global_step")).longValue();
      if (schedule != null && state.get("schedule") instanceof Map) {
        Map<String, Double> scheduleState = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : ((Map<?, ?>) state.get("schedule")).entrySet()) {
          scheduleState.put((String) e.getKey(), ((Number) e.getValue()).doubleValue());
        }
        schedule.restore(scheduleState);
      }
      Map<?, ?> history = (Map<?, ?>) state.get("history");
      double[] seconds = (double[]) state.get("history_seconds");
      long[] samples = (long[]) state.get("history_samples");
      for (int i = 0; i < seconds.length; i++) {
        Map<String, Double> metrics = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : history.entrySet()) {
          metrics.put((String) e.getKey(), ((double[]) e.getValue())[i]);
        }
        results.add(new EpochResult(i + 1, epochs, metrics, seconds[i], (int) samples[i]));
      }
      saved = checkpointFile != null && file.getAbsoluteFile().equals(checkpointFile.getAbsoluteFile()) ? epoch : 0;
    }
  }

  private static void checkSame(File file, String what, Object saved, long now) {
    if (saved == null || ((Number) saved).longValue() != now) {
      throw new IllegalArgumentException(file + " was written by a run with " + what + " " + saved + ", but this"
          + " one has " + now + "; resume with the same settings, or start a new run");
    }
  }

  private static String describe(long[] sizes) {
    if (sizes.length <= 8) {
      return Arrays.toString(sizes);
    }
    return sizes.length + " partitions (" + Arrays.toString(Arrays.copyOf(sizes, 8)).replace("]", ", ...]") + ")";
  }

  /** The loss, correct predictions and examples of an epoch so far. */
  private static final class Totals {
    double lossSum;
    long correct;
    long samples;

    void add(Contribution sum) {
      lossSum += sum.lossSum;
      correct += sum.correct;
      samples += sum.samples;
    }
  }

  /** Settings for a {@link SparkTrainer}, checked by {@link #build()}. */
  public static final class Builder {
    private final ModelFactory factory;
    private Mode mode = Mode.GRADIENT;
    private OptimizerFactory optimizerFactory;
    private LearningRateSchedule schedule;
    private int epochs = 10;
    private int batchSize = 32;
    private int averagingFrequency = 5;
    private long seed;
    private int treeDepth = 2;
    private final List<TrainingListener> listeners = new ArrayList<>();
    private File checkpointFile;
    private int checkpointEvery = 1;
    private File resumeFile;

    private Builder(ModelFactory factory) {
      if (factory == null) {
        throw new IllegalArgumentException("a SparkTrainer needs a model factory, e.g. DigitsMlpNet::new");
      }
      this.factory = factory;
    }

    /** {@link Mode#GRADIENT} (the default) or {@link Mode#AVERAGING}. */
    public Builder mode(Mode mode) {
      this.mode = mode;
      return this;
    }

    /**
     * The optimizer, as a factory ({@code () -> Adam.of(1e-3)}): the driver makes one, and in averaging mode every
     * partition makes its own each round and restores the averaged state into it.
     */
    public Builder optimizer(OptimizerFactory optimizerFactory) {
      this.optimizerFactory = optimizerFactory;
      return this;
    }

    /**
     * Sets the learning rate from {@code schedule} before every step, per epoch or per step as it says (in
     * averaging mode the driver computes each local step's rate and sends them with the round); at each epoch's
     * end the schedule observes {@code val_loss}, or {@code loss} without validation data. It runs on the driver
     * only, so it need not be serialisable.
     */
    public Builder schedule(LearningRateSchedule schedule) {
      this.schedule = schedule;
      return this;
    }

    public Builder epochs(int epochs) {
      this.epochs = epochs;
      return this;
    }

    /**
     * The global batch: examples per optimizer step over all partitions (default 32). Each partition computes
     * its share, about {@code batchSize · its examples / all examples}.
     */
    public Builder batchSize(int batchSize) {
      this.batchSize = batchSize;
      return this;
    }

    /** Averaging mode: local steps between two averagings (default 5; 1 averages after every step). */
    public Builder averagingFrequency(int steps) {
      this.averagingFrequency = steps;
      return this;
    }

    /** The seed of the shuffling (initialise the model with {@link Model#initialize(long)}). */
    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    /**
     * The depth of {@code treeAggregate} (default 2): deeper trees sum partial results on executors in more
     * stages, relieving the driver when there are many partitions. The result is the same bits at any depth.
     */
    public Builder treeDepth(int depth) {
      this.treeDepth = depth;
      return this;
    }

    /** Sees every epoch, and every step (gradient mode) or round (averaging mode), on the driver. */
    public Builder listener(TrainingListener listener) {
      this.listeners.add(listener);
      return this;
    }

    /**
     * Saves a checkpoint to {@code file} on the driver every {@code everyEpochs} epochs and after the last: the
     * weights, the optimizer's state and the trainer's (epoch, step, schedule, history), atomically, in the
     * runtime's format, so {@code Checkpoint.read(file).restoreInto(model)} loads the weights on one machine too.
     * In cluster deploy mode the driver runs on a cluster node: give a path on a shared file system.
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
     * Continues the run saved in {@code file} by {@link #checkpoint}: the weights, the optimizer's and schedule's
     * state and the history, then the remaining epochs. With the same settings, data and partitioning the result
     * equals an uninterrupted run bit for bit.
     */
    public Builder resumeFrom(File file) {
      this.resumeFile = file;
      return this;
    }

    public SparkTrainer build() {
      if (optimizerFactory == null) {
        throw new IllegalArgumentException("a SparkTrainer needs an optimizer, e.g. optimizer(() -> Adam.of(1e-3))");
      }
      if (mode == null) {
        throw new IllegalArgumentException("mode must be GRADIENT or AVERAGING, got null");
      }
      if (epochs < 1) {
        throw new IllegalArgumentException("epochs must be at least 1, got " + epochs);
      }
      if (batchSize < 1) {
        throw new IllegalArgumentException("batch size must be at least 1, got " + batchSize);
      }
      if (averagingFrequency < 1) {
        throw new IllegalArgumentException("averaging frequency must be at least 1 step, got " + averagingFrequency);
      }
      if (treeDepth < 1) {
        throw new IllegalArgumentException("tree depth must be at least 1, got " + treeDepth);
      }
      return new SparkTrainer(this);
    }
  }
}
