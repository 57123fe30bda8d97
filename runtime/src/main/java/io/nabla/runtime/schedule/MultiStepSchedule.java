package io.nabla.runtime.schedule;

import java.util.Arrays;

/**
 * PyTorch's {@code MultiStepLR}: the base rate times {@code gamma} once for every milestone reached.
 *
 * <pre>
 * lr(t) = base · gamma^|{m ∈ milestones : m ≤ t}|
 * </pre>
 *
 * Parameters (PyTorch's names): {@code milestones} strictly increasing, ≥ 0 ({@code milestones}), {@code gamma}
 * &gt; 0 ({@code gamma}, default 0.1). Per epoch unless set otherwise.
 */
public final class MultiStepSchedule extends ClosedFormSchedule {
  private final long[] milestones;
  private final double gamma;

  MultiStepSchedule(long[] milestones, double gamma) {
    super(Unit.EPOCH);
    this.milestones = checkMilestones("MultiStepSchedule", Checks.notNull("MultiStepSchedule", "milestones",
        milestones)).clone();
    this.gamma = Checks.positive("MultiStepSchedule", "gamma", null, gamma);
  }

  static long[] checkMilestones(String schedule, long[] milestones) {
    for (int i = 0; i < milestones.length; i++) {
      if (milestones[i] < 0 || (i > 0 && milestones[i] <= milestones[i - 1])) {
        throw new IllegalArgumentException(schedule + " milestones must be strictly increasing and at least 0, got "
            + Arrays.toString(milestones));
      }
    }
    return milestones;
  }

  /** How many of the increasing {@code milestones} are {@code <= t} (Python's {@code bisect_right}). */
  static int reached(long[] milestones, long t) {
    int n = 0;
    while (n < milestones.length && milestones[n] <= t) {
      n++;
    }
    return n;
  }

  @Override
  protected double compute(double base, long t) {
    return base * Math.pow(gamma, reached(milestones, t));
  }

  @Override
  protected String parameters() {
    return "milestones=" + Arrays.toString(milestones) + ", gamma=" + gamma;
  }
}
