package io.nabla.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nabla.runtime.checkpoint.Checkpoint;
import io.nabla.runtime.optim.Adam;
import io.nabla.runtime.schedule.Schedules;
import io.nabla.runtime.train.History;
import io.nabla.spark.sample.DigitsData;
import io.nabla.spark.sample.DigitsMlpNet;
import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Checkpoints written by the driver mid-run: a restarted job resumes and ends where an uninterrupted one does. */
class CheckpointResumeTest {
  private static final long SEED = 42;
  private static final int EPOCHS = 4;
  private static final int BATCH = 128;

  private static JavaSparkContext spark;
  private static JavaRDD<Example> data;

  @TempDir
  Path folder;

  @BeforeAll
  static void start() {
    spark = LocalSpark.start("local[2]");
    data = Examples.parallelize(spark, DigitsData.split(SEED)[0], 2);
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  /** A trainer for the whole run (EPOCHS), with a per-step cosine schedule over it. */
  private static SparkTrainer.Builder settings(SparkTrainer.Mode mode) {
    long steps = EPOCHS * ((DigitsData.split(SEED)[0].size() + BATCH - 1L) / BATCH);
    return SparkTrainer.builder(DigitsMlpNet::new).mode(mode).averagingFrequency(3)
        .optimizer(() -> Adam.of(3e-3)).schedule(Schedules.cosine(steps).perStep())
        .epochs(EPOCHS).batchSize(BATCH).seed(SEED);
  }

  private static DigitsMlpNet model(long seed) {
    DigitsMlpNet model = new DigitsMlpNet(BATCH);
    model.initialize(seed);
    return model;
  }

  @ParameterizedTest
  @EnumSource(SparkTrainer.Mode.class)
  void aRestartedJobResumesFromTheMidRunCheckpoint(SparkTrainer.Mode mode) throws IOException {
    DigitsMlpNet uninterrupted = model(SEED);
    History full = settings(mode).build().fit(uninterrupted, data);

    // A job that writes a checkpoint every 2 epochs and dies during epoch 3 (here: stops after 2).
    File checkpoint = folder.resolve("digits.nabla").toFile();
    settings(mode).epochs(2).checkpoint(checkpoint, 2).build().fit(model(SEED), data);
    assertEquals(2L, Checkpoint.read(checkpoint).trainerState().get("epoch"));

    // The restarted job: a fresh model (other weights), the same settings, resumed from the checkpoint.
    DigitsMlpNet resumed = model(999);
    History rest = settings(mode).checkpoint(checkpoint, 2).resumeFrom(checkpoint).build().fit(resumed, data);

    assertArrayEquals(uninterrupted.parameters().values(), resumed.parameters().values());
    assertEquals(EPOCHS, rest.size());
    for (int e = 0; e < EPOCHS; e++) {
      assertEquals(full.get(e).trainLoss(), rest.get(e).trainLoss(), 0.0, "epoch " + (e + 1));
    }
    assertEquals(4L, Checkpoint.read(checkpoint).trainerState().get("epoch"));
    // The checkpoint is the runtime's: one machine loads the weights with Checkpoint.restoreInto.
    DigitsMlpNet loaded = model(0);
    Checkpoint.read(checkpoint).restoreInto(loaded);
    assertArrayEquals(uninterrupted.parameters().values(), loaded.parameters().values());
  }

  @Test
  void resumingWithOtherSettingsOrDataIsRefused() {
    File checkpoint = folder.resolve("short.nabla").toFile();
    settings(SparkTrainer.Mode.GRADIENT).epochs(1).checkpoint(checkpoint, 1).build().fit(model(SEED), data);

    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> settings(SparkTrainer.Mode.GRADIENT).batchSize(64).resumeFrom(checkpoint).build()
            .fit(model(SEED), data));
    assertTrue(e.getMessage().contains("was written by a run with batch size 128, but this one has 64"),
        e.getMessage());

    e = assertThrows(IllegalArgumentException.class,
        () -> settings(SparkTrainer.Mode.AVERAGING).resumeFrom(checkpoint).build().fit(model(SEED), data));
    assertTrue(e.getMessage().contains("was written in gradient mode, but this run is in averaging mode"),
        e.getMessage());

    e = assertThrows(IllegalArgumentException.class,
        () -> settings(SparkTrainer.Mode.GRADIENT).resumeFrom(checkpoint).build()
            .fit(model(SEED), data.repartition(3)));
    assertTrue(e.getMessage().contains("was written for partitions of [719, 719] examples, but this data has"
        + " partitions of"), e.getMessage());
  }

  @Test
  void aCheckpointWithoutSparkTrainingStateIsRefused() throws IOException {
    File weightsOnly = folder.resolve("weights.nabla").toFile();
    Checkpoint.save(weightsOnly, model(SEED));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> settings(SparkTrainer.Mode.GRADIENT).resumeFrom(weightsOnly).build().fit(model(SEED), data));
    assertTrue(e.getMessage().endsWith("was not written by SparkTrainer; load its weights with"
        + " Checkpoint.read(file).restoreInto(model) and start a new run from them"), e.getMessage());
  }
}
