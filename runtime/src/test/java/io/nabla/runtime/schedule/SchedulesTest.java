package io.nabla.runtime.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nabla.runtime.optim.Optimizer;
import io.nabla.runtime.optim.Sgd;
import io.nabla.runtime.schedule.LearningRateSchedule.Unit;
import java.util.Arrays;
import java.util.Collections;
import org.junit.jupiter.api.Test;

/** The formulas worked by hand, units, and how {@code apply} finds the base rate and sets the optimizer's. */
class SchedulesTest {
  private static final double TOL = 1e-12;

  @Test
  void formulasAtHandPickedPositions() {
    assertEquals(0.1, Schedules.constant().learningRateAt(0.1, 1000), TOL);
    ClosedFormSchedule constant = Schedules.constant(0.5, 4);
    assertEquals(0.05, constant.learningRateAt(0.1, 3), TOL);
    assertEquals(0.1, constant.learningRateAt(0.1, 4), TOL);

    ClosedFormSchedule step = Schedules.step(30);
    assertEquals(1.0, step.learningRateAt(1.0, 29), TOL);
    assertEquals(0.1, step.learningRateAt(1.0, 30), TOL);
    assertEquals(0.01, step.learningRateAt(1.0, 60), TOL);

    ClosedFormSchedule multi = Schedules.multiStep(0.5, 10, 20);
    assertEquals(1.0, multi.learningRateAt(1.0, 9), TOL);
    assertEquals(0.5, multi.learningRateAt(1.0, 10), TOL);
    assertEquals(0.25, multi.learningRateAt(1.0, 500), TOL);

    assertEquals(0.9 * 0.9 * 0.9, Schedules.exponential(0.9).learningRateAt(1.0, 3), TOL);

    ClosedFormSchedule cosine = Schedules.cosine(100, 0.01);
    assertEquals(1.0, cosine.learningRateAt(1.0, 0), TOL);
    assertEquals(0.505, cosine.learningRateAt(1.0, 50), TOL); // halfway: the mean of 1 and 0.01
    assertEquals(0.01, cosine.learningRateAt(1.0, 100), TOL);
    assertEquals(1.0, cosine.learningRateAt(1.0, 200), TOL); // periodic past tMax, as PyTorch

    ClosedFormSchedule warmup = Schedules.linearWarmup(0.1, 10);
    assertEquals(0.1, warmup.learningRateAt(1.0, 0), TOL);
    assertEquals(0.55, warmup.learningRateAt(1.0, 5), TOL);
    assertEquals(1.0, warmup.learningRateAt(1.0, 10), TOL);
    assertEquals(1.0, warmup.learningRateAt(1.0, 11), TOL);
    assertEquals(0.5, Schedules.linear(1.0, 0.0, 4).learningRateAt(1.0, 2), TOL);
  }

