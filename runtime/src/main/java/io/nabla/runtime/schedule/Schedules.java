package io.nabla.runtime.schedule;

import java.util.Arrays;
import java.util.List;

/**
 * The built-in learning-rate schedules, each with the values of the PyTorch 1.13 scheduler it is named after
 * (checked step for step against PyTorch within 1e-6 relative error). All but {@link #oneCycle} advance once per
 * epoch unless given {@code .perStep()}; see {@link LearningRateSchedule} for positions and the base rate.
 *
 * <pre>{@code
 * Schedules.step(30, 0.1)                                     // StepLR(step_size=30, gamma=0.1)
 * Schedules.cosine(100).perStep()                             // CosineAnnealingLR(T_max=100), stepped per batch
 * Schedules.sequential(Schedules.linearWarmup(0.01, 500).perStep(), 500,
 *                      Schedules.cosine(9500).perStep())      // warm-up then cosine, in steps
 * Schedules.oneCycle(0.1, epochs * stepsPerEpoch)             // OneCycleLR(max_lr=0.1, total_steps=...)
 * ReduceOnPlateau.builder().factor(0.5).patience(3).build()   // ReduceLROnPlateau(factor=0.5, patience=3)
 * }</pre>
 */
public final class Schedules {
  private Schedules() {}

  /** The base learning rate throughout. */
  public static ConstantSchedule constant() {
    return new ConstantSchedule(1.0, 0);
  }

  /** PyTorch's {@code ConstantLR(factor, total_iters)}: base · factor before {@code totalIters}, then base. */
  public static ConstantSchedule constant(double factor, long totalIters) {
    return new ConstantSchedule(factor, totalIters);
  }

  /** PyTorch's {@code StepLR(step_size, gamma=0.1)}: base · 0.1^⌊t / stepSize⌋. */
  public static StepSchedule step(long stepSize) {
    return new StepSchedule(stepSize, 0.1);
  }

  /** PyTorch's {@code StepLR(step_size, gamma)}: base · gamma^⌊t / stepSize⌋. */
  public static StepSchedule step(long stepSize, double gamma) {
    return new StepSchedule(stepSize, gamma);
  }

  /** PyTorch's {@code MultiStepLR(milestones, gamma)}: base · gamma^(milestones reached). */
  public static MultiStepSchedule multiStep(double gamma, long... milestones) {
    return new MultiStepSchedule(milestones, gamma);
  }

  /** PyTorch's {@code ExponentialLR(gamma)}: base · gamma^t. */
  public static ExponentialSchedule exponential(double gamma) {
    return new ExponentialSchedule(gamma);
  }

  /** PyTorch's {@code CosineAnnealingLR(T_max)}: base · (1 + cos(π t / tMax)) / 2. */
  public static CosineAnnealingSchedule cosine(long tMax) {
    return new CosineAnnealingSchedule(tMax, 0);
  }

  /** PyTorch's {@code CosineAnnealingLR(T_max, eta_min)}: etaMin + (base − etaMin) · (1 + cos(π t / tMax)) / 2. */
  public static CosineAnnealingSchedule cosine(long tMax, double etaMin) {
    return new CosineAnnealingSchedule(tMax, etaMin);
  }

  /**
   * PyTorch's {@code LinearLR(start_factor, end_factor, total_iters)}: the factor on the base rate moves linearly
   * from {@code startFactor} to {@code endFactor} over {@code totalIters}, then stays.
   */
  public static LinearSchedule linear(double startFactor, double endFactor, long totalIters) {
    return new LinearSchedule(startFactor, endFactor, totalIters);
  }

  /** A linear warm-up: {@code LinearLR(start_factor, end_factor=1, total_iters)}. */
  public static LinearSchedule linearWarmup(double startFactor, long totalIters) {
    return new LinearSchedule(startFactor, 1.0, totalIters);
  }

  /**
   * PyTorch's {@code OneCycleLR(max_lr, total_steps)} with its defaults (pct_start 0.3, cos, div_factor 25,
   * final_div_factor 1e4, two phases), per step; other settings: {@link OneCycleSchedule#builder}.
   */
  public static OneCycleSchedule oneCycle(double maxLr, long totalSteps) {
    return OneCycleSchedule.builder(maxLr, totalSteps).build();
  }

  /** PyTorch's {@code ReduceLROnPlateau()} with its defaults; other settings: {@link ReduceOnPlateau#builder}. */
  public static ReduceOnPlateau reduceOnPlateau() {
    return ReduceOnPlateau.builder().build();
  }

  /** PyTorch's {@code SequentialLR(schedulers=[first, then], milestones=[milestone])}. */
  public static SequentialSchedule sequential(ClosedFormSchedule first, long milestone, ClosedFormSchedule then) {
    return new SequentialSchedule(Arrays.asList(first, then), new long[] {milestone});
  }

  /** PyTorch's {@code SequentialLR(schedulers, milestones)}: {@code parts.size() - 1} increasing milestones. */
  public static SequentialSchedule sequential(List<? extends ClosedFormSchedule> parts, long... milestones) {
    return new SequentialSchedule(parts, milestones);
  }
}
