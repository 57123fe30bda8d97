package io.nabla.benchmarks;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;

/**
 * A warm-up that lasts until the JIT compilers go quiet, not for a fixed time: a unit of work (an epoch, a pair of
 * windows) is repeated at least a given number of times and then until one run during which the compilers worked
 * at most {@value #QUIET_SHARE} of its wall time ({@link CompilationMXBean#getTotalCompilationTime}), or until a
 * time limit.
 *
 * <p>Why: on the project's 2-core VMs HotSpot compiles for about 10 s after a training loop starts (3.7 s of
 * compiler time in the first 11 s of the MLP at batch 256, single pairs of windows with 0.5-1.5 s of it). A compiler
 * thread then takes a core: a one-thread window loses little (the second core is idle), a two-thread window loses
 * one of its two. In {@code ThreadScaling} the pairs with over 0.5 s of compilation ran two threads at 0.96-1.14×
 * one, the quiet pairs after them at 1.73-1.93× (Zen 1 VM, round 16 in {@code bench/RESULTS.md}). A training run of
 * minutes sees the quiet figure; so do the benchmarks now.
 */
final class JitWarmUp {
  /** A run counts as quiet when the compilers worked at most this share of its wall time. */
  static final double QUIET_SHARE = 0.02;

  /** Runs and seconds a warm-up took, and whether it ended quiet (else at its time limit). */
  static final class Result {
    final int runs;
    final double seconds;
    final boolean quiet;

    Result(int runs, double seconds, boolean quiet) {
      this.runs = runs;
      this.seconds = seconds;
      this.quiet = quiet;
    }

    /** For the benchmarks' printed lines: "3 runs, 8.1 s, until the compilers were quiet". */
    String describe(String unit) {
      return String.format(java.util.Locale.ROOT, "%d %s%s, %.1f s, %s", runs, unit, runs == 1 ? "" : "s", seconds,
          quiet ? "until the JIT compilers were quiet" : "stopped at its time limit with the JIT compilers still busy");
    }
  }

  private JitWarmUp() {}

  /**
   * The compilers' total time so far, in milliseconds, or -1 when this JVM does not measure it (then every warm-up
   * runs its minimum).
   */
  static long compilationMillis() {
    CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
    return jit != null && jit.isCompilationTimeMonitoringSupported() ? jit.getTotalCompilationTime() : -1;
  }

  /**
   * Runs {@code unit} at least {@code minRuns} times, then until a run during which the compilers were quiet or
   * until {@code maxNanos} have passed since the start.
   */
  static Result run(Runnable unit, int minRuns, long maxNanos) {
    long start = System.nanoTime();
    int runs = 0;
    while (true) {
      long compiledBefore = compilationMillis();
      long began = System.nanoTime();
      unit.run();
      runs++;
      long now = System.nanoTime();
      long compiled = compilationMillis() - compiledBefore;
      boolean quiet = compiledBefore < 0 || compiled * 1e6 <= QUIET_SHARE * (now - began);
      if (runs >= minRuns && quiet) {
        return new Result(runs, (now - start) / 1e9, true);
      }
      if (runs >= minRuns && now - start >= maxNanos) {
        return new Result(runs, (now - start) / 1e9, false);
      }
    }
  }
}
