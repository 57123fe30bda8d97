package io.nabla.runtime.train;

/**
 * What one epoch of {@link Trainer#fit} measured. Accuracies are fractions in [0, 1]; {@code NaN} where not
 * measured (no validation set, or an MSE loss).
 */
public final class EpochResult {
  private final int epoch;
  private final int epochs;
  private final double trainLoss;
  private final double trainAccuracy;
  private final double validationLoss;
  private final double validationAccuracy;
  private final double seconds;
  private final int samples;

  public EpochResult(int epoch, int epochs, double trainLoss, double trainAccuracy, double validationLoss,
      double validationAccuracy, double seconds, int samples) {
    this.epoch = epoch;
    this.epochs = epochs;
    this.trainLoss = trainLoss;
    this.trainAccuracy = trainAccuracy;
    this.validationLoss = validationLoss;
    this.validationAccuracy = validationAccuracy;
    this.seconds = seconds;
    this.samples = samples;
  }

  /** 1-based. */
  public int epoch() {
    return epoch;
  }

  public int epochs() {
    return epochs;
  }

  /** The mean training loss over the epoch's batches, weighted by batch size. */
  public double trainLoss() {
    return trainLoss;
  }

  public double trainAccuracy() {
    return trainAccuracy;
  }

  public double validationLoss() {
    return validationLoss;
  }

  public double validationAccuracy() {
    return validationAccuracy;
  }

  /** Seconds of the training loop (forward, loss, backward, update), without validation. */
  public double seconds() {
    return seconds;
  }

  /** Training samples seen. */
  public int samples() {
    return samples;
  }

  public double samplesPerSecond() {
    return samples / seconds;
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder();
    sb.append(String.format("epoch %d/%d  loss %.4f", epoch, epochs, trainLoss));
    if (!Double.isNaN(trainAccuracy)) {
      sb.append(String.format("  accuracy %.4f", trainAccuracy));
    }
    if (!Double.isNaN(validationLoss)) {
      sb.append(String.format("  val_loss %.4f", validationLoss));
    }
    if (!Double.isNaN(validationAccuracy)) {
      sb.append(String.format("  val_accuracy %.4f", validationAccuracy));
    }
    sb.append(String.format("  %.2fs  %.0f samples/s", seconds, samplesPerSecond()));
    return sb.toString();
  }
}
