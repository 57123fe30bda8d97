package io.nabla.benchmarks;

import io.nabla.runtime.kernel.Kernels;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Whether this machine's cores are really free right now: the rate of a fixed product on one thread, then on
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
  /** Round trips are timed in this many slices, the median counting (a host's pause lands in one or two). */
  private static final int ROUND_TRIP_SLICES = 9;
  /** The kernels the check runs on: portable, so that it needs no module flag. */
  static final String PORTABLE = "portable";

  private CoreCheck() {}

  public static void main(String[] args) throws InterruptedException {
    int threads = args.length > 0 ? Integer.parseInt(args[0]) : Runtime.getRuntime().availableProcessors();
    spin(PORTABLE, NANOS / 2); // warm-up: compile the loop
    double worst = Double.MAX_VALUE;
    double[] worstShares = new double[threads];
    for (int round = 0; round < 3; round++) {
      double alone = spin(PORTABLE, NANOS);
      double[] together = together(PORTABLE, threads, NANOS);
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
    double sum = 0;
    for (int t = 0; t < threads; t++) {
      shares.append(t == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.0f %%", 100 * worstShares[t]));
      sum += worstShares[t];
    }
    System.out.println(String.format(Locale.ROOT,
        "%d thread%s at once ran at %s of one thread's rate, together %.2fx one thread (lowest of 3 rounds)%s",
        threads, threads == 1 ? "" : "s", shares, sum,
        worst < 0.9 ? ": a core is not free, so multi-thread figures will be low" : ""));
  }

  /**
   * How many times one thread's rate {@code threads} threads reach together on this machine right now: a product on
   * each at once over one alone, each measured for {@code nanos}. Work bound by the same units can gain no more
   * from threads than this. One thread runs alone before and after the threads together, and the faster of the two
   * counts: a host that slows the VM for a moment would otherwise make the ceiling look higher than two.
   */
  static double ceiling(String kernels, int threads, long nanos) throws InterruptedException {
    double before = spin(kernels, nanos);
    double sum = 0;
    for (double rate : together(kernels, threads, nanos)) {
      sum += rate;
    }
    return sum / Math.max(before, spin(kernels, nanos));
  }

  /**
   * The median time, in nanoseconds, a cache line takes to go from this thread to a second one and back, each
   * spinning on it in turn, over about {@code nanos} of wall time; {@code NaN} on a machine of one core. Two cores
   * that share a cache pass it in about 100 ns; on the project's 2-core Zen 1 VM it took 65-190 ns at some times and
   * 480-1,060 ns at others (the host had placed the two virtual cores on cores that share no cache), and the MLP at
   * batch 256 then trained on two threads at a median 1.52× one thread where it otherwise trained at 1.81×
   * ({@code ThreadScaling}, round 16 in {@code bench/RESULTS.md}): every value one thread writes and the other reads
   * (a shared pack, a gradient, an activation) crosses that gap.
   */
  static double lineRoundTrip(long nanos) throws InterruptedException {
    if (Runtime.getRuntime().availableProcessors() < 2) {
      return Double.NaN;
    }
    AtomicLong line = new AtomicLong();
    Thread other = new Thread(() -> {
      while (true) {
        long v = line.get();
        if (v < 0) {
          return;
        }
        if ((v & 1) == 1) {
          // Never over the stop value, should the caller have stopped in between.
          line.compareAndSet(v, v + 1);
        }
      }
    }, "nabla-core-check-round-trip");
    other.setDaemon(true);
    other.start();
    double[] slices = new double[ROUND_TRIP_SLICES];
    long v = 0;
    try {
      for (int r = 0; r < slices.length; r++) {
        long start = System.nanoTime();
        long end = start + nanos / slices.length;
        long trips = 0;
        long now;
        do {
          for (int i = 0; i < 16; i++) {
            line.set(v + 1);
            while (line.get() != v + 2) {
              // Spin without a pause instruction: on some cores it takes longer than the line's trip.
            }
            v += 2;
          }
          trips += 16;
          now = System.nanoTime();
        } while (now < end);
        slices[r] = (double) (now - start) / trips;
      }
    } finally {
      line.set(-1);
      other.join();
    }
    return ThreadScaling.median(slices);
  }

  /** Each of {@code threads} threads' loop rate, all running at once. */
  private static double[] together(String kernels, int threads, long nanos) throws InterruptedException {
    double[] rates = new double[threads];
    Thread[] workers = new Thread[threads];
    for (int t = 0; t < threads; t++) {
      int index = t;
      workers[t] = new Thread(() -> rates[index] = spin(kernels, nanos));
      workers[t].start();
    }
    for (Thread worker : workers) {
      worker.join();
    }
    return rates;
  }

  /**
   * Products per millisecond ({@code 128 × 128 × 256} on one thread of the {@code kind} kernels,
   * {@link BenchKernels#create}, operands in cache), run for about {@code nanos} of wall time on the calling thread.
   * The kernels' own work keeps the core's vector units busy: a host that runs another guest on the same physical
   * core (the other hyperthread) slows it by half, while a single dependent multiply-add chain, bound by latency, ran
   * at full speed beside such a guest (on a VM whose second core trained at about half speed while the chain read
   * 100 %).
   */
  private static double spin(String kind, long nanos) {
    int m = 128;
    int n = 128;
    int k = 256;
    Kernels kernels = BenchKernels.create(kind, 1);
    float[] a = new float[m * k];
    float[] b = new float[k * n];
    float[] c = new float[m * n];
    java.util.Arrays.fill(a, 0.5f);
    java.util.Arrays.fill(b, 0.25f);
    long start = System.nanoTime();
    long end = start + nanos;
    long iterations = 0;
    long now;
    do {
      kernels.matmulNN(c, 0, a, 0, b, 0, m, n, k, false);
      iterations++;
      now = System.nanoTime();
    } while (now < end);
    return iterations / ((now - start) / 1e6);
  }
}
