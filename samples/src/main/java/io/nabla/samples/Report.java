package io.nabla.samples;

import io.nabla.runtime.train.EpochResult;
import java.util.List;
import java.util.Locale;

/** The figures a run reports, and its machine-readable last line. */
final class Report {
  private Report() {}

  /** Seconds of the training loop (without validation) over every epoch. */
  static double trainSeconds(List<EpochResult> history) {
    double seconds = 0;
    for (EpochResult r : history) {
      seconds += r.seconds();
    }
    return seconds;
  }

  /** The first epoch (0-based) the throughput is measured from: the second, unless there is only one. */
  static int firstMeasuredEpoch(List<EpochResult> history) {
    return history.size() > 1 ? 1 : 0;
  }

  /**
   * Training samples per second of the training loop over epochs 2..E (the first warms the JIT up), or over
   * epoch 1 when it is the only one.
   */
  static double samplesPerSecond(List<EpochResult> history) {
    long samples = 0;
    double seconds = 0;
    for (int i = firstMeasuredEpoch(history); i < history.size(); i++) {
      samples += history.get(i).samples();
      seconds += history.get(i).seconds();
    }
    return samples / seconds;
  }

  /**
   * {@code result: {"sample":...,"epochs":E,"batch":B,"test_accuracy":A,"train_seconds":S,
   * "samples_per_second":T}}.
   */
  static String resultLine(String sample, int epochs, int batch, double testAccuracy, List<EpochResult> history) {
    return resultLine(sample, epochs, batch, "test_accuracy", testAccuracy, history);
  }

  /**
   * The result line with {@code figure} (e.g. {@code validation_loss}, a language model's nats per character) in
   * place of {@code test_accuracy}.
   */
  static String resultLine(String sample, int epochs, int batch, String figure, double value,
      List<EpochResult> history) {
    return String.format(Locale.ROOT,
        "result: {\"sample\":\"%s\",\"epochs\":%d,\"batch\":%d,\"%s\":%.4f,\"train_seconds\":%.2f,"
            + "\"samples_per_second\":%.1f}",
        sample, epochs, batch, figure, value, trainSeconds(history), samplesPerSecond(history));
  }
}
