package io.nabla.runtime.kernel;

import org.jspecify.annotations.Nullable;

/**
 * Token and positional embeddings over {@code (B, T, D)} row-major buffers; row {@code r = b·T + t} is sample
 * {@code b}'s position {@code t}.
 *
 * <pre>
 * embedding:   out[r, d] = W[ids[r], d]            W (V, D); backward dW[ids[r], d] += dOut[r, d]
 * positional:  out[b, t, d] = x[b, t, d] + P[t, d]  P (T, D); backward dP[t, d] += Σ_b dOut[b, t, d], dx += dOut
 * </pre>
 *
 * Token ids arrive as floats (the input buffer of a model is {@code float[]}); an id must be an integer in
 * {@code [0, V)}. Backward sums in a fixed order (rows, then samples, ascending), so it is deterministic.
 */
public final class EmbeddingKernels {
  private EmbeddingKernels() {}

  /**
   * {@code out[r·dimension + d] = params[tableOff + ids[idsOff + r]·dimension + d]} for the {@code batch·time}
   * rows. Every id is checked before anything is written: one that is NaN, not an integer, negative or at least
   * {@code vocabulary} throws {@link IllegalArgumentException} naming {@code layer}, the sample and the position,
   * and {@code out} is left as it was.
   */
  public static void embeddingForward(String layer, float[] out, float[] ids, int idsOff, int batch, int time,
      float[] params, int tableOff, int vocabulary, int dimension) {
    checkIds(layer, ids, idsOff, batch, time, vocabulary);
    embeddingForwardRows(out, ids, idsOff, params, tableOff, dimension, 0, batch * time);
  }

  /**
   * Throws as {@link #embeddingForward} does if an id of the {@code batch·time} rows is not an integer in
   * {@code [0, vocabulary)}; writes nothing.
   */
  static void checkIds(String layer, float[] ids, int idsOff, int batch, int time, int vocabulary) {
    int rows = batch * time;
    for (int r = 0; r < rows; r++) {
      float id = ids[idsOff + r];
      // NaN fails both comparisons, so it falls through to the integer check.
      if (!(id >= 0f && id < vocabulary) || id != (float) Math.floor(id)) {
        throw badId(layer, id, r / time, r % time, vocabulary);
      }
    }
  }

  /** Rows {@code [from, to)} of {@link #embeddingForward}, ids already checked. */
  static void embeddingForwardRows(float[] out, float[] ids, int idsOff, float[] params, int tableOff,
      int dimension, int from, int to) {
    for (int r = from; r < to; r++) {
      System.arraycopy(params, tableOff + (int) ids[idsOff + r] * dimension, out, r * dimension, dimension);
    }
  }

  private static IllegalArgumentException badId(String layer, float id, int sample, int position,
      int vocabulary) {
    boolean integer = id == Math.floor(id) && !Float.isInfinite(id);
    // 97, not 97.0: ids are integers to the user; huge ones keep float notation rather than overflow a long.
    String shown = integer && Math.abs(id) < 1e15f ? Long.toString((long) id) : Float.toString(id);
    String where = "layer '" + layer + "': token id " + shown
        + " at sample " + sample + ", position " + position;
    return new IllegalArgumentException(integer
        ? where + " is outside [0, " + vocabulary + ")"
        : where + " is not an integer");
  }

  /**
   * {@code grads[tableOff + id·dimension + d] += dOut[r·dimension + d]} with {@code id = ids[idsOff + r]}, rows in
   * increasing order, so a token seen several times sums its gradients in a fixed order. The ids are those the
   * forward checked.
   */
  public static void embeddingBackward(float[] dOut, float[] ids, int idsOff, int rows, float[] grads,
      int tableOff, int dimension) {
    for (int r = 0; r < rows; r++) {
      int row = tableOff + (int) ids[idsOff + r] * dimension;
      int src = r * dimension;
      for (int d = 0; d < dimension; d++) {
        grads[row + d] += dOut[src + d];
      }
    }
  }

  /** {@code out[(b·time + t)·dimension + d] = x[same] + params[off + t·dimension + d]}. {@code out} may be {@code x}. */
  public static void positionalForward(float[] out, float[] x, int batch, int time, int dimension, float[] params,
      int off) {
    int n = time * dimension;
    for (int b = 0; b < batch; b++) {
      int base = b * n;
      for (int i = 0; i < n; i++) {
        out[base + i] = x[base + i] + params[off + i];
      }
    }
  }

  /** Elements {@code [from, to)} of {@link #positionalForward}'s output, {@code n = time·dimension}. */
  static void positionalForwardRange(float[] out, float[] x, int n, float[] params, int off, int from, int to) {
    int i = from;
    while (i < to) {
      int base = i / n * n;
      int end = Math.min(to, base + n);
      for (; i < end; i++) {
        out[i] = x[i] + params[off + i - base];
      }
    }
  }

  /**
   * {@code grads[off + t·dimension + d] += Σ_b dOut[(b·time + t)·dimension + d]}, samples added one after the
   * other in increasing order; and, unless {@code dx} is {@code null}, {@code dx[i] += dOut[i]} for
   * {@code i < batch·time·dimension}.
   */
  public static void positionalBackward(float[] dOut, int batch, int time, int dimension, float[] grads, int off,
      float @Nullable [] dx) {
    int n = time * dimension;
    positionalGradientRange(dOut, batch, n, grads, off, 0, n);
    if (dx != null) {
      accumulateRange(dx, dOut, 0, batch * n);
    }
  }

  /** Elements {@code [from, to)} of the position table's gradient in {@link #positionalBackward}. */
  static void positionalGradientRange(float[] dOut, int batch, int n, float[] grads, int off, int from, int to) {
    for (int b = 0; b < batch; b++) {
      int base = b * n;
      for (int i = from; i < to; i++) {
        grads[off + i] += dOut[base + i];
      }
    }
  }

  /** {@code dx[i] += dOut[i]} for {@code i} in {@code [from, to)}. */
  static void accumulateRange(float[] dx, float[] dOut, int from, int to) {
    for (int i = from; i < to; i++) {
      dx[i] += dOut[i];
    }
  }
}
