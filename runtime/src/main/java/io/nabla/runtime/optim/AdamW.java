package io.nabla.runtime.optim;

import java.util.ArrayList;
import java.util.List;

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
  public static final class Builder {
    private double learningRate = 1e-3;
    private double beta1 = 0.9;
    private double beta2 = 0.999;
    private double epsilon = 1e-8;
    private double weightDecay = 1e-2;
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

    /** Decoupled weight decay, {@code w ← w · (1 - lr · weightDecay)} each step; default 1e-2 as in PyTorch. */
    public Builder weightDecay(double weightDecay) {
      this.weightDecay = weightDecay;
      return this;
    }

    /** AMSGrad: normalise by the largest {@code v} so far, as PyTorch's {@code amsgrad=True}. */
    public Builder amsgrad(boolean amsgrad) {
      this.amsgrad = amsgrad;
      return this;
    }

    /** Adds a parameter group; later groups win where groups overlap (see {@link ParameterGroup}). */
    public Builder group(ParameterGroup group) {
      groups.add(Checks.group("AdamW", group));
      return this;
    }

    public AdamW build() {
      Checks.positive("AdamW learning rate", learningRate);
      Checks.inUnitInterval("AdamW beta1", beta1);
      Checks.inUnitInterval("AdamW beta2", beta2);
      Checks.positive("AdamW epsilon", epsilon);
      Checks.nonNegative("AdamW weight decay", weightDecay);
      return new AdamW(this);
    }
  }
}
