package io.nabla.runtime.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nabla.runtime.TinyDenseModel;
import io.nabla.runtime.checkpoint.Checkpoint;
import io.nabla.runtime.checkpoint.CheckpointException;
import io.nabla.runtime.checkpoint.CheckpointIOException;
import io.nabla.runtime.optim.Adam;
import io.nabla.runtime.optim.Sgd;
import io.nabla.runtime.schedule.Schedules;
import java.io.File;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Checkpoints written by the trainer, and resuming from them. */
class TrainerCheckpointTest {


  private static Trainer.Builder settings(int epochs) {
    return Trainer.builder().optimizer(Adam.of(0.05)).epochs(epochs).batchSize(16).seed(9)
        .schedule(Schedules.cosine(epochs * 5L).perStep())
        .earlyStopping(EarlyStopping.monitor("val_loss").patience(100));
  }

  @Test
  void resumingEqualsAnUninterruptedRunBitForBit(@TempDir File dir) {
    Dataset train = Clusters.of(80, 1, 3f);
    Dataset validation = Clusters.of(30, 2, 3f);

    TinyDenseModel whole = TinyDenseModel.softmaxClassifier(16);
    whole.initialize(3);
    History uninterrupted = settings(6).build().fit(whole, train, validation);

    // The same run, stopped after 3 epochs and resumed in a new trainer with a new model and optimizer.
    File file = new File(dir, "run.nabla");
    TinyDenseModel first = TinyDenseModel.softmaxClassifier(16);
    first.initialize(3);
    settings(6).epochs(3).checkpoint(file, 1).build().fit(first, train, validation);
    TinyDenseModel second = TinyDenseModel.softmaxClassifier(16);
    second.initialize(99);
    History resumed = settings(6).resumeFrom(file).build().fit(second, train, validation);

    assertArrayEquals(whole.parameters().values(), second.parameters().values());
    assertEquals(6, resumed.size());
    for (int e = 0; e < 6; e++) {
      assertEquals(uninterrupted.get(e).trainLoss(), resumed.get(e).trainLoss(), 0.0, "epoch " + (e + 1));
      assertEquals(uninterrupted.get(e).metric("lr"), resumed.get(e).metric("lr"), 0.0, "epoch " + (e + 1));
    }
  }

  @Test
  void checkpointsEveryNEpochsAndAtTheEnd(@TempDir File dir) throws IOException {
    File file = new File(dir, "every2.nabla");
    final int[] seenAt = new int[1];
    TinyDenseModel model = TinyDenseModel.softmaxClassifier(16);
    Trainer.builder().optimizer(Sgd.of(0.1)).epochs(5).batchSize(16).checkpoint(file, 2)
        .listener(new TrainingListener() {
          @Override
          public void onEpoch(EpochResult result) {
            if (result.epoch() == 3) {
              try {
                seenAt[0] = ((Number) Checkpoint.read(file).trainerState().get("epoch")).intValue();
              } catch (IOException e) {
                throw new AssertionError(e);
              }
            }
          }
        }).build().fit(model, Clusters.of(40, 3, 3f), null);
    assertEquals(2, seenAt[0], "during epoch 3 the file holds epoch 2");
    Checkpoint last = Checkpoint.read(file);
    assertEquals(5L, ((Number) last.trainerState().get("epoch")).longValue());
    TinyDenseModel copy = TinyDenseModel.softmaxClassifier(16);
    last.restoreInto(copy);
    assertArrayEquals(model.parameters().values(), copy.parameters().values());
  }

  @Test
  void divergenceLeavesTheLastGoodCheckpointAndSaysSo(@TempDir File dir) throws IOException {
    File file = new File(dir, "good.nabla");
    Dataset data = Clusters.of(40, 4, 3f);
    TinyDenseModel model = TinyDenseModel.softmaxClassifier(16);
    Trainer.builder().optimizer(Sgd.of(0.1)).epochs(2).batchSize(16).checkpoint(file, 1).build()
        .fit(model, data, null);
    float[] good = model.parameters().values().clone();
    byte[] before = Files.readAllBytes(file.toPath());

    float[] poisoned = data.features().clone();
    poisoned[7] = Float.NaN;
    Dataset bad = Dataset.ofLabels(poisoned, 2, data.labels());
    TrainingDivergedException e = assertThrows(TrainingDivergedException.class, () -> Trainer.builder()
        .optimizer(Sgd.of(0.1)).epochs(4).batchSize(16).checkpoint(file, 1).resumeFrom(file).build()
        .fit(model, bad, null));
    assertTrue(e.getMessage().contains("epoch 3"), e.getMessage());
    assertTrue(e.getMessage().contains("still holds epoch 2"), e.getMessage());
    assertArrayEquals(before, Files.readAllBytes(file.toPath()), "the checkpoint is untouched");
    TinyDenseModel restored = TinyDenseModel.softmaxClassifier(16);
    Checkpoint.read(file).restoreInto(restored);
    assertArrayEquals(good, restored.parameters().values());
  }

