package io.nabla.benchmarks;

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
 * ({@link io.nabla.runtime.GeneratedModel#trainsInParts}) has its forward, loss and backward timed together, as one
 * {@code trainStep}. After each pair the cache line's round trip between two threads is measured
 * ({@link CoreCheck#lineRoundTrip}), and the summary gives the median of each phase over the pairs on cores near
 * each other and, apart, over those on cores far apart ({@link ThreadScaling#FAR_ROUND_TRIP_NANOS}).
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -cp benchmarks/target/nabla-benchmarks.jar \
 *     io.nabla.benchmarks.PhaseTimes [--arch mlp|cnn|gru|transformer] [--batch N] [--threads 2] [--pairs 12]
 *     [--steps N] [--kernels best|portable] [--data DIR|random] [--seed 42]
 * </pre>
 *
 * {@code --batch} defaults as in {@link ThreadScaling}; {@code --steps}, the steps per window, to about a quarter
 * of a second on one thread. The first three pairs warm the JIT compilers up and are not counted. Every side
 * trains the first batch of the data over and over: the figures are the phases' times, not a training run's.
 */
public final class PhaseTimes {
  private static final String[] PHASES = {"forward", "loss", "backward", "adam", "step"};
  private static final int WARM_UP_PAIRS = 3;
  private static final long ROUND_TRIP_NANOS = 20_000_000L;

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
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException(args[i] + " needs a value; usage: PhaseTimes [--arch mlp|cnn|gru|"
            + "transformer] [--batch N] [--threads 2] [--pairs 12] [--steps N] [--kernels best|portable]"
            + " [--data DIR|random] [--seed 42]");
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
          throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    int batch = batchOption != null ? batchOption : arch == TrainThroughput.Arch.MLP ? 256
        : arch.samples.keySet().iterator().next();
    int steps = stepsOption != null ? stepsOption : Math.max(1, ThreadScaling.defaultWindow(arch, batch) / batch / 2);
    if (batch < 1 || threads < 2 || pairs < 1 || steps < 1) {
      throw new IllegalArgumentException("--batch, --pairs and --steps must be positive and --threads at least 2,"
          + " got " + batch + ", " + pairs + ", " + steps + " and " + threads);
    }
    Dataset data = arch.data(dir, seed, batch);
    if (data.size() < batch) {
      throw new IllegalArgumentException("the data holds " + data.size() + " samples, fewer than a batch of " + batch);
    }
    float[][] inputs = {Arrays.copyOf(data.features(), batch * data.featureSize())};
    int[] labels = Arrays.copyOf(data.labels(), batch * data.targetsPerSample());
    Side one = new Side(arch.newModel(batch, BenchKernels.create(kernels, 1)), seed);
    Side many = new Side(arch.newModel(batch, BenchKernels.create(kernels, threads)), seed);
    boolean inParts = one.model instanceof io.nabla.runtime.GeneratedModel
        && ((io.nabla.runtime.GeneratedModel) one.model).trainsInParts(batch);
    System.out.println(String.format(Locale.ROOT, "java %s, %d cores; %s batch %d, kernels %s: %s; %d steps per"
            + " window%s", System.getProperty("java.version"), Runtime.getRuntime().availableProcessors(), arch.label,
        batch, kernels, BenchKernels.describe(kernels), steps,
        inParts ? "; in parts: forward, loss and backward timed together, as trainStep" : ""));
    List<double[]> rows = new ArrayList<>();
    List<Double> roundTrips = new ArrayList<>();
    for (int p = -WARM_UP_PAIRS; p < pairs; p++) {
      boolean oneFirst = (p & 1) == 0;
      (oneFirst ? one : many).window(inputs, labels, batch, steps, inParts);
      (oneFirst ? many : one).window(inputs, labels, batch, steps, inParts);
      double roundTrip = CoreCheck.lineRoundTrip(ROUND_TRIP_NANOS);
      double[] row = new double[2 * PHASES.length];
      System.arraycopy(one.micros, 0, row, 0, PHASES.length);
      System.arraycopy(many.micros, 0, row, PHASES.length, PHASES.length);
      System.out.println(String.format(Locale.ROOT, "%s %d: round trip %.0f ns; 1 thread %s; %d threads %s",
          p < 0 ? "warm-up pair" : "pair", p < 0 ? p + WARM_UP_PAIRS + 1 : p + 1, roundTrip, describe(one.micros, inParts), threads,
          describe(many.micros, inParts)));
      if (p >= 0) {
        rows.add(row);
        roundTrips.add(roundTrip);
      }
    }
    for (boolean far : new boolean[] {false, true}) {
      List<double[]> chosen = new ArrayList<>();
      for (int r = 0; r < rows.size(); r++) {
        if ((roundTrips.get(r) >= ThreadScaling.FAR_ROUND_TRIP_NANOS) == far) {
          chosen.add(rows.get(r));
        }
      }
      if (chosen.isEmpty()) {
        continue;
      }
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
        if (!inParts || c == 0 || c >= 3) {
          ratios.append(String.format(Locale.ROOT, "%s%s %.2fx", ratios.length() == 0 ? "" : ", ",
              phase(c, inParts), medians[c] / medians[PHASES.length + c]));
        }
      }
      System.out.println(String.format(Locale.ROOT, "%s batch %d, medians of %d pairs on cores %s (µs per step):"
              + " 1 thread %s; %d threads %s; %d threads over 1: %s", arch.label, batch, chosen.size(),
          far ? "far apart" : "near each other", describe(Arrays.copyOfRange(medians, 0, PHASES.length), inParts),
          threads,
          describe(Arrays.copyOfRange(medians, PHASES.length, medians.length), inParts), threads, ratios));
    }
  }

  /** The phases' µs per step; a step in parts has no separate loss and backward. */
  private static String describe(double[] micros, boolean inParts) {
    StringBuilder text = new StringBuilder();
    for (int c = 0; c < PHASES.length; c++) {
      if (!inParts || c == 0 || c >= 3) {
        text.append(String.format(Locale.ROOT, "%s%s %.1f", c == 0 ? "" : ", ", phase(c, inParts), micros[c]));
      }
    }
    return text.toString();
  }

  private static String phase(int c, boolean inParts) {
    return inParts && c == 0 ? "trainStep" : PHASES[c];
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
        if (inParts) {
          model.trainStep(inputs, labels, null, batch);
          forwardEnd = System.nanoTime();
          lossEnd = forwardEnd;
        } else {
          model.forward(inputs, batch);
          forwardEnd = System.nanoTime();
          model.loss(labels, batch);
          lossEnd = System.nanoTime();
          model.backward();
        }
        long backwardEnd = System.nanoTime();
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
