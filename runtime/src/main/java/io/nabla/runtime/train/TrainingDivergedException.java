package io.nabla.runtime.train;

/** The loss became NaN or infinite: thrown with the epoch, step and where the first non-finite value is. */
public final class TrainingDivergedException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final int epoch;
  private final int step;

  public TrainingDivergedException(String message, int epoch, int step) {
    super(message);
    this.epoch = epoch;
    this.step = step;
  }

  /** 1-based. */
  public int epoch() {
    return epoch;
  }

  /** 1-based within the epoch. */
  public int step() {
    return step;
  }
}
