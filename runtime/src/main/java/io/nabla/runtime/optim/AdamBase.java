package io.nabla.runtime.optim;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The update that {@link Adam} and {@link AdamW} share, PyTorch's {@code _single_tensor_adam(w)}; they differ in
 * how weight decay applies: added to the gradient (L2, Adam) or decoupled, multiplying the weights (AdamW).
 */
abstract class AdamBase extends GroupedOptimizer {
  /**
   * {@code (x + TINY) - TINY} is {@code x} rounded to a multiple of 2^-101 (2^-100 for positive {@code x}) when
   * {@code |x| < 2^-78}, {@code x} within one rounding up to 2^-53 and exactly {@code x} above. Applied to every
   * new moment, it keeps them 0 or at least 2^-101 in magnitude, never subnormal: x86 cores take a
   * microcode assist (about 30× the cost) on every multiply with a subnormal operand, and at batch 1 nearly half
   * of {@code exp_avg} decays into that range (weights of pixels that are rarely non-zero get a zero gradient and
   * shrink by β1 per step). PyTorch has the same slowdown unless it flushes subnormals (FTZ/DAZ), which Java
   * cannot set. Two additions keep the loop vectorised (a compare-and-select per element did not vectorise on JDK
   * 17) and an addition with a subnormal input costs nothing extra. The price: a moment below 2^-78 differs from
   * PyTorch's by at most 2^-101 ≈ 3.9e-31, and one that decays to a few multiples of 2^-100 stays there instead
   * of reaching zero (≤ 3.2e-30 for {@code exp_avg}: a weight step of at most lr · 3.2e-22 with the default eps).
   */
  static final float TINY = 0x1p-77f;

  private final double beta1;
  private final double beta2;
  private final float floatBeta1;
  private final float floatBeta2;
  private final float oneMinusBeta1;
  private final float oneMinusBeta2;
  private final float epsilon;
  private final boolean amsgrad;
  private final boolean decoupled;

  private float @Nullable [] m;
  private float @Nullable [] v;
  private float @Nullable [] vMax;
  private long step;
  // Per step: 1 - β1^t and 1 / √(1 - β2^t). PyTorch divides √v by √(1 - β2^t); multiplying by the inverse, rounded
  // once per step, moves the denominator by at most an ulp or so and leaves the update loop one division: at batch
  // 1, where the step is this loop, Adam on two threads 99-104 → 80-84 µs for 235k parameters.
  private double bias1;
  private float inverseSqrtBias2;

  AdamBase(String kind, double learningRate, double beta1, double beta2, double epsilon, double weightDecay,
      boolean amsgrad, boolean decoupled, List<ParameterGroup> groups) {
    super(kind, learningRate, weightDecay, groups);
    this.beta1 = beta1;
    this.beta2 = beta2;
    this.floatBeta1 = (float) beta1;
    this.floatBeta2 = (float) beta2;
    this.oneMinusBeta1 = (float) (1 - beta1);
    this.oneMinusBeta2 = (float) (1 - beta2);
    this.epsilon = (float) epsilon;
    this.amsgrad = amsgrad;
    this.decoupled = decoupled;
  }

  @Override
  final void beginStep(int size) {
    checkRestored("exp_avg", m, size);
    checkRestored("exp_avg_sq", v, size);
    checkRestored("max_exp_avg_sq", vMax, size);
    if (m == null) {
      m = new float[size];
      v = new float[size];
      if (amsgrad) {
        vMax = new float[size];
      }
    }
    step++;
    bias1 = 1 - Math.pow(beta1, step);
    inverseSqrtBias2 = (float) (1 / Math.sqrt(1 - Math.pow(beta2, step)));
  }

  @Override
  final void update(float[] w, float[] g, int from, int to, float lr, float weightDecay, boolean clearGradients) {
    float stepSize = (float) (lr / bias1);
    float shrink = (float) (1 - (double) lr * weightDecay);
    boolean l2 = !decoupled && weightDecay != 0f;
    for (int i = from; i < to; i++) {
      float d = g[i];
      if (clearGradients) {
        g[i] = 0f;
      }
      if (decoupled) {
        w[i] *= shrink;
      } else if (l2) {
        d += weightDecay * w[i];
      }
      float mi = (floatBeta1 * m[i] + oneMinusBeta1 * d + TINY) - TINY;
      float vi = (floatBeta2 * v[i] + oneMinusBeta2 * d * d + TINY) - TINY;
      m[i] = mi;
      v[i] = vi;
      if (amsgrad) {
        vi = Math.max(vMax[i], vi);
        vMax[i] = vi;
      }
      w[i] -= stepSize * (mi / ((float) Math.sqrt(vi) * inverseSqrtBias2 + epsilon));
    }
  }

