package io.nabla.runtime.optim;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Stochastic gradient descent with PyTorch's {@code torch.optim.SGD} update rule and defaults (momentum,
 * dampening and weight decay 0, no Nesterov; the learning rate has no default, as in PyTorch):
 *
 * <pre>
 * g = grad + weightDecay · w                                           (L2 penalty)
 * b = g on the first step, else momentum · b + (1 - dampening) · g     (only when momentum ≠ 0)
 * g = nesterov ? g + momentum · b : b
 * w = w - lr · g
 * </pre>
 *
 * State ({@link #state()}): {@code momentum_buffer} (b), absent before the first step or without momentum.
 * {@link ParameterGroup}s may override the learning rate and the weight decay of some tensors.
 */
public final class Sgd extends GroupedOptimizer {
  private final float momentum;
  private final float dampening;
  private final float oneMinusDampening;
  private final boolean nesterov;

  private float @Nullable [] velocity;
  private boolean first;

  private Sgd(Builder b) {
    super("SGD", b.learningRate, b.weightDecay, b.groups);
    this.momentum = (float) b.momentum;
    this.dampening = (float) b.dampening;
    this.oneMinusDampening = (float) (1 - b.dampening);
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
  void beginStep(int size) {
    checkRestored("momentum_buffer", velocity, size);
    first = false;
    if (momentum != 0f && velocity == null) {
      velocity = new float[size];
      first = true;
    }
  }

  @Override
  void update(float[] w, float[] g, int from, int to, float lr, float weightDecay, boolean clearGradients) {
    for (int i = from; i < to; i++) {
      float d = weightDecay != 0f ? g[i] + weightDecay * w[i] : g[i];
      if (clearGradients) {
        g[i] = 0f;
      }
      if (momentum != 0f) {
        float b = first ? d : momentum * velocity[i] + oneMinusDampening * d;
        velocity[i] = b;
        d = nesterov ? d + momentum * b : b;
      }
      w[i] -= lr * d;
    }
  }

  /**
   * PyTorch's names: {@code momentum_buffer} (absent before the first step or without momentum); scalars
   * {@code lr} and {@code groups.<i>.lr} for each group with its own learning rate.
   */
  @Override
  public OptimizerState state() {
    Map<String, float[]> buffers = new LinkedHashMap<>();
    if (velocity != null) {
      buffers.put("momentum_buffer", velocity);
    }
    Map<String, Double> scalars = new LinkedHashMap<>();
    putLearningRates(scalars);
    return new OptimizerState(kind, buffers, scalars);
  }

  @Override
  public void restore(OptimizerState state) {
    restoreLearningRates(state);
    velocity = state.buffer("momentum_buffer");
  }

  public float momentum() {
    return momentum;
  }

  /** The momentum buffer, or {@code null} before the first step or without momentum. */
  public float @Nullable [] velocity() {
    return velocity;
  }

  @Override
  public String toString() {
    return "SGD(lr=" + (float) learningRate() + ", momentum=" + momentum + ", dampening=" + dampening
        + ", weightDecay=" + (float) weightDecay() + ", nesterov=" + nesterov + groupsSuffix() + ")";
  }

  /** Hyperparameters, checked by {@link #build()}; defaults as in PyTorch. */
  public static final class Builder {
    private final double learningRate;
    private double momentum;
    private double dampening;
    private double weightDecay;
    private boolean nesterov;
    private final List<ParameterGroup> groups = new ArrayList<>();

    private Builder(double learningRate) {
      this.learningRate = learningRate;
    }

    public Builder momentum(double momentum) {
      this.momentum = momentum;
      return this;
    }

    public Builder dampening(double dampening) {
      this.dampening = dampening;
      return this;
    }

    /** L2 penalty added to the gradient ({@code g + weightDecay · w}), as PyTorch's {@code weight_decay}. */
    public Builder weightDecay(double weightDecay) {
      this.weightDecay = weightDecay;
      return this;
    }

    public Builder nesterov(boolean nesterov) {
      this.nesterov = nesterov;
      return this;
    }

    /** Adds a parameter group; later groups win where groups overlap (see {@link ParameterGroup}). */
    public Builder group(ParameterGroup group) {
      groups.add(Checks.group("SGD", group));
      return this;
    }

    public Sgd build() {
      Checks.positive("SGD learning rate", learningRate);
      Checks.nonNegative("SGD momentum", momentum);
      Checks.nonNegative("SGD dampening", dampening);
      Checks.nonNegative("SGD weight decay", weightDecay);
      if (nesterov && (momentum <= 0 || dampening != 0)) {
        throw new IllegalArgumentException(
            "SGD with Nesterov momentum needs momentum > 0 and dampening = 0, got momentum " + momentum
                + " and dampening " + dampening);
      }
      return new Sgd(this);
    }
  }
}
