package io.nabla.runtime.kernel;

/**
 * The textbook scaled dot-product attention in double, for tests: what {@link AttentionKernels} must equal, buffers
 * as there. The mask is explicit ({@code -∞} added to the score, then {@code e^(score - max)}), and backward goes
 * through the softmax's full Jacobian {@code ∂P_u/∂S_s = P_u·(δ_us − P_s)} rather than its factored form.
 */
public final class ReferenceAttention {
  private ReferenceAttention() {}

  /** The forward in double: {@code probabilities} and {@code attended}, as {@link AttentionKernels#forward}. */
  public static void forward(float[] attended, float[] probabilities, float[] qkv, int batch, int time, int dim,
      int heads, boolean causal) {
    int dh = dim / heads;
    for (int b = 0; b < batch; b++) {
      for (int h = 0; h < heads; h++) {
        double[][] p = probabilities(qkv, b, h, time, dim, heads, causal);
        for (int t = 0; t < time; t++) {
          for (int s = 0; s < time; s++) {
            probabilities[((b * heads + h) * time + t) * time + s] = (float) p[t][s];
          }
          for (int i = 0; i < dh; i++) {
            double sum = 0;
            for (int s = 0; s < time; s++) {
              sum += p[t][s] * v(qkv, b, s, h, i, time, dim, heads);
            }
            attended[(b * time + t) * dim + h * dh + i] = (float) sum;
          }
        }
      }
    }
  }

  /** The gradient with respect to {@code qkv}, written over {@code dQkv}, as {@link AttentionKernels#backward}. */
  public static void backward(float[] dQkv, float[] dAttended, float[] qkv, int batch, int time, int dim,
      int heads, boolean causal) {
    int dh = dim / heads;
    double scale = 1 / Math.sqrt(dh);
    java.util.Arrays.fill(dQkv, 0, batch * time * 3 * dim, 0f);
    for (int b = 0; b < batch; b++) {
      for (int h = 0; h < heads; h++) {
        double[][] p = probabilities(qkv, b, h, time, dim, heads, causal);
        double[][] dp = new double[time][time];
        for (int t = 0; t < time; t++) {
          for (int s = 0; s < time; s++) {
            for (int i = 0; i < dh; i++) {
              dp[t][s] += dAttended[(b * time + t) * dim + h * dh + i] * v(qkv, b, s, h, i, time, dim, heads);
            }
          }
        }
        // dS[t][s] = Σ_u dP[t][u] · P[t][u] · (δ_us − P[t][s]) · scale.
        double[][] ds = new double[time][time];
        for (int t = 0; t < time; t++) {
          for (int s = 0; s < time; s++) {
            double sum = 0;
            for (int u = 0; u < time; u++) {
              sum += dp[t][u] * p[t][u] * ((u == s ? 1 : 0) - p[t][s]);
            }
            ds[t][s] = sum * scale;
          }
        }
        for (int s = 0; s < time; s++) {
          for (int i = 0; i < dh; i++) {
            double dq = 0;
            double dk = 0;
            double dv = 0;
            for (int u = 0; u < time; u++) {
              dq += ds[s][u] * column(qkv, b, u, dim + h * dh + i, time, dim);
              dk += ds[u][s] * column(qkv, b, u, h * dh + i, time, dim);
              dv += p[u][s] * dAttended[(b * time + u) * dim + h * dh + i];
            }
            int row = (b * time + s) * 3 * dim;
            dQkv[row + h * dh + i] = (float) dq;
            dQkv[row + dim + h * dh + i] = (float) dk;
            dQkv[row + 2 * dim + h * dh + i] = (float) dv;
          }
        }
      }
    }
  }

  private static double column(float[] qkv, int b, int t, int column, int time, int dim) {
    return qkv[(b * time + t) * 3 * dim + column];
  }

  private static double v(float[] qkv, int b, int s, int h, int i, int time, int dim, int heads) {
    return column(qkv, b, s, 2 * dim + h * (dim / heads) + i, time, dim);
  }

  /** {@code softmax(q·kᵀ/√dh + M)} of one sample and head, {@code M = -∞} above the diagonal if causal. */
  private static double[][] probabilities(float[] qkv, int b, int h, int time, int dim, int heads,
      boolean causal) {
    int dh = dim / heads;
    double[][] p = new double[time][time];
    for (int t = 0; t < time; t++) {
      double max = Double.NEGATIVE_INFINITY;
      for (int s = 0; s < time; s++) {
        double score = 0;
        for (int i = 0; i < dh; i++) {
          score += column(qkv, b, t, h * dh + i, time, dim) * column(qkv, b, s, dim + h * dh + i, time, dim);
        }
        score /= Math.sqrt(dh);
        if (causal && s > t) {
          score = Double.NEGATIVE_INFINITY;
        }
        p[t][s] = score;
        max = Math.max(max, score);
      }
      double sum = 0;
      for (int s = 0; s < time; s++) {
        p[t][s] = Math.exp(p[t][s] - max); // e^(-∞) = 0 for the masked
        sum += p[t][s];
      }
      for (int s = 0; s < time; s++) {
        p[t][s] /= sum;
      }
    }
    return p;
  }
}
