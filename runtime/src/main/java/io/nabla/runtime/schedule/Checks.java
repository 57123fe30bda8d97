package io.nabla.runtime.schedule;

import io.nabla.runtime.optim.Optimizer;
import org.jspecify.annotations.Nullable;

/**
 * Parameter checks shared by the schedules. Messages name the schedule, the parameter (and PyTorch's name for it)
 * and the value, e.g. {@code StepSchedule stepSize (step_size) must be at least 1, got 0}.
 */
final class Checks {
  private Checks() {}

  static String name(String schedule, String parameter, @Nullable String torchName) {
    return schedule + " " + parameter + (torchName == null || torchName.equals(parameter) ? "" : " (" + torchName + ")");
  }

  static double positive(String schedule, String parameter, @Nullable String torchName, double value) {
    if (!(value > 0) || Double.isInfinite(value)) {
      throw new IllegalArgumentException(name(schedule, parameter, torchName)
          + " must be a positive finite number, got " + value);
    }
    return value;
  }

  static double nonNegative(String schedule, String parameter, @Nullable String torchName, double value) {
    if (!(value >= 0) || Double.isInfinite(value)) {
      throw new IllegalArgumentException(name(schedule, parameter, torchName)
          + " must be zero or a positive finite number, got " + value);
    }
    return value;
  }

  /** {@code low <= value <= high}, or {@code low < value} when {@code openLow}, or {@code value < high} when {@code openHigh}. */
  static double inRange(String schedule, String parameter, @Nullable String torchName, double value, double low,
      boolean openLow, double high, boolean openHigh) {
    boolean ok = (openLow ? value > low : value >= low) && (openHigh ? value < high : value <= high);
    if (!ok) {
      throw new IllegalArgumentException(name(schedule, parameter, torchName) + " must be in "
          + (openLow ? "(" : "[") + format(low) + ", " + format(high) + (openHigh ? ")" : "]") + ", got " + value);
    }
    return value;
  }

  static long atLeast(String schedule, String parameter, @Nullable String torchName, long value, long min) {
    if (value < min) {
      throw new IllegalArgumentException(name(schedule, parameter, torchName) + " must be at least " + min
          + ", got " + value);
    }
    return value;
  }

  static <T> T notNull(String schedule, String parameter, @Nullable T value) {
    if (value == null) {
      throw new IllegalArgumentException(schedule + " " + parameter + " must not be null");
    }
    return value;
  }

  static void position(String schedule, long step, long epoch) {
    if (step < 0 || epoch < 0) {
      throw new IllegalArgumentException(schedule + " was asked for step " + step + ", epoch " + epoch
          + "; positions count completed steps and epochs from 0");
    }
  }

  private static String format(double v) {
    return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
  }

  /** The optimizer's current learning rate, to become a schedule's base learning rate. */
  static double baseFrom(String schedule, Optimizer optimizer) {
    double rate = optimizer.learningRate();
    if (!(rate >= 0) || Double.isInfinite(rate)) {
      throw new IllegalStateException(schedule + " takes its base learning rate from the optimizer, but "
          + optimizer.getClass().getSimpleName() + ".learningRate() is " + rate
          + "; give one with baseLearningRate(x)");
    }
    return rate;
  }
}