  /**
   * PyTorch's names: {@code exp_avg}, {@code exp_avg_sq} and, with AMSGrad, {@code max_exp_avg_sq} (absent before
   * the first step); scalars {@code step}, {@code lr} and {@code groups.<i>.lr} for each group with its own
   * learning rate.
   */
  @Override
  public final OptimizerState state() {
    Map<String, float[]> buffers = new LinkedHashMap<>();
    if (m != null) {
      buffers.put("exp_avg", m);
      buffers.put("exp_avg_sq", v);
      if (vMax != null) {
        buffers.put("max_exp_avg_sq", vMax);
      }
    }
    Map<String, Double> scalars = new LinkedHashMap<>();
    scalars.put("step", (double) step);
    putLearningRates(scalars);
    return new OptimizerState(kind, buffers, scalars);
  }

  /**
   * @throws IllegalArgumentException if the state is of another kind, lacks a buffer that the others imply, or
   *     was saved with AMSGrad on and restored with it off, or the reverse
   */
  @Override
  public final void restore(OptimizerState state) {
    restoreLearningRates(state);
    float[] restoredM = state.buffer("exp_avg");
    float[] restoredV = state.buffer("exp_avg_sq");
    float[] restoredMax = state.buffer("max_exp_avg_sq");
    if ((restoredM == null) != (restoredV == null)) {
      throw new IllegalArgumentException(
          "a " + kind + " state needs both exp_avg and exp_avg_sq or neither, got " + state.buffers().keySet());
    }
    if (restoredM != null && amsgrad != (restoredMax != null)) {
      throw new IllegalArgumentException(amsgrad
          ? "the state has no max_exp_avg_sq: it was saved by a " + kind + " without AMSGrad, this one has it"
          : "the state has max_exp_avg_sq: it was saved by a " + kind + " with AMSGrad, this one has none");
    }
    m = restoredM;
    v = restoredV;
    vMax = restoredM == null ? null : restoredMax;
    step = (long) state.scalar("step", 0);
  }

  /** The number of steps taken. */
  public final long stepCount() {
    return step;
  }

  public final boolean amsgrad() {
    return amsgrad;
  }

  @Override
  public final String toString() {
    return kind + "(lr=" + (float) learningRate() + ", betas=(" + beta1 + ", " + beta2 + "), eps=" + epsilon
        + ", weightDecay=" + (float) weightDecay() + ", amsgrad=" + amsgrad + groupsSuffix() + ")";
  }

  /**
   * The hyperparameters {@link Adam} and {@link AdamW} share, with PyTorch's defaults (lr 1e-3, betas 0.9 and
   * 0.999, eps 1e-8, no AMSGrad; weight decay 0 for Adam, 1e-2 for AdamW); checked by {@code build()}.
   */
  abstract static class Settings<B extends Settings<B>> {
    double learningRate = 1e-3;
    double beta1 = 0.9;
    double beta2 = 0.999;
    double epsilon = 1e-8;
    double weightDecay;
    boolean amsgrad;
    final List<ParameterGroup> groups = new java.util.ArrayList<>();
    private final String kind;

    Settings(String kind, double weightDecay) {
      this.kind = kind;
      this.weightDecay = weightDecay;
    }

    abstract B self();

    public B learningRate(double learningRate) {
      this.learningRate = learningRate;
      return self();
    }

    public B betas(double beta1, double beta2) {
      this.beta1 = beta1;
      this.beta2 = beta2;
      return self();
    }

    public B epsilon(double epsilon) {
      this.epsilon = epsilon;
      return self();
    }

    /**
     * Weight decay: for {@link Adam} an L2 penalty added to the gradient (PyTorch Adam's {@code weight_decay});
     * for {@link AdamW} decoupled, {@code w ← w · (1 - lr · weightDecay)} each step.
     */
    public B weightDecay(double weightDecay) {
      this.weightDecay = weightDecay;
      return self();
    }

    /** AMSGrad (Reddi et al.): normalise by the largest {@code v} so far, as PyTorch's {@code amsgrad=True}. */
    public B amsgrad(boolean amsgrad) {
      this.amsgrad = amsgrad;
      return self();
    }

    /** Adds a parameter group; later groups win where groups overlap (see {@link ParameterGroup}). */
    public B group(ParameterGroup group) {
      groups.add(Checks.group(kind, group));
      return self();
    }

    /** Checks every hyperparameter, naming it and its value. */
    void check() {
      Checks.positive(kind + " learning rate", learningRate);
      Checks.inUnitInterval(kind + " beta1", beta1);
      Checks.inUnitInterval(kind + " beta2", beta2);
      Checks.positive(kind + " epsilon", epsilon);
      Checks.nonNegative(kind + " weight decay", weightDecay);
    }
  }
}
