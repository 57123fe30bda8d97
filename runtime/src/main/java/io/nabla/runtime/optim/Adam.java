package io.nabla.runtime.optim;

import java.util.ArrayList;
import java.util.List;

/**
 * Adam with PyTorch's {@code torch.optim.Adam} update rule and defaults (lr 1e-3, betas 0.9 and 0.999, eps 1e-8,
 * weight decay 0, no AMSGrad):
 *
 * <pre>
 * t = t + 1;  g = grad + weightDecay · w                (L2 penalty; see {@link AdamW} for decoupled decay)
 * m = β1 · m + (1 - β1) · g
 * v = β2 · v + (1 - β2) · g²
 * v̂ = amsgrad ? (vMax = max(vMax, v)) : v
 * w = w - (lr / (1 - β1^t)) · m / (√v̂ / √(1 - β2^t) + eps)
 * </pre>
 *
 * State ({@link #state()}): {@code exp_avg} (m), {@code exp_avg_sq} (v), {@code max_exp_avg_sq} (vMax, with
 * AMSGrad) and {@code step} (t). {@link ParameterGroup}s may override the learning rate and the weight decay of
 * some tensors.
 */
public final class Adam extends AdamBase {
  private Adam(Builder b) {
    super("Adam", b.learningRate, b.beta1, b.beta2, b.epsilon, b.weightDecay, b.amsgrad, false, b.groups);
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

  /** Hyperparameters, checked by {@link #build()}; defaults as in PyTorch. */
  public static final class Builder {
    private double learningRate = 1e-3;
    private double beta1 = 0.9;
    private double beta2 = 0.999;
    private double epsilon = 1e-8;
    private double weightDecay;
    private boolean amsgrad;
    private final List<ParameterGroup> groups = new ArrayList<>();

    private Builder() {}

    public Builder learningRate(double learningRate) {
      this.learningRate = learningRate;
      return this;
    }

    public Builder betas(double beta1, double beta2) {
      this.beta1 = beta1;
      this.beta2 = beta2;
      return this;
    }

    public Builder epsilon(double epsilon) {
      this.epsilon = epsilon;
      return this;
    }

    /** L2 penalty added to the gradient, as PyTorch Adam's {@code weight_decay} (not AdamW's decoupled decay). */
    public Builder weightDecay(double weightDecay) {
      this.weightDecay = weightDecay;
      return this;
    }

    /** AMSGrad (Reddi et al.): normalise by the largest {@code v} so far, as PyTorch's {@code amsgrad=True}. */
    public Builder amsgrad(boolean amsgrad) {
      this.amsgrad = amsgrad;
      return this;
    }

    /** Adds a parameter group; later groups win where groups overlap (see {@link ParameterGroup}). */
    public Builder group(ParameterGroup group) {
      groups.add(Checks.group("Adam", group));
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
