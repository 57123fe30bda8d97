package io.nabla.runtime.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * state() and restore(): a run checkpointed halfway and resumed into a fresh schedule and optimizer gives exactly
 * the rates of the uninterrupted run; bad states are refused with a message naming the key.
 */
class ScheduleStateTest {

  /** Metrics that make the plateau reduce, cool down and reach its minimum (as the "loss" fixture does). */
  private static double metric(int epoch) {
    return epoch <= 10 ? 1.0 - 0.05 * epoch : epoch < 40 ? 0.5 + 0.002 * Math.sin(epoch) : 0.4;
  }

  private static ReduceOnPlateau plateau() {
    return ReduceOnPlateau.builder().factor(0.5).patience(3).cooldown(2).minLearningRate(0.01).build();
  }

  /** Per epoch: apply, then observe the epoch's metric; returns the rate of each epoch. */
  private static List<Double> runPlateau(ReduceOnPlateau p, FakeOptimizer optimizer, int from, int to) {
    List<Double> rates = new ArrayList<>();
    for (int epoch = from; epoch < to; epoch++) {
      rates.add(p.apply(optimizer, 0, epoch));
      p.observe(metric(epoch + 1));
    }
    return rates;
  }

  @Test
  void plateauResumesExactly() {
    List<Double> whole = runPlateau(plateau(), new FakeOptimizer(0.1), 0, 60);

    ReduceOnPlateau first = plateau();
    FakeOptimizer optimizer = new FakeOptimizer(0.1);
    List<Double> resumed = runPlateau(first, optimizer, 0, 16); // mid-cooldown
    Map<String, Double> checkpoint = first.state();
    assertEquals(new LinkedHashMap<String, Double>() {
      {
        put("base_lr", 0.1);
        put("best", 0.4980000195868986);
        put("num_bad_epochs", 0.0);
        put("cooldown_counter", 1.0);
        put("last_epoch", 16.0);
        put("reductions", 1.0);
      }
    }, checkpoint);

    ReduceOnPlateau second = plateau();
    second.restore(checkpoint);
    // the new optimizer starts at the scheduled rate, which must not become the base
    resumed.addAll(runPlateau(second, new FakeOptimizer(optimizer.learningRate), 16, 60));
    assertEquals(whole, resumed);
    assertEquals(0.01, whole.get(59), 0.0);
    assertEquals(first.state().keySet(), second.state().keySet());
  }

  @Test
  void plateauStateCanBeRestoredBeforeTheBaseIsKnown() {
    ReduceOnPlateau p = ReduceOnPlateau.builder().patience(0).build();
    p.observe(1);
    p.observe(2); // worse: reduce
    Map<String, Double> state = p.state();
    assertTrue(!state.containsKey("base_lr"), state.toString());
    ReduceOnPlateau q = ReduceOnPlateau.builder().patience(0).build();
    q.restore(state);
    FakeOptimizer optimizer = new FakeOptimizer(1.0);
    assertEquals(0.1, q.apply(optimizer, 0, 2), 1e-15);
  }

  @Test
  void freshPlateauStateHasInfiniteBest() {
    assertEquals(Double.POSITIVE_INFINITY, Schedules.reduceOnPlateau().state().get("best"), 0.0);
    ReduceOnPlateau max = ReduceOnPlateau.builder().mode(ReduceOnPlateau.Mode.MAX).build();
    assertEquals(Double.NEGATIVE_INFINITY, max.state().get("best"), 0.0);
    max.restore(max.state());
  }

  private static List<Double> runClosedForm(LearningRateSchedule s, FakeOptimizer optimizer, int from, int to) {
    List<Double> rates = new ArrayList<>();
    for (int step = from; step < to; step++) {
      rates.add(s.apply(optimizer, step, step / 7));
    }
    return rates;
  }

