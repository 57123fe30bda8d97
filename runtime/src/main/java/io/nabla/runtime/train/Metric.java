package io.nabla.runtime.train;

import io.nabla.Loss;
import io.nabla.runtime.Model;
import org.jspecify.annotations.Nullable;

/**
 * A quantity averaged over an epoch beside the loss and accuracy, e.g. top-k accuracy. It reads the model's
 * output after each training step ({@link io.nabla.runtime.Model#trainStep}). Instances keep running sums: one per
 * trainer.
 */
public abstract class Metric {
  private final String name;

  protected Metric(String name) {
    this.name = name;
  }

  /** The column name in results and history, e.g. {@code top5_accuracy}. */
  public final String name() {
    return name;
  }

  /** Starts a new epoch. */
  public abstract void reset();

  /**
   * Adds the last step's {@code batch} samples; {@code output} is the model's output buffer. Of
   * {@code labels} and {@code targets}, the one that the model's loss takes is given, the other is {@code null}.
   */
  public abstract void update(Model model, float[] output, int @Nullable [] labels, float @Nullable [] targets,
      int batch);

  /** The value over what was added since {@link #reset()}. */
  public abstract double value();

  /**
   * The fraction of rows whose label is among the {@code k} highest outputs (softmax cross-entropy only), as
   * Keras's {@code top_k_categorical_accuracy}. Ties count in the label's favour only if strictly fewer than
   * {@code k} other classes score higher.
   */
  public static Metric topKAccuracy(final int k) {
    if (k < 1) {
      throw new IllegalArgumentException("top-k accuracy needs k >= 1, got " + k);
    }
    return new Metric("top" + k + "_accuracy") {
      private long hits;
      private long rows;

      @Override
      public void reset() {
        hits = 0;
        rows = 0;
      }

      @Override
      public void update(Model model, float[] output, int @Nullable [] labels, float @Nullable [] targets,
          int batch) {
        if (model.loss() != Loss.SOFTMAX_CROSS_ENTROPY) {
          throw new IllegalArgumentException(name() + " needs integer labels (softmax cross-entropy); "
              + model.name() + "'s loss is " + model.loss());
        }
        int classes = model.classCount();
        int n = batch * model.targetsPerSample();
        for (int r = 0; r < n; r++) {
          int base = r * classes;
          float labelScore = output[base + labels[r]];
          int higher = 0;
          for (int c = 0; c < classes; c++) {
            if (output[base + c] > labelScore) {
              higher++;
            }
          }
          if (higher < k) {
            hits++;
          }
        }
        rows += n;
      }

      @Override
      public double value() {
        return rows == 0 ? Double.NaN : (double) hits / rows;
      }
    };
  }
}
