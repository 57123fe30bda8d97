package io.nabla.runtime.schedule;

/**
 * PyTorch's {@code OneCycleLR} (the 1cycle policy of Smith &amp; Topin, "Super-Convergence", 2017): the rate rises
 * from {@code maxLr / divFactor} to {@code maxLr} over the first {@code pctStart} of {@code totalSteps}, then
 * anneals down to {@code maxLr / divFactor / finalDivFactor}. It sets its own rates: the optimizer's learning
 * rate and {@link #baseLearningRate(double)} are not used.
 *
 * <pre>
 * initial = maxLr / divFactor,   min = initial / finalDivFactor,   N = totalSteps,   p = pctStart
 * phases (two-phase, the default):   [0, p·N − 1]: initial → maxLr,   [p·N − 1, N − 1]: maxLr → min
 * phases (threePhase):               [0, p·N − 1]: initial → maxLr,   [p·N − 1, 2·p·N − 2]: maxLr → initial,
 *                                    [2·p·N − 2, N − 1]: initial → min
 * in the phase [s, e] from a to b, with x = (t − s) / (e − s):
 *   cos:     lr(t) = b + (a − b) / 2 · (1 + cos(π · x))
 *   linear:  lr(t) = a + (b − a) · x
 * </pre>
 *
 * A phase is the first whose end {@code e ≥ t}, or the last. Positions run from 0 to {@code totalSteps}
 * inclusive, as in PyTorch (which raises one step later): position {@code totalSteps} extrapolates slightly past
 * {@code min}; later positions throw. Advances per step (batch) unless set otherwise.
 *
 * <p>Parameters (PyTorch's names and defaults): {@code maxLr} &gt; 0 ({@code max_lr}), {@code totalSteps} ≥ 1
 * ({@code total_steps}; for PyTorch's {@code epochs} and {@code steps_per_epoch} pass their product),
 * {@code pctStart} in [0, 1] ({@code pct_start}, 0.3), {@code anneal} ({@code anneal_strategy}, cos),
 * {@code divFactor} &gt; 0 ({@code div_factor}, 25), {@code finalDivFactor} &gt; 0 ({@code final_div_factor}, 1e4),
 * {@code threePhase} ({@code three_phase}, false). Settings that give a phase of zero length (PyTorch divides by
 * zero) are rejected. <b>Not provided:</b> PyTorch's momentum cycling ({@code cycle_momentum},
 * {@code base_momentum}, {@code max_momentum}); the values here equal PyTorch's with {@code cycle_momentum=False},
 * and its learning rates do not depend on that setting.
 */
public final class OneCycleSchedule extends ClosedFormSchedule {
  private static final String NAME = "OneCycleSchedule";

  /** How a phase moves from its start rate to its end rate ({@code anneal_strategy}). */
  public enum Anneal {
    COS,
    LINEAR
  }

  private final double maxLr;
  private final long totalSteps;
  private final double pctStart;
  private final Anneal anneal;
  private final double divFactor;
  private final double finalDivFactor;
  private final boolean threePhase;
  private final double[] phaseEnds;
  private final double[] phaseFrom;
  private final double[] phaseTo;

