package io.nabla.runtime.train;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What one epoch of {@link Trainer#fit} measured, by Keras's names: {@code loss}, {@code accuracy},
 * {@code val_loss}, {@code val_accuracy} and any extra metric ({@code top5_accuracy}, {@code val_top5_accuracy}),
 * plus the learning rate at the epoch's end ({@code lr}). Accuracies are fractions in [0, 1]; {@code NaN} where
 * not measured (no validation set, or an MSE loss).
 */
public final class EpochResult {
  private final int epoch;
  private final int epochs;
  private final Map<String, Double> metrics;
  private final double seconds;
  private final int samples;

  public EpochResult(int epoch, int epochs, double trainLoss, double trainAccuracy, double validationLoss,
      double validationAccuracy, double seconds, int samples) {
    this(epoch, epochs, standard(trainLoss, trainAccuracy, validationLoss, validationAccuracy), seconds, samples);
  }

  /** {@code metrics} holds at least {@code loss}; missing standard ones read as {@code NaN}. */
  public EpochResult(int epoch, int epochs, Map<String, Double> metrics, double seconds, int samples) {
    this.epoch = epoch;
    this.epochs = epochs;
    this.metrics = Collections.unmodifiableMap(new LinkedHashMap<>(metrics));
    this.seconds = seconds;
    this.samples = samples;
  }

  static Map<String, Double> standard(double loss, double accuracy, double valLoss, double valAccuracy) {
    Map<String, Double> m = new LinkedHashMap<>();
    m.put("loss", loss);
    m.put("accuracy", accuracy);
    m.put("val_loss", valLoss);
    m.put("val_accuracy", valAccuracy);
    return m;
  }

  /** 1-based. */
  public int epoch() {
    return epoch;
  }

  public int epochs() {
    return epochs;
  }

  /** Every metric by name, in a fixed order. */
  public Map<String, Double> metrics() {
    return metrics;
  }

  /** Metric {@code name}, or {@code NaN} if not measured. */
  public double metric(String name) {
    Double v = metrics.get(name);
    return v == null ? Double.NaN : v;
  }

  /** The mean training loss over the epoch's batches, weighted by batch size. */
  public double trainLoss() {
    return metric("loss");
  }

  public double trainAccuracy() {
    return metric("accuracy");
  }

  public double validationLoss() {
    return metric("val_loss");
  }

  public double validationAccuracy() {
    return metric("val_accuracy");
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
    sb.append(String.format(java.util.Locale.ROOT, "epoch %d/%d", epoch, epochs));
    for (Map.Entry<String, Double> m : metrics.entrySet()) {
      if (!Double.isNaN(m.getValue())) {
        sb.append(String.format(java.util.Locale.ROOT, m.getKey().equals("lr") ? "  %s %.3g" : "  %s %.4f",
            m.getKey(), m.getValue()));
      }
    }
    sb.append(String.format(java.util.Locale.ROOT, "  %.2fs  %.0f samples/s", seconds, samplesPerSecond()));
    return sb.toString();
  }
}