  @Test
  void resumingWithOtherDataIsAClearError(@TempDir File dir) {
    File file = new File(dir, "run.nabla");
    Trainer.builder().optimizer(Sgd.of(0.1)).epochs(1).batchSize(16).checkpoint(file, 1).build()
        .fit(TinyDenseModel.softmaxClassifier(16), Clusters.of(40, 5, 3f), null);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Trainer.builder()
        .optimizer(Sgd.of(0.1)).epochs(2).batchSize(16).resumeFrom(file).build()
        .fit(TinyDenseModel.softmaxClassifier(16), Clusters.of(41, 5, 3f), null));
    assertTrue(e.getMessage().contains("training set of 40 samples, but this one has 41"), e.getMessage());
  }

  @Test
  void resumingWithoutEarlyStoppingKeepsTheNewEpochsWeights(@TempDir File dir) {
    File file = new File(dir, "best.nabla");
    Dataset train = Clusters.of(60, 7, 3f);
    TinyDenseModel model = TinyDenseModel.softmaxClassifier(16);
    Trainer.builder().optimizer(Sgd.of(0.1)).epochs(3).batchSize(16).checkpoint(file, 1)
        .earlyStopping(EarlyStopping.monitor("loss").patience(5).restoreBestWeights(true)).build()
        .fit(model, train, null);
    float[] afterThree = model.parameters().values().clone();
    TinyDenseModel resumed = TinyDenseModel.softmaxClassifier(16);
    Trainer.builder().optimizer(Sgd.of(0.1)).epochs(6).batchSize(16).resumeFrom(file).build()
        .fit(resumed, train, null);
    assertFalse(java.util.Arrays.equals(afterThree, resumed.parameters().values()),
        "three more epochs must change the weights, not restore an old best");
  }

  @Test
  void anEarlyStoppedRunStaysStoppedWhenResumed(@TempDir File dir) {
    File file = new File(dir, "stopped.nabla");
    Dataset data = Clusters.of(64, 4, 3f);
    TinyDenseModel model = TinyDenseModel.softmaxClassifier(8);
    History first = Trainer.builder().optimizer(Sgd.builder(50).momentum(0.9).build()).epochs(40).batchSize(8)
        .seed(4).checkpoint(file, 1).earlyStopping(EarlyStopping.monitor("val_loss").patience(2)).build()
        .fit(model, data, data);
    assertTrue(first.stoppedEarly());
    TinyDenseModel again = TinyDenseModel.softmaxClassifier(8);
    History resumed = Trainer.builder().optimizer(Sgd.builder(50).momentum(0.9).build()).epochs(40).batchSize(8)
        .seed(4).resumeFrom(file).earlyStopping(EarlyStopping.monitor("val_loss").patience(2)).build()
        .fit(again, data, data);
    assertEquals(first.size(), resumed.size());
    assertTrue(resumed.stoppedEarly());
    assertArrayEquals(model.parameters().values(), again.parameters().values());
  }

  @Test
  void divergenceAfterResumingIntoAnotherFileDoesNotClaimItHoldsAnything(@TempDir File dir) {
    File first = new File(dir, "a.nabla");
    File second = new File(dir, "b.nabla");
    Dataset data = Clusters.of(40, 8, 3f);
    TinyDenseModel model = TinyDenseModel.softmaxClassifier(16);
    Trainer.builder().optimizer(Sgd.of(0.1)).epochs(2).batchSize(16).checkpoint(first, 1).build()
        .fit(model, data, null);
    float[] poisoned = data.features().clone();
    poisoned[3] = Float.NaN;
    TrainingDivergedException e = assertThrows(TrainingDivergedException.class, () -> Trainer.builder()
        .optimizer(Sgd.of(0.1)).epochs(4).batchSize(16).resumeFrom(first).checkpoint(second, 1).build()
        .fit(TinyDenseModel.softmaxClassifier(16), Dataset.ofLabels(poisoned, 2, data.labels()), null));
    assertFalse(e.getMessage().contains("b.nabla"), e.getMessage());
  }

  @Test
  void resumingWithAnotherSeedOrBatchSizeIsAClearError(@TempDir File dir) {
    File file = new File(dir, "seeded.nabla");
    Dataset data = Clusters.of(40, 9, 3f);
    Trainer.builder().optimizer(Sgd.of(0.1)).epochs(1).batchSize(16).seed(5).checkpoint(file, 1).build()
        .fit(TinyDenseModel.softmaxClassifier(16), data, null);
    IllegalArgumentException seed = assertThrows(IllegalArgumentException.class, () -> Trainer.builder()
        .optimizer(Sgd.of(0.1)).epochs(2).batchSize(16).seed(6).resumeFrom(file).build()
        .fit(TinyDenseModel.softmaxClassifier(16), data, null));
    assertTrue(seed.getMessage().contains("seed 5, but this one has 6"), seed.getMessage());
    IllegalArgumentException batch = assertThrows(IllegalArgumentException.class, () -> Trainer.builder()
        .optimizer(Sgd.of(0.1)).epochs(2).batchSize(8).seed(5).resumeFrom(file).build()
        .fit(TinyDenseModel.softmaxClassifier(16), data, null));
    assertTrue(batch.getMessage().contains("batch size 16, but this one has 8"), batch.getMessage());
  }

  @Test
  void aFinishedRunResumesToNothingMore(@TempDir File dir) {
    File file = new File(dir, "done.nabla");
    TinyDenseModel model = TinyDenseModel.softmaxClassifier(16);
    Trainer.builder().optimizer(Sgd.of(0.1)).epochs(2).batchSize(16).checkpoint(file, 1).build()
        .fit(model, Clusters.of(40, 6, 3f), null);
    TinyDenseModel again = TinyDenseModel.softmaxClassifier(16);
    History history = Trainer.builder().optimizer(Sgd.of(0.1)).epochs(2).batchSize(16).resumeFrom(file).build()
        .fit(again, Clusters.of(40, 6, 3f), null);
    assertEquals(2, history.size());
    assertFalse(history.stoppedEarly());
    assertArrayEquals(model.parameters().values(), again.parameters().values());
  }

  @Test
  void aCheckpointThatCannotBeWrittenIsAnUncheckedErrorNamingTheFile(@TempDir File dir) {
    File file = new File(dir, "no-such-folder/run.nabla");
    CheckpointIOException e = assertThrows(CheckpointIOException.class, () -> Trainer.builder()
        .optimizer(Sgd.of(0.1)).epochs(2).batchSize(16).checkpoint(file, 1).build()
        .fit(TinyDenseModel.softmaxClassifier(16), Clusters.of(40, 7, 3f), null));
    assertEquals(file, e.file());
    assertTrue(e.getMessage().startsWith("cannot write the checkpoint " + file + " after epoch 1: cannot create "
        + new File(dir, "no-such-folder") + File.separator + ".run.nabla."), e.getMessage());
    assertTrue(e.getMessage().endsWith("; the previous checkpoint, if any, is intact"), e.getMessage());
    assertTrue(e.getCause() instanceof IOException);
  }

  @Test
  void resumingFromAMissingOrDamagedFileIsAnUncheckedErrorNamingTheFile(@TempDir File dir) throws IOException {
    File missing = new File(dir, "missing.nabla");
    CheckpointIOException e = assertThrows(CheckpointIOException.class, () -> Trainer.builder()
        .optimizer(Sgd.of(0.1)).epochs(2).batchSize(16).resumeFrom(missing).build()
        .fit(TinyDenseModel.softmaxClassifier(16), Clusters.of(40, 8, 3f), null));
    assertEquals(missing, e.file());
    assertTrue(e.getMessage().startsWith("cannot resume from " + missing + ": " + missing), e.getMessage());
    assertTrue(e.getCause() instanceof FileNotFoundException, String.valueOf(e.getCause()));

    File damaged = new File(dir, "damaged.nabla");
    Files.write(damaged.toPath(), new byte[] {'n', 'o', 'p', 'e'});
    e = assertThrows(CheckpointIOException.class, () -> Trainer.builder()
        .optimizer(Sgd.of(0.1)).epochs(2).batchSize(16).resumeFrom(damaged).build()
        .fit(TinyDenseModel.softmaxClassifier(16), Clusters.of(40, 8, 3f), null));
    assertEquals(CheckpointException.Kind.NOT_A_CHECKPOINT, ((CheckpointException) e.getCause()).kind());
    assertTrue(e.getMessage().startsWith("cannot resume from " + damaged + ": " + damaged + ": header: "),
        e.getMessage());
  }
}
