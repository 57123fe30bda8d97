package io.nabla.runtime.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nabla.runtime.TinyNormModel;
import io.nabla.runtime.checkpoint.Checkpoint;
import io.nabla.runtime.optim.Adam;
import io.nabla.runtime.schedule.Schedules;
import java.io.File;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The trainer with a model that has buffers (batch-norm running statistics) and a random stream (dropout): its
 * checkpoints hold both, a resumed run continues bit for bit, and early stopping restores buffers with weights.
 */
class TrainerBuffersTest {
  private static final Dataset TRAIN = Clusters.of(80, 11, 3f);
  private static final Dataset VALIDATION = Clusters.of(30, 12, 3f);

  private static Trainer.Builder settings(int epochs) {
    return Trainer.builder().optimizer(Adam.of(0.05)).epochs(epochs).batchSize(16).seed(9)
        .schedule(Schedules.cosine(epochs * 5L).perStep());
  }

  private static TinyNormModel model(long seed) {
    TinyNormModel model = TinyNormModel.classifier(16);
    model.initialize(seed);
    return model;
  }

  /** Writes {@code file} again without trainer-state entry {@code key}, as a checkpoint that lacks it. */
  private static void withoutEntry(File file, String key) throws IOException {
    Checkpoint checkpoint = Checkpoint.read(file);
    TinyNormModel holder = TinyNormModel.classifier(16);
    checkpoint.restoreInto(holder);
    Map<String, Object> state = new LinkedHashMap<>(checkpoint.trainerState());
    assertTrue(state.remove(key) != null, key);
    Checkpoint.capture(holder, checkpoint.optimizerState(), state).write(file);
  }

  @Test
  void resumingWithDropoutAndBatchNormEqualsAnUninterruptedRunBitForBit(@TempDir File dir) throws IOException {
    TinyNormModel whole = model(3);
    History uninterrupted = settings(6).build().fit(whole, TRAIN, VALIDATION);

    File file = new File(dir, "run.nabla");
    TinyNormModel first = model(3);
    settings(6).epochs(3).checkpoint(file, 1).build().fit(first, TRAIN, VALIDATION);
    Checkpoint saved = Checkpoint.read(file);
    assertEquals(first.randomState(), saved.trainerState().get("model_rng"));
    assertArrayEquals(first.buffers().values(), concat(saved.tensor("bn.running_mean"),
        saved.tensor("bn.running_var")));

    // A new model with another seed: another random stream and initial weights, all replaced by the resume.
    TinyNormModel second = model(99);
    History resumed = settings(6).resumeFrom(file).build().fit(second, TRAIN, VALIDATION);
    assertArrayEquals(whole.parameters().values(), second.parameters().values());
    assertArrayEquals(whole.buffers().values(), second.buffers().values());
    assertEquals(whole.randomState(), second.randomState());
    for (int e = 0; e < 6; e++) {
      assertEquals(uninterrupted.get(e).trainLoss(), resumed.get(e).trainLoss(), 0.0, "epoch " + (e + 1));
    }

    // Without the random stream the resumed run draws other dropout masks: the entry is what makes it exact.
    withoutEntry(file, "model_rng");
    TinyNormModel third = model(99);
    settings(6).resumeFrom(file).build().fit(third, TRAIN, VALIDATION);
    assertFalse(Arrays.equals(whole.parameters().values(), third.parameters().values()));
  }

  private static float[] concat(float[] a, float[] b) {
    float[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  /** Early stopping that keeps the first epoch as best (the loss only falls), restoring it at the end. */
  private static EarlyStopping keepFirst() {
    return EarlyStopping.monitor("loss").maximize().patience(100).restoreBestWeights(true);
  }

  @Test
  void restoringTheBestWeightsRestoresTheirRunningStatistics() {
    final List<float[]> parameters = new ArrayList<>();
    final List<float[]> buffers = new ArrayList<>();
    final TinyNormModel model = model(5);
    History history = settings(4).earlyStopping(keepFirst()).listener(new TrainingListener() {
      @Override
      public void onEpoch(EpochResult result) {
        parameters.add(model.parameters().values().clone());
        buffers.add(model.buffers().values().clone());
      }
    }).build().fit(model, TRAIN, VALIDATION);
    int best = history.bestEpoch();
    assertTrue(best < 4, "the best epoch is not the last: " + best);
    assertFalse(Arrays.equals(buffers.get(best - 1), buffers.get(3)), "the running statistics moved on");
    assertArrayEquals(parameters.get(best - 1), model.parameters().values());
    assertArrayEquals(buffers.get(best - 1), model.buffers().values());
  }

  @Test
  void theBestBuffersAreCheckpointedAndRestoredAfterAResume(@TempDir File dir) throws IOException {
    TinyNormModel whole = model(6);
    settings(5).earlyStopping(keepFirst()).build().fit(whole, TRAIN, VALIDATION);

    File file = new File(dir, "best.nabla");
    TinyNormModel first = model(6);
    settings(5).epochs(3).earlyStopping(keepFirst()).checkpoint(file, 1).build().fit(first, TRAIN, VALIDATION);
    Map<String, Object> state = Checkpoint.read(file).trainerState();
    assertArrayEquals(first.buffers().values(), (float[]) state.get("best_buffers"), "epoch 1's, restored at the end");

    TinyNormModel second = model(7);
    settings(5).earlyStopping(keepFirst()).resumeFrom(file).build().fit(second, TRAIN, VALIDATION);
    assertArrayEquals(whole.parameters().values(), second.parameters().values());
    assertArrayEquals(whole.buffers().values(), second.buffers().values());

    // Best weights without their buffers do not fit this model: refused before it is touched.
    withoutEntry(file, "best_buffers");
    TinyNormModel third = model(8);
    float[] before = third.parameters().values().clone();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> settings(5).earlyStopping(keepFirst()).resumeFrom(file).build().fit(third, TRAIN, VALIDATION));
    assertEquals(file + ": the trainer state's 'best_buffers' is missing, but the model has 4 buffer values (the"
        + " best weights of early stopping)", e.getMessage());
    assertArrayEquals(before, third.parameters().values());
  }
}
