package io.nabla.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nabla.runtime.optim.Adam;
import io.nabla.runtime.optim.AdamW;
import io.nabla.runtime.schedule.Schedules;
import io.nabla.runtime.train.Dataset;
import io.nabla.runtime.train.History;
import io.nabla.runtime.train.Trainer;
import io.nabla.spark.sample.DigitsData;
import io.nabla.spark.sample.DigitsMlpNet;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Averaging mode on two local executor threads: learns the digits as well as one machine does. */
class AveragingModeTest {
  private static final long SEED = 42;
  private static final int EPOCHS = 20;
  private static final double LEARNING_RATE = 2e-3;

  private static JavaSparkContext spark;
  private static Dataset train;
  private static Dataset test;

  @BeforeAll
  static void start() {
    spark = LocalSpark.start("local[2]");
    Dataset[] split = DigitsData.split(SEED);
    train = split[0];
    test = split[1];
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  private static long steps(int batch) {
    return EPOCHS * ((train.size() + batch - 1L) / batch);
  }

  @Test
  void learnsTheDigitsToOneMachinesAccuracy() {
    // One machine: the Trainer, batches of 32.
    DigitsMlpNet single = new DigitsMlpNet(32);
    single.initialize(SEED);
    Trainer.builder().optimizer(Adam.of(LEARNING_RATE)).schedule(Schedules.cosine(steps(32)).perStep())
        .epochs(EPOCHS).batchSize(32).seed(SEED).build().fit(single, train, null);
    double singleAccuracy = Trainer.evaluate(single, test, 256).accuracy();

    // Two partitions, each stepping on its 32 of every global batch of 64, averaged every 4 local steps. Averaging
    // two replicas halves each one's move, so the learning rate doubles: the usual linear scaling with workers.
    DigitsMlpNet model = new DigitsMlpNet(64);
    model.initialize(SEED);
    SparkTrainer trainer = SparkTrainer.builder(DigitsMlpNet::new)
        .mode(SparkTrainer.Mode.AVERAGING).averagingFrequency(4)
        .optimizer(() -> Adam.of(2 * LEARNING_RATE)).schedule(Schedules.cosine(steps(64)).perStep())
        .epochs(EPOCHS).batchSize(64).seed(SEED).build();
    History history = trainer.fit(model, Examples.parallelize(spark, train, 2));
    double averagedAccuracy = trainer.evaluate(model, Examples.parallelize(spark, test, 2)).accuracy();

    System.out.printf("digits test accuracy: one machine %.4f, averaging mode on local[2] %.4f%n",
        singleAccuracy, averagedAccuracy);
    assertTrue(singleAccuracy > 0.95, "one machine " + singleAccuracy);
    assertTrue(averagedAccuracy >= singleAccuracy - 0.01,
        "averaging mode " + averagedAccuracy + " vs one machine " + singleAccuracy);
    assertEquals(EPOCHS, history.size());
    assertTrue(history.last().trainLoss() < 0.2, "training loss " + history.last().trainLoss());
    // The driver's optimizer holds the averaged state: Adam's moments and its step count.
    assertEquals(steps(64), ((Adam) trainer.optimizer()).stepCount());
    assertEquals(model.parameters().size(), trainer.optimizer().state().buffer("exp_avg").length);
  }

  @Test
  void averagingAfterEveryStepWithoutOptimizerStateIsGradientModeForSgd() {
    // With plain SGD (no state) and K = 1, the weighted average of one local step from the same weights is one
    // step along the weighted average of the gradients: gradient mode, up to rounding.
    Dataset part = train.take(640);
    JavaRDD<Example> data = Examples.parallelize(spark, part, 2);
    DigitsMlpNet averaged = new DigitsMlpNet(64);
    averaged.initialize(1);
    SparkTrainer.builder(DigitsMlpNet::new).mode(SparkTrainer.Mode.AVERAGING).averagingFrequency(1)
        .optimizer(() -> io.nabla.runtime.optim.Sgd.builder(0.1).build()).epochs(2).batchSize(64).seed(SEED)
        .build().fit(averaged, data);
    DigitsMlpNet summed = new DigitsMlpNet(64);
    summed.initialize(1);
    SparkTrainer.builder(DigitsMlpNet::new).optimizer(() -> io.nabla.runtime.optim.Sgd.builder(0.1).build())
        .epochs(2).batchSize(64).seed(SEED).build().fit(summed, data);
    double error = GradientModeTest.relativeError(averaged.parameters().values(), summed.parameters().values());
    assertTrue(error < 1e-5, "norm-relative error " + error);
  }

  @Test
  void reproducesBitForBit() {
    JavaRDD<Example> data = Examples.parallelize(spark, train.take(600), 3);
    float[][] weights = new float[2][];
    for (int run = 0; run < 2; run++) {
      DigitsMlpNet model = new DigitsMlpNet(64);
      model.initialize(9);
      SparkTrainer.builder(DigitsMlpNet::new).mode(SparkTrainer.Mode.AVERAGING).averagingFrequency(3)
          .optimizer(() -> AdamW.builder().learningRate(1e-3).build()).epochs(2).batchSize(60).seed(SEED).build()
          .fit(model, data);
      weights[run] = model.parameters().values().clone();
    }
    assertArrayEquals(weights[0], weights[1]);
  }
}
