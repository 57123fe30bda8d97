package io.nabla.benchmarks;

import io.nabla.runtime.Model;
import io.nabla.runtime.train.Dataset;
import io.nabla.runtime.train.History;
import io.nabla.runtime.train.Trainer;
import java.util.Arrays;
import java.util.Locale;

/**
 * Two threads over one, measured so that a virtual machine's drifting speed cancels out: one model trains on one
 * thread and another on two threads in the same JVM, in short alternating windows (each a {@link Trainer#fit} of
 * one epoch over the next slice of the data, about half a second on one thread), and the figure is the median over
 * pairs of adjacent windows of the two-thread rate over the one-thread rate.
 *
 * <p>Why: on the project's 2-core VMs the same one-thread product ran at 19 GFLOP/s for half a minute and then at
 * 24-33 (round 12 in {@code bench/RESULTS.md}), so two {@code TrainThroughput} runs a minute apart can differ by
 * 1.7× before any thread is added. Adjacent windows see the same host speed; what they do not cancel is a second
 * core that is slower than the first (its host hyperthread busy), which the check after each pair measures.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -cp benchmarks/target/nabla-benchmarks.jar \
 *     io.nabla.benchmarks.ThreadScaling [--arch mlp|cnn|gru|transformer] [--batch N] [--threads 2]
 *     [--pairs 12] [--window SAMPLES] [--kernels best|portable] [--data DIR|random] [--seed 42]
 * </pre>
 *
 * {@code --batch} defaults to 256 for the MLP and to {@code TrainThroughput}'s batch for the others. The pairs
 * counted come after a warm-up that lasts until the JIT compilers are quiet ({@link JitWarmUp}: a compiler thread
 * takes one of a two-thread window's cores, not a one-thread window's). Prints each pair, the median ratio with the
 * lowest and highest pair, each side's median samples/s, and one {@code result: {...}} line.
 * After each pair it also measures what the cores give at that moment ({@link CoreCheck#ceiling}: a product on each
 * thread at once over one alone, on the same kernels), and prints its median and the training's ratio as a share of
 * it: on the project's 2-core VM, two processes pinned one to each core ran the same product at 26-29 and 15-19
 * GFLOP/s where either alone ran 27-30, so two threads of product-bound work there gained 1.5-1.65× at most,
 * whatever the code did, and at other moments less than one thread alone.
 */
public final class ThreadScaling {
  /**
   * Untimed pairs first, at least this many, then until one during which the JIT compilers were quiet
   * ({@link JitWarmUp}), for at most {@link JitWarmUp#MAX_NANOS}.
   */
  static final int WARM_UP_PAIRS = 3;
  /** The cache-line round trip after each pair ({@link CoreCheck#lineRoundTrip}) runs this long. */
  static final long ROUND_TRIP_NANOS = 50_000_000L;
  /**
   * A pair whose line round trip took at least this long ran on cores that share no cache: the summary gives the
   * median of such pairs and of the others apart (on the project's Zen 1 VM the round trips fell in two groups,
   * 65-190 ns and 480-1,060 ns).
   */
  static final double FAR_ROUND_TRIP_NANOS = 300;
  /** Each third of the cores' check after a pair ({@link CoreCheck#ceiling}): alone, all at once, alone. */
  static final long CEILING_NANOS = 150_000_000L;

  private ThreadScaling() {}

  public static void main(String[] args) throws InterruptedException {
    TrainThroughput.Arch arch = TrainThroughput.Arch.MLP;
    Integer batchOption = null;
    int threads = 2;
    int pairs = 12;
    Integer windowOption = null;
    String kernels = "best";
    String dir = null;
    long seed = 42;
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      String value = i + 1 < args.length ? args[i + 1] : null;
      if (value == null && !arg.equals("--help") && !arg.equals("-h")) {
        fail(arg + " needs a value");
      }
      switch (arg) {
        case "--arch":
          arch = TrainThroughput.Arch.of(value);
          break;
        case "--batch":
          batchOption = Integer.parseInt(value);
          break;
        case "--threads":
          threads = Integer.parseInt(value);
          break;
        case "--pairs":
          pairs = Integer.parseInt(value);
          break;
        case "--window":
          windowOption = Integer.parseInt(value);
          break;
        case "--kernels":
          kernels = value;
          break;
        case "--data":
          dir = value;
          break;
        case "--seed":
          seed = Long.parseLong(value);
          break;
        case "-h":
        case "--help":
          System.out.println("usage: ThreadScaling [--arch mlp|cnn|gru|transformer] [--batch N] [--threads 2]"
              + " [--pairs 12] [--window SAMPLES] [--kernels best|portable] [--data DIR|random] [--seed 42]");
          return;
        default:
          fail("unknown option '" + arg + "'; see --help");
      }
      i++;
    }
    if (threads < 2 || pairs < 1) {
      fail("--threads must be at least 2 and --pairs at least 1");
    }
    int batch = batchOption != null ? batchOption : defaultBatch(arch);
    int window = windowOption != null ? windowOption : defaultWindow(arch, batch);
    if (window < batch) {
      fail("--window (" + window + " samples) must hold at least one batch of " + batch);
    }
    // Random data: enough for the counted pairs and a warm-up of about 10 s (three times the minimum).
    int slices = pairs + 3 * WARM_UP_PAIRS;
    Dataset all = arch.data(dir, seed, 2 * slices * window);
    if (all.size() < window) {
      fail("--window (" + window + " samples) is larger than the data (" + all.size() + " samples)");
    }
    // Each window trains on the next slice of the data (Fashion-MNIST's 60,000 images make 4 slices for the MLP), so
    // that a random gather reads memory, not cache, as it does over a whole epoch.
    int sliceCount = Math.max(1, all.size() / window);
    Dataset[] slicesOfData = new Dataset[sliceCount];
    for (int s = 0; s < sliceCount; s++) {
      slicesOfData[s] = all.range(s * window, (s + 1) * window);
    }
    System.out.println(String.format(Locale.ROOT, "java %s (%s), %d cores; kernels %s: %s",
        System.getProperty("java.version"), System.getProperty("java.vm.name"),
        Runtime.getRuntime().availableProcessors(), kernels, BenchKernels.describe(kernels)));
    System.out.println("data: " + arch.describe(all, dir) + "; windows of " + window + " samples");