  private OneCycleSchedule(Builder b) {
    super(Unit.STEP);
    this.maxLr = Checks.positive(NAME, "maxLr", "max_lr", b.maxLr);
    this.totalSteps = Checks.atLeast(NAME, "totalSteps", "total_steps", b.totalSteps, 1);
    this.pctStart = Checks.inRange(NAME, "pctStart", "pct_start", b.pctStart, 0, false, 1, false);
    this.anneal = Checks.notNull(NAME, "anneal", b.anneal);
    this.divFactor = Checks.positive(NAME, "divFactor", "div_factor", b.divFactor);
    this.finalDivFactor = Checks.positive(NAME, "finalDivFactor", "final_div_factor", b.finalDivFactor);
    this.threePhase = b.threePhase;
    double initial = maxLr / divFactor;
    double min = initial / finalDivFactor;
    if (threePhase) {
      phaseEnds = new double[] {pctStart * totalSteps - 1, 2 * pctStart * totalSteps - 2, totalSteps - 1};
      phaseFrom = new double[] {initial, maxLr, initial};
      phaseTo = new double[] {maxLr, initial, min};
    } else {
      phaseEnds = new double[] {pctStart * totalSteps - 1, totalSteps - 1};
      phaseFrom = new double[] {initial, maxLr};
      phaseTo = new double[] {maxLr, min};
    }
    double start = 0;
    for (int i = 0; i < phaseEnds.length; i++) {
      if (phaseEnds[i] == start) {
        throw new IllegalArgumentException(NAME + " pctStart (pct_start) = " + pctStart + " with totalSteps "
            + "(total_steps) = " + totalSteps + (threePhase ? " and threePhase" : "") + " gives phase " + (i + 1)
            + " zero length (PyTorch would divide by zero); change pctStart or totalSteps");
      }
      start = phaseEnds[i];
    }
  }

  /** A one-cycle schedule with PyTorch's defaults, to adjust with the builder's setters. */
  public static Builder builder(double maxLr, long totalSteps) {
    return new Builder(maxLr, totalSteps);
  }

  @Override
  protected double compute(double ignored, long t) {
    double start = 0;
    for (int i = 0; i < phaseEnds.length; i++) {
      double end = phaseEnds[i];
      if (t <= end || i == phaseEnds.length - 1) {
        double x = (t - start) / (end - start);
        double a = phaseFrom[i];
        double b = phaseTo[i];
        return anneal == Anneal.COS ? b + (a - b) / 2.0 * (Math.cos(Math.PI * x) + 1) : (b - a) * x + a;
      }
      start = end;
    }
    throw new AssertionError();
  }

  @Override
  protected boolean usesBaseLearningRate() {
    return false;
  }

  @Override
  protected long lastPosition() {
    return totalSteps;
  }

  @Override
  protected String parameters() {
    return "maxLr=" + maxLr + ", totalSteps=" + totalSteps + ", pctStart=" + pctStart + ", anneal=" + anneal
        + ", divFactor=" + divFactor + ", finalDivFactor=" + finalDivFactor + ", threePhase=" + threePhase;
  }

  /** Settings of a {@link OneCycleSchedule}, with PyTorch's defaults; checked by {@link #build()}. */
  public static final class Builder {
    private final double maxLr;
    private final long totalSteps;
    private double pctStart = 0.3;
    private Anneal anneal = Anneal.COS;
    private double divFactor = 25;
    private double finalDivFactor = 1e4;
    private boolean threePhase;

    private Builder(double maxLr, long totalSteps) {
      this.maxLr = maxLr;
      this.totalSteps = totalSteps;
    }

    /** The fraction of the steps spent rising to {@code maxLr} ({@code pct_start}, default 0.3). */
    public Builder pctStart(double pctStart) {
      this.pctStart = pctStart;
      return this;
    }

    /** {@code anneal_strategy}, default {@link Anneal#COS}. */
    public Builder anneal(Anneal anneal) {
      this.anneal = anneal;
      return this;
    }

    /** The first rate is {@code maxLr / divFactor} ({@code div_factor}, default 25). */
    public Builder divFactor(double divFactor) {
      this.divFactor = divFactor;
      return this;
    }

    /** The last rate is the first divided by {@code finalDivFactor} ({@code final_div_factor}, default 1e4). */
    public Builder finalDivFactor(double finalDivFactor) {
      this.finalDivFactor = finalDivFactor;
      return this;
    }

    /** Back down to the first rate, then to the last, as the original paper ({@code three_phase}, default false). */
    public Builder threePhase(boolean threePhase) {
      this.threePhase = threePhase;
      return this;
    }

    public OneCycleSchedule build() {
      return new OneCycleSchedule(this);
    }
  }
}
