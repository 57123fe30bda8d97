package io.nabla.runtime.optim;

import io.nabla.runtime.Parameters;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Stochastic gradient descent with PyTorch's {@code torch.optim.SGD} update rule and defaults:
 *
 * <pre>
 * g = grad + weightDecay · w
 * b = g on the first step, else momentum · b + (1 - dampening) · g     (only when momentum ≠ 0)
 * g = nesterov ? g + momentum · b : b
 * w = w - lr · g
 * </pre>
 */
public final class Sgd implements Optimizer {
  private float learningRate;
  private final float momentum;
  private final float dampening;
  private final float weightDecay;
  private final boolean nesterov;

  private float[] velocity;

  private Sgd(Builder b) {
    this.learningRate = b.learningRate;
    this.momentum = b.momentum;
    this.dampening = b.dampening;
    this.weightDecay = b.weightDecay;
    this.nesterov = b.nesterov;
  }

  /** Plain SGD with this learning rate. */
  public static Sgd of(double learningRate) {
    return builder(learningRate).build();
  }

  public static Builder builder(double learningRate) {
    return new Builder(learningRate);
  }

  @Override
  public void step(Parameters parameters) {
    float[] w = parameters.values();
    float[] g = parameters.gradients();
    boolean first = false;
    if (momentum != 0f && velocity == null) {
      velocity = new float[w.length];
      first = true;
    }
    if (velocity != null && velocity.length != w.length) {
      throw new IllegalStateException(
          "this SGD was used with " + velocity.length + " parameters, now given " + w.length);
    }
    for (int i = 0; i < w.length; i++) {
      float d = g[i] + weightDecay * w[i];
      if (momentum != 0f) {
        float b = first ? d : momentum * velocity[i] + (1f - dampening) * d;
        velocity[i] = b;
        d = nesterov ? d + momentum * b : b;
      }
      w[i] -= learningRate * d;
    }
  }

  @Override
  public double learningRate() {
    return learningRate;
  }

  @Override
  public void setLearningRate(double learningRate) {
    Checks.nonNegative("SGD learning rate", (float) learningRate);
    this.learningRate = (float) learningRate;
  }

  /** PyTorch's names: {@code momentum_buffer} (absent before the first step or without momentum). */
  @Override
  public OptimizerState state() {
    Map<String, float[]> buffers = new LinkedHashMap<>();
    if (velocity != null) {
      buffers.put("momentum_buffer", velocity);
    }
    Map<String, Double> scalars = new LinkedHashMap<>();
    scalars.put("lr", (double) learningRate);
    return new OptimizerState("SGD", buffers, scalars);
  }

  @Override
  public void restore(OptimizerState state) {
    state.checkKind("SGD");
    velocity = state.buffer("momentum_buffer");
    learningRate = (float) state.scalar("lr", learningRate);
  }

  public float momentum() {
    return momentum;
  }

  /** The momentum buffer, or {@code null} before the first step or without momentum. */
  public float[] velocity() {
    return velocity;
  }

  @Override
  public String toString() {
    return "SGD(lr=" + learningRate + ", momentum=" + momentum + ", dampening=" + dampening + ", weightDecay="
        + weightDecay + ", nesterov=" + nesterov + ")";
  }

  /** Hyperparameters, checked by {@link #build()}; defaults as in PyTorch. */
  public static final class Builder {
    private final float learningRate;
    private float momentum;
    private float dampening;
    private float weightDecay;
    private boolean nesterov;

    private Builder(double learningRate) {
      this.learningRate = (float) learningRate;
    }

    public Builder momentum(double momentum) {
      this.momentum = (float) momentum;
      return this;
    }

    public Builder dampening(double dampening) {
      this.dampening = (float) dampening;
      return this;
    }

    /** L2 penalty added to the gradient ({@code g + weightDecay · w}), as PyTorch's {@code weight_decay}. */
    public Builder weightDecay(double weightDecay) {
      this.weightDecay = (float) weightDecay;
      return this;
    }

    public Builder nesterov(boolean nesterov) {
      this.nesterov = nesterov;
      return this;
    }

    public Sgd build() {
      Checks.positive("SGD learning rate", learningRate);
      Checks.nonNegative("SGD momentum", momentum);
      Checks.nonNegative("SGD dampening", dampening);
      Checks.nonNegative("SGD weight decay", weightDecay);
      if (nesterov && (momentum <= 0f || dampening != 0f)) {
        throw new IllegalArgumentException(
            "SGD with Nesterov momentum needs momentum > 0 and dampening = 0, got momentum " + momentum
                + " and dampening " + dampening);
      }
      return new Sgd(this);
    }
  }
}
