package io.nabla.runtime.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every schedule against the learning rates PyTorch 1.13's schedulers give, step for step, from the fixtures that
 * {@code tools/reference/make_schedule_fixtures.py} writes to {@code fixtures/schedule/} (one file per PyTorch
 * scheduler, several parameter settings each; see the script for the format). Each case builds the Nabla schedule
 * from the fixture's parameters under PyTorch's names (absent ones take the Java defaults for builders, PyTorch's
 * for the others), drives it through {@link LearningRateSchedule#apply} on an optimizer whose initial rate is the
 * fixture's {@code base_lr}, and checks each value:
 *
 * <pre>
 * |nabla − torch| ≤ 1e-6 · |torch|               (1e-6 relative)
 * |nabla| ≤ 1e-12 · base   where |torch| ≤ 1e-12 · base
 * </pre>
 *
 * The second line is for values that should be 0: PyTorch's recursive LinearLR decaying to 0 ends at -2.3e-17
 * (a negative rate) where the closed form gives exactly 0.
 *
 * PyTorch steps most schedules recursively and Nabla uses closed forms; they differ by rounding only (the largest
 * relative difference is printed after the run). ReduceLROnPlateau is fed the fixture's metrics, and its state
 * ({@code best}, {@code num_bad_epochs}, {@code cooldown_counter}) must equal PyTorch's exactly after every epoch.
 */
class PyTorchScheduleParityTest {
  static final double RELATIVE_TOLERANCE = 1e-6;
  /** Values within this fraction of the base rate of 0 are 0 (PyTorch's LinearLR decays to -2.3e-17, not 0). */
  static final double ZERO = 1e-12;
  static final String DIR = "/fixtures/schedule";
  static final List<String> SCHEDULERS = Arrays.asList("ConstantLR", "StepLR", "MultiStepLR", "ExponentialLR",
      "CosineAnnealingLR", "LinearLR", "OneCycleLR", "ReduceLROnPlateau", "SequentialLR");

  private static final Map<String, double[]> worst = new TreeMap<>();

  @TestFactory
  List<DynamicTest> matchesPyTorch() throws IOException, URISyntaxException {
    URL dir = PyTorchScheduleParityTest.class.getResource(DIR);
    File[] files = new File(dir.toURI()).listFiles((d, name) -> name.endsWith(".json"));
    Set<String> found = new HashSet<>();
    List<DynamicTest> tests = new ArrayList<>();
    for (File file : files) {
      JsonObject fixture;
      try (Reader r = new InputStreamReader(Files.newInputStream(file.toPath()), StandardCharsets.UTF_8)) {
        fixture = JsonParser.parseReader(r).getAsJsonObject();
      }
      String scheduler = fixture.get("scheduler").getAsString();
      found.add(scheduler);
      for (JsonElement c : fixture.getAsJsonArray("cases")) {
        JsonObject test = c.getAsJsonObject();
        tests.add(DynamicTest.dynamicTest(scheduler + " " + test.get("name").getAsString(),
            () -> check(scheduler, test)));
      }
    }
    assertEquals(new HashSet<>(SCHEDULERS), found, "fixture files in " + DIR);
    assertTrue(tests.size() >= 30, "only " + tests.size() + " cases");
    return tests;
  }

  @AfterAll
  static void report() {
    for (Map.Entry<String, double[]> e : worst.entrySet()) {
      System.out.printf(Locale.ROOT, "schedule parity %-18s max relative error %.3g over %d values%n", e.getKey(),
          e.getValue()[0], (long) e.getValue()[1]);
    }
  }

  private static void check(String scheduler, JsonObject c) {
    double base = c.get("base_lr").getAsDouble();
    double[] want = doubles(c.getAsJsonArray("lr"));
    LearningRateSchedule schedule = build(scheduler, c.getAsJsonObject("params"));
    FakeOptimizer optimizer = new FakeOptimizer(base);
    boolean plateau = scheduler.equals("ReduceLROnPlateau");
    double[] metrics = plateau ? doubles(c.getAsJsonArray("metrics")) : null;
    for (int t = 0; t < want.length; t++) {
      if (plateau && t > 0) {
        schedule.observe(metrics[t - 1]);
        Map<String, Double> state = schedule.state();
        for (String key : new String[] {"best", "num_bad_epochs", "cooldown_counter"}) {
          assertEquals(c.getAsJsonArray(key).get(t - 1).getAsDouble(), state.get(key), 0.0,
              key + " after epoch " + t);
        }
      }
      // positions: t steps and t epochs done; the schedule picks its unit
      double got = schedule.apply(optimizer, t, t);
      assertEquals(got, optimizer.learningRate, 0.0);
      compare(scheduler, base, want[t], got, t);
    }
    if (scheduler.equals("OneCycleLR")) {
      int past = want.length;
      assertThrows(IllegalArgumentException.class, () -> schedule.apply(optimizer, past, past),
          "PyTorch raises after total_steps + 1 values");
    }
  }

  private static void compare(String scheduler, double base, double want, double got, int t) {
    double zero = ZERO * base;
    double error = Math.abs(want) <= zero ? (Math.abs(got) <= zero ? 0 : Double.POSITIVE_INFINITY)
        : Math.abs(got - want) / Math.abs(want);
    double[] w = worst.computeIfAbsent(scheduler, k -> new double[2]);
    synchronized (w) {
      w[0] = Math.max(w[0], error);
      w[1]++;
    }
    if (!(error <= RELATIVE_TOLERANCE)) {
      fail("position " + t + ": PyTorch " + want + ", Nabla " + got + " (relative error " + error + ")");
    }
  }

  // ---- the Nabla schedule for a fixture's PyTorch parameters ----

  static LearningRateSchedule build(String scheduler, JsonObject params) {
    Params p = new Params(scheduler, params);
    LearningRateSchedule s;
    switch (scheduler) {
      case "ConstantLR":
        s = Schedules.constant(p.number("factor", 1.0 / 3), p.integer("total_iters", 5));
        break;
      case "StepLR":
        s = Schedules.step(p.integer("step_size", -1), p.number("gamma", 0.1));
        break;
      case "MultiStepLR":
        s = Schedules.multiStep(p.number("gamma", 0.1), p.integers("milestones"));
        break;
      case "ExponentialLR":
        s = Schedules.exponential(p.number("gamma", Double.NaN));
        break;
      case "CosineAnnealingLR":
        s = Schedules.cosine(p.integer("T_max", -1), p.number("eta_min", 0));
        break;
      case "LinearLR":
        s = Schedules.linear(p.number("start_factor", 1.0 / 3), p.number("end_factor", 1.0),
            p.integer("total_iters", 5));
        break;
      case "OneCycleLR": {
        OneCycleSchedule.Builder b = OneCycleSchedule.builder(p.number("max_lr", Double.NaN),
            p.integer("total_steps", -1));
        if (p.has("pct_start")) {
          b.pctStart(p.number("pct_start", 0));
        }
        if (p.has("anneal_strategy")) {
          b.anneal(OneCycleSchedule.Anneal.valueOf(p.string("anneal_strategy").toUpperCase(Locale.ROOT)));
        }
        if (p.has("div_factor")) {
          b.divFactor(p.number("div_factor", 0));
        }
        if (p.has("final_div_factor")) {
          b.finalDivFactor(p.number("final_div_factor", 0));
        }
        if (p.has("three_phase")) {
          b.threePhase(p.bool("three_phase"));
        }
        s = b.build();
        assertEquals(LearningRateSchedule.Unit.STEP, s.unit(), "OneCycle advances per step");
        break;
      }
      case "ReduceLROnPlateau": {
        ReduceOnPlateau.Builder b = ReduceOnPlateau.builder();
        if (p.has("mode")) {
          b.mode(ReduceOnPlateau.Mode.valueOf(p.string("mode").toUpperCase(Locale.ROOT)));
        }
        if (p.has("factor")) {
          b.factor(p.number("factor", 0));
        }
        if (p.has("patience")) {
          b.patience((int) p.integer("patience", 0));
        }
        if (p.has("threshold")) {
          b.threshold(p.number("threshold", 0));
        }
        if (p.has("threshold_mode")) {
          b.thresholdMode(ReduceOnPlateau.ThresholdMode.valueOf(p.string("threshold_mode").toUpperCase(Locale.ROOT)));
        }
        if (p.has("cooldown")) {
          b.cooldown((int) p.integer("cooldown", 0));
        }
        if (p.has("min_lr")) {
          b.minLearningRate(p.number("min_lr", 0));
        }
        if (p.has("eps")) {
          b.eps(p.number("eps", 0));
        }
        s = b.build();
        break;
      }
      case "SequentialLR": {
        List<ClosedFormSchedule> parts = new ArrayList<>();
        for (JsonElement part : p.array("schedulers")) {
          JsonObject o = part.getAsJsonObject();
          parts.add((ClosedFormSchedule) build(o.get("scheduler").getAsString(), o.getAsJsonObject("params")));
        }
        s = Schedules.sequential(parts, p.integers("milestones"));
        break;
      }
      default:
        throw new AssertionError("no Nabla schedule for " + scheduler);
    }
    p.checkAllUsed();
    return s;
  }

  private static double[] doubles(JsonArray a) {
    double[] out = new double[a.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = a.get(i).getAsDouble();
    }
    return out;
  }

  /** A fixture's parameters; every one must be read, so that none is silently ignored. */
  private static final class Params {
    final String scheduler;
    final JsonObject json;
    final Set<String> used = new HashSet<>();

    Params(String scheduler, JsonObject json) {
      this.scheduler = scheduler;
      this.json = json;
    }

    boolean has(String key) {
      return json.has(key);
    }

    private JsonElement get(String key) {
      used.add(key);
      return json.get(key);
    }

    double number(String key, double otherwise) {
      JsonElement e = get(key);
      return e == null ? otherwise : e.getAsDouble();
    }

    long integer(String key, long otherwise) {
      JsonElement e = get(key);
      return e == null ? otherwise : e.getAsLong();
    }

    boolean bool(String key) {
      return get(key).getAsBoolean();
    }

    String string(String key) {
      return get(key).getAsString();
    }

    JsonArray array(String key) {
      return get(key).getAsJsonArray();
    }

    long[] integers(String key) {
      JsonArray a = array(key);
      long[] out = new long[a.size()];
      for (int i = 0; i < out.length; i++) {
        out[i] = a.get(i).getAsLong();
      }
      return out;
    }

    void checkAllUsed() {
      Set<String> left = new HashSet<>(json.keySet());
      left.removeAll(used);
      assertTrue(left.isEmpty(), scheduler + " parameters not mapped to Nabla: " + left);
    }
  }
}
