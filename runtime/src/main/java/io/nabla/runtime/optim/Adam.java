package io.nabla.runtime.optim;

import io.nabla.runtime.Parameters;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Adam with PyTorch's {@code torch.optim.Adam} update rule and defaults (lr 1e-3, betas 0.9 and 0.999, eps 1e-8):
 *
 * <pre>
 * t = t + 1;  g = grad + weightDecay · w
 * m = β1 · m + (1 - β1) · g
 * v = β2 · v + (1 - β2) · g²
 * w = w - (lr / (1 - β1^t)) · m / (√v / √(1 - β2^t) + eps)
 * </pre>
 */
public final class Adam implements Optimizer {
  private float learningRate;
  private final float beta1;
  private final float beta2;
  private final float epsilon;
  private final float weightDecay;

  private float[] m;
  private float[] v;
  private long step;

  private Adam(Builder b) {
    this.learningRate = b.learningRate;
    this.beta1 = b.beta1;
    this.beta2 = b.beta2;
    this.epsilon = b.epsilon;
    this.weightDecay = b.weightDecay;
  }

  /** Adam with PyTorch's defaults. */
  public static Adam defaults() {
    return builder().build();
  }

  /** Adam with this learning rate and PyTorch's other defaults. */
  public static Adam of(double learningRate) {
    return builder().learningRate(learningRate).build();
  }

  public static Builder builder() {
    return new Builder();
  }

  @Override
  public void step(Parameters parameters) {
    float[] w = parameters.values();
    float[] g = parameters.gradients();
    if (m == null) {
      m = new float[w.length];
      v = new float[w.length];
    } else if (m.length != w.length) {
      throw new IllegalStateException("this Adam was used with " + m.length + " parameters, now given " + w.length);
    }
    step++;
    double bias1 = 1 - Math.pow(beta1, step);
    double bias2 = 1 - Math.pow(beta2, step);
    float stepSize = (float) (learningRate / bias1);
    float sqrtBias2 = (float) Math.sqrt(bias2);
    for (int i = 0; i < w.length; i++) {
      float d = g[i] + weightDecay * w[i];
      float mi = beta1 * m[i] + (1f - beta1) * d;
      float vi = beta2 * v[i] + (1f - beta2) * d * d;
      m[i] = mi;
      v[i] = vi;
      w[i] -= stepSize * mi / ((float) Math.sqrt(vi) / sqrtBias2 + epsilon);
    }
  }

  @Override
  public double learningRate() {
    return learningRate;
  }

  @Override
  public void setLearningRate(double learningRate) {
    Checks.nonNegative("Adam learning rate", (float) learningRate);
    this.learningRate = (float) learningRate;
  }

  /** PyTorch's names: {@code exp_avg}, {@code exp_avg_sq} (absent before the first step) and {@code step}. */
  @Override
  public OptimizerState state() {
    Map<String, float[]> buffers = new LinkedHashMap<>();
    if (m != null) {
      buffers.put("exp_avg", m);
      buffers.put("exp_avg_sq", v);
    }
    Map<String, Double> scalars = new LinkedHashMap<>();
    scalars.put("step", (double) step);
    scalars.put("lr", (double) learningRate);
    return new OptimizerState("Adam", buffers, scalars);
  }

  @Override
  public void restore(OptimizerState state) {
    state.checkKind("Adam");
    m = state.buffer("exp_avg");
    v = state.buffer("exp_avg_sq");
    step = (long) state.scalar("step", 0);
    learningRate = (float) state.scalar("lr", learningRate);
  }

  /** The number of steps taken. */
  public long stepCount() {
    return step;
  }

  @Override
  public String toString() {
    return "Adam(lr=" + learningRate + ", betas=(" + beta1 + ", " + beta2 + "), eps=" + epsilon + ", weightDecay="
        + weightDecay + ")";
  }

  /** Hyperparameters, checked by {@link #build()}; defaults as in PyTorch. */
  public static final class Builder {
    private float learningRate = 1e-3f;
    private float beta1 = 0.9f;
    private float beta2 = 0.999f;
    private float epsilon = 1e-8f;
    private float weightDecay;

    private Builder() {}

    public Builder learningRate(double learningRate) {
      this.learningRate = (float) learningRate;
      return this;
    }

    public Builder betas(double beta1, double beta2) {
      this.beta1 = (float) beta1;
      this.beta2 = (float) beta2;
      return this;
    }

    public Builder epsilon(double epsilon) {
      this.epsilon = (float) epsilon;
      return this;
    }

    /** L2 penalty added to the gradient, as PyTorch Adam's {@code weight_decay} (not AdamW's decoupled decay). */
    public Builder weightDecay(double weightDecay) {
      this.weightDecay = (float) weightDecay;
      return this;
    }

    public Adam build() {
      Checks.positive("Adam learning rate", learningRate);
      Checks.inUnitInterval("Adam beta1", beta1);
      Checks.inUnitInterval("Adam beta2", beta2);
      Checks.positive("Adam epsilon", epsilon);
      Checks.nonNegative("Adam weight decay", weightDecay);
      return new Adam(this);
    }
  }
}
