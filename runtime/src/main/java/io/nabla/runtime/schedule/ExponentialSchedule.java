package io.nabla.runtime.schedule;

/**
 * PyTorch's {@code ExponentialLR}: the base rate times {@code gamma} at every position.
 *
 * <pre>
 * lr(t) = base · gamma^t
 * </pre>
 *
 * Parameters (PyTorch's names): {@code gamma} &gt; 0 ({@code gamma}). Per epoch unless set otherwise.
 */
public final class ExponentialSchedule extends ClosedFormSchedule {
  private final double gamma;

  ExponentialSchedule(double gamma) {
    super(Unit.EPOCH);
    this.gamma = Checks.positive("ExponentialSchedule", "gamma", null, gamma);
  }

  @Override
  protected double compute(double base, long t) {
    return base * Math.pow(gamma, t);
  }

  @Override
  protected String parameters() {
    return "gamma=" + gamma;
  }
}