  @Test
  void oneCycleWorkedByHand() {
    // max 0.1, 100 steps: starts at 0.1 / 25 = 0.004, peaks at step 0.3·100 − 1 = 29, ends at 0.004 / 1e4 at 99
    OneCycleSchedule cycle = Schedules.oneCycle(0.1, 100);
    assertEquals(Unit.STEP, cycle.unit());
    assertEquals(0.004, cycle.learningRateAt(Double.NaN, 0), TOL);
    assertEquals(0.1, cycle.learningRateAt(Double.NaN, 29), TOL);
    assertEquals(0.004 / 1e4, cycle.learningRateAt(Double.NaN, 99), TOL);
    // linear phases by hand: 11 steps, peak at 0.5·11 − 1 = 4.5, from 1 / 10 up to 1 and back to 0.1 / 1
    OneCycleSchedule linear = OneCycleSchedule.builder(1.0, 11).pctStart(0.5).anneal(OneCycleSchedule.Anneal.LINEAR)
        .divFactor(10).finalDivFactor(1).build();
    assertEquals(0.1 + 0.9 * 2 / 4.5, linear.learningRateAt(0, 2), TOL);
    assertEquals(1 - 0.9 * 0.5 / 5.5, linear.learningRateAt(0, 5), TOL);
    assertEquals(0.1, linear.learningRateAt(0, 10), TOL);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> linear.learningRateAt(0, 12));
    assertEquals("OneCycleSchedule is defined for positions 0..11 but was asked for 12; give it more total steps",
        e.getMessage());
  }

  @Test
  void sequentialRestartsEachPartAtItsMilestone() {
    SequentialSchedule s = Schedules.sequential(Arrays.asList(Schedules.linearWarmup(0.5, 2),
        Schedules.exponential(0.5), Schedules.constant()), 2, 5);
    double[] want = {0.5, 0.75, 1, 0.5, 0.25, 1, 1};
    for (int t = 0; t < want.length; t++) {
      assertEquals(want[t], s.learningRateAt(1.0, t), TOL, "t = " + t);
    }
  }

  @Test
  void eachScheduleFollowsItsUnit() {
    ClosedFormSchedule perEpoch = Schedules.step(1, 0.5).baseLearningRate(1.0);
    assertEquals(Unit.EPOCH, perEpoch.unit());
    assertEquals(0.25, perEpoch.learningRate(1234, 2), TOL);
    assertEquals(0.25, perEpoch.learningRate(0, 2), TOL);

    ClosedFormSchedule perStep = Schedules.step(1, 0.5).perStep().baseLearningRate(1.0);
    assertEquals(Unit.STEP, perStep.unit());
    assertEquals(0.125, perStep.learningRate(3, 0), TOL);
    assertEquals(0.125, perStep.learningRate(3, 77), TOL);

    assertEquals(Unit.EPOCH, Schedules.oneCycle(0.1, 10).perEpoch().unit());
    assertEquals(Unit.EPOCH, Schedules.reduceOnPlateau().unit());
  }

  @Test
  void applyReadsTheBaseRateOnceAndSetsTheOptimizer() {
    FakeOptimizer optimizer = new FakeOptimizer(0.2);
    ClosedFormSchedule schedule = Schedules.step(2, 0.5);
    assertTrue(Double.isNaN(schedule.baseLearningRate()));
    // as a trainer would: before every step, steps 0..5 over 3 epochs of 2 steps
    for (int step = 0; step < 6; step++) {
      assertEquals(0.2 * Math.pow(0.5, (step / 2) / 2), schedule.apply(optimizer, step, step / 2), TOL);
    }
    assertEquals(0.2, schedule.baseLearningRate(), 0.0);
    assertEquals(Arrays.asList(0.2, 0.2, 0.2, 0.2, 0.1, 0.1), optimizer.set);
  }

  @Test
  void anExplicitBaseRateWinsOverTheOptimizers() {
    FakeOptimizer optimizer = new FakeOptimizer(0.2);
    Schedules.exponential(0.5).baseLearningRate(1.0).apply(optimizer, 0, 1);
    assertEquals(0.5, optimizer.learningRate, TOL);
    ReduceOnPlateau plateau = ReduceOnPlateau.builder().baseLearningRate(0.3).build();
    plateau.apply(optimizer, 0, 0);
    assertEquals(0.3, optimizer.learningRate, TOL);
  }

  @Test
  void setsTheRateOfARealOptimizer() {
    Sgd sgd = Sgd.of(0.1);
    ClosedFormSchedule cosine = Schedules.cosine(10);
    cosine.apply(sgd, 0, 5);
    assertEquals(0.05, sgd.learningRate(), 1e-8); // Sgd keeps its rate as a float
    assertEquals(0.1, cosine.baseLearningRate(), 1e-8);
  }

  @Test
  void oneCycleNeedsNoBaseRate() {
    FakeOptimizer optimizer = new FakeOptimizer(Double.NaN);
    assertEquals(0.004, Schedules.oneCycle(0.1, 100).apply(optimizer, 0, 0), TOL);
    assertEquals(0.004, Schedules.oneCycle(0.1, 100).learningRate(0, 0), TOL);
    assertEquals(0.004, Schedules.sequential(Schedules.oneCycle(0.1, 100), 100, Schedules.oneCycle(0.2, 10))
        .learningRate(0, 0), TOL);
  }

  @Test
  void anUnknownBaseRateIsAnError() {
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> Schedules.cosine(10).learningRate(0, 0));
    assertEquals("CosineAnnealingSchedule does not know its base learning rate yet: apply it to an optimizer, whose "
        + "learningRate() it then reads, or give it with baseLearningRate(x)", e.getMessage());
    e = assertThrows(IllegalStateException.class, () -> Schedules.reduceOnPlateau().learningRate());
    assertTrue(e.getMessage().startsWith("ReduceOnPlateau does not know its base learning rate yet"), e.getMessage());

    Optimizer noRate = p -> {};
    e = assertThrows(IllegalStateException.class, () -> Schedules.cosine(10).apply(noRate, 0, 0));
    assertTrue(e.getMessage().startsWith("CosineAnnealingSchedule takes its base learning rate from the optimizer, "
        + "but "), e.getMessage());
    assertTrue(e.getMessage().endsWith(".learningRate() is NaN; give one with baseLearningRate(x)"), e.getMessage());
    // with a base rate, the optimizer's own message says it has no rate to set
    e = assertThrows(IllegalStateException.class,
        () -> Schedules.cosine(10).baseLearningRate(0.1).apply(noRate, 0, 0));
    assertTrue(e.getMessage().endsWith("has no learning rate that a schedule can set"), e.getMessage());
  }

  @Test
  void negativePositionsAreErrors() {
    ClosedFormSchedule s = Schedules.constant().baseLearningRate(1);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> s.learningRate(-1, 0));
    assertEquals("ConstantSchedule was asked for step -1, epoch 0; positions count completed steps and epochs from 0",
        e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> s.learningRateAt(1, -3));
    assertEquals("ConstantSchedule was asked for position -3; positions count completed steps or epochs from 0",
        e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> Schedules.reduceOnPlateau().apply(new FakeOptimizer(1), 0, -1));
  }

  @Test
  void onlyThePlateauObservesMetrics() {
    ClosedFormSchedule s = Schedules.exponential(0.5).baseLearningRate(1);
    s.observe(123); // ignored
    assertEquals(0.5, s.learningRate(0, 1), TOL);
  }

  @Test
  void aMinimalCustomScheduleGetsTheDefaults() {
    LearningRateSchedule halving = new LearningRateSchedule() {
      @Override
      public Unit unit() {
        return Unit.EPOCH;
      }

      @Override
      public double learningRate(long step, int epoch) {
        return 1.0 / (1 << epoch);
      }
    };
    FakeOptimizer optimizer = new FakeOptimizer(7);
    assertEquals(0.25, halving.apply(optimizer, 99, 2), 0.0);
    assertEquals(0.25, optimizer.learningRate, 0.0);
    halving.observe(1);
    assertEquals(Collections.emptyMap(), halving.state());
    halving.restore(Collections.<String, Double>emptyMap());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> halving.restore(Collections.singletonMap("best", 1.0)));
    assertTrue(e.getMessage().endsWith(" keeps no state, but was given [best]"), e.getMessage());

    ClosedFormSchedule inverseSqrt = new ClosedFormSchedule(Unit.STEP) {
      @Override
      protected double compute(double base, long t) {
        return base / Math.sqrt(t + 1);
      }
    };
    assertEquals(0.5, inverseSqrt.baseLearningRate(1).learningRate(3, 0), TOL);
  }

  @Test
  void toStringNamesTheParameters() {
    assertEquals("StepSchedule(stepSize=30, gamma=0.1, per epoch)", Schedules.step(30).toString());
    assertEquals("CosineAnnealingSchedule(tMax=10, etaMin=0.0, per step, base 0.5)",
        Schedules.cosine(10).perStep().baseLearningRate(0.5).toString());
    assertEquals("SequentialSchedule(parts=[LinearSchedule(startFactor=0.1, endFactor=1.0, totalIters=5, per epoch), "
        + "ConstantSchedule(factor=1.0, totalIters=0, per epoch)], milestones=[5], per epoch)",
        Schedules.sequential(Schedules.linearWarmup(0.1, 5), 5, Schedules.constant()).toString());
    assertTrue(Schedules.reduceOnPlateau().toString().startsWith("ReduceOnPlateau(mode=MIN, factor=0.1, patience=10"));
  }
}
