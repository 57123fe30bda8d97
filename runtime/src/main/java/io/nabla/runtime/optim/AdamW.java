package io.nabla.runtime.optim;


/**
 * AdamW (Loshchilov &amp; Hutter) with PyTorch's {@code torch.optim.AdamW} update rule and defaults (lr 1e-3, betas
 * 0.9 and 0.999, eps 1e-8, weight decay 1e-2, no AMSGrad). The weight decay is decoupled from the gradient: it
 * shrinks the weights by {@code lr · weightDecay} and never enters the moments.
 *
 * <pre>
 * t = t + 1;  w = w · (1 - lr · weightDecay)             (decoupled; {@link Adam} adds it to g instead)
 * m = β1 · m + (1 - β1) · grad
 * v = β2 · v + (1 - β2) · grad²
 * v̂ = amsgrad ? (vMax = max(vMax, v)) : v
 * w = w - (lr / (1 - β1^t)) · m / (√v̂ / √(1 - β2^t) + eps)
 * </pre>
 *
 * State ({@link #state()}): {@code exp_avg} (m), {@code exp_avg_sq} (v), {@code max_exp_avg_sq} (vMax, with
 * AMSGrad) and {@code step} (t). {@link ParameterGroup}s may override the learning rate and the weight decay of
 * some tensors, typically {@code ParameterGroup.biases().weightDecay(0)}.
 */
public final class AdamW extends AdamBase {
  private AdamW(Builder b) {
    super("AdamW", b.learningRate, b.beta1, b.beta2, b.epsilon, b.weightDecay, b.amsgrad, true, b.groups);
  }

  /** AdamW with PyTorch's defaults. */
  public static AdamW defaults() {
    return builder().build();
  }

  /** AdamW with this learning rate and PyTorch's other defaults (weight decay 1e-2). */
  public static AdamW of(double learningRate) {
    return builder().learningRate(learningRate).build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Hyperparameters, checked by {@link #build()}; defaults as in PyTorch. */
  public static final class Builder extends AdamBase.Settings<Builder> {
    private Builder() {
      super("AdamW", 1e-2);
    }

    @Override
    Builder self() {
      return this;
    }

    public AdamW build() {
      check();
      return new AdamW(this);
    }
  }
}
