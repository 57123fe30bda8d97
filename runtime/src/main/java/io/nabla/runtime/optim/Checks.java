package io.nabla.runtime.optim;

/** Hyperparameter checks shared by the optimizers; messages name the hyperparameter and the value. */
final class Checks {
  private Checks() {}

  static void positive(String what, double value) {
    if (!(value > 0) || Double.isInfinite(value) || Float.isInfinite((float) value) || (float) value == 0f) {
      throw new IllegalArgumentException(what + " must be a positive finite number, got " + value);
    }
  }

  static void nonNegative(String what, double value) {
    if (!(value >= 0) || Double.isInfinite(value) || Float.isInfinite((float) value)) {
      throw new IllegalArgumentException(what + " must be zero or positive, got " + value);
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
