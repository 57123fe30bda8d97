package io.nabla.benchmarks;

import io.nabla.runtime.GeneratedModel;
import io.nabla.runtime.Model;
import io.nabla.runtime.optim.Adam;
import io.nabla.runtime.train.Dataset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Where a training step's time goes, on one thread and on several: a one-thread model and a many-thread model of
 * the same network train the same batch, in windows that alternate (the side that goes first alternating too), and
 * each phase is timed on its own: forward, loss, backward and the Adam step (lr 1e-3, gradients zeroed in its
 * loop, as {@link io.nabla.runtime.train.Trainer} runs it). A network whose steps run in data-parallel parts
 * ({@link GeneratedModel#trainsInParts}) has its forward, loss and backward timed together, as {@code trainStep}.
 * After each pair the cache line's round trip between two threads is measured ({@link CoreCheck#lineRoundTrip}),
 * and the summary gives, for the pairs on cores near each other and apart for those on cores far apart
 * ({@link ThreadScaling#FAR_ROUND_TRIP_NANOS}), each phase's median µs per step on each side and the median of the
 * pairs' own ratios, which cancels the host's drift as {@link ThreadScaling} does.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -cp benchmarks/target/nabla-benchmarks.jar \
 *     io.nabla.benchmarks.PhaseTimes [--arch mlp|cnn|gru|transformer] [--batch N] [--threads 2] [--pairs 12]
 *     [--steps N] [--kernels best|portable] [--data DIR|random] [--seed 42]
 * </pre>
 *
 * {@code --batch} defaults as in {@link ThreadScaling}; {@code --steps}, the steps per window, to half of
 * {@link ThreadScaling}'s window, at least one step. The pairs counted come after a warm-up that lasts until the
 * JIT compilers are quiet ({@link JitWarmUp}). Every side trains the first batch of the data over and over: the
 * figures are the phases' times, not a training run's.
 */
public final class PhaseTimes {
  private static final String[] PHASES = {"forward", "loss", "backward", "adam", "step"};

  private PhaseTimes() {}

  public static void main(String[] args) throws InterruptedException {
    TrainThroughput.Arch arch = TrainThroughput.Arch.MLP;
    Integer batchOption = null;
    Integer stepsOption = null;
    int threads = 2;
    int pairs = 12;
    String kernels = "best";
    String dir = null;
    long seed = 42;
    for (int i = 0; i < args.length; i += 2) {
      if (args[i].equals("--help") || args[i].equals("-h")) {
        System.out.println("usage: PhaseTimes [--arch mlp|cnn|gru|transformer] [--batch N] [--threads 2]"
            + " [--pairs 12] [--steps N] [--kernels best|portable] [--data DIR|random] [--seed 42]");
        return;
      }
      if (i + 1 >= args.length) {
        ThreadScaling.fail(args[i] + " needs a value");
      }
      String value = args[i + 1];
      switch (args[i]) {
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
        case "--steps":
          stepsOption = Integer.parseInt(value);
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
        default:
          ThreadScaling.fail("unknown option " + args[i] + " (--help lists them)");
      }
    }
    int batch = batchOption != null ? batchOption : ThreadScaling.defaultBatch(arch);
    if (batch < 1 || threads < 2 || pairs < 1 || (stepsOption != null && stepsOption < 1)) {
      ThreadScaling.fail("--batch, --pairs and --steps must be positive and --threads at least 2");
    }
    int steps = stepsOption != null ? stepsOption : Math.max(1, ThreadScaling.defaultWindow(arch, batch) / batch / 2);
    Dataset data = arch.data(dir, seed, batch);
    if (data.size() < batch) {
      ThreadScaling.fail("the data holds " + data.size() + " samples, fewer than a batch of " + batch);
    }
    float[][] inputs = {Arrays.copyOf(data.features(), batch * data.featureSize())};
    int[] labels = Arrays.copyOf(data.labels(), batch * data.targetsPerSample());
    Side one = new Side(arch.newModel(batch, BenchKernels.create(kernels, 1)), seed);
    Side many = new Side(arch.newModel(batch, BenchKernels.create(kernels, threads)), seed);
    boolean inParts = one.model instanceof GeneratedModel && ((GeneratedModel) one.model).trainsInParts(batch);
    System.out.println(String.format(Locale.ROOT, "java %s (%s), %d cores; kernels %s: %s",
        System.getProperty("java.version"), System.getProperty("java.vm.name"),
        Runtime.getRuntime().availableProcessors(), kernels, BenchKernels.describe(kernels)));
    System.out.println(String.format(Locale.ROOT, "%s batch %d, %d steps per window on the first batch of %s%s",
        arch.label, batch, steps, arch.describe(data, dir),
        inParts ? "; the step runs in parts: forward, loss and backward timed together, as trainStep" : ""));
    Pairs run = new Pairs(one, many, inputs, labels, batch, steps, inParts);
    JitWarmUp.Result warmUp = JitWarmUp.run(run::pair, ThreadScaling.WARM_UP_PAIRS, JitWarmUp.MAX_NANOS);
    System.out.println("warm-up: " + warmUp.describe("pair"));
    List<double[]> rows = new ArrayList<>();
    List<Double> roundTrips = new ArrayList<>();
    for (int p = 0; p < pairs; p++) {
      run.pair();
      double roundTrip = CoreCheck.lineRoundTrip(ThreadScaling.ROUND_TRIP_NANOS);
      double[] row = new double[2 * PHASES.length];
      System.arraycopy(one.micros, 0, row, 0, PHASES.length);
      System.arraycopy(many.micros, 0, row, PHASES.length, PHASES.length);
      System.out.println(String.format(Locale.ROOT, "pair %d: round trip %.0f ns; 1 thread %s; %d threads %s",
          p + 1, roundTrip, describe(one.micros, inParts), threads, describe(many.micros, inParts)));
      rows.add(row);
      roundTrips.add(roundTrip);
    }
    for (boolean far : new boolean[] {false, true}) {
      List<double[]> chosen = new ArrayList<>();
      for (int r = 0; r < rows.size(); r++) {
        double roundTrip = roundTrips.get(r);
        // A NaN round trip (one core) is neither near nor far, as in ThreadScaling.
        if (far ? roundTrip >= ThreadScaling.FAR_ROUND_TRIP_NANOS : roundTrip < ThreadScaling.FAR_ROUND_TRIP_NANOS) {
          chosen.add(rows.get(r));
        }
      }
      if (!chosen.isEmpty()) {
        System.out.println(summary(arch, batch, threads, far, chosen, inParts));
      }
    }
  }

  /** The medians of {@code chosen}'s pairs: each side's µs per phase, then each pair's own ratio's. */
  private static String summary(TrainThroughput.Arch arch, int batch, int threads, boolean far,
      List<double[]> chosen, boolean inParts) {
    double[] medians = new double[2 * PHASES.length];
    double[] column = new double[chosen.size()];
    for (int c = 0; c < medians.length; c++) {
      for (int r = 0; r < chosen.size(); r++) {
        column[r] = chosen.get(r)[c];
      }
      medians[c] = ThreadScaling.median(column);
    }
    StringBuilder ratios = new StringBuilder();
    for (int c = 0; c < PHASES.length; c++) {
      if (shown(c, inParts)) {
        for (int r = 0; r < chosen.size(); r++) {
          column[r] = chosen.get(r)[c] / chosen.get(r)[PHASES.length + c];
        }
        ratios.append(String.format(Locale.ROOT, "%s%s %.2fx", ratios.length() == 0 ? "" : ", ",
            phase(c, inParts), ThreadScaling.median(column)));
      }
    }
    return String.format(Locale.ROOT, "%s batch %d, medians of %d pairs on cores %s, us per step: 1 thread %s;"
            + " %d threads %s; %d threads over 1 (median of the pairs' ratios): %s", arch.label, batch,
        chosen.size(), far ? "far apart" : "near each other",
        describe(Arrays.copyOfRange(medians, 0, PHASES.length), inParts), threads,
        describe(Arrays.copyOfRange(medians, PHASES.length, medians.length), inParts), threads, ratios);
  }

  /** The phases' µs per step; a step in parts has no loss and backward of its own. */
  private static String describe(double[] micros, boolean inParts) {
    StringBuilder text = new StringBuilder();
    for (int c = 0; c < PHASES.length; c++) {
      if (shown(c, inParts)) {
        text.append(String.format(Locale.ROOT, "%s%s %.1f", c == 0 ? "" : ", ", phase(c, inParts), micros[c]));
      }
    }
    return text.toString();
  }

  private static boolean shown(int c, boolean inParts) {
    return !inParts || c == 0 || c >= 3;
  }

  private static String phase(int c, boolean inParts) {
    return inParts && c == 0 ? "trainStep" : PHASES[c];
  }

  /** Pairs of windows, one per side, the side that goes first alternating from pair to pair. */
  private static final class Pairs {
    private final Side one;
    private final Side many;
    private final float[][] inputs;
    private final int[] labels;
    private final int batch;
    private final int steps;
    private final boolean inParts;
    private int pairsRun;

    Pairs(Side one, Side many, float[][] inputs, int[] labels, int batch, int steps, boolean inParts) {
      this.one = one;
      this.many = many;
      this.inputs = inputs;
      this.labels = labels;
      this.batch = batch;
      this.steps = steps;
      this.inParts = inParts;
    }

    void pair() {
      boolean oneFirst = (pairsRun++ & 1) == 0;
      (oneFirst ? one : many).window(inputs, labels, batch, steps, inParts);
      (oneFirst ? many : one).window(inputs, labels, batch, steps, inParts);
    }
  }

  /** One model and its optimizer, and the last window's µs per step for each phase. */
  private static final class Side {
    final Model model;
    final Adam adam = Adam.builder().learningRate(1e-3).build();
    final double[] micros = new double[PHASES.length];

    Side(Model model, long seed) {
      this.model = model;
      model.initialize(seed);
    }

    void window(float[][] inputs, int[] labels, int batch, int steps, boolean inParts) {
      long forward = 0;
      long loss = 0;
      long backward = 0;
      long update = 0;
      for (int s = 0; s < steps; s++) {
        long start = System.nanoTime();
        long forwardEnd;
        long lossEnd;
        long backwardEnd;
        if (inParts) {
          model.trainStep(inputs, labels, null, batch);
          forwardEnd = System.nanoTime();
          lossEnd = forwardEnd;
          backwardEnd = forwardEnd;
        } else {
          model.forward(inputs, batch);
          forwardEnd = System.nanoTime();
          model.loss(labels, batch);
          lossEnd = System.nanoTime();
          model.backward();
          backwardEnd = System.nanoTime();
        }
        adam.stepAndZeroGradients(model.parameters());
        long end = System.nanoTime();
        forward += forwardEnd - start;
        loss += lossEnd - forwardEnd;
        backward += backwardEnd - lossEnd;
        update += end - backwardEnd;
      }
      double[] nanos = {forward, loss, backward, update, forward + loss + backward + update};
      for (int c = 0; c < PHASES.length; c++) {
        micros[c] = nanos[c] / 1e3 / steps;
      }
    }
  }
}
