package io.nabla.runtime.kernel;

import java.util.Arrays;

/**
 * {@link AttentionKernels}' forward and backward one (sample, head) pair at a time, for {@link PortableKernels}'
 * threads: buffers, layouts and results as there (Javadoc of {@link AttentionKernels}), computed with
 * {@link FastFunctions#exp} and loops shaped for HotSpot's superword pass (every inner loop a plain
 * {@code a[j] += x·b[base + j]}). A pair writes only its own columns of its own rows, and is computed by the same
 * code whichever thread runs it, so results are bitwise identical for any thread count.
 *
 * <p>Per pair: {@code K_h} (forward) or {@code V_h} (backward) is transposed into scratch so that a row of scores
 * {@code S[t, ·] = Σ_i q[t, i]·Kᵀ[i, ·]} is a sequence of contiguous updates over {@code s}; {@code P·V},
 * {@code dQ = dS·K}, {@code dV = Pᵀ·dA} and {@code dK = dSᵀ·Q} are sums of rows of length {@code dh}, each output row
 * accumulated in scratch (in increasing order of the summed index) and written once, so backward overwrites
 * {@code dQkv} without zeroing it first.
 */
final class AttentionPairs {
  private AttentionPairs() {}

  /** One thread's buffers, grown to the largest shape seen. */
  static final class Scratch {
    /** A transposed {@code (dh, T)} block of K or V. */
    float[] transposed = new float[0];
    /** {@code dS}, {@code (T, T)}. */
    float[] ds = new float[0];
    float[] row = new float[0];
    float[] acc = new float[0];

    void ensure(int time, int dh) {
      if (transposed.length < dh * time) {
        transposed = new float[dh * time];
      }
      if (ds.length < time * time) {
        ds = new float[time * time];
      }
      if (row.length < time) {
        row = new float[time];
      }
      if (acc.length < dh) {
        acc = new float[dh];
      }
    }
  }

  /** Copies {@code dh} columns from {@code col} of {@code time} rows of width {@code width}, transposed. */
  private static void transpose(float[] out, float[] qkv, int first, int width, int col, int time, int dh) {
    for (int s = 0; s < time; s++) {
      int from = (first + s) * width + col;
      for (int i = 0; i < dh; i++) {
        out[i * time + s] = qkv[from + i];
      }
    }
  }

  /** {@code row[s] = Σ_i x[xOff + i]·xt[i·time + s]} for {@code s < end}, summed in increasing {@code i}. */
  private static void rowTimesTransposed(float[] row, float[] x, int xOff, float[] xt, int time, int dh, int end) {
    float x0 = x[xOff];
    for (int s = 0; s < end; s++) {
      row[s] = x0 * xt[s];
    }
    for (int i = 1; i < dh; i++) {
      float xi = x[xOff + i];
      int base = i * time;
      for (int s = 0; s < end; s++) {
        row[s] += xi * xt[base + s];
      }
    }
  }

  /**
   * {@code out[o + i] = Σ_j w[wOff + j·wStride]·x[xOff + j·xStride + i]} for {@code i < dh}, summed over
   * {@code j} in {@code [from, to)} in increasing order ({@code from < to}).
   */
  private static void weightedRows(float[] out, int o, float[] w, int wOff, int wStride, float[] x, int xOff,
      int xStride, int from, int to, int dh, float[] acc) {
    float w0 = w[wOff + from * wStride];
    int x0 = xOff + from * xStride;
    for (int i = 0; i < dh; i++) {
      acc[i] = w0 * x[x0 + i];
    }
    for (int j = from + 1; j < to; j++) {
      float wj = w[wOff + j * wStride];
      int xj = xOff + j * xStride;
      for (int i = 0; i < dh; i++) {
        acc[i] += wj * x[xj + i];
      }
    }
    System.arraycopy(acc, 0, out, o, dh);
  }

  /** The forward of pair {@code pair = b·heads + h}. */
  static void forward(Scratch w, float[] attended, float[] probabilities, float[] qkv, int pair, int time, int dim,
      int heads, boolean causal) {
    int b = pair / heads;
    int h = pair % heads;
    int dh = dim / heads;
    int width = 3 * dim;
    float scale = (float) (1.0 / Math.sqrt(dh));
    int rows = b * time;
    int qCol = h * dh;
    float[] kt = w.transposed;
    transpose(kt, qkv, rows, width, dim + qCol, time, dh);
    int pBase = pair * time * time;
    float[] row = w.row;
    for (int t = 0; t < time; t++) {
      int end = causal ? t + 1 : time;
      rowTimesTransposed(row, qkv, (rows + t) * width + qCol, kt, time, dh, end);
      float max = Float.NEGATIVE_INFINITY;
      for (int s = 0; s < end; s++) {
        float score = row[s] * scale;
        row[s] = score;
        max = Math.max(max, score);
      }
      double sum = 0;
      for (int s = 0; s < end; s++) {
        float e = FastFunctions.exp(row[s] - max);
        row[s] = e;
        sum += e;
      }
      float inverse = (float) (1.0 / sum);
      int p = pBase + t * time;
      for (int s = 0; s < end; s++) {
        probabilities[p + s] = row[s] * inverse;
      }
      Arrays.fill(probabilities, p + end, p + time, 0f);
      weightedRows(attended, (rows + t) * dim + qCol, probabilities, p, 1, qkv, rows * width + 2 * dim + qCol,
          width, 0, end, dh, w.acc);
    }
  }

  /** The backward of pair {@code pair = b·heads + h}: overwrites its columns of {@code dQkv}. */
  static void backward(Scratch w, float[] dQkv, float[] dAttended, float[] probabilities, float[] qkv, int pair,
      int time, int dim, int heads, boolean causal) {
    int b = pair / heads;
    int h = pair % heads;
    int dh = dim / heads;
    int width = 3 * dim;
    float scale = (float) (1.0 / Math.sqrt(dh));
    int rows = b * time;
    int qCol = h * dh;
    int kCol = dim + qCol;
    int vCol = 2 * dim + qCol;
    float[] vt = w.transposed;
    transpose(vt, qkv, rows, width, vCol, time, dh);
    int pBase = pair * time * time;
    float[] ds = w.ds;
    float[] acc = w.acc;
    for (int t = 0; t < time; t++) {
      int end = causal ? t + 1 : time;
      int p = pBase + t * time;
      int d = t * time;
      // dP[t, s] = dA_t · v_s, into the row of dS.
      float[] row = w.row;
      rowTimesTransposed(row, dAttended, (rows + t) * dim + qCol, vt, time, dh, end);
      double dot = 0;
      for (int s = 0; s < end; s++) {
        dot += (double) row[s] * probabilities[p + s];
      }
      float rowDot = (float) dot;
      for (int s = 0; s < end; s++) {
        ds[d + s] = probabilities[p + s] * (row[s] - rowDot) * scale;
      }
      // dq_t = Σ_s dS[t, s]·k_s.
      weightedRows(dQkv, (rows + t) * width + qCol, ds, d, 1, qkv, rows * width + kCol, width, 0, end, dh, acc);
    }
    for (int s = 0; s < time; s++) {
      int from = causal ? s : 0;
      int out = (rows + s) * width;
      // dv_s = Σ_t P[t, s]·dA_t and dk_s = Σ_t dS[t, s]·q_t over the rows t that see s.
      weightedRows(dQkv, out + vCol, probabilities, pBase + s, time, dAttended, rows * dim + qCol, dim, from, time,
          dh, acc);
      weightedRows(dQkv, out + kCol, ds, s, time, qkv, rows * width + qCol, width, from, time, dh, acc);
    }
  }
}
