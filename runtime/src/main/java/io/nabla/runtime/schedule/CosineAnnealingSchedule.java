package io.nabla.runtime.schedule;

/**
 * PyTorch's {@code CosineAnnealingLR}: half a cosine from the base rate down to {@code etaMin} over {@code tMax}
 * positions.
 *
 * <pre>
 * lr(t) = etaMin + (base − etaMin) · (1 + cos(π · t / tMax)) / 2
 * </pre>
 *
 * This is the closed form PyTorch documents; PyTorch itself steps the recursive form
 * {@code lr(t) = etaMin + (lr(t−1) − etaMin) · (1 + cos(π t / tMax)) / (1 + cos(π (t−1) / tMax))} (with an
 * additive special case where the denominator is 0), which gives the same values up to rounding when nothing
 * else changes the rate. Past {@code tMax} the formula keeps going, as PyTorch's does: the rate climbs back to
 * the base rate at {@code 2·tMax}, and so on; use it for {@code tMax} positions, or follow it with another
 * schedule in {@link Schedules#sequential}. Warm restarts ({@code CosineAnnealingWarmRestarts}) are not provided.
 *
 * <p>Parameters (PyTorch's names): {@code tMax} ≥ 1 ({@code T_max}), {@code etaMin} ≥ 0 ({@code eta_min},
 * default 0). Per epoch unless set otherwise.
 */
public final class CosineAnnealingSchedule extends ClosedFormSchedule {
  private final long tMax;
  private final double etaMin;

  CosineAnnealingSchedule(long tMax, double etaMin) {
    super(Unit.EPOCH);
    this.tMax = Checks.atLeast("CosineAnnealingSchedule", "tMax", "T_max", tMax, 1);
    this.etaMin = Checks.nonNegative("CosineAnnealingSchedule", "etaMin", "eta_min", etaMin);
  }

  @Override
  protected double compute(double base, long t) {
    return etaMin + (base - etaMin) * (1 + Math.cos(Math.PI * t / tMax)) / 2;
  }

  @Override
  protected String parameters() {
    return "tMax=" + tMax + ", etaMin=" + etaMin;
  }
}
