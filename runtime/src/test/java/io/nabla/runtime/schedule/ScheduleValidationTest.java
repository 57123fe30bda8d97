package io.nabla.runtime.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.Collections;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Every parameter is checked when the schedule is built; the message names the parameter and the value. */
class ScheduleValidationTest {

  private static void fails(String message, Executable build) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, build);
    assertEquals(message, e.getMessage());
  }

  @Test
  void closedFormParameters() {
    fails("ConstantSchedule factor must be in (0, 1], got 0.0", () -> Schedules.constant(0, 5));
    fails("ConstantSchedule factor must be in (0, 1], got 1.5", () -> Schedules.constant(1.5, 5));
    fails("ConstantSchedule totalIters (total_iters) must be at least 0, got -1", () -> Schedules.constant(0.5, -1));
    fails("StepSchedule stepSize (step_size) must be at least 1, got 0", () -> Schedules.step(0));
    fails("StepSchedule gamma must be a positive finite number, got 0.0", () -> Schedules.step(10, 0));
    fails("StepSchedule gamma must be a positive finite number, got NaN", () -> Schedules.step(10, Double.NaN));
    fails("MultiStepSchedule milestones must be strictly increasing and at least 0, got [30, 10]",
        () -> Schedules.multiStep(0.1, 30, 10));
    fails("MultiStepSchedule milestones must be strictly increasing and at least 0, got [-1]",
        () -> Schedules.multiStep(0.1, -1));
    fails("MultiStepSchedule gamma must be a positive finite number, got -0.1", () -> Schedules.multiStep(-0.1, 3));
    fails("ExponentialSchedule gamma must be a positive finite number, got Infinity",
        () -> Schedules.exponential(Double.POSITIVE_INFINITY));
    fails("CosineAnnealingSchedule tMax (T_max) must be at least 1, got 0", () -> Schedules.cosine(0));
    fails("CosineAnnealingSchedule etaMin (eta_min) must be zero or a positive finite number, got -0.001",
        () -> Schedules.cosine(10, -1e-3));
    fails("LinearSchedule startFactor (start_factor) must be in (0, 1], got 0.0", () -> Schedules.linearWarmup(0, 5));
    fails("LinearSchedule endFactor (end_factor) must be in [0, 1], got 1.1", () -> Schedules.linear(0.5, 1.1, 5));
    fails("LinearSchedule totalIters (total_iters) must be at least 1, got 0", () -> Schedules.linear(0.5, 1, 0));
    fails("ExponentialSchedule baseLearningRate (initial_lr) must be zero or a positive finite number, got NaN",
        () -> Schedules.exponential(0.9).baseLearningRate(Double.NaN));
    fails("StepSchedule unit must not be null", () -> Schedules.step(3).per(null));
  }

  @Test
  void oneCycleParameters() {
    fails("OneCycleSchedule maxLr (max_lr) must be a positive finite number, got 0.0",
        () -> Schedules.oneCycle(0, 100));
    fails("OneCycleSchedule totalSteps (total_steps) must be at least 1, got 0", () -> Schedules.oneCycle(0.1, 0));
    fails("OneCycleSchedule pctStart (pct_start) must be in [0, 1], got 1.2",
        () -> OneCycleSchedule.builder(0.1, 100).pctStart(1.2).build());
    fails("OneCycleSchedule divFactor (div_factor) must be a positive finite number, got 0.0",
        () -> OneCycleSchedule.builder(0.1, 100).divFactor(0).build());
    fails("OneCycleSchedule finalDivFactor (final_div_factor) must be a positive finite number, got -1.0",
        () -> OneCycleSchedule.builder(0.1, 100).finalDivFactor(-1).build());
    fails("OneCycleSchedule anneal must not be null", () -> OneCycleSchedule.builder(0.1, 100).anneal(null).build());
    fails("OneCycleSchedule pctStart (pct_start) = 0.1 with totalSteps (total_steps) = 10 gives phase 1 zero length "
        + "(PyTorch would divide by zero); change pctStart or totalSteps",
        () -> OneCycleSchedule.builder(0.1, 10).pctStart(0.1).build());
    fails("OneCycleSchedule pctStart (pct_start) = 1.0 with totalSteps (total_steps) = 10 gives phase 2 zero length "
        + "(PyTorch would divide by zero); change pctStart or totalSteps",
        () -> OneCycleSchedule.builder(0.1, 10).pctStart(1.0).build());
  }

  @Test
  void plateauParameters() {
    fails("ReduceOnPlateau factor must be in [0, 1), got 1.0", () -> ReduceOnPlateau.builder().factor(1).build());
    fails("ReduceOnPlateau patience must be at least 0, got -1", () -> ReduceOnPlateau.builder().patience(-1).build());
    fails("ReduceOnPlateau threshold must be zero or a positive finite number, got -1.0E-4",
        () -> ReduceOnPlateau.builder().threshold(-1e-4).build());
    fails("ReduceOnPlateau cooldown must be at least 0, got -2", () -> ReduceOnPlateau.builder().cooldown(-2).build());
    fails("ReduceOnPlateau minLearningRate (min_lr) must be zero or a positive finite number, got -1.0",
        () -> ReduceOnPlateau.builder().minLearningRate(-1).build());
    fails("ReduceOnPlateau eps must be zero or a positive finite number, got NaN",
        () -> ReduceOnPlateau.builder().eps(Double.NaN).build());
    fails("ReduceOnPlateau mode must not be null", () -> ReduceOnPlateau.builder().mode(null).build());
    fails("ReduceOnPlateau thresholdMode must not be null",
        () -> ReduceOnPlateau.builder().thresholdMode(null).build());
    fails("ReduceOnPlateau baseLearningRate (initial_lr) must be zero or a positive finite number, got -0.1",
        () -> ReduceOnPlateau.builder().baseLearningRate(-0.1).build());
  }

  @Test
  void sequentialParameters() {
    ClosedFormSchedule warmup = Schedules.linearWarmup(0.1, 5);
    ClosedFormSchedule cosine = Schedules.cosine(95);
    fails("SequentialSchedule needs at least one part",
        () -> Schedules.sequential(Collections.<ClosedFormSchedule>emptyList()));
    fails("SequentialSchedule part 1 is null", () -> Schedules.sequential(warmup, 5, null));
    fails("SequentialSchedule takes one milestone fewer than parts: got 2 parts and 2 milestones [5, 10]",
        () -> Schedules.sequential(Arrays.asList(warmup, cosine), 5, 10));
    fails("SequentialSchedule milestones must be strictly increasing and at least 1, got [0]",
        () -> Schedules.sequential(warmup, 0, cosine));
    fails("SequentialSchedule milestones must be strictly increasing and at least 1, got [5, 5]",
        () -> Schedules.sequential(Arrays.asList(warmup, cosine, cosine), 5, 5));
    fails("SequentialSchedule parts must advance in the same unit, but part 0 advances per EPOCH and part 1 "
        + "(CosineAnnealingSchedule(tMax=10, etaMin=0.0, per step)) per STEP; call perStep() or perEpoch() on the parts",
        () -> Schedules.sequential(warmup, 5, Schedules.cosine(10).perStep()));
    fails("SequentialSchedule part 0 (OneCycleSchedule(maxLr=0.1, totalSteps=10, pctStart=0.3, anneal=COS, "
        + "divFactor=25.0, finalDivFactor=10000.0, threePhase=false, per step)) is defined for positions 0..10 but "
        + "runs for 20 positions until milestone 20",
        () -> Schedules.sequential(Schedules.oneCycle(0.1, 10), 20, Schedules.constant().perStep()));
    // a one-cycle part exactly as long as its span is fine
    Schedules.sequential(Schedules.oneCycle(0.1, 10), 11, Schedules.constant().perStep());
  }
}
