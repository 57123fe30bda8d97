package io.nabla.runtime.train;

/**
 * One training step, as {@link TrainingListener#onBatch} sees it. The trainer reuses one instance for every step,
 * so a step allocates nothing: read it during the call, and copy what you keep.
 */
public final class BatchResult {
  private int epoch;
  private int step;
  private int steps;
  private int samplesSeen;
  private double loss;
  private double runningLoss;
  private double runningAccuracy;
  private double seconds;

  public BatchResult(int epoch, int step, int steps, int samplesSeen, double loss, double runningLoss,
      double runningAccuracy, double seconds) {
    set(epoch, step, steps, samplesSeen, loss, runningLoss, runningAccuracy, seconds);
  }

  /** Overwrites every field: how the trainer reuses one instance. */
  BatchResult set(int epoch, int step, int steps, int samplesSeen, double loss, double runningLoss,
      double runningAccuracy, double seconds) {
    this.epoch = epoch;
    this.step = step;
    this.steps = steps;
    this.samplesSeen = samplesSeen;
    this.loss = loss;
    this.runningLoss = runningLoss;
    this.runningAccuracy = runningAccuracy;
    this.seconds = seconds;
    return this;
  }

  /** 1-based. */
  public int epoch() {
    return epoch;
  }

  /** 1-based within the epoch. */
  public int step() {
    return step;
  }

  /** Steps in the epoch. */
  public int steps() {
    return steps;
  }

  /** Training samples seen so far in this epoch. */
  public int samplesSeen() {
    return samplesSeen;
  }

  /** This batch's loss. */
  public double loss() {
    return loss;
  }

  /** The mean loss of the epoch so far. */
  public double runningLoss() {
    return runningLoss;
  }

  /** The accuracy of the epoch so far ({@code NaN} for MSE). */
  public double runningAccuracy() {
    return runningAccuracy;
  }

  /** Seconds of training loop since the epoch began. */
  public double seconds() {
    return seconds;
  }
}
