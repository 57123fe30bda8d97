package io.nabla.samples;

import io.nabla.runtime.Parameters;
import io.nabla.runtime.optim.Optimizer;

/**
 * Cosine learning-rate annealing around another optimizer: step {@code t} of {@code T} scales the update of the
 * wrapped optimizer by {@code (1 + cos(π t / T)) / 2}, from 1 at the first step down towards 0 at the last, as
 * PyTorch's {@code CosineAnnealingLR} stepped per batch with {@code eta_min = 0}. For an optimizer whose update is
 * proportional to its learning rate with state independent of it (SGD, Adam without weight decay), this is that
 * optimizer with the annealed learning rate, exactly.
 */
final class CosineDecay implements Optimizer {
  private final Optimizer inner;
  private final long totalSteps;
  private long step;
  private float[] before;

  CosineDecay(Optimizer inner, long totalSteps) {
    if (totalSteps < 1) {
      throw new IllegalArgumentException("totalSteps must be at least 1, got " + totalSteps);
    }
    this.inner = inner;
    this.totalSteps = totalSteps;
  }

  /** The factor of step {@code t} (0-based) of {@code totalSteps}. */
  static double factor(long t, long totalSteps) {
    return 0.5 * (1 + Math.cos(Math.PI * Math.min(t, totalSteps) / totalSteps));
  }

  /** The factor the next step will apply. */
  double nextFactor() {
    return factor(step, totalSteps);
  }

  @Override
  public void step(Parameters parameters) {
    double factor = factor(step, totalSteps);
    step++;
    if (factor == 1) {
      inner.step(parameters);
      return;
    }
    float[] w = parameters.values();
    if (before == null || before.length != w.length) {
      before = new float[w.length];
    }
    System.arraycopy(w, 0, before, 0, w.length);
    inner.step(parameters);
    float f = (float) factor;
    for (int i = 0; i < w.length; i++) {
      w[i] = before[i] + f * (w[i] - before[i]);
    }
  }
}
