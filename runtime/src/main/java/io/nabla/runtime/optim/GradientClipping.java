package io.nabla.runtime.optim;

import io.nabla.runtime.Parameters;

/**
 * Gradient clipping, applied to {@link Parameters#gradients()} between the backward pass and the optimizer step,
 * as PyTorch's {@code torch.nn.utils.clip_grad_norm_} and {@code clip_grad_value_}:
 *
 * <pre>
 * clipNorm(p, maxNorm):    n = ‖g‖₂ over all gradients together;  g = g · min(1, maxNorm / (n + 1e-6));  return n
 * clipValue(p, clipValue): g = min(max(g, -clipValue), clipValue), element by element
 * </pre>
 *
 * <pre>{@code
 * model.zeroGradients(); model.forward(x, batch); model.loss(labels, batch); model.backward();
 * double norm = GradientClipping.clipNorm(model.parameters(), 1.0);
 * optimizer.step(model.parameters());
 * }</pre>
 *
 * As in PyTorch (with its default {@code error_if_nonfinite=False}), a non-finite norm is not an error: it makes
 * the gradients non-finite, which a trainer's divergence check then reports. For a trainer or a loop that holds
 * the choice as a value, {@link #byNorm(double)} and {@link #byValue(double)} give an immutable instance whose
 * {@link #apply(Parameters)} does the same. Nothing here allocates.
 */
public final class GradientClipping {
  /** Added to the norm before dividing, as in PyTorch. */
  private static final double NORM_EPSILON = 1e-6;

  private final boolean byNorm;
  private final double limit;

  private GradientClipping(boolean byNorm, double limit) {
    this.byNorm = byNorm;
    this.limit = limit;
  }

  /**
   * Clipping by global L2 norm, as {@link #clipNorm(Parameters, double)}.
   *
   * @throws IllegalArgumentException if {@code maxNorm} is not a positive finite number
   */
  public static GradientClipping byNorm(double maxNorm) {
    Checks.positive("gradient clipping max norm", maxNorm);
    return new GradientClipping(true, maxNorm);
  }

  /**
   * Clipping of each gradient to {@code [-clipValue, clipValue]}, as {@link #clipValue(Parameters, double)}.
   *
   * @throws IllegalArgumentException if {@code clipValue} is not a positive finite number
   */
  public static GradientClipping byValue(double clipValue) {
    Checks.positive("gradient clipping value", clipValue);
    return new GradientClipping(false, clipValue);
  }

  /** Clips the gradients of {@code parameters}; returns their L2 norm before clipping. */
  public double apply(Parameters parameters) {
    if (byNorm) {
      return clipNorm(parameters, limit);
    }
    double norm = norm(parameters);
    clip(parameters.gradients(), (float) limit);
    return norm;
  }

  /**
   * Scales all gradients together so that their global L2 norm is at most {@code maxNorm}, as PyTorch's
   * {@code clip_grad_norm_(parameters, maxNorm)}: by {@code maxNorm / (norm + 1e-6)} when that is below 1
   * (so a norm just under {@code maxNorm + 1e-6} is scaled by a factor just under 1, as in PyTorch), not at all
   * otherwise.
   *
   * @return the global L2 norm of the gradients before clipping
   * @throws IllegalArgumentException if {@code maxNorm} is not a positive finite number
   */
  public static double clipNorm(Parameters parameters, double maxNorm) {
    Checks.positive("gradient clipping max norm", maxNorm);
    double norm = norm(parameters);
    float scale = (float) Math.min(maxNorm / (norm + NORM_EPSILON), 1.0);
    if (scale != 1f) {
      float[] g = parameters.gradients();
      for (int i = 0; i < g.length; i++) {
        g[i] *= scale;
      }
    }
    return norm;
  }

  /**
   * Clamps every gradient to {@code [-clipValue, clipValue]}, as PyTorch's
   * {@code clip_grad_value_(parameters, clipValue)}. NaN stays NaN.
   *
   * @throws IllegalArgumentException if {@code clipValue} is not a positive finite number
   */
  public static void clipValue(Parameters parameters, double clipValue) {
    Checks.positive("gradient clipping value", clipValue);
    clip(parameters.gradients(), (float) clipValue);
  }

  private static void clip(float[] g, float c) {
    for (int i = 0; i < g.length; i++) {
      if (g[i] > c) {
        g[i] = c;
      } else if (g[i] < -c) {
        g[i] = -c;
      }
    }
  }

  /** The global L2 norm of the gradients, {@code √Σ g²} over every tensor together (accumulated in double). */
  public static double norm(Parameters parameters) {
    float[] g = parameters.gradients();
    double sum = 0;
    for (float x : g) {
      sum += (double) x * x;
    }
    return Math.sqrt(sum);
  }

  @Override
  public String toString() {
    return byNorm ? "GradientClipping.byNorm(" + limit + ")" : "GradientClipping.byValue(" + limit + ")";
  }
}
