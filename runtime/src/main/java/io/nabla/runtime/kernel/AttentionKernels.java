package io.nabla.runtime.kernel;

import java.util.Arrays;

/**
 * The core of multi-head scaled dot-product self-attention, between the in-projection ({@code qkv = x·W_inᵀ + b_in})
 * and the out-projection, which generated code runs as ordinary products. Letters: B batch, T time, D model
 * dimension, H heads, {@code dh = D/H} head size.
 *
 * <pre>
 * qkv          (B·T, 3D)     row [q | k | v]; head h reads columns h·dh … h·dh+dh-1 of each of q, k, v
 * probabilities (B, H, T, T) P = softmax(q_h·k_hᵀ/√dh + M) per row, kept for backward
 * attended     (B·T, D)      head h's P·v_h in columns h·dh …
 * </pre>
 *
 * With {@code causal}, {@code M} is −∞ above the diagonal: row t attends to positions {@code s ≤ t} only. Masked
 * entries are never computed (no {@code exp(-∞)}, no wasted products) and their probability is written as exactly
 * 0. Each row of scores is scaled, masked, exponentiated with its maximum subtracted, and normalised in one pass,
 * the sum taken in double.
 *
 * <p>Inner loops run over the {@code dh} contiguous columns of a head. Heads and samples are independent, visited
 * in a fixed order, single-threaded; results are deterministic. {@link ReferenceAttention} is the naive twin.
 */
public final class AttentionKernels {
  private AttentionKernels() {}

  /** The floats {@link #backward} needs in {@code scratch}: one row of {@code dP}. */
  public static int scratchSize(int time) {
    return time;
  }

  /**
   * Writes {@code probabilities} and {@code attended}: per sample b, head h and row t,
   * {@code P[t, s] = softmax_s(q_t·k_s/√dh)} over {@code s < T} ({@code s ≤ t} if causal, 0 beyond), and
   * {@code attended_t = Σ_s P[t, s]·v_s}.
   */
  public static void forward(float[] attended, float[] probabilities, float[] qkv, int batch, int time, int dim,
      int heads, boolean causal) {
    int dh = dim / heads;
    int width = 3 * dim;
    float scale = (float) (1.0 / Math.sqrt(dh));
    for (int b = 0; b < batch; b++) {
      int rows = b * time;
      for (int h = 0; h < heads; h++) {
        int qCol = h * dh;
        int kCol = dim + h * dh;
        int vCol = 2 * dim + h * dh;
        int pBase = (b * heads + h) * time * time;
        for (int t = 0; t < time; t++) {
          int p = pBase + t * time;
          int q = (rows + t) * width + qCol;
          int end = causal ? t + 1 : time;
          // Scores, scaled, and their maximum.
          float max = Float.NEGATIVE_INFINITY;
          for (int s = 0; s < end; s++) {
            int k = (rows + s) * width + kCol;
            float dot = 0f;
            for (int i = 0; i < dh; i++) {
              dot += qkv[q + i] * qkv[k + i];
            }
            float score = dot * scale;
            probabilities[p + s] = score;
            max = Math.max(max, score);
          }
          // e^(score - max) ≤ 1, so no overflow whatever the logits; the sum is at least 1.
          double sum = 0;
          for (int s = 0; s < end; s++) {
            float e = (float) Math.exp(probabilities[p + s] - max);
            probabilities[p + s] = e;
            sum += e;
          }
          float inverse = (float) (1.0 / sum);
          for (int s = 0; s < end; s++) {
            probabilities[p + s] *= inverse;
          }
          Arrays.fill(probabilities, p + end, p + time, 0f);
          // attended_t = Σ_s P[t, s]·v_s, one contiguous row of v at a time.
          int out = (rows + t) * dim + qCol;
          Arrays.fill(attended, out, out + dh, 0f);
          for (int s = 0; s < end; s++) {
            float ps = probabilities[p + s];
            int v = (rows + s) * width + vCol;
            for (int i = 0; i < dh; i++) {
              attended[out + i] += ps * qkv[v + i];
            }
          }
        }
      }
    }
  }

  /**
   * Overwrites {@code dQkv} (B·T, 3D) with the gradient with respect to {@code qkv} for the output gradient
   * {@code dAttended} (B·T, D), per sample and head:
   *
   * <pre>
   * dP = dA_h · v_hᵀ           dv_h = Pᵀ · dA_h
   * dS = P ⊙ (dP − rowsum(dP ⊙ P)) / √dh      (the softmax's Jacobian, and the scale)
   * dq_h = dS · k_h            dk_h = dSᵀ · q_h
   * </pre>
   *
   * over the unmasked entries only. {@code scratch} holds at least {@link #scratchSize(int)} floats. Rows and then
   * positions are visited in increasing order, so sums run in a fixed order.
   */
  public static void backward(float[] dQkv, float[] dAttended, float[] probabilities, float[] qkv, int batch,
      int time, int dim, int heads, boolean causal, float[] scratch) {
    int dh = dim / heads;
    int width = 3 * dim;
    float scale = (float) (1.0 / Math.sqrt(dh));
    Arrays.fill(dQkv, 0, batch * time * width, 0f);
    for (int b = 0; b < batch; b++) {
      int rows = b * time;
      for (int h = 0; h < heads; h++) {
        int qCol = h * dh;
        int kCol = dim + h * dh;
        int vCol = 2 * dim + h * dh;
        int pBase = (b * heads + h) * time * time;
        for (int t = 0; t < time; t++) {
          int p = pBase + t * time;
          int da = (rows + t) * dim + qCol;
          int end = causal ? t + 1 : time;
          // dP[t, s] = dA_t · v_s and dv_s += P[t, s]·dA_t, sharing the pass over s; rowsum(dP ⊙ P) on the way.
          double dot = 0;
          for (int s = 0; s < end; s++) {
            int v = (rows + s) * width + vCol;
            float ps = probabilities[p + s];
            float d = 0f;
            for (int i = 0; i < dh; i++) {
              float g = dAttended[da + i];
              d += g * qkv[v + i];
              dQkv[v + i] += ps * g;
            }
            scratch[s] = d;
            dot += (double) d * ps;
          }
          float rowDot = (float) dot;
          // dS[t, s], then dq_t += dS·k_s and dk_s += dS·q_t.
          int q = (rows + t) * width + qCol;
          for (int s = 0; s < end; s++) {
            float ds = probabilities[p + s] * (scratch[s] - rowDot) * scale;
            int k = (rows + s) * width + kCol;
            for (int i = 0; i < dh; i++) {
              dQkv[q + i] += ds * qkv[k + i];
              dQkv[k + i] += ds * qkv[q + i];
            }
          }
        }
      }
    }
  }
}