  @Test
  void closedFormSchedulesResumeWithTheirBaseRate() {
    List<Supplier<ClosedFormSchedule>> makers = new ArrayList<>();
    makers.add(() -> Schedules.step(3, 0.5));
    makers.add(() -> Schedules.cosine(50, 0.001).perStep());
    makers.add(() -> Schedules.sequential(Schedules.linearWarmup(0.1, 10).perStep(), 10,
        Schedules.cosine(40).perStep()));
    makers.add(() -> Schedules.oneCycle(0.3, 60));
    for (Supplier<ClosedFormSchedule> maker : makers) {
      List<Double> whole = runClosedForm(maker.get(), new FakeOptimizer(0.2), 0, 50);
      ClosedFormSchedule first = maker.get();
      FakeOptimizer optimizer = new FakeOptimizer(0.2);
      List<Double> resumed = runClosedForm(first, optimizer, 0, 23);
      Map<String, Double> checkpoint = first.state();
      ClosedFormSchedule second = maker.get();
      second.restore(checkpoint);
      resumed.addAll(runClosedForm(second, new FakeOptimizer(optimizer.learningRate), 23, 50));
      assertEquals(whole, resumed, first.toString());

      if (first instanceof OneCycleSchedule) {
        assertEquals(Collections.emptyMap(), checkpoint, "OneCycle does not use a base rate");
      } else {
        assertEquals(Collections.singletonMap("base_lr", 0.2), checkpoint);
        // without the checkpoint, the scheduled rate would be taken for the base
        List<Double> wrong = runClosedForm(maker.get(), new FakeOptimizer(optimizer.learningRate), 23, 50);
        assertNotEquals(whole.subList(23, 50), wrong, first.toString());
      }
    }
  }

  @Test
  void stateIsEmptyUntilTheBaseIsKnown() {
    ClosedFormSchedule s = Schedules.exponential(0.9);
    assertEquals(Collections.emptyMap(), s.state());
    s.restore(Collections.<String, Double>emptyMap());
    assertTrue(Double.isNaN(s.baseLearningRate()));
  }

  @Test
  void badStatesAreRefused() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Schedules.cosine(10).restore(Collections.singletonMap("best", 1.0)));
    assertEquals("CosineAnnealingSchedule keeps only base_lr in its state, but was given best", e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> Schedules.cosine(10).restore(Collections.singletonMap("base_lr", -1.0)));
    assertEquals("CosineAnnealingSchedule baseLearningRate (initial_lr) must be zero or a positive finite number, "
        + "got -1.0", e.getMessage());

    Map<String, Double> good = Schedules.reduceOnPlateau().state();
    Map<String, Double> missing = new HashMap<>(good);
    missing.remove("cooldown_counter");
    e = assertThrows(IllegalArgumentException.class, () -> Schedules.reduceOnPlateau().restore(missing));
    assertEquals("ReduceOnPlateau state lacks cooldown_counter", e.getMessage());

    Map<String, Double> extra = new HashMap<>(good);
    extra.put("position", 3.0);
    e = assertThrows(IllegalArgumentException.class, () -> Schedules.reduceOnPlateau().restore(extra));
    assertEquals("ReduceOnPlateau does not keep position in its state; it keeps base_lr, best, num_bad_epochs, "
        + "cooldown_counter, last_epoch, reductions", e.getMessage());

    Map<String, Double> fractional = new HashMap<>(good);
    fractional.put("num_bad_epochs", 1.5);
    e = assertThrows(IllegalArgumentException.class, () -> Schedules.reduceOnPlateau().restore(fractional));
    assertEquals("ReduceOnPlateau state num_bad_epochs must be a whole number ≥ 0, got 1.5", e.getMessage());

    e = assertThrows(IllegalArgumentException.class,
        () -> ReduceOnPlateau.builder().mode(ReduceOnPlateau.Mode.MAX).build().restore(good));
    assertEquals("ReduceOnPlateau state best = Infinity cannot come from mode max", e.getMessage());

    // a refused state leaves the schedule as it was
    ReduceOnPlateau p = Schedules.reduceOnPlateau();
    p.observe(0.5);
    Map<String, Double> before = p.state();
    assertThrows(IllegalArgumentException.class, () -> p.restore(fractional));
    assertEquals(before, p.state());
  }
}
