package io.nabla.benchmarks;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.util.Locale;

/**
 * A warm-up that lasts until the JIT compilers go quiet, not for a fixed time: a unit of work (an epoch, a pair of
 * windows) is repeated at least a given number of times and then until one run during which the compilers worked
 * at most {@value #QUIET_SHARE} of its wall time ({@link CompilationMXBean#getTotalCompilationTime}), or until a
 * time limit.
 *
 * <p>Why: on the project's 2-core VMs HotSpot compiles for about 10 s after a training loop starts (3.7 s of
 * compiler time in the first 11 s of the MLP at batch 256, single pairs of windows with up to 1.5 s of it). A compiler
 * thread then takes a core: a one-thread window loses little (the second core is idle), a two-thread window loses
 * one of its two. In {@code ThreadScaling} the pairs with 0.57-1.47 s of compilation ran two threads at 0.96-1.14×
 * one, the quiet pairs after them at 1.59-1.93× (the lower ones on cores far apart, {@link CoreCheck#lineRoundTrip};
 * Zen 1 VM, round 16 in {@code bench/RESULTS.md}). A training run of minutes sees the quiet figure; so do the
 * benchmarks now.
 */
final class JitWarmUp {
  /** A run counts as quiet when the compilers worked at most this share of its wall time. */
  static final double QUIET_SHARE = 0.02;

  /** The longest warm-up the benchmarks run. */
  static final long MAX_NANOS = 40_000_000_000L;

  /** How a warm-up ended. */
  enum Ending {
    /** A run during which the compilers were quiet. */
    QUIET("until the JIT compilers were quiet"),
    /** The time limit, the compilers still busy. */
    TIME_LIMIT("stopped at its time limit with the JIT compilers still busy"),
    /** The minimum number of runs: this JVM does not measure compilation time. */
    UNMEASURED("its minimum: this JVM does not measure the JIT compilers' time");

    final String description;

    Ending(String description) {
      this.description = description;
    }
  }

  /** Runs and seconds a warm-up took, and how it ended. */
  static final class Result {
    final int runs;
    final double seconds;
    final Ending ending;

    Result(int runs, double seconds, Ending ending) {
      this.runs = runs;
      this.seconds = seconds;
      this.ending = ending;
    }

    /** For the benchmarks' printed lines: "7 pairs, 9.7 s, until the JIT compilers were quiet". */
    String describe(String unit) {
      return String.format(Locale.ROOT, "%d %s%s, %.1f s, %s", runs, unit, runs == 1 ? "" : "s", seconds,
          ending.description);
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
      if (runs < minRuns) {
        continue;
      }
      double seconds = (now - start) / 1e9;
      if (compiledBefore < 0) {
        return new Result(runs, seconds, Ending.UNMEASURED);
      }
      if ((compilationMillis() - compiledBefore) * 1e6 <= QUIET_SHARE * (now - began)) {
        return new Result(runs, seconds, Ending.QUIET);
      }
      if (now - start >= maxNanos) {
        return new Result(runs, seconds, Ending.TIME_LIMIT);
      }
    }
  }
}
