package io.nabla.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nabla.runtime.optim.Adam;
import io.nabla.runtime.optim.Optimizer;
import io.nabla.runtime.optim.Sgd;
import io.nabla.runtime.train.Dataset;
import io.nabla.runtime.train.History;
import io.nabla.spark.sample.DigitsData;
import io.nabla.spark.sample.DigitsMlpNet;
import java.util.Arrays;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Gradient mode on two local executor threads against one machine fed the same global batches. */
class GradientModeTest {
  private static final long SEED = 42;
  private static final int BATCH = 64;
  private static final int STEPS = 20;

  private static JavaSparkContext spark;
  /** 20 global batches of 64: one epoch is exactly 20 steps. */
  private static Dataset train;

  @BeforeAll
  static void start() {
    spark = LocalSpark.start("local[2]");
    train = DigitsData.split(SEED)[0].take(STEPS * BATCH);
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  /**
   * One machine's training, batch by batch as the plan of the Spark run composes them: partition p's shuffled
   * rows, its share of each step, the partitions in index order within a batch.
   */
  static float[] singleMachine(Dataset data, int partitions, int batch, int epochs, Optimizer optimizer,
      long initSeed, long seed) {
    DigitsMlpNet model = new DigitsMlpNet(batch);
    model.initialize(initSeed);
    // parallelize cuts the list into contiguous slices: partition p holds [p·n/P, (p+1)·n/P).
    long[] sizes = new long[partitions];
    int[] offsets = new int[partitions];
    for (int p = 0; p < partitions; p++) {
      offsets[p] = (int) ((long) p * data.size() / partitions);
      sizes[p] = (long) (p + 1) * data.size() / partitions - offsets[p];
    }
    BatchPlan plan = new BatchPlan(sizes, batch);
    float[] features = new float[batch * data.featureSize()];
    int[] labels = new int[batch];
    for (int epoch = 1; epoch <= epochs; epoch++) {
      int[][] orders = new int[partitions][];
      for (int p = 0; p < partitions; p++) {
        orders[p] = new int[(int) sizes[p]];
        for (int i = 0; i < sizes[p]; i++) {
          orders[p][i] = i;
        }
        Block.rowShuffler(seed, epoch, p).shuffle(orders[p]);
      }
      plan.startEpoch();
      int[] starts = new int[partitions];
      int[] counts = new int[partitions];
      while (plan.hasNextStep()) {
        int b = plan.nextStep(starts, counts);
        int slot = 0;
        for (int p = 0; p < partitions; p++) {
          for (int i = 0; i < counts[p]; i++) {
            data.gather(offsets[p] + orders[p][starts[p] + i], slot++, features, labels, null);
          }
        }
        model.zeroGradients();
        model.forward(features, b);
        model.loss(labels, b);
        model.backward();
        optimizer.step(model.parameters());
      }
    }
    return model.parameters().values().clone();
  }

  private static float[] onSpark(JavaRDD<Example> data, SparkTrainer.Builder settings, long initSeed) {
    DigitsMlpNet model = new DigitsMlpNet(BATCH);
    model.initialize(initSeed);
    settings.build().fit(model, data);
    return model.parameters().values().clone();
  }

  static double relativeError(float[] actual, float[] expected) {
    double difference = 0;
    double norm = 0;
    for (int i = 0; i < expected.length; i++) {
      difference += Math.pow(actual[i] - expected[i], 2);
      norm += Math.pow(expected[i], 2);
    }
    return Math.sqrt(difference / norm);
  }

  @Test
  void matchesOneMachineOnTheSameGlobalBatchesWithAdam() {
    JavaRDD<Example> data = Examples.parallelize(spark, train, 2);
    float[] distributed = onSpark(data, SparkTrainer.builder(DigitsMlpNet::new)
        .optimizer(() -> Adam.of(1e-3)).epochs(1).batchSize(BATCH).seed(SEED), 7);
    float[] single = singleMachine(train, 2, BATCH, 1, Adam.of(1e-3), 7, SEED);
    double error = relativeError(distributed, single);
    System.out.println("gradient mode, Adam: norm-relative error " + error + " after " + STEPS + " steps");
    assertTrue(error < 1e-5, "norm-relative error " + error + " after " + STEPS + " steps");
    // And training moved the weights far more than that.
    DigitsMlpNet start = new DigitsMlpNet(1);
    start.initialize(7);
    assertTrue(relativeError(start.parameters().values(), single) > 1e-2);
  }

  @Test
  void matchesOneMachineWithSgdMomentumOverTwoEpochs() {
    JavaRDD<Example> data = Examples.parallelize(spark, train, 2);
    SparkTrainer.Builder settings = SparkTrainer.builder(DigitsMlpNet::new)
        .optimizer(() -> Sgd.builder(0.05).momentum(0.9).build()).epochs(2).batchSize(BATCH)
        .seed(SEED);
    float[] distributed = onSpark(data, settings, 3);
    float[] single = singleMachine(train, 2, BATCH, 2,
        Sgd.builder(0.05).momentum(0.9).build(), 3, SEED);
    double error = relativeError(distributed, single);
    System.out.println("gradient mode, SGD momentum: norm-relative error " + error + " after " + 2 * STEPS + " steps");
    assertTrue(error < 1e-5, "norm-relative error " + error + " after " + 2 * STEPS + " steps");
  }

  @Test
  void reproducesBitForBitWhateverOrderTasksFinishIn() {
    // Six partitions on two threads finish in varying order; depth 3 adds an intermediate shuffle stage.
    JavaRDD<Example> data = Examples.parallelize(spark, DigitsData.split(SEED)[0], 6);
    SparkTrainer.Builder settings = SparkTrainer.builder(DigitsMlpNet::new)
        .optimizer(() -> Adam.of(2e-3)).epochs(1).batchSize(256).seed(SEED);
    float[] first = onSpark(data, settings, 11);
    float[] again = onSpark(data, settings, 11);
    float[] deeper = onSpark(data, settings.treeDepth(3), 11);
    assertArrayEquals(first, again);
    assertArrayEquals(first, deeper);
  }

  @Test
  void reportsLossAndAccuracyPerEpoch() {
    JavaRDD<Example> data = Examples.parallelize(spark, train, 2);
    JavaRDD<Example> validation = Examples.parallelize(spark, DigitsData.split(SEED)[1], 2);
    DigitsMlpNet model = new DigitsMlpNet(BATCH);
    model.initialize(5);
    int cached = spark.sc().getPersistentRDDs().size();
    History history = SparkTrainer.builder(DigitsMlpNet::new).optimizer(() -> Adam.of(3e-3)).epochs(3)
        .batchSize(BATCH).seed(SEED).build().fit(model, data, validation);
    // The packed training and validation blocks were cached for the run only.
    assertEquals(cached, spark.sc().getPersistentRDDs().size());
    assertEquals(3, history.size());
    assertTrue(history.get(2).trainLoss() < history.get(0).trainLoss());
    assertTrue(history.get(2).validationAccuracy() > 0.85, "val_accuracy " + history.get(2).validationAccuracy());
    assertEquals(STEPS * BATCH, history.get(0).samples());
    assertEquals(3e-3, history.get(0).metric("lr"), 1e-9);
    assertFalse(Double.isNaN(history.get(0).validationLoss()));
    assertEquals(Arrays.asList("loss", "accuracy", "val_loss", "val_accuracy", "lr"),
        new java.util.ArrayList<>(history.get(0).metrics().keySet()));
  }
}
