package io.nabla.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nabla.runtime.optim.Adam;
import io.nabla.spark.sample.DigitsData;
import io.nabla.spark.sample.DigitsMlpNet;
import java.io.File;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.Success$;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A partition that fails once is retried by Spark, and the step still counts it once. */
class RetryTest {
  private static final long SEED = 42;

  private static JavaSparkContext spark;
  private static final AtomicInteger FAILED_TASKS = new AtomicInteger();

  @TempDir
  Path folder;

  @BeforeAll
  static void start() {
    // Two task threads, and a task may fail 3 times before its job does (local[N] alone allows no retry).
    spark = LocalSpark.start("local[2,4]");
    spark.sc().addSparkListener(new SparkListener() {
      @Override
      public void onTaskEnd(SparkListenerTaskEnd end) {
        if (!(end.reason() instanceof Success$)) {
          FAILED_TASKS.incrementAndGet();
        }
      }
    });
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  private static float[] train(JavaRDD<Example> data, ModelFactory factory) {
    DigitsMlpNet model = new DigitsMlpNet(64);
    model.initialize(SEED);
    SparkTrainer.builder(factory).optimizer(() -> Adam.of(2e-3)).epochs(1).batchSize(64).seed(SEED).build()
        .fit(model, data);
    return model.parameters().values().clone();
  }

  @Test
  void aPartitionThatThrowsOnceIsRetriedAndTheResultStillMatches() throws Exception {
    JavaRDD<Example> data = Examples.parallelize(spark, DigitsData.split(SEED)[0].take(1280), 2);
    float[] clean = train(data, DigitsMlpNet::new);
    spark.sc().listenerBus().waitUntilEmpty();
    assertEquals(0, FAILED_TASKS.get());

    // The 15th backward pass in this JVM throws, once: the marker file makes sure a retry does not throw again.
    String marker = new File(folder.toFile(), "failed-once").getAbsolutePath();
    FailingModel.BACKWARDS.set(0);
    float[] retried = train(data, maxBatch -> new FailingModel(new DigitsMlpNet(maxBatch), marker, 15));
    spark.sc().listenerBus().waitUntilEmpty();

    assertTrue(new File(marker).exists(), "the failure was injected");
    assertEquals(1, FAILED_TASKS.get(), "Spark saw one failed task attempt");
    assertArrayEquals(clean, retried);
  }
}
