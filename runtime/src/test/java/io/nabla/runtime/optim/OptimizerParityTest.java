package io.nabla.runtime.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.gson.JsonObject;
import io.nabla.runtime.Parameters;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every optimizer, option, parameter-group case and clipping mode against PyTorch 1.13: the fixtures of
 * {@code tools/reference/make_optimizer_fixtures.py} hold, per run, the weights after 100 steps on a tiny MLP
 * whose gradient at each step is the exact gradient of its loss at the current weights ({@link TinyMlp} computes
 * it here). Only float rounding separates the two sides, and the script checked that each run is insensitive to
 * it (float32 and float64 agree to 1e-5).
 *
 * <p>Errors are norm-relative, {@code ‖ours − torch‖ / ‖torch‖}: at most 1e-4 per weight tensor after the last
 * step, for the losses along the way, the clipping norms and every state buffer ({@code exp_avg},
 * {@code momentum_buffer}, …, compared under PyTorch's names); the step count and the number of clipped steps are
 * exact. The largest error of each kind is printed when the class finishes.
 */
class OptimizerParityTest {
  private static final double TOLERANCE = 1e-4;
  /** Per kind of check, the largest error so far and the run it came from. */
  private static final Map<String, Double> WORST = new TreeMap<>();
  private static final Map<String, String> WORST_RUN = new TreeMap<>();

  private static synchronized void record(String kind, String run, double error) {
    Double worst = WORST.get(kind);
    if (worst == null || error > worst) {
      WORST.put(kind, error);
      WORST_RUN.put(kind, run);
    }
  }

  @AfterAll
  static void printWorst() {
    StringBuilder sb = new StringBuilder("optimizer parity, largest norm-relative errors:");
    for (Map.Entry<String, Double> e : WORST.entrySet()) {
      sb.append(String.format("%n  %-12s %.2e  (%s)", e.getKey(), e.getValue(), WORST_RUN.get(e.getKey())));
    }
    System.out.println(sb);
  }

  static double relativeError(float[] actual, float[] expected) {
    double diff = 0;
    double norm = 0;
    for (int i = 0; i < expected.length; i++) {
      double d = (double) actual[i] - expected[i];
      diff += d * d;
      norm += (double) expected[i] * expected[i];
    }
    return Math.sqrt(diff) / Math.max(Math.sqrt(norm), 1e-30);
  }

  static double relativeError(double[] actual, double[] expected) {
    double diff = 0;
    double norm = 0;
    for (int i = 0; i < expected.length; i++) {
      double d = actual[i] - expected[i];
      diff += d * d;
      norm += expected[i] * expected[i];
    }
    return Math.sqrt(diff) / Math.max(Math.sqrt(norm), 1e-30);
  }

  private static void check(String kind, OptimizerFixtures.Run run, String what, double error) {
    record(kind, run.toString(), error);
    if (!(error <= TOLERANCE)) {
      fail(String.format("%s %s: norm-relative error %.3e > %.0e", run, what, error, TOLERANCE));
    }
  }

  private static void replay(OptimizerFixtures.Run run) {
    JsonObject json = run.json;
    Optimizer optimizer = run.optimizer();
    Parameters p = run.parameters();
    int steps = run.steps();
    List<Double> losses = new ArrayList<>();
    List<Double> norms = new ArrayList<>();
    JsonObject clip = json.getAsJsonObject("clip");
    double maxNorm = clip != null && clip.has("max_norm") ? clip.get("max_norm").getAsDouble() : Double.NaN;
    int clipped = 0;
    double[] norm = new double[1];
    for (int t = 0; t < steps; t++) {
      double loss = run.step(optimizer, p, t, norm);
      if (norm[0] > maxNorm) {
        clipped++;
      }
      if (t % 10 == 0) {
        losses.add(loss);
        if (!Double.isNaN(norm[0])) {
          norms.add(norm[0]);
        }
      }
    }
    losses.add(run.problem.lossAndGradient(p));

    float[] expected = OptimizerFixtures.flat(json.getAsJsonObject("parameters"));
    int offset = 0;
    for (String name : TinyMlp.NAMES) {
      int size = p.tensor(name).size();
      float[] a = Arrays.copyOfRange(p.values(), offset, offset + size);
      float[] e = Arrays.copyOfRange(expected, offset, offset + size);
      check("weights", run, name + " after " + steps + " steps", relativeError(a, e));
      offset += size;
    }
    check("losses", run, "losses", relativeError(unbox(losses),
        OptimizerFixtures.doubles(json.getAsJsonArray("losses"))));
    if (json.has("norms")) {
      check("clip norms", run, "norms returned by clipNorm",
          relativeError(unbox(norms), OptimizerFixtures.doubles(json.getAsJsonArray("norms"))));
      assertEquals(json.get("clipped_steps").getAsInt(), clipped, run + ": steps whose gradient norm was clipped");
      assertTrue(clipped > 0 && clipped < steps, run + ": clipping should act on some steps only, got " + clipped);
    }

    OptimizerState state = optimizer.state();
    Map<String, float[]> torchBuffers = OptimizerFixtures.stateBuffers(json);
    assertEquals(torchBuffers.keySet(), state.buffers().keySet(), run + ": state buffer names");
    for (Map.Entry<String, float[]> e : torchBuffers.entrySet()) {
      check("state", run, "state " + e.getKey(), relativeError(state.buffers().get(e.getKey()), e.getValue()));
    }
    JsonObject torchState = json.getAsJsonObject("state");
    if (torchState.has("step")) {
      assertEquals(torchState.get("step").getAsDouble(), state.scalar("step", -1), run + ": step");
    } else {
      assertFalse(state.scalars().containsKey("step"), run + ": PyTorch counts no steps here");
    }
  }

  private static double[] unbox(List<Double> values) {
    double[] out = new double[values.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = values.get(i);
    }
    return out;
  }

  @TestFactory
  List<DynamicTest> matchesPyTorchAfter100Steps() {
    List<DynamicTest> tests = new ArrayList<>();
    for (OptimizerFixtures.Run run : OptimizerFixtures.runs()) {
      tests.add(DynamicTest.dynamicTest(run.toString(), () -> replay(run)));
    }
    return tests;
  }

  /** Runs 50 steps, copies the weights and restores state() into a fresh optimizer, and runs both 50 more. */
  private static void resume(OptimizerFixtures.Run run) {
    Optimizer first = run.optimizer();
    Parameters p = run.parameters();
    double[] norm = new double[1];
    for (int t = 0; t < 50; t++) {
      run.step(first, p, t, norm);
    }
    OptimizerState saved = first.state();
    Optimizer resumed = run.optimizer();
    resumed.restore(saved);
    assertEquals(first.learningRate(), resumed.learningRate(), run + ": restored learning rate");
    Parameters q = TinyMlp.parameters(p.values());
    for (int t = 50; t < 100; t++) {
      run.step(first, p, t, norm);
      run.step(resumed, q, t, norm);
    }
    assertArrayEquals(p.values(), q.values(), run + ": weights after a resume (bit for bit)");
    OptimizerState a = first.state();
    OptimizerState b = resumed.state();
    assertEquals(a.buffers().keySet(), b.buffers().keySet());
    for (String name : a.buffers().keySet()) {
      assertArrayEquals(a.buffers().get(name), b.buffers().get(name), run + ": state " + name);
    }
    assertEquals(a.scalars(), b.scalars(), run + ": scalars");
  }

  @TestFactory
  List<DynamicTest> restoringStateMidRunContinuesBitForBit() {
    List<DynamicTest> tests = new ArrayList<>();
    for (OptimizerFixtures.Run run : OptimizerFixtures.runs()) {
      tests.add(DynamicTest.dynamicTest(run.toString(), () -> resume(run)));
    }
    return tests;
  }

  @Test
  void everyOptimizerAndOptionIsCovered() {
    List<String> names = new ArrayList<>();
    for (OptimizerFixtures.Run run : OptimizerFixtures.runs()) {
      names.add(run.name);
    }
    for (String required : new String[] {"sgd_plain", "sgd_momentum", "sgd_dampening", "sgd_nesterov",
        "sgd_weight_decay", "adam_plain", "adam_amsgrad", "adam_weight_decay", "adamw_plain", "adamw_amsgrad",
        "rmsprop_plain", "rmsprop_centered", "rmsprop_momentum", "rmsprop_weight_decay", "adagrad_plain",
        "adagrad_lr_decay", "adagrad_initial_accumulator", "adagrad_weight_decay", "clip_norm_sgd_momentum",
        "clip_value_sgd", "groups_adamw", "groups_sgd_schedule"}) {
      assertTrue(names.contains(required), "no fixture run " + required + " in " + names);
    }
    JsonObject groups = OptimizerFixtures.read("groups");
    assertNotNull(groups.get("generator"));
  }
}
