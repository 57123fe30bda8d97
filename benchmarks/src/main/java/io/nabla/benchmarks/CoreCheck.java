package io.nabla.benchmarks;

import java.util.Locale;

/**
 * Whether this machine's cores are really free right now: the rate of a fixed arithmetic loop on one thread, then on
 * as many threads as there are cores at once, each thread's rate as a share of the one-thread rate, the lowest of
 * three rounds. On a virtual machine whose host lends the second core to someone else, the guest's load and CPU time
 * show nothing amiss (the kernel still counts the time as its own), but the loop slows down; a two-thread training
 * figure taken then says more about the host than about the code. {@code bench/compare.sh} prints this before and
 * after its run.
 *
 * <pre>
 * java -cp benchmarks/target/nabla-benchmarks.jar io.nabla.benchmarks.CoreCheck [threads]
 * </pre>
 */
public final class CoreCheck {
  /** Each measurement's length. */
  static final long NANOS = 400_000_000L;

  private CoreCheck() {}

  public static void main(String[] args) throws InterruptedException {
    int threads = args.length > 0 ? Integer.parseInt(args[0]) : Runtime.getRuntime().availableProcessors();
    spin(NANOS / 2); // warm-up: compile the loop
    double worst = Double.MAX_VALUE;
    double[] worstShares = new double[threads];
    for (int round = 0; round < 3; round++) {
      double alone = spin(NANOS);
      double[] together = together(threads);
      double low = Double.MAX_VALUE;
      for (double rate : together) {
        low = Math.min(low, rate / alone);
      }
      if (low < worst) {
        worst = low;
        for (int t = 0; t < threads; t++) {
          worstShares[t] = together[t] / alone;
        }
      }
    }
    StringBuilder shares = new StringBuilder();
    for (int t = 0; t < threads; t++) {
      shares.append(t == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.0f %%", 100 * worstShares[t]));
    }
    System.out.println(String.format(Locale.ROOT,
        "%d thread%s at once ran at %s of one thread's rate (lowest of 3 rounds)%s", threads,
        threads == 1 ? "" : "s", shares,
        worst < 0.9 ? ": a core is not free, so multi-thread figures will be low" : ""));
  }

  /** Each of {@code threads} threads' loop rate, all running at once. */
  private static double[] together(int threads) throws InterruptedException {
    double[] rates = new double[threads];
    Thread[] workers = new Thread[threads];
    for (int t = 0; t < threads; t++) {
      int index = t;
      workers[t] = new Thread(() -> rates[index] = spin(NANOS));
      workers[t].start();
    }
    for (Thread worker : workers) {
      worker.join();
    }
    return rates;
  }

  /** Iterations per microsecond of a dependent multiply-add chain, run for about {@code nanos} of wall time. */
  private static double spin(long nanos) {
    long start = System.nanoTime();
    long end = start + nanos;
    long iterations = 0;
    double x = 1.0;
    long now;
    do {
      for (int i = 0; i < 10_000; i++) {
        x = x * 0.999999 + 1e-6;
      }
      iterations += 10_000;
      now = System.nanoTime();
    } while (now < end);
    if (x == 42.0) {
      System.out.print(""); // keeps x alive
    }
    return iterations / ((now - start) / 1e3);
  }
}
