package io.nabla.runtime.optim;

/** Hyperparameter checks shared by the optimizers; messages name the hyperparameter and the value. */
final class Checks {
  private Checks() {}

  static void positive(String what, double value) {
    if (!(value > 0) || Double.isInfinite(value)) {
      throw new IllegalArgumentException(what + " must be a positive finite number, got " + value);
    }
    fitsFloat(what, value);
  }

  static void nonNegative(String what, double value) {
    if (!(value >= 0) || Double.isInfinite(value)) {
      throw new IllegalArgumentException(what + " must be zero or positive, got " + value);
    }
    fitsFloat(what, value);
  }

  /** Parameters are float32: a value that rounds to infinity, or from positive to zero, is refused. */
  private static void fitsFloat(String what, double value) {
    if (Float.isInfinite((float) value) || (value > 0 && (float) value == 0f)) {
      throw new IllegalArgumentException(what + " must fit a float (about 1.4e-45 to 3.4e38), got " + value);
    }
  }

  static void inUnitInterval(String what, double value) {
    if (!(value >= 0 && value < 1) || (float) value >= 1f) {
      throw new IllegalArgumentException(what + " must be in [0, 1), got " + value);
    }
  }

  /** A group for a builder: not null, and overriding something. */
  static ParameterGroup group(String kind, ParameterGroup group) {
    if (group == null) {
      throw new IllegalArgumentException(kind + " parameter group must not be null");
    }
    if (!group.setsLearningRate() && !group.setsWeightDecay()) {
      throw new IllegalArgumentException(kind + " parameter group " + group
          + " sets no hyperparameter; give it a learningRate(...) or a weightDecay(...)");
    }
    return group;
  }
}
