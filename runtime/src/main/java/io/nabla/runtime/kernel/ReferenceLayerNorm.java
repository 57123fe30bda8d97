package io.nabla.runtime.kernel;

/**
 * The textbook layer norm in double, for tests: what {@link LayerNormKernels} must equal. Backward applies the
 * explicit Jacobian {@code ∂x̂_j/∂x_i = r·(δ_ij - 1/n - x̂_i·x̂_j/n)} element by element ({@code O(n²)} per row),
 * not the factored formula the kernel uses, so the two are derived independently.
 */
public final class ReferenceLayerNorm {
  private ReferenceLayerNorm() {}

  /** {@code y = (x - μ)/√(var + ε)·γ + β} per row of {@code n}, biased variance. */
  public static void forward(float[] y, float[] x, int rows, int n, float epsilon, float[] params, int weightOff,
      int biasOff) {
    for (int r = 0; r < rows; r++) {
      double[] xhat = normalized(x, r, n, epsilon);
      for (int j = 0; j < n; j++) {
        y[r * n + j] = (float) (xhat[j] * params[weightOff + j] + params[biasOff + j]);
      }
    }
  }

  /** Adds {@code dLoss/dγ}, {@code dLoss/dβ} into {@code grads} and {@code dLoss/dx} into {@code dx}. */
  public static void backward(float[] dy, float[] x, int rows, int n, float epsilon, float[] params, int weightOff,
      float[] grads, int weightGradOff, int biasGradOff, float[] dx) {
    double[] dWeight = new double[n];
    double[] dBias = new double[n];
    for (int r = 0; r < rows; r++) {
      double[] xhat = normalized(x, r, n, epsilon);
      double rs = rstd(x, r, n, epsilon);
      for (int j = 0; j < n; j++) {
        dWeight[j] += dy[r * n + j] * xhat[j];
        dBias[j] += dy[r * n + j];
      }
      for (int i = 0; i < n; i++) {
        double sum = 0;
        for (int j = 0; j < n; j++) {
          double jacobian = rs * ((i == j ? 1.0 : 0.0) - 1.0 / n - xhat[i] * xhat[j] / n);
          sum += dy[r * n + j] * params[weightOff + j] * jacobian;
        }
        dx[r * n + i] += (float) sum;
      }
    }
    for (int j = 0; j < n; j++) {
      grads[weightGradOff + j] += (float) dWeight[j];
      grads[biasGradOff + j] += (float) dBias[j];
    }
  }

  private static double mean(float[] x, int r, int n) {
    double sum = 0;
    for (int j = 0; j < n; j++) {
      sum += x[r * n + j];
    }
    return sum / n;
  }

  private static double rstd(float[] x, int r, int n, float epsilon) {
    double mu = mean(x, r, n);
    double squares = 0;
    for (int j = 0; j < n; j++) {
      squares += (x[r * n + j] - mu) * (x[r * n + j] - mu);
    }
    return 1 / Math.sqrt(squares / n + epsilon);
  }

  private static double[] normalized(float[] x, int r, int n, float epsilon) {
    double mu = mean(x, r, n);
    double rs = rstd(x, r, n, epsilon);
    double[] xhat = new double[n];
    for (int j = 0; j < n; j++) {
      xhat[j] = (x[r * n + j] - mu) * rs;
    }
    return xhat;
  }
}
