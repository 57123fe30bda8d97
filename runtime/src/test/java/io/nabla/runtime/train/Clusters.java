package io.nabla.runtime.train;

import io.nabla.runtime.Rng;

/** Test data: three Gaussian-ish clusters in 2-D, labelled 0, 1, 2, with uniform noise of width {@code noise}. */
final class Clusters {
  private Clusters() {}

  static Dataset of(int n, long seed, float noise) {
    float[][] centres = {{2f, 0f}, {-1f, 1.7f}, {-1f, -1.7f}};
    Rng rng = new Rng(seed);
    float[] x = new float[2 * n];
    int[] labels = new int[n];
    for (int i = 0; i < n; i++) {
      int c = rng.nextInt(3);
      labels[i] = c;
      x[2 * i] = centres[c][0] + noise * (rng.nextFloat() - 0.5f);
      x[2 * i + 1] = centres[c][1] + noise * (rng.nextFloat() - 0.5f);
    }
    return Dataset.ofLabels(x, 2, labels);
  }
}
