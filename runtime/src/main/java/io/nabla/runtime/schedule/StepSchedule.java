package io.nabla.runtime.schedule;

/**
 * PyTorch's {@code StepLR}: the base rate times {@code gamma} every {@code stepSize} positions.
 *
 * <pre>
 * lr(t) = base · gamma^⌊t / stepSize⌋
 * </pre>
 *
 * Parameters (PyTorch's names): {@code stepSize} ≥ 1 ({@code step_size}), {@code gamma} &gt; 0 ({@code gamma},
 * default 0.1). Per epoch unless set otherwise.
 */
public final class StepSchedule extends ClosedFormSchedule {
  private final long stepSize;
  private final double gamma;

  StepSchedule(long stepSize, double gamma) {
    super(Unit.EPOCH);
    this.stepSize = Checks.atLeast("StepSchedule", "stepSize", "step_size", stepSize, 1);
    this.gamma = Checks.positive("StepSchedule", "gamma", null, gamma);
  }

  @Override
  protected double compute(double base, long t) {
    return base * Math.pow(gamma, t / stepSize);
  }

  @Override
  protected String parameters() {
    return "stepSize=" + stepSize + ", gamma=" + gamma;
  }
}
