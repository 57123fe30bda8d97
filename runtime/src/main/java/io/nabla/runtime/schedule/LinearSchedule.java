package io.nabla.runtime.schedule;

/**
 * PyTorch's {@code LinearLR}: the base rate times a factor that moves linearly from {@code startFactor} to
 * {@code endFactor} over {@code totalIters} positions, then stays; a linear warm-up when {@code endFactor} is 1
 * (see {@link Schedules#linearWarmup}), a linear decay when it is smaller than {@code startFactor}.
 *
 * <pre>
 * lr(t) = base · (startFactor + (endFactor − startFactor) · min(t, totalIters) / totalIters)
 * </pre>
 *
 * Parameters (PyTorch's names): {@code startFactor} in (0, 1] ({@code start_factor}, default 1/3 in PyTorch;
 * PyTorch 1.13 accepts 0 but then divides by zero at its second step), {@code endFactor} in [0, 1]
 * ({@code end_factor}, default 1), {@code totalIters} ≥ 1 ({@code total_iters}, default 5). Per epoch unless set
 * otherwise; warm-up is usually per step ({@link #perStep()}).
 */
public final class LinearSchedule extends ClosedFormSchedule {
  private final double startFactor;
  private final double endFactor;
  private final long totalIters;

  LinearSchedule(double startFactor, double endFactor, long totalIters) {
    super(Unit.EPOCH);
    this.startFactor = Checks.inRange("LinearSchedule", "startFactor", "start_factor", startFactor, 0, true, 1,
        false);
    this.endFactor = Checks.inRange("LinearSchedule", "endFactor", "end_factor", endFactor, 0, false, 1, false);
    this.totalIters = Checks.atLeast("LinearSchedule", "totalIters", "total_iters", totalIters, 1);
  }

  @Override
  protected double compute(double base, long t) {
    return base * (startFactor + (endFactor - startFactor) * Math.min(t, totalIters) / totalIters);
  }

  @Override
  protected String parameters() {
    return "startFactor=" + startFactor + ", endFactor=" + endFactor + ", totalIters=" + totalIters;
  }
}
