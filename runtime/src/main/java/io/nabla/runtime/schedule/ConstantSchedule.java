package io.nabla.runtime.schedule;

/**
 * PyTorch's {@code ConstantLR}: the base rate scaled by a constant factor for the first {@code totalIters}
 * positions, then the base rate; with factor 1 (see {@link Schedules#constant()}) simply the base rate.
 *
 * <pre>
 * lr(t) = base · factor    if t &lt; totalIters
 *         base             otherwise
 * </pre>
 *
 * Parameters (PyTorch's names): {@code factor} in (0, 1] ({@code factor}, default 1/3 in PyTorch; PyTorch 1.13
 * accepts 0 but then divides by zero at {@code totalIters}),
 * {@code totalIters} ≥ 0 ({@code total_iters}, default 5). Per epoch unless set otherwise.
 */
public final class ConstantSchedule extends ClosedFormSchedule {
  private final double factor;
  private final long totalIters;

  ConstantSchedule(double factor, long totalIters) {
    super(Unit.EPOCH);
    this.factor = Checks.inRange("ConstantSchedule", "factor", null, factor, 0, true, 1, false);
    this.totalIters = Checks.atLeast("ConstantSchedule", "totalIters", "total_iters", totalIters, 0);
  }

  @Override
  protected double compute(double base, long t) {
    return t < totalIters ? base * factor : base;
  }

  @Override
  protected String parameters() {
    return "factor=" + factor + ", totalIters=" + totalIters;
  }
}
