package io.nabla.runtime.kernel;

/**
 * Losses fused with their first backward step. Each returns the mean loss and writes the gradient of that mean
 * with respect to its input, so backward starts from it. Sums run in {@code double}.
 */
public final class LossFunctions {
  private LossFunctions() {}

  /**
   * Softmax cross-entropy over {@code rows} rows of {@code classes} logits, fused: the loss is
   * {@code mean_r(logsumexp(z_r) - z_r[label_r])} (log-sum-exp shifted by the row max, so no overflow) and the
   * gradient {@code dz[r, c] = (softmax(z_r)[c] - [c = label_r]) / rows}. Labels must be in range (checked by
   * the caller).
   */
  public static float softmaxCrossEntropy(float[] z, int[] labels, int rows, int classes, float[] dz) {
    double total = 0;
    float inverseRows = 1f / rows;
    for (int r = 0; r < rows; r++) {
      total += softmaxCrossEntropyRow(z, labels, r, classes, dz, inverseRows);
    }
    return (float) (total / rows);
  }

  /**
   * Row {@code r} of {@link #softmaxCrossEntropy}: writes its {@code dz} row and returns its loss term
   * {@code logsumexp(z_r) - z_r[label_r]}, which the caller sums over the rows in increasing order.
   */
  static double softmaxCrossEntropyRow(float[] z, int[] labels, int r, int classes, float[] dz,
      float inverseRows) {
    int row = r * classes;
    float max = rowMax(z, row, classes);
    // One exponential per logit (they are most of the loss's time): e^(z - max) kept in dz, then scaled by
    // 1 / (rows · Σ) in double, the softmax within an ulp of e^(z - logsumexp).
    double sum = exponentials(z, row, classes, max, dz);
    double logSumExp = max + Math.log(sum);
    int label = labels[r];
    double loss = logSumExp - z[row + label];
    double scale = inverseRows / sum;
    for (int c = 0; c < classes; c++) {
      dz[row + c] = (float) (dz[row + c] * scale);
    }
    dz[row + label] -= inverseRows;
    return loss;
  }

  /** Softmax over each of {@code rows} rows of {@code classes} values, shifted by the row max for stability. */
  public static void softmax(float[] z, float[] p, int rows, int classes) {
    for (int r = 0; r < rows; r++) {
      int row = r * classes;
      double sum = exponentials(z, row, classes, rowMax(z, row, classes), p);
      float inverse = (float) (1.0 / sum);
      for (int c = 0; c < classes; c++) {
        p[row + c] *= inverse;
      }
    }
  }

  /**
   * Binary cross-entropy on logits, fused with the sigmoid: the loss is
   * {@code mean(max(z, 0) - z·t + log(1 + e^-|z|))} over {@code n} elements (never overflows) and the gradient
   * {@code dz = (σ(z) - t) / n}.
   */
  public static float binaryCrossEntropyWithLogits(float[] z, float[] targets, int n, float[] dz) {
    double total = 0;
    float inverseN = 1f / n;
    for (int i = 0; i < n; i++) {
      float x = z[i];
      float t = targets[i];
      total += Math.max(x, 0f) - x * (double) t + Math.log1p(Math.exp(-Math.abs(x)));
      dz[i] = (ActivationFunctions.sigmoid(x) - t) * inverseN;
    }
    return (float) (total / n);
  }

  /** Mean squared error over {@code n} elements: loss {@code mean((y - t)²)}, gradient {@code 2(y - t) / n}. */
  public static float meanSquaredError(float[] y, float[] targets, int n, float[] dy) {
    double total = 0;
    float scale = 2f / n;
    for (int i = 0; i < n; i++) {
      float d = y[i] - targets[i];
      total += (double) d * d;
      dy[i] = d * scale;
    }
    return (float) (total / n);
  }

  /** {@code out[row + c] = e^(z[row + c] - max)} (rounded to float) for {@code c < n}; returns their sum in double. */
  private static double exponentials(float[] z, int row, int n, float max, float[] out) {
    double sum = 0;
    for (int c = 0; c < n; c++) {
      double e = Math.exp(z[row + c] - max);
      out[row + c] = (float) e;
      sum += e;
    }
    return sum;
  }

  private static float rowMax(float[] z, int row, int n) {
    float max = z[row];
    for (int c = 1; c < n; c++) {
      max = Math.max(max, z[row + c]);
    }
    return max;
  }
}
