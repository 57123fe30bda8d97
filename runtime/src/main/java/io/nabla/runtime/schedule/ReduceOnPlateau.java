package io.nabla.runtime.schedule;

import io.nabla.runtime.optim.Optimizer;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * PyTorch's {@code ReduceLROnPlateau}: multiplies the rate by {@code factor} when the monitored metric has not
 * improved for more than {@code patience} epochs. Fed by {@link #observe(double)} once per epoch; the position
 * arguments of {@link #learningRate(long, int)} and {@link #apply} are ignored.
 *
 * <pre>
 * on observe(m):
 *   better = m &lt; best·(1 − threshold)   (min, rel)      m &lt; best − threshold   (min, abs)
 *            m &gt; best·(1 + threshold)   (max, rel)      m &gt; best + threshold   (max, abs)
 *   if better: best = m, numBadEpochs = 0   else: numBadEpochs += 1
 *   if cooldownCounter &gt; 0: cooldownCounter −= 1, numBadEpochs = 0        (bad epochs in cooldown do not count)
 *   if numBadEpochs &gt; patience: reduce, cooldownCounter = cooldown, numBadEpochs = 0
 * reduce: new = max(lr · factor, minLr);  lr = new if lr − new &gt; eps (else unchanged)
 * </pre>
 *
 * {@code best} starts at +∞ (min) or −∞ (max), and {@code lr} at the base learning rate. A NaN metric is never
 * better, as in PyTorch. The rate is kept here in double, so it does not compound with changes made to the
 * optimizer's rate by someone else (PyTorch's reads the optimizer's rate back).
 *
 * <p>Parameters (PyTorch's names and defaults): {@code mode} ({@code mode}, min), {@code factor} in [0, 1)
 * ({@code factor}, 0.1), {@code patience} ≥ 0 ({@code patience}, 10), {@code threshold} ≥ 0 ({@code threshold},
 * 1e-4), {@code thresholdMode} ({@code threshold_mode}, rel), {@code cooldown} ≥ 0 ({@code cooldown}, 0),
 * {@code minLearningRate} ≥ 0 ({@code min_lr}, 0; one value, not one per parameter group), {@code eps} ≥ 0
 * ({@code eps}, 1e-8).
 *
 * <p>State ({@link #state()}), under PyTorch's names: {@code best}, {@code num_bad_epochs},
 * {@code cooldown_counter}, {@code last_epoch} (metrics observed), {@code reductions} (times the patience ran
 * out, including reductions that {@code minLearningRate} or {@code eps} made no-ops) and {@code base_lr} once
 * known. {@code best} is ±∞ until the first metric.
 */
public final class ReduceOnPlateau implements LearningRateSchedule {
  private static final String NAME = "ReduceOnPlateau";
  static final String BEST = "best";
  static final String NUM_BAD_EPOCHS = "num_bad_epochs";
  static final String COOLDOWN_COUNTER = "cooldown_counter";
  static final String LAST_EPOCH = "last_epoch";
  static final String REDUCTIONS = "reductions";

  /** Whether the metric should go down (a loss) or up (an accuracy). */
  public enum Mode {
    MIN,
    MAX
  }

  /** Whether {@code threshold} is relative to {@code best} or absolute. */
  public enum ThresholdMode {
    REL,
    ABS
  }

  private final Mode mode;
  private final double factor;
  private final int patience;
  private final double threshold;
  private final ThresholdMode thresholdMode;
  private final int cooldown;
  private final double minLearningRate;
  private final double eps;

  private double baseLearningRate;
  private long reductions;
  private double best;
  private long numBadEpochs;
  private long cooldownCounter;
  private long lastEpoch;

  private ReduceOnPlateau(Builder b) {
    this.mode = Checks.notNull(NAME, "mode", b.mode);
    this.factor = Checks.inRange(NAME, "factor", null, b.factor, 0, false, 1, true);
    this.patience = (int) Checks.atLeast(NAME, "patience", null, b.patience, 0);
    this.threshold = Checks.nonNegative(NAME, "threshold", null, b.threshold);
    this.thresholdMode = Checks.notNull(NAME, "thresholdMode", b.thresholdMode);
    this.cooldown = (int) Checks.atLeast(NAME, "cooldown", null, b.cooldown, 0);
    this.minLearningRate = Checks.nonNegative(NAME, "minLearningRate", "min_lr", b.minLearningRate);
    this.eps = Checks.nonNegative(NAME, "eps", null, b.eps);
    this.baseLearningRate = Double.isNaN(b.baseLearningRate) ? Double.NaN
        : Checks.nonNegative(NAME, "baseLearningRate", "initial_lr", b.baseLearningRate);
    this.best = worst();
  }

  /** PyTorch's defaults: min mode, factor 0.1, patience 10, relative threshold 1e-4, no cooldown, no minimum. */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public Unit unit() {
    return Unit.EPOCH;
  }

  /** PyTorch's {@code scheduler.step(metric)}: call once per epoch with the monitored metric. */
  @Override
  public void observe(double metric) {
    lastEpoch++;
    if (isBetter(metric)) {
      best = metric;
      numBadEpochs = 0;
    } else {
      numBadEpochs++;
    }
    if (cooldownCounter > 0) {
      cooldownCounter--;
      numBadEpochs = 0;
    }
    if (numBadEpochs > patience) {
      reductions++;
      cooldownCounter = cooldown;
      numBadEpochs = 0;
    }
  }

  private boolean isBetter(double metric) {
    if (mode == Mode.MIN) {
      return thresholdMode == ThresholdMode.REL ? metric < best * (1.0 - threshold) : metric < best - threshold;
    }
    return thresholdMode == ThresholdMode.REL ? metric > best * (threshold + 1.0) : metric > best + threshold;
  }

  private double worst() {
    return mode == Mode.MIN ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY;
  }

  /** The current learning rate: the base one after every reduction so far. */
  public double learningRate() {
    if (Double.isNaN(baseLearningRate)) {
      throw new IllegalStateException(NAME + " does not know its base learning rate yet: apply it to an optimizer, "
          + "whose learningRate() it then reads, or give it with baseLearningRate(x)");
    }
    double rate = baseLearningRate;
    for (long i = 0; i < reductions; i++) {
      double reduced = Math.max(rate * factor, minLearningRate);
      if (!(rate - reduced > eps)) {
        break; // the same test fails for every later reduction
      }
      rate = reduced;
    }
    return rate;
  }

  /** {@link #learningRate()}: the positions are ignored. */
  @Override
  public double learningRate(long step, int epoch) {
    Checks.position(NAME, step, epoch);
    return learningRate();
  }

  @Override
  public double apply(Optimizer optimizer, long step, int epoch) {
    Checks.position(NAME, step, epoch);
    if (Double.isNaN(baseLearningRate)) {
      baseLearningRate = Checks.baseFrom(NAME, optimizer);
    }
    double rate = learningRate();
    optimizer.setLearningRate(rate);
    return rate;
  }

  /** The base learning rate, or {@code NaN} while unknown. */
  public double baseLearningRate() {
    return baseLearningRate;
  }

  @Override
  public Map<String, Double> state() {
    Map<String, Double> state = new LinkedHashMap<>();
    if (!Double.isNaN(baseLearningRate)) {
      state.put(ClosedFormSchedule.BASE_LR, baseLearningRate);
    }
    state.put(BEST, best);
    state.put(NUM_BAD_EPOCHS, (double) numBadEpochs);
    state.put(COOLDOWN_COUNTER, (double) cooldownCounter);
    state.put(LAST_EPOCH, (double) lastEpoch);
    state.put(REDUCTIONS, (double) reductions);
    return state;
  }

  @Override
  public void restore(Map<String, Double> state) {
    for (String key : state.keySet()) {
      if (!key.equals(ClosedFormSchedule.BASE_LR) && !key.equals(BEST) && !key.equals(NUM_BAD_EPOCHS)
          && !key.equals(COOLDOWN_COUNTER) && !key.equals(LAST_EPOCH) && !key.equals(REDUCTIONS)) {
        throw new IllegalArgumentException(NAME + " does not keep " + key + " in its state; it keeps "
            + ClosedFormSchedule.BASE_LR + ", " + BEST + ", " + NUM_BAD_EPOCHS + ", " + COOLDOWN_COUNTER + ", "
            + LAST_EPOCH + ", " + REDUCTIONS);
      }
    }
    double newBest = required(state, BEST);
    if (Double.isNaN(newBest) || newBest == -worst()) {
      throw new IllegalArgumentException(NAME + " state " + BEST + " = " + newBest + " cannot come from mode "
          + mode.name().toLowerCase(Locale.ROOT));
    }
    long newBad = count(state, NUM_BAD_EPOCHS);
    long newCooldown = count(state, COOLDOWN_COUNTER);
    long newLast = count(state, LAST_EPOCH);
    long newReductions = count(state, REDUCTIONS);
    Double base = state.get(ClosedFormSchedule.BASE_LR);
    if (base != null) {
      baseLearningRate = Checks.nonNegative(NAME, "state " + ClosedFormSchedule.BASE_LR, null, base);
    }
    best = newBest;
    numBadEpochs = newBad;
    cooldownCounter = newCooldown;
    lastEpoch = newLast;
    reductions = newReductions;
  }

  private static double required(Map<String, Double> state, String key) {
    Double v = state.get(key);
    if (v == null) {
      throw new IllegalArgumentException(NAME + " state lacks " + key);
    }
    return v;
  }

  private static long count(Map<String, Double> state, String key) {
    double v = required(state, key);
    if (!(v >= 0) || v != Math.rint(v) || v > Long.MAX_VALUE) {
      throw new IllegalArgumentException(NAME + " state " + key + " must be a whole number ≥ 0, got " + v);
    }
    return (long) v;
  }

  @Override
  public String toString() {
    return NAME + "(mode=" + mode + ", factor=" + factor + ", patience=" + patience + ", threshold=" + threshold
        + ", thresholdMode=" + thresholdMode + ", cooldown=" + cooldown + ", minLearningRate=" + minLearningRate
        + ", eps=" + eps + (Double.isNaN(baseLearningRate) ? "" : ", base " + baseLearningRate) + ")";
  }

  /** Settings of a {@link ReduceOnPlateau}, with PyTorch's defaults; checked by {@link #build()}. */
  public static final class Builder {
    private Mode mode = Mode.MIN;
    private double factor = 0.1;
    private int patience = 10;
    private double threshold = 1e-4;
    private ThresholdMode thresholdMode = ThresholdMode.REL;
    private int cooldown;
    private double minLearningRate;
    private double eps = 1e-8;
    private double baseLearningRate = Double.NaN;

    private Builder() {}

    /** {@link Mode#MIN} for a loss (default), {@link Mode#MAX} for an accuracy. */
    public Builder mode(Mode mode) {
      this.mode = mode;
      return this;
    }

    /** new rate = rate · factor, in [0, 1) (default 0.1). */
    public Builder factor(double factor) {
      this.factor = factor;
      return this;
    }

    /** Epochs without improvement tolerated; the rate drops after {@code patience + 1} (default 10). */
    public Builder patience(int patience) {
      this.patience = patience;
      return this;
    }

    /** How much better counts as an improvement (default 1e-4), relative or absolute per {@link #thresholdMode}. */
    public Builder threshold(double threshold) {
      this.threshold = threshold;
      return this;
    }

    /** {@link ThresholdMode#REL} (default) or {@link ThresholdMode#ABS}. */
    public Builder thresholdMode(ThresholdMode thresholdMode) {
      this.thresholdMode = thresholdMode;
      return this;
    }

    /** Epochs after a reduction during which bad epochs are not counted (default 0). */
    public Builder cooldown(int cooldown) {
      this.cooldown = cooldown;
      return this;
    }

    /** The rate never goes below this ({@code min_lr}, default 0). */
    public Builder minLearningRate(double minLearningRate) {
      this.minLearningRate = minLearningRate;
      return this;
    }

    /** A reduction smaller than this is skipped (default 1e-8). */
    public Builder eps(double eps) {
      this.eps = eps;
      return this;
    }

    /** The starting rate, instead of the optimizer's rate when first applied. */
    public Builder baseLearningRate(double baseLearningRate) {
      this.baseLearningRate = baseLearningRate;
      return this;
    }

    public ReduceOnPlateau build() {
      return new ReduceOnPlateau(this);
    }
  }
}
