package io.nabla.runtime.optim;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Adagrad with PyTorch's {@code torch.optim.Adagrad} update rule and defaults (lr 1e-2, lr decay 0, weight decay
 * 0, initial accumulator value 0, eps 1e-10):
 *
 * <pre>
 * t = t + 1;  g = grad + weightDecay · w                     (L2 penalty)
 * clr = lr / (1 + (t - 1) · lrDecay)
 * sum = sum + g²                                              (sum starts at initialAccumulatorValue)
 * w = w - clr · g / (√sum + eps)
 * </pre>
 *
 * State ({@link #state()}): {@code sum} and {@code step} (t). PyTorch fills {@code sum} when the optimizer is
 * built; here it is allocated, filled with the initial accumulator value, at the first step, which gives the same
 * updates. {@link ParameterGroup}s may override the learning rate and the weight decay of some tensors.
 */
public final class AdaGrad extends GroupedOptimizer {
  private final double lrDecay;
  private final float initialAccumulatorValue;
  private final float epsilon;

  private float @Nullable [] sum;
  private long step;

  private AdaGrad(Builder b) {
    super("Adagrad", b.learningRate, b.weightDecay, b.groups);
    this.lrDecay = b.lrDecay;
    this.initialAccumulatorValue = (float) b.initialAccumulatorValue;
    this.epsilon = (float) b.epsilon;
  }

  /** Adagrad with PyTorch's defaults. */
  public static AdaGrad defaults() {
    return builder().build();
  }

  /** Adagrad with this learning rate and PyTorch's other defaults. */
  public static AdaGrad of(double learningRate) {
    return builder().learningRate(learningRate).build();
  }

  public static Builder builder() {
    return new Builder();
  }

  @Override
  void beginStep(int size) {
    checkRestored("sum", sum, size);
    if (sum == null) {
      sum = new float[size];
      Arrays.fill(sum, initialAccumulatorValue);
    }
    step++;
  }

  @Override
  void update(float[] w, float[] g, int from, int to, float lr, float weightDecay, boolean clearGradients) {
    float clr = (float) (lr / (1 + (step - 1) * lrDecay));
    for (int i = from; i < to; i++) {
      float d = weightDecay != 0f ? g[i] + weightDecay * w[i] : g[i];
      if (clearGradients) {
        g[i] = 0f;
      }
      float s = sum[i] + d * d;
      sum[i] = s;
      w[i] -= clr * (d / ((float) Math.sqrt(s) + epsilon));
    }
  }

  /**
   * PyTorch's names: {@code sum} (absent before the first step); scalars {@code step}, {@code lr} and
   * {@code groups.<i>.lr} for each group with its own learning rate.
   */
  @Override
  public OptimizerState state() {
    Map<String, float[]> buffers = new LinkedHashMap<>();
    if (sum != null) {
      buffers.put("sum", sum);
    }
    Map<String, Double> scalars = new LinkedHashMap<>();
    scalars.put("step", (double) step);
    putLearningRates(scalars);
    return new OptimizerState(kind, buffers, scalars);
  }

  @Override
  public void restore(OptimizerState state) {
    restoreLearningRates(state);
    sum = state.buffer("sum");
    step = (long) state.scalar("step", 0);
  }

  /** The number of steps taken. */
  public long stepCount() {
    return step;
  }

  @Override
  public String toString() {
    return "Adagrad(lr=" + (float) learningRate() + ", lrDecay=" + lrDecay + ", weightDecay=" + (float) weightDecay()
        + ", initialAccumulatorValue=" + initialAccumulatorValue + ", eps=" + epsilon + groupsSuffix() + ")";
  }

  /** Hyperparameters, checked by {@link #build()}; defaults as in PyTorch. */
  public static final class Builder {
    private double learningRate = 1e-2;
    private double lrDecay;
    private double weightDecay;
    private double initialAccumulatorValue;
    private double epsilon = 1e-10;
    private final List<ParameterGroup> groups = new ArrayList<>();

    private Builder() {}

    public Builder learningRate(double learningRate) {
      this.learningRate = learningRate;
      return this;
    }

    /** Step {@code t} uses {@code lr / (1 + (t - 1) · lrDecay)}; default 0. */
    public Builder lrDecay(double lrDecay) {
      this.lrDecay = lrDecay;
      return this;
    }

    /** L2 penalty added to the gradient ({@code g + weightDecay · w}), as PyTorch's {@code weight_decay}. */
    public Builder weightDecay(double weightDecay) {
      this.weightDecay = weightDecay;
      return this;
    }

    /** The value every sum of squares starts from; default 0. */
    public Builder initialAccumulatorValue(double initialAccumulatorValue) {
      this.initialAccumulatorValue = initialAccumulatorValue;
      return this;
    }

    /** Added to the root of the sum; default 1e-10. */
    public Builder epsilon(double epsilon) {
      this.epsilon = epsilon;
      return this;
    }

    /** Adds a parameter group; later groups win where groups overlap (see {@link ParameterGroup}). */
    public Builder group(ParameterGroup group) {
      groups.add(Checks.group("Adagrad", group));
      return this;
    }

    public AdaGrad build() {
      Checks.positive("Adagrad learning rate", learningRate);
      Checks.nonNegative("Adagrad lr decay", lrDecay);
      Checks.nonNegative("Adagrad weight decay", weightDecay);
      Checks.nonNegative("Adagrad initial accumulator value", initialAccumulatorValue);
      Checks.positive("Adagrad epsilon", epsilon);
      return new AdaGrad(this);
    }
  }
}
