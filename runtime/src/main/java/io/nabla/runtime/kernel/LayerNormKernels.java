package io.nabla.runtime.kernel;

import org.jspecify.annotations.Nullable;

/**
 * Layer normalisation over the last dimension of {@code rows} rows of {@code n} features, as PyTorch's
 * {@code nn.LayerNorm(n)}: per row, {@code μ = mean(x)}, {@code r = 1/√(var(x) + ε)} (biased variance),
 * {@code x̂ = (x - μ)·r}, {@code y = x̂·γ + β}. Forward keeps {@code μ} and {@code r} per row (as llm.c does);
 * backward recomputes {@code x̂} from them. The row statistics and backward's row sums are taken in double, in a
 * fixed order, so results are deterministic: backward's in increasing feature order; the statistics as four running
 * sums over the features {@code j ≡ 0, 1, 2, 3 mod 4}, added as {@code (s0 + s1) + (s2 + s3)}, then the last
 * {@code n mod 4} features (four independent additions instead of one chain: forward of 2048 rows of 128 features
 * 604-622 → 405-475 µs on one core; the same split for backward's sums was slower than its one fused loop).
 */
public final class LayerNormKernels {
  private LayerNormKernels() {}

  /**
   * {@code y = (x - μ)·r·γ + β} per row, with {@code γ} at {@code params[weightOff + j]}, {@code β} at
   * {@code params[biasOff + j]}; writes {@code mean[r]} and {@code rstd[r]} for backward. Two passes in double
   * (mean, then squared deviations), so a large mean costs no precision. {@code y} may be {@code x}.
   */
  public static void forward(float[] y, float[] x, int rows, int n, float epsilon, float[] params, int weightOff,
      int biasOff, float[] mean, float[] rstd) {
    forwardRows(y, x, n, epsilon, params, weightOff, biasOff, mean, rstd, 0, rows);
  }

  /** {@link #forward} on rows {@code [from, to)}, each row by the same code whichever range it is in. */
  static void forwardRows(float[] y, float[] x, int n, float epsilon, float[] params, int weightOff, int biasOff,
      float[] mean, float[] rstd, int from, int to) {
    for (int r = from; r < to; r++) {
      int row = r * n;
      double mu = sum(x, row, n) / n;
      double squares = squaredDeviations(x, row, n, mu);
      float m = (float) mu;
      float s = (float) (1.0 / Math.sqrt(squares / n + epsilon));
      mean[r] = m;
      rstd[r] = s;
      // The stored float μ and r, not the double ones: backward's recomputed x̂ is then exactly this x̂.
      for (int j = 0; j < n; j++) {
        y[row + j] = (x[row + j] - m) * s * params[weightOff + j] + params[biasOff + j];
      }
    }
  }

  /** {@code Σ_j x[row + j]} for {@code j < n}, in the class's order. */
  private static double sum(float[] x, int row, int n) {
    double s0 = 0;
    double s1 = 0;
    double s2 = 0;
    double s3 = 0;
    int end = n - n % 4;
    for (int j = 0; j < end; j += 4) {
      s0 += x[row + j];
      s1 += x[row + j + 1];
      s2 += x[row + j + 2];
      s3 += x[row + j + 3];
    }
    double sum = (s0 + s1) + (s2 + s3);
    for (int j = end; j < n; j++) {
      sum += x[row + j];
    }
    return sum;
  }

  /** {@code Σ_j (x[row + j] - mu)²}, in the class's order. */
  private static double squaredDeviations(float[] x, int row, int n, double mu) {
    double s0 = 0;
    double s1 = 0;
    double s2 = 0;
    double s3 = 0;
    int end = n - n % 4;
    for (int j = 0; j < end; j += 4) {
      double d0 = x[row + j] - mu;
      double d1 = x[row + j + 1] - mu;
      double d2 = x[row + j + 2] - mu;
      double d3 = x[row + j + 3] - mu;
      s0 += d0 * d0;
      s1 += d1 * d1;
      s2 += d2 * d2;
      s3 += d3 * d3;
    }
    double sum = (s0 + s1) + (s2 + s3);
    for (int j = end; j < n; j++) {
      double d = x[row + j] - mu;
      sum += d * d;
    }
    return sum;
  }

