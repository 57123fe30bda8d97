package io.nabla.runtime.optim;

/** Hyperparameter checks shared by the optimizers; messages name the hyperparameter and the value. */
final class Checks {
  private Checks() {}

  static void positive(String what, float value) {
    if (!(value > 0f) || Float.isInfinite(value)) {
      throw new IllegalArgumentException(what + " must be a positive finite number, got " + value);
    }
  }

  static void nonNegative(String what, float value) {
    if (!(value >= 0f) || Float.isInfinite(value)) {
      throw new IllegalArgumentException(what + " must be zero or positive, got " + value);
    }
  }

  static void inUnitInterval(String what, float value) {
    if (!(value >= 0f && value < 1f)) {
      throw new IllegalArgumentException(what + " must be in [0, 1), got " + value);
    }
  }
}