    Model one = arch.newModel(batch, BenchKernels.create(kernels, 1));
    Model many = arch.newModel(batch, BenchKernels.create(kernels, threads));
    one.initialize(seed);
    many.initialize(seed);
    Trainer trainer = TrainThroughput.adamTrainer(batch, 1, seed);
    double[] oneRates = new double[pairs];
    double[] manyRates = new double[pairs];
    double[] ratios = new double[pairs];
    double[] ceilings = new double[pairs];
    double[] shares = new double[pairs];
    double[] roundTrips = new double[pairs];
    Windows windows = new Windows(trainer, one, many, slicesOfData, kernels, threads);
    // The warm-up pairs run the check too, so that the first one counted is compiled.
    JitWarmUp.Result warmUp = JitWarmUp.run(windows::pair, WARM_UP_PAIRS, JitWarmUp.MAX_NANOS);
    System.out.println("warm-up: " + warmUp.describe("pair"));
    long compiledBefore = JitWarmUp.compilationMillis();
    for (int p = 0; p < pairs; p++) {
      long compiledBeforePair = JitWarmUp.compilationMillis();
      windows.pair();
      oneRates[p] = windows.oneRate;
      manyRates[p] = windows.manyRate;
      ratios[p] = manyRates[p] / oneRates[p];
      ceilings[p] = windows.ceiling;
      shares[p] = ratios[p] / ceilings[p];
      roundTrips[p] = windows.roundTrip;
      System.out.println(String.format(Locale.ROOT,
          "pair %d: 1 thread %.1f, %d threads %.1f samples/s, %.2fx; cores %.2fx, a line's round trip %.0f ns;"
              + " JIT compilers %d ms", p + 1, oneRates[p], threads, manyRates[p], ratios[p], ceilings[p],
          roundTrips[p], JitWarmUp.compilationMillis() - compiledBeforePair));
    }
    long compiledDuring = JitWarmUp.compilationMillis() - compiledBefore;
    double[] sortedRatios = ratios.clone();
    Arrays.sort(sortedRatios);
    double[] sortedCeilings = ceilings.clone();
    Arrays.sort(sortedCeilings);
    double ratio = median(ratios);
    System.out.println(String.format(Locale.ROOT,
        "%s batch %d, %s kernels: %d threads over 1, median of %d interleaved pairs %.2fx (lowest %.2f, highest"
            + " %.2f); 1 thread %.1f, %d threads %.1f samples/s (medians)",
        arch.label, batch, kernels, threads, pairs, ratio, sortedRatios[0], sortedRatios[pairs - 1],
        median(oneRates), threads, median(manyRates)));
    System.out.println(String.format(Locale.ROOT,
        "%s batch %d, %s kernels: a product on each of %d threads at once ran %.2fx one alone (median after each"
            + " pair, %.2f-%.2f), so the training reached %.0f %% of what the cores gave",
        arch.label, batch, kernels, threads, median(ceilings), sortedCeilings[0], sortedCeilings[pairs - 1],
        100 * median(shares)));
    double[] near = select(ratios, roundTrips, false);
    double[] far = select(ratios, roundTrips, true);
    System.out.println(String.format(Locale.ROOT,
        "%s batch %d, %s kernels: %d pairs on cores near each other (a line's round trip under %.0f ns) ran"
            + " %s, %d on cores far apart %s; the JIT compilers worked %d ms during the pairs (after a warm-up of %s)",
        arch.label, batch, kernels, near.length, FAR_ROUND_TRIP_NANOS, describeMedian(near), far.length,
        describeMedian(far), compiledDuring, warmUp.describe("pair")));
    System.out.println(String.format(Locale.ROOT,
        "result: {\"impl\":\"nabla\",\"arch\":\"%s\",\"kernels\":\"%s\",\"batch\":%d,\"threads\":%d,\"pairs\":%d,"
            + "\"window\":%d,\"scaling\":%.3f,\"lowest\":%.3f,\"highest\":%.3f,\"ceiling\":%.3f,"
            + "\"share_of_ceiling\":%.3f,\"one_thread_samples_per_second\":%.1f,\"samples_per_second\":%.1f,"
            + "\"warm_up_pairs\":%d,\"compile_ms\":%d,\"round_trip_ns\":%s,\"near_pairs\":%d,"
            + "\"near_scaling\":%s,\"far_pairs\":%d,\"far_scaling\":%s}",
        arch.id(), kernels, batch, threads, pairs, window, ratio, sortedRatios[0], sortedRatios[pairs - 1],
        median(ceilings), median(shares), median(oneRates), median(manyRates), warmUp.runs, compiledDuring,
        jsonNumber(median(roundTrips), "%.0f"), near.length, jsonMedian(near), far.length, jsonMedian(far)));
  }

  /**
   * Pairs of windows: the one-thread model and the many-thread model each train one epoch over the next slice of the
   * data, the side that goes first alternating from pair to pair (so that a trend within a pair favours neither),
   * then the cores' check; the last pair's figures in the fields.
   */
  private static final class Windows {
    private final Trainer trainer;
    private final Model one;
    private final Model many;
    private final Dataset[] slices;
    private final String kernels;
    private final int threads;
    private int slice;
    private int pairsRun;
    double oneRate;
    double manyRate;
    double ceiling;
    double roundTrip;

    Windows(Trainer trainer, Model one, Model many, Dataset[] slices, String kernels, int threads) {
      this.trainer = trainer;
      this.one = one;
      this.many = many;
      this.slices = slices;
      this.kernels = kernels;
      this.threads = threads;
    }

    void pair() {
      boolean oneFirst = (pairsRun++ & 1) == 0;
      double first = rate(trainer, oneFirst ? one : many, slices[slice++ % slices.length]);
      double second = rate(trainer, oneFirst ? many : one, slices[slice++ % slices.length]);
      oneRate = oneFirst ? first : second;
      manyRate = oneFirst ? second : first;
      try {
        ceiling = CoreCheck.ceiling(kernels, threads, CEILING_NANOS);
        roundTrip = CoreCheck.lineRoundTrip(ROUND_TRIP_NANOS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted", e);
      }
    }
  }

  /** Samples per second of one epoch of {@link Trainer#fit} over {@code data}. */
  private static double rate(Trainer trainer, Model model, Dataset data) {
    History history = trainer.fit(model, data, null);
    return history.get(0).samples() / history.get(0).seconds();
  }

  /** The MLP's largest batch (the 1.8x target is at batch 64 or more), the other networks' only one. */
  static int defaultBatch(TrainThroughput.Arch arch) {
    return arch == TrainThroughput.Arch.MLP ? 256 : arch.samples.keySet().iterator().next();
  }

  /** Samples per window: about half a second on one thread of the project's 2-core VMs. */
  static int defaultWindow(TrainThroughput.Arch arch, int batch) {
    switch (arch) {
      case CNN:
      case GRU:
        return 16 * batch;
      case TRANSFORMER:
        return 3 * batch;
      default:
        return Math.max(50 * batch, 1_000);
    }
  }

  /**
   * The ratios of the pairs whose round trip was at least (far) or under (near) {@link #FAR_ROUND_TRIP_NANOS}; a pair
   * whose round trip was not measured (one core) is in neither.
   */
  private static double[] select(double[] ratios, double[] roundTrips, boolean far) {
    double[] selected = new double[ratios.length];
    int count = 0;
    for (int p = 0; p < ratios.length; p++) {
      double trip = roundTrips[p];
      if (far ? trip >= FAR_ROUND_TRIP_NANOS : trip < FAR_ROUND_TRIP_NANOS) {
        selected[count++] = ratios[p];
      }
    }
    return Arrays.copyOf(selected, count);
  }

  private static String describeMedian(double[] ratios) {
    return ratios.length == 0 ? "(none)" : String.format(Locale.ROOT, "%.2fx (median)", median(ratios));
  }

  private static String jsonMedian(double[] ratios) {
    return ratios.length == 0 ? "null" : jsonNumber(median(ratios), "%.3f");
  }

  /** {@code value} in {@code format}, or {@code null} when it is not a number (JSON has no NaN). */
  private static String jsonNumber(double value, String format) {
    return Double.isNaN(value) ? "null" : String.format(Locale.ROOT, format, value);
  }

  static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }

  static void fail(String message) {
    System.err.println("error: " + message);
    System.exit(2);
  }
}
