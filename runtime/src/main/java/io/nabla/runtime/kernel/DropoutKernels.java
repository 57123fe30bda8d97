package io.nabla.runtime.kernel;

import io.nabla.runtime.Rng;

/** Inverted dropout: a mask of {@code 0} or {@code 1/(1 - rate)} drawn in training, applied in both directions. */
public final class DropoutKernels {
  private DropoutKernels() {}

  /** Draws {@code mask[i]} (0 with probability {@code rate}, else {@code 1/(1 - rate)}) and {@code out = x·mask}. */
  public static void forward(float[] x, int n, float rate, Rng rng, float[] mask, float[] out) {
    float keep = 1f / (1f - rate);
    for (int i = 0; i < n; i++) {
      float m = rng.nextFloat() < rate ? 0f : keep;
      mask[i] = m;
      out[i] = x[i] * m;
    }
  }

  /** {@code dx += dy · mask}. */
  public static void backward(float[] dy, float[] mask, int n, float[] dx) {
    for (int i = 0; i < n; i++) {
      dx[i] += dy[i] * mask[i];
    }
  }
}
