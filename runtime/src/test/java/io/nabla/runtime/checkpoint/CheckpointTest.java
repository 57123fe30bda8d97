package io.nabla.runtime.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nabla.runtime.Rng;
import io.nabla.runtime.TinyDenseModel;
import io.nabla.runtime.optim.Adam;
import io.nabla.runtime.optim.Optimizer;
import io.nabla.runtime.optim.OptimizerState;
import io.nabla.runtime.optim.Sgd;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointTest {
  @TempDir File dir;

  static MlpModel mlp(int hidden) {
    return new MlpModel("Mlp", new String[] {"x", "hidden", "out"}, new int[] {3, hidden, 2}, 4);
  }

  /** A model whose parameters are all distinct, non-trivial floats. */
  static MlpModel seeded(MlpModel model, long seed) {
    model.initialize(seed);
    float[] v = model.parameters().values();
    for (int i = 0; i < v.length; i++) {
      v[i] += 1e-3f * i; // biases too, so no tensor is all zeros
    }
    return model;
  }

  static Map<String, Object> trainerState() {
    Map<String, Object> schedule = new LinkedHashMap<>();
    schedule.put("last_epoch", 3.0);
    schedule.put("base_lr", 0.1);
    Map<String, Object> state = new LinkedHashMap<>();
    state.put("epoch", 3);
    state.put("step", 1234567890123L);
    state.put("rng", new Rng(42).state());
    state.put("best_metric", 0.9375f);
    state.put("best_loss", 0.123456789012345);
    state.put("monitor", "val_loss");
    state.put("improving", true);
    state.put("schedule", schedule);
    state.put("history", new float[] {1.5f, 0.75f, Float.NaN});
    state.put("losses", new double[] {2.5, -0.0, Double.POSITIVE_INFINITY});
    state.put("seeds", new long[] {Long.MIN_VALUE, 0, Long.MAX_VALUE});
    state.put("order", new int[] {3, 1, 2});
    state.put("unicode", "é ∇ \u0000 🙂");
    state.put("empty", new HashMap<String, Object>());
    return state;
  }

  @Test
  void roundTripsParametersOptimizerAndTrainerState() throws IOException {
    MlpModel model = seeded(mlp(4), 7);
    Adam adam = Adam.of(0.01);
    model.zeroGradients();
    Arrays.fill(model.parameters().gradients(), 0.5f);
    adam.step(model.parameters());
    File file = new File(dir, "model.ckpt");
    Checkpoint.save(file, model, adam.state(), trainerState());

    Checkpoint read = Checkpoint.read(file);
    assertEquals("1.1", read.formatVersion());
    assertEquals(file, read.source());
    assertEquals("Mlp", read.architecture().modelName());
    assertEquals(Architecture.of(model), read.architecture());
    assertEquals(Architecture.of(model).digest(), read.architecture().digest());

    MlpModel other = seeded(mlp(4), 99);
    read.restoreInto(other);
    assertArrayEquals(model.parameters().values(), other.parameters().values());
    assertArrayEquals(Arrays.copyOfRange(model.parameters().values(), 0, 12), read.tensor("hidden.weight"));

    OptimizerState state = read.optimizerState();
    assertTrue(read.hasOptimizerState());
    assertEquals("Adam", state.kind());
    assertEquals(Arrays.asList("exp_avg", "exp_avg_sq"), Arrays.asList(state.buffers().keySet().toArray()));
    assertArrayEquals(adam.state().buffer("exp_avg"), state.buffer("exp_avg"));
    assertArrayEquals(adam.state().buffer("exp_avg_sq"), state.buffer("exp_avg_sq"));
    assertEquals(adam.state().scalars(), state.scalars());

    Map<String, Object> trainer = read.trainerState();
    assertEquals(Arrays.asList("epoch", "step", "rng", "best_metric", "best_loss", "monitor", "improving",
        "schedule", "history", "losses", "seeds", "order", "unicode", "empty"),
        Arrays.asList(trainer.keySet().toArray()));
    assertEquals(3L, trainer.get("epoch"));
    assertEquals(1234567890123L, trainer.get("step"));
    assertEquals(new Rng(42).state(), trainer.get("rng"));
    assertEquals((double) 0.9375f, trainer.get("best_metric"));
    assertEquals(0.123456789012345, trainer.get("best_loss"));
    assertEquals("val_loss", trainer.get("monitor"));
    assertEquals(Boolean.TRUE, trainer.get("improving"));
    Map<?, ?> schedule = (Map<?, ?>) trainer.get("schedule");
    assertEquals(3.0, schedule.get("last_epoch"));
    assertEquals(0.1, schedule.get("base_lr"));
    assertArrayEquals(new float[] {1.5f, 0.75f, Float.NaN}, (float[]) trainer.get("history"));
    assertArrayEquals(new double[] {2.5, -0.0, Double.POSITIVE_INFINITY}, (double[]) trainer.get("losses"));
    assertArrayEquals(new long[] {Long.MIN_VALUE, 0, Long.MAX_VALUE}, (long[]) trainer.get("seeds"));
    assertArrayEquals(new long[] {3, 1, 2}, (long[]) trainer.get("order"));
    assertEquals("é ∇ \u0000 🙂", trainer.get("unicode"));
    assertEquals(Collections.emptyMap(), trainer.get("empty"));
    assertThrows(UnsupportedOperationException.class, () -> trainer.put("x", 1L));
    assertThrows(UnsupportedOperationException.class, schedule::clear);
    assertTrue(read.toString().contains("Adam optimizer state"), read.toString());
  }

  @Test
  void parametersOnly() throws IOException {
    MlpModel model = seeded(mlp(4), 3);
    File file = new File(dir, "weights.ckpt");
    Checkpoint.save(file, model);
    Checkpoint read = Checkpoint.read(file);
    assertFalse(read.hasOptimizerState());
    assertNull(read.optimizerState());
    assertEquals(Collections.emptyMap(), read.trainerState());
    MlpModel other = mlp(4);
    read.restoreInto(other);
    assertArrayEquals(model.parameters().values(), other.parameters().values());
  }

  @Test
  void statelessOptimizerReadsBackAsEmptyState() throws IOException {
    Optimizer signSgd = p -> { };
    File file = new File(dir, "a.ckpt");
    Checkpoint.save(file, mlp(4), signSgd.state(), null);
    Checkpoint read = Checkpoint.read(file);
    assertSame(OptimizerState.empty(), read.optimizerState());
    Adam.of(0.1).restore(read.optimizerState()); // the empty state restores into any optimizer
  }

  /** A run saved at step 3 and resumed in a new process (new model, new optimizer) matches the unbroken run. */
  @Test
  void resumedTrainingMatchesAnUnbrokenRunBitForBit() throws IOException {
    float[] x = {0.5f, -1f, 2f, 0.25f, -0.75f, 1.5f};
    int[] labels = {2, 0, 1};
    TinyDenseModel unbroken = TinyDenseModel.softmaxClassifier(3);
    unbroken.initialize(11);
    Optimizer adam = Adam.of(0.05);
    for (int step = 0; step < 6; step++) {
      step(unbroken, adam, x, labels);
    }

    TinyDenseModel first = TinyDenseModel.softmaxClassifier(3);
    first.initialize(11);
    Optimizer firstAdam = Adam.of(0.05);
    for (int step = 0; step < 3; step++) {
      step(first, firstAdam, x, labels);
    }
    File file = new File(dir, "resume.ckpt");
    Checkpoint.save(file, first, firstAdam.state(), Collections.singletonMap("step", 3));

    TinyDenseModel resumed = TinyDenseModel.softmaxClassifier(3);
    Adam resumedAdam = Adam.of(0.05);
    Checkpoint checkpoint = Checkpoint.read(file);
    checkpoint.restoreInto(resumed);
    resumedAdam.restore(checkpoint.optimizerState());
    assertEquals(3L, resumedAdam.stepCount());
    for (long step = (Long) checkpoint.trainerState().get("step"); step < 6; step++) {
      step(resumed, resumedAdam, x, labels);
    }
    assertArrayEquals(unbroken.parameters().values(), resumed.parameters().values());
  }

  private static void step(TinyDenseModel model, Optimizer optimizer, float[] x, int[] labels) {
    model.zeroGradients();
    model.forward(x, 3);
    model.loss(labels, 3);
    model.backward();
    optimizer.step(model.parameters());
  }

  @Test
  void sgdMomentumStateRoundTrips() throws IOException {
    MlpModel model = seeded(mlp(4), 5);
    Sgd sgd = Sgd.builder(0.1).momentum(0.9).build();
    Arrays.fill(model.parameters().gradients(), 0.25f);
    sgd.step(model.parameters());
    File file = new File(dir, "sgd.ckpt");
    Checkpoint.save(file, model, sgd.state(), null);
    Sgd restored = Sgd.builder(0.1).momentum(0.9).build();
    restored.restore(Checkpoint.read(file).optimizerState());
    assertArrayEquals(sgd.velocity(), restored.velocity());
  }

  @Test
  void captureCopiesAndWritesLater() throws IOException {
    MlpModel model = seeded(mlp(4), 1);
    float[] before = model.parameters().values().clone();
    Map<String, Object> trainer = new LinkedHashMap<>();
    trainer.put("epoch", 1);
    float[] history = {1f, 2f};
    trainer.put("history", history);
    Checkpoint best = Checkpoint.capture(model, null, trainer);
    Arrays.fill(model.parameters().values(), 0f);
    history[0] = 99f;
    trainer.put("epoch", 2);
    assertEquals(1L, best.trainerState().get("epoch"));
    assertArrayEquals(new float[] {1f, 2f}, (float[]) best.trainerState().get("history"));
    assertNull(best.source());

    best.restoreInto(model);
    assertArrayEquals(before, model.parameters().values());
    File file = new File(dir, "best.ckpt");
    best.write(file);
    MlpModel other = mlp(4);
    Checkpoint.read(file).restoreInto(other);
    assertArrayEquals(before, other.parameters().values());
  }

  @Test
  void overwritesAnExistingCheckpointAndLeavesNoTemporaryFile() throws IOException {
    File file = new File(dir, "model.ckpt");
    MlpModel model = seeded(mlp(4), 1);
    Checkpoint.save(file, model);
    seeded(model, 2);
    Checkpoint.save(file, model);
    MlpModel other = mlp(4);
    Checkpoint.read(file).restoreInto(other);
    assertArrayEquals(model.parameters().values(), other.parameters().values());
    assertEquals(Collections.singletonList(file), list(dir));
  }

  @Test
  void savesToARelativePath() throws IOException {
    File relative = new File("target", "checkpoint-test-relative.ckpt");
    Files.createDirectories(relative.getAbsoluteFile().getParentFile().toPath());
    try {
      Checkpoint.save(relative, seeded(mlp(4), 1));
      assertEquals(Architecture.of(mlp(4)), Checkpoint.read(relative).architecture());
    } finally {
      Files.deleteIfExists(relative.toPath());
    }
  }

  @Test
  void aStaleTemporaryFileIsNeverReadAndIsCleanedByTheNextSave() throws IOException {
    File file = new File(dir, "model.ckpt");
    MlpModel model = seeded(mlp(4), 1);
    Checkpoint.save(file, model);
    // What a crash in the middle of a save leaves: a partial temporary file beside the checkpoint.
    byte[] whole = Files.readAllBytes(file.toPath());
    File stale = new File(dir, ".model.ckpt.123456789.tmp");
    Files.write(stale.toPath(), Arrays.copyOf(whole, whole.length / 2));
    File unrelated = new File(dir, ".model.ckpt.backup.tmp");
    Files.write(unrelated.toPath(), new byte[] {1});

    MlpModel other = mlp(4);
    Checkpoint.read(file).restoreInto(other);
    assertArrayEquals(model.parameters().values(), other.parameters().values());

    Checkpoint.save(file, model);
    assertFalse(Files.exists(stale.toPath()), "the next save deletes stale temporary files");
    assertTrue(Files.exists(unrelated.toPath()), "only files named like its temporary files");
    assertTrue(AtomicFiles.isTempOf(".a.b.0.tmp", "a.b"));
    assertFalse(AtomicFiles.isTempOf(".a.b..tmp", "a.b"));
    assertFalse(AtomicFiles.isTempOf(".a.b.1x.tmp", "a.b"));
    assertFalse(AtomicFiles.isTempOf("a.b.1.tmp", "a.b"));
  }

  @Test
  void aFailedSaveLeavesThePreviousCheckpointAndNoTemporaryFile() throws IOException {
    File file = new File(dir, "model.ckpt");
    MlpModel model = seeded(mlp(4), 1);
    Checkpoint.save(file, model);
    byte[] before = Files.readAllBytes(file.toPath());
    Map<String, Object> bad = new LinkedHashMap<>();
    bad.put("epoch", 3);
    bad.put("when", new java.util.Date());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Checkpoint.save(file, seeded(mlp(4), 2), null, bad));
    assertTrue(e.getMessage().contains("'when' is a java.util.Date"), e.getMessage());
    assertArrayEquals(before, Files.readAllBytes(file.toPath()));
    assertEquals(Collections.singletonList(file), list(dir));

    // A target that cannot be replaced (a non-empty folder): the rename fails, the temporary file is removed.
    File folder = new File(dir, "folder.ckpt");
    Files.createDirectories(new File(folder, "inside").toPath());
    assertThrows(IOException.class, () -> Checkpoint.save(folder, model));
    assertEquals(Arrays.asList(folder, file), list(dir));
  }

  @Test
  void rejectsUnsupportedTrainerValues() {
    MlpModel model = mlp(4);
    Map<String, Object> nested = new LinkedHashMap<>();
    nested.put("ok", 1.0);
    nested.put("bad", null);
    Map<String, Object> state = Collections.<String, Object>singletonMap("schedule", nested);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Checkpoint.capture(model, null, state));
    assertTrue(e.getMessage().contains("'schedule.bad' is null"), e.getMessage());
    Map<Object, Object> nonStringKey = new HashMap<>();
    nonStringKey.put(1, 2L);
    e = assertThrows(IllegalArgumentException.class,
        () -> Checkpoint.capture(model, null, Collections.singletonMap("m", nonStringKey)));
    assertTrue(e.getMessage().contains("not a String: 1"), e.getMessage());
  }

  // ---- architecture mismatches ----

  private static IllegalArgumentException mismatch(MlpModel saved, MlpModel target, File file) throws IOException {
    Checkpoint.save(file, saved);
    float[] before = target.parameters().values().clone();
    Checkpoint read = Checkpoint.read(file);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> read.restoreInto(target));
    assertArrayEquals(before, target.parameters().values(), "nothing is copied");
    assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
    return e;
  }

  @Test
  void aWiderLayerIsNamedWithBothShapes() throws IOException {
    IllegalArgumentException e = mismatch(mlp(4), mlp(6), new File(dir, "a.ckpt"));
    assertTrue(e.getMessage().endsWith("does not fit model Mlp: layer 'hidden' has output shape (4,) in the"
        + " checkpoint and (6,) in the model"), e.getMessage());
  }

  @Test
  void aRenamedLayerIsNamed() throws IOException {
    MlpModel renamed = new MlpModel("Mlp", new String[] {"x", "hidden", "logits"}, new int[] {3, 4, 2}, 4);
    IllegalArgumentException e = mismatch(mlp(4), renamed, new File(dir, "a.ckpt"));
    assertTrue(e.getMessage().contains("layer 3 is 'out' (Dense, output shape (2,)) in the checkpoint and"
        + " 'logits' (Dense, output shape (2,)) in the model"), e.getMessage());
  }

  @Test
  void aMissingOrExtraLayerIsNamed() throws IOException {
    MlpModel deeper = new MlpModel("Mlp", new String[] {"x", "hidden", "out", "head"}, new int[] {3, 4, 2, 5}, 4);
    IllegalArgumentException e = mismatch(mlp(4), deeper, new File(dir, "a.ckpt"));
    assertTrue(e.getMessage().contains("the model has an extra layer 'head' (Dense, output shape (5,)) after"
        + " the checkpoint's last layer 'out'"), e.getMessage());
    e = mismatch(deeper, mlp(4), new File(dir, "b.ckpt"));
    assertTrue(e.getMessage().contains("the checkpoint has a layer 'head' (Dense, output shape (5,)) that the"
        + " model lacks"), e.getMessage());
  }

  @Test
  void aDifferentInputWidthIsNamedByTheLayerAndThenTheTensor() throws IOException {
    MlpModel wideInput = new MlpModel("Mlp", new String[] {"x", "hidden", "out"}, new int[] {5, 4, 2}, 4);
    IllegalArgumentException e = mismatch(mlp(4), wideInput, new File(dir, "a.ckpt"));
    assertTrue(e.getMessage().contains("layer 'x' has output shape (3,) in the checkpoint and (5,) in the model"),
        e.getMessage());
    // Same layers, a tensor of another shape: named with both shapes.
    Architecture a = Architecture.of(mlp(4));
    List<Architecture.Tensor> tensors = new java.util.ArrayList<>(a.tensors());
    tensors.set(0, new Architecture.Tensor("hidden.weight", new int[] {4, 5}, 0));
    Architecture b = new Architecture("Mlp", a.layers(), tensors, a.parameterCount());
    assertEquals("tensor hidden.weight has shape (4, 3) in the checkpoint and (4, 5) in the model",
        a.differenceFrom(b));
  }

  @Test
  void anotherModelNameIsRefusedWithAHint() throws IOException {
    MlpModel renamed = new MlpModel("Renamed", new String[] {"x", "hidden", "out"}, new int[] {3, 4, 2}, 4);
    IllegalArgumentException e = mismatch(mlp(4), renamed, new File(dir, "a.ckpt"));
    assertTrue(e.getMessage().contains("the model is named Mlp in the checkpoint and Renamed in the model"),
        e.getMessage());
  }

  @Test
  void aModelOfAnotherKindEntirely() throws IOException {
    File file = new File(dir, "tiny.ckpt");
    Checkpoint.save(file, TinyDenseModel.softmaxClassifier(2));
    Checkpoint read = Checkpoint.read(file);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> read.restoreInto(mlp(4)));
    assertTrue(e.getMessage().contains("layer 1 is 'x' (Input, output shape (2,)) in the checkpoint and 'x'")
        || e.getMessage().contains("layer 'x' has output shape (2,) in the checkpoint and (3,) in the model"),
        e.getMessage());
  }

  static List<File> list(File dir) throws IOException {
    File[] files = dir.listFiles();
    if (files == null) {
      throw new IOException("cannot list " + dir);
    }
    Arrays.sort(files);
    return Arrays.asList(files);
  }
}
