package io.nabla.runtime.optim;


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
  public static final class Builder extends AdamBase.Settings<Builder> {
    private Builder() {
      super("Adam", 0);
    }

    @Override
    Builder self() {
      return this;
    }

    public Adam build() {
      check();
      return new Adam(this);
    }
  }
}
