package io.nabla.runtime.kernel;

import org.jspecify.annotations.Nullable;

/** Joining batch-major buffers along the first per-sample dimension, and splitting the gradient back. */
public final class Concatenation {
  private Concatenation() {}

  /** {@code out[b] = inputs[0][b] ++ inputs[1][b] ++ ...}, where input {@code i} has {@code sizes[i]} per sample. */
  public static void forward(float[][] inputs, int[] sizes, int batch, float[] out) {
    int total = 0;
    for (int size : sizes) {
      total += size;
    }
    for (int b = 0; b < batch; b++) {
      int at = b * total;
      for (int i = 0; i < inputs.length; i++) {
        System.arraycopy(inputs[i], b * sizes[i], out, at, sizes[i]);
        at += sizes[i];
      }
    }
  }

  /** {@code dxs[i][b] += dy[b]}'s slice of input {@code i}; a {@code null} entry (an input) takes nothing. */
  public static void backward(float[] dy, int[] sizes, int batch, float[] @Nullable [] dxs) {
    int total = 0;
    for (int size : sizes) {
      total += size;
    }
    for (int b = 0; b < batch; b++) {
      int at = b * total;
      for (int i = 0; i < dxs.length; i++) {
        float[] dx = dxs[i];
        if (dx != null) {
          int to = b * sizes[i];
          for (int j = 0; j < sizes[i]; j++) {
            dx[to + j] += dy[at + j];
          }
        }
        at += sizes[i];
      }
    }
  }
}