  /**
   * Adds the gradients for the output gradient {@code dy}: {@code grads[weightGradOff + j] += Σ_r dy·x̂},
   * {@code grads[biasGradOff + j] += Σ_r dy} (rows in increasing order), and unless {@code dx} is {@code null}
   *
   * <pre>
   * dx += r · (g - mean_j(g) - x̂ · mean_j(g · x̂)),   g = dy · γ
   * </pre>
   *
   * (the statistics depend on x). {@code dy}, {@code x}, {@code mean} and {@code rstd} are not modified.
   */
  public static void backward(float[] dy, float[] x, int rows, int n, float[] mean, float[] rstd, float[] params,
      int weightOff, float[] grads, int weightGradOff, int biasGradOff, float @Nullable [] dx) {
    for (int r = 0; r < rows; r++) {
      int row = r * n;
      float m = mean[r];
      float s = rstd[r];
      double sumG = 0;
      double sumGXhat = 0;
      for (int j = 0; j < n; j++) {
        float xhat = (x[row + j] - m) * s;
        float d = dy[row + j];
        float g = d * params[weightOff + j];
        sumG += g;
        sumGXhat += (double) g * xhat;
        grads[weightGradOff + j] += d * xhat;
        grads[biasGradOff + j] += d;
      }
      if (dx == null) {
        continue;
      }
      float meanG = (float) (sumG / n);
      float meanGXhat = (float) (sumGXhat / n);
      for (int j = 0; j < n; j++) {
        float xhat = (x[row + j] - m) * s;
        float g = dy[row + j] * params[weightOff + j];
        dx[row + j] += s * (g - meanG - xhat * meanGXhat);
      }
    }
  }

  /**
   * The parameter gradients of {@link #backward} for the features {@code [from, to)}: each feature's
   * {@code Σ_r dy·x̂} and {@code Σ_r dy} added into {@code grads} one row after another in increasing row order,
   * the same float operations in the same order as {@link #backward}, so bitwise the same sums. The running sums
   * are kept in {@code sums} (at least {@code 2·(to - from)} floats), so that threads working on neighbouring
   * features do not write into one cache line once per row; {@code grads} is written once per feature at the end.
   */
  static void parameterGradientColumns(float[] dy, float[] x, int rows, int n, float[] mean, float[] rstd,
      float[] grads, int weightGradOff, int biasGradOff, float[] sums, int from, int to) {
    int width = to - from;
    System.arraycopy(grads, weightGradOff + from, sums, 0, width);
    System.arraycopy(grads, biasGradOff + from, sums, width, width);
    for (int r = 0; r < rows; r++) {
      int row = r * n;
      float m = mean[r];
      float s = rstd[r];
      for (int j = from; j < to; j++) {
        float xhat = (x[row + j] - m) * s;
        float d = dy[row + j];
        sums[j - from] += d * xhat;
        sums[width + j - from] += d;
      }
    }
    System.arraycopy(sums, 0, grads, weightGradOff + from, width);
    System.arraycopy(sums, width, grads, biasGradOff + from, width);
  }

  /**
   * The input gradient of {@link #backward} on rows {@code [from, to)}: each row's {@code mean_j(g)} and
   * {@code mean_j(g·x̂)} summed in double in increasing feature order, then {@code dx} as there, bitwise the same.
   */
  static void inputGradientRows(float[] dy, float[] x, int n, float[] mean, float[] rstd, float[] params,
      int weightOff, float[] dx, int from, int to) {
    for (int r = from; r < to; r++) {
      int row = r * n;
      float m = mean[r];
      float s = rstd[r];
      double sumG = 0;
      double sumGXhat = 0;
      for (int j = 0; j < n; j++) {
        float xhat = (x[row + j] - m) * s;
        float g = dy[row + j] * params[weightOff + j];
        sumG += g;
        sumGXhat += (double) g * xhat;
      }
      float meanG = (float) (sumG / n);
      float meanGXhat = (float) (sumGXhat / n);
      for (int j = 0; j < n; j++) {
        float xhat = (x[row + j] - m) * s;
        float g = dy[row + j] * params[weightOff + j];
        dx[row + j] += s * (g - meanG - xhat * meanGXhat);
      }
    }
  }
}
