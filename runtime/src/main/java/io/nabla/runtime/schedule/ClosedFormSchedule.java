package io.nabla.runtime.schedule;

import io.nabla.runtime.optim.Optimizer;
import java.util.Collections;
import java.util.Locale;
import java.util.Map;

/**
 * A schedule whose learning rate is a closed-form function of the base learning rate and the position {@code t}
 * (epochs or steps completed, per {@link #unit()}): every built-in schedule but {@link ReduceOnPlateau}. Its only
 * state is the base learning rate. A custom one implements {@link #compute}:
 *
 * <pre>{@code
 * ClosedFormSchedule inverseSqrt = new ClosedFormSchedule(Unit.STEP) {
 *   protected double compute(double base, long t) { return base / Math.sqrt(t + 1); }
 * };
 * }</pre>
 *
 * <p>PyTorch computes most of these schedules recursively from the previous rate ("chainable form"); the closed
 * forms used here give the same values up to rounding (checked against PyTorch 1.13 within 1e-6 relative
 * error), but, unlike PyTorch, do not compound with changes made to the optimizer's rate by someone else.
 *
 * <p>{@link #perEpoch()}, {@link #perStep()} and {@link #baseLearningRate(double)} configure the schedule and
 * return it; call them before the schedule is used.
 */
public abstract class ClosedFormSchedule implements LearningRateSchedule {
  static final String BASE_LR = "base_lr";

  private Unit unit;
  private double baseLearningRate = Double.NaN;

  protected ClosedFormSchedule(Unit unit) {
    this.unit = Checks.notNull(getClass().getSimpleName(), "unit", unit);
  }

  /**
   * The learning rate at position {@code t} for this base learning rate (ignored by schedules that do not use
   * one, such as {@link OneCycleSchedule}); {@code t >= 0}, checked by the caller.
   */
  protected abstract double compute(double baseLearningRate, long t);

  /** The parameters, for {@link #toString()}: {@code "stepSize=30, gamma=0.1"}. */
  protected String parameters() {
    return "";
  }

  /** Whether {@link #compute} reads the base learning rate; {@code false} for schedules that set their own. */
  protected boolean usesBaseLearningRate() {
    return true;
  }

  /** The last position this schedule is defined for, or {@code Long.MAX_VALUE}. */
  protected long lastPosition() {
    return Long.MAX_VALUE;
  }

  @Override
  public final Unit unit() {
    return unit;
  }

  /** Advances once per epoch: position = epochs completed. */
  public ClosedFormSchedule perEpoch() {
    return per(Unit.EPOCH);
  }

  /** Advances once per optimizer step: position = optimizer steps taken. */
  public ClosedFormSchedule perStep() {
    return per(Unit.STEP);
  }

  public ClosedFormSchedule per(Unit unit) {
    this.unit = Checks.notNull(getClass().getSimpleName(), "unit", unit);
    return this;
  }

  /** Sets the base learning rate (PyTorch's {@code initial_lr}) instead of reading it from the optimizer. */
  public ClosedFormSchedule baseLearningRate(double baseLearningRate) {
    this.baseLearningRate = Checks.nonNegative(getClass().getSimpleName(), "baseLearningRate", "initial_lr",
        baseLearningRate);
    return this;
  }

  /** The base learning rate, or {@code NaN} while unknown. */
  public final double baseLearningRate() {
    return baseLearningRate;
  }

  /**
   * The learning rate at position {@code t} (epochs or steps completed) for this base learning rate, without
   * touching this schedule's own base: a pure function.
   *
   * @throws IllegalArgumentException if {@code t} is negative or past the end of the schedule
   */
  public final double learningRateAt(double baseLearningRate, long t) {
    if (t < 0) {
      throw new IllegalArgumentException(getClass().getSimpleName() + " was asked for position " + t
          + "; positions count completed steps or epochs from 0");
    }
    if (t > lastPosition()) {
      throw new IllegalArgumentException(getClass().getSimpleName() + " is defined for positions 0.." + lastPosition()
          + " but was asked for " + t + "; give it more total steps");
    }
    return compute(baseLearningRate, t);
  }

  @Override
  public final double learningRate(long step, int epoch) {
    Checks.position(getClass().getSimpleName(), step, epoch);
    return learningRateAt(requireBase(), unit == Unit.STEP ? step : epoch);
  }

  /** Reads the base learning rate from {@code optimizer} if it is needed and not known yet, then sets the rate. */
  @Override
  public double apply(Optimizer optimizer, long step, int epoch) {
    Checks.position(getClass().getSimpleName(), step, epoch);
    if (usesBaseLearningRate() && Double.isNaN(baseLearningRate)) {
      baseLearningRate = Checks.baseFrom(getClass().getSimpleName(), optimizer);
    }
    return LearningRateSchedule.super.apply(optimizer, step, epoch);
  }

  /** {@code base_lr} once known, else nothing. */
  @Override
  public Map<String, Double> state() {
    return Double.isNaN(baseLearningRate) ? Collections.<String, Double>emptyMap()
        : Collections.singletonMap(BASE_LR, baseLearningRate);
  }

  @Override
  public void restore(Map<String, Double> state) {
    for (String key : state.keySet()) {
      if (!key.equals(BASE_LR)) {
        throw new IllegalArgumentException(getClass().getSimpleName() + " keeps only " + BASE_LR
            + " in its state, but was given " + key);
      }
    }
    Double base = state.get(BASE_LR);
    if (base != null) {
      baseLearningRate(base);
    }
  }

  @Override
  public String toString() {
    String p = parameters();
    return getClass().getSimpleName() + "(" + p + (p.isEmpty() ? "" : ", ") + "per " + unit.name().toLowerCase(Locale.ROOT)
        + (Double.isNaN(baseLearningRate) ? "" : ", base " + baseLearningRate) + ")";
  }

  final double requireBase() {
    if (usesBaseLearningRate() && Double.isNaN(baseLearningRate)) {
      throw new IllegalStateException(getClass().getSimpleName() + " does not know its base learning rate yet: "
          + "apply it to an optimizer, whose learningRate() it then reads, or give it with baseLearningRate(x)");
    }
    return baseLearningRate;
  }
}
