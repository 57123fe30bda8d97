package io.nabla.runtime.optim;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * RMSprop with PyTorch's {@code torch.optim.RMSprop} update rule and defaults (lr 1e-2, alpha 0.99, eps 1e-8,
 * weight decay 0, momentum 0, not centered):
 *
 * <pre>
 * g = grad + weightDecay · w                                  (L2 penalty)
 * s = α · s + (1 - α) · g²
 * centered:  a = α · a + (1 - α) · g;  d = √(s - a²) + eps    otherwise  d = √s + eps
 * momentum > 0:  b = momentum · b + g / d;  w = w - lr · b    otherwise  w = w - lr · g / d
 * </pre>
 *
 * Note that {@code eps} is added outside the square root, as in PyTorch (Keras adds it inside). State
 * ({@link #state()}): {@code square_avg} (s), {@code grad_avg} (a, centered), {@code momentum_buffer} (b, with
 * momentum; zeros before the first step, unlike SGD's) and {@code step}. {@link ParameterGroup}s may override the
 * learning rate and the weight decay of some tensors.
 */
public final class RmsProp extends GroupedOptimizer {
  private final double alpha;
  private final float floatAlpha;
  private final float oneMinusAlpha;
  private final float epsilon;
  private final float momentum;
  private final boolean centered;

  private float @Nullable [] squareAvg;
  private float @Nullable [] gradAvg;
  private float @Nullable [] momentumBuffer;
  private long step;

  private RmsProp(Builder b) {
    super("RMSprop", b.learningRate, b.weightDecay, b.groups);
    this.alpha = b.alpha;
    this.floatAlpha = (float) b.alpha;
    this.oneMinusAlpha = (float) (1 - b.alpha);
    this.epsilon = (float) b.epsilon;
    this.momentum = (float) b.momentum;
    this.centered = b.centered;
  }

  /** RMSprop with PyTorch's defaults. */
  public static RmsProp defaults() {
    return builder().build();
  }

  /** RMSprop with this learning rate and PyTorch's other defaults. */
  public static RmsProp of(double learningRate) {
    return builder().learningRate(learningRate).build();
  }

  public static Builder builder() {
    return new Builder();
  }

  @Override
  void beginStep(int size) {
    checkRestored("square_avg", squareAvg, size);
    checkRestored("grad_avg", gradAvg, size);
    checkRestored("momentum_buffer", momentumBuffer, size);
    if (squareAvg == null) {
      squareAvg = new float[size];
      if (centered) {
        gradAvg = new float[size];
      }
      if (momentum > 0f) {
        momentumBuffer = new float[size];
      }
    }
    step++;
  }

  @Override
  void update(float[] w, float[] g, int from, int to, float lr, float weightDecay, boolean clearGradients) {
    for (int i = from; i < to; i++) {
      float d = weightDecay != 0f ? g[i] + weightDecay * w[i] : g[i];
      if (clearGradients) {
        g[i] = 0f;
      }
      float s = floatAlpha * squareAvg[i] + oneMinusAlpha * d * d;
      squareAvg[i] = s;
      float avg;
      if (centered) {
        float a = floatAlpha * gradAvg[i] + oneMinusAlpha * d;
        gradAvg[i] = a;
        avg = (float) Math.sqrt(s - a * a) + epsilon;
      } else {
        avg = (float) Math.sqrt(s) + epsilon;
      }
      if (momentum > 0f) {
        float b = momentum * momentumBuffer[i] + d / avg;
        momentumBuffer[i] = b;
        w[i] -= lr * b;
      } else {
        w[i] -= lr * (d / avg);
      }
    }
  }

  /**
   * PyTorch's names: {@code square_avg}, {@code grad_avg} (centered), {@code momentum_buffer} (momentum &gt; 0),
   * all absent before the first step; scalars {@code step}, {@code lr} and {@code groups.<i>.lr} for each group
   * with its own learning rate.
   */
  @Override
  public OptimizerState state() {
    Map<String, float[]> buffers = new LinkedHashMap<>();
    if (squareAvg != null) {
      buffers.put("square_avg", squareAvg);
      if (gradAvg != null) {
        buffers.put("grad_avg", gradAvg);
      }
      if (momentumBuffer != null) {
        buffers.put("momentum_buffer", momentumBuffer);
      }
    }
    Map<String, Double> scalars = new LinkedHashMap<>();
    scalars.put("step", (double) step);
    putLearningRates(scalars);
    return new OptimizerState(kind, buffers, scalars);
  }

  /**
   * @throws IllegalArgumentException if the state is of another kind or its buffers do not match this RMSprop's
   *     centering and momentum
   */
  @Override
  public void restore(OptimizerState state) {
    restoreLearningRates(state);
    float[] s = state.buffer("square_avg");
    float[] a = state.buffer("grad_avg");
    float[] b = state.buffer("momentum_buffer");
    if (s != null && (centered != (a != null) || (momentum > 0f) != (b != null))) {
      throw new IllegalArgumentException("the state's buffers " + state.buffers().keySet() + " do not fit " + this
          + ", which keeps square_avg" + (centered ? ", grad_avg" : "") + (momentum > 0f ? ", momentum_buffer" : ""));
    }
    squareAvg = s;
    gradAvg = s == null ? null : a;
    momentumBuffer = s == null ? null : b;
    step = (long) state.scalar("step", 0);
  }

  /** The number of steps taken. */
  public long stepCount() {
    return step;
  }

  @Override
  public String toString() {
    return "RMSprop(lr=" + (float) learningRate() + ", alpha=" + alpha + ", eps=" + epsilon + ", weightDecay="
        + (float) weightDecay() + ", momentum=" + momentum + ", centered=" + centered + groupsSuffix() + ")";
  }

  /** Hyperparameters, checked by {@link #build()}; defaults as in PyTorch. */
  public static final class Builder {
    private double learningRate = 1e-2;
    private double alpha = 0.99;
    private double epsilon = 1e-8;
    private double weightDecay;
    private double momentum;
    private boolean centered;
    private final List<ParameterGroup> groups = new ArrayList<>();

    private Builder() {}

    public Builder learningRate(double learningRate) {
      this.learningRate = learningRate;
      return this;
    }

    /** The smoothing constant of the squared-gradient average, in [0, 1); default 0.99. */
    public Builder alpha(double alpha) {
      this.alpha = alpha;
      return this;
    }

    /** Added to the root mean square, outside the square root; default 1e-8. */
    public Builder epsilon(double epsilon) {
      this.epsilon = epsilon;
      return this;
    }

    /** L2 penalty added to the gradient ({@code g + weightDecay · w}), as PyTorch's {@code weight_decay}. */
    public Builder weightDecay(double weightDecay) {
      this.weightDecay = weightDecay;
      return this;
    }

    public Builder momentum(double momentum) {
      this.momentum = momentum;
      return this;
    }

    /** Normalise by an estimate of the gradient's variance, {@code s - a²}, rather than its second moment. */
    public Builder centered(boolean centered) {
      this.centered = centered;
      return this;
    }

    /** Adds a parameter group; later groups win where groups overlap (see {@link ParameterGroup}). */
    public Builder group(ParameterGroup group) {
      groups.add(Checks.group("RMSprop", group));
      return this;
    }

    public RmsProp build() {
      Checks.positive("RMSprop learning rate", learningRate);
      Checks.inUnitInterval("RMSprop alpha", alpha);
      Checks.positive("RMSprop epsilon", epsilon);
      Checks.nonNegative("RMSprop weight decay", weightDecay);
      Checks.nonNegative("RMSprop momentum", momentum);
      return new RmsProp(this);
    }
  }
}
