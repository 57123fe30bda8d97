package io.nabla.benchmarks;

import io.nabla.runtime.Model;
import io.nabla.runtime.kernel.Kernels;
import io.nabla.runtime.optim.Adam;
import io.nabla.runtime.train.Dataset;
import java.lang.management.ManagementFactory;
import java.util.Locale;

/**
 * Bytes allocated per training step of the MLP 784-256-128-10 (and, after it, of the CNN, GRU and transformer of
 * {@code compare.sh}) (the {@code Trainer}'s step: {@code trainStep}, which runs the CNN's, GRU's and transformer's
 * batches in parts of up to 16 samples side by side, then Adam's {@code stepAndZeroGradients}), exactly, from the JVM's
 * per-thread allocation counters: for the calling thread and for all threads (the kernels' workers included), after a
 * warm-up, for batch 1, 32 and 256 on 1 and 2 threads, through {@code trainStep} and through
 * {@code forward, loss, backward}, on the portable and the best kernels. JMH's {@code -prof gc} gives the same
 * per-step figure plus a background of about 6 KB/s that does not come from the step (visible as B/op growing with
 * the step's duration). Between the MLP's steps and the other networks', the bytes per single-sample predict call of
 * the MLP ({@code forward}, {@code predict} and {@code predictClasses} into the caller's arrays: none; and
 * {@code predict} returning a new array, for contrast). The command (the flag is for JDK 17, below):
 *
 * <pre>
 * java -XX:PerMethodTrapLimit=1000 --add-modules jdk.incubator.vector \
 *     -cp benchmarks/target/nabla-benchmarks.jar io.nabla.benchmarks.StepAllocation
 * </pre>
 *
 * <p>{@code --others}: only the CNN, GRU and transformer, one after the other in this JVM; {@code --predict}: only the
 * predict calls; {@code --network gru best 1} (or {@code mlp}, {@code cnn}, {@code transformer}; {@code portable}; a
 * thread count; then a batch, else the comparison's): one of them alone, as a program that trains one network runs it.
 * The MLP alone at batch 32 or 256 found what this JVM's sequence, batch 1 first, did not: 240 bytes per step on
 * the Vector API kernels on JDK 17, a zero vector boxed once per dense layer's backward (fixed in round 22).
 *
 * <p>On JDK 17 a network trained after another one on the Vector API kernels can keep allocating (the GRU 17.4 MB
 * per step, the transformer 159.6 MB, in {@code --others}) where it allocates nothing alone: C2 adds up the
 * class-check traps of the JDK's shared Vector API methods it inlines, and past {@code PerMethodTrapLimit} (100) it
 * stops speculating on classes and boxes the vectors. {@code -XX:PerMethodTrapLimit=1000} (a product flag) lifts
 * that: every network, after all the others, then allocates 0 B per step on the training thread. JDK 25 needs no
 * flag. The first line printed gives the JVM and the limit it runs with.
 */
public final class StepAllocation {
  private StepAllocation() {}

  public static void main(String[] args) {
    com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    System.out.println(describeJvm());
    if ((args.length == 4 || args.length == 5) && args[0].equals("--network")) {
      alone(mx, args[1], args[2], Integer.parseInt(args[3]), args.length == 5 ? Integer.parseInt(args[4]) : 0);
      return;
    }
    if (args.length == 1 && args[0].equals("--predict")) {
      predictCalls(mx);
      return;
    }
    if (args.length > 1 || (args.length == 1 && !args[0].equals("--others"))) {
      System.err.println(
          "usage: StepAllocation [--others | --predict | --network mlp|cnn|gru|transformer best|portable THREADS"
              + " [BATCH]]");
      System.exit(2);
    }
    System.out.println("bytes allocated per training step (after 3 warm-up rounds):");
    if (args.length == 1) {
      otherNetworks(mx);
      return;
    }
    for (String kernels : new String[] {"portable", "best"}) {
      System.out.println(kernels + " kernels (" + BenchKernels.describe(kernels) + "):");
      for (int threads : new int[] {1, 2}) {
        for (int batch : new int[] {1, 32, 256}) {
          MlpNet model = new MlpNet(batch, BenchKernels.create(kernels, threads));
          model.initialize(42);
          Adam adam = Adam.builder().learningRate(1e-3).build();
          Dataset data = BenchData.random(batch, 7);
          float[] x = data.features();
          float[][] wrapped = {x};
          int[] y = data.labels();
          int steps = batch == 256 ? 200 : 1000;
          for (int variant = 0; variant < 2; variant++) {
            boolean separate = variant == 1;
            model.zeroGradients();
            // Three warm-up rounds: with one, the first variant on the portable kernels still showed 0.6-2.3 B per
            // step (a few hundred bytes once, while the JIT recompiled), and 0.00 with three.
            double[] bytes = perStep(mx, 4, steps, () -> {
              if (separate) {
                model.forward(x, batch);
                model.loss(y, batch);
                model.backward();
              } else {
                model.trainStep(wrapped, y, null, batch);
              }
              adam.stepAndZeroGradients(model.parameters());
            });
            double self = bytes[0];
            double all = bytes[1];
            System.out.println(String.format(Locale.ROOT,
                "  batch %3d, %d thread%s, %-24s %6.2f B/step on the calling thread, %6.2f B/step on all threads",
                batch, threads, threads == 1 ? " " : "s", variant == 0 ? "trainStep:" : "forward, loss, backward:",
                self, all));
          }
        }
      }
    }
    predictCalls(mx);
    otherNetworks(mx);
  }

  /**
   * Bytes allocated per single-sample predict call of the MLP in inference mode: {@code forward} (its output
   * buffer), {@code predict} and {@code predictClasses} into the caller's arrays (none allocated), and, for contrast,
   * {@code predict} returning a new array (that array's bytes).
   */
  private static void predictCalls(com.sun.management.ThreadMXBean mx) {
    System.out.println("bytes allocated per predict call (MLP, 1 sample, inference mode):");
    for (String kernels : new String[] {"portable", "best"}) {
      for (int threads : new int[] {1, 2}) {
        MlpNet model = new MlpNet(1, BenchKernels.create(kernels, threads));
        model.initialize(42);
        model.setTraining(false);
        float[] x = BenchData.random(1, 7).features();
        float[] outputs = new float[model.outputSize()];
        int[] classes = new int[1];
        double forward = perStep(mx, 4, 20_000, () -> model.forward(x, 1))[0];
        double into = perStep(mx, 4, 20_000, () -> model.predict(x, 1, outputs))[0];
        double classesInto = perStep(mx, 4, 20_000, () -> model.predictClasses(x, 1, classes))[0];
        double copy = perStep(mx, 4, 20_000, () -> model.predict(x, 1))[0];
        System.out.println(String.format(Locale.ROOT,
            "  %-8s %d thread%s forward %.2f B, predict into an array %.2f B, predictClasses into an array %.2f B;"
                + " predict returning a new array %.2f B (on the calling thread)",
            kernels, threads, threads == 1 ? " " : "s", forward, into, classesInto, copy));
      }
    }
  }

  /**
   * The JVM's version and its {@code PerMethodTrapLimit}, with a hint where JDK 17 keeps the default (see the class
   * comment).
   */
  static String describeJvm() {
    String version = System.getProperty("java.version");
    String limit = "unknown";
    com.sun.management.HotSpotDiagnosticMXBean hotSpot =
        ManagementFactory.getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class);
    if (hotSpot != null) {
      try {
        limit = hotSpot.getVMOption("PerMethodTrapLimit").getValue();
      } catch (IllegalArgumentException noSuchOption) {
        // A JVM without this option keeps "unknown".
      }
    }
    String line = "java " + version + ", -XX:PerMethodTrapLimit=" + limit;
    if (version.startsWith("17") && limit.equals("100")) {
      line += " (on JDK 17 a network trained after another one on the Vector API kernels may allocate per step"
          + " with this default; run with -XX:PerMethodTrapLimit=1000)";
    }
    return line;
  }

  /** The other networks of {@code compare.sh}, at its batch sizes, through {@code trainStep} (the Trainer's). */
  private static void otherNetworks(com.sun.management.ThreadMXBean mx) {
    System.out.println("the other networks, trainStep:");
    for (String kernels : new String[] {"portable", "best"}) {
      for (int threads : new int[] {1, 2}) {
        Kernels k1 = BenchKernels.create(kernels, threads);
        Kernels k2 = BenchKernels.create(kernels, threads);
        Kernels k3 = BenchKernels.create(kernels, threads);
        report(mx, "CNN (small), batch 64", kernels, threads, new SmallCnnNet(64, k1), BenchData.random(64, 7), 64,
            60);
        report(mx, "GRU 128, batch 64", kernels, threads, new RowGruNet(64, k2), BenchData.random(64, 7), 64, 30);
        report(mx, "transformer, batch 32", kernels, threads, new TinyTransformerNet(32, k3),
            BenchData.tokens(32, 7), 32, 40);
      }
    }
  }

  /**
   * One network alone in this JVM, as a program that trains only it runs it, at {@code batch} samples (0: the
   * comparison's, 32 for the MLP and the transformer, 64 for the CNN and the GRU): the MLP in 8 rounds of 1,000
   * steps (200 from batch 256), the others in 8 rounds of 30 steps from batch 32 (the GRU at 64 needs about four to
   * stop allocating) and of {@code 960 / batch} below it, so that the JIT sees as many samples.
   */
  private static void alone(com.sun.management.ThreadMXBean mx, String network, String kernels, int threads,
      int batch) {
    boolean cnnOrGru = network.equals("cnn") || network.equals("gru");
    int b = batch > 0 ? batch : cnnOrGru ? 64 : 32;
    Kernels k = BenchKernels.create(kernels, threads);
    Model model;
    String what;
    switch (network) {
      case "mlp":
        model = new MlpNet(b, k);
        what = "MLP";
        break;
      case "cnn":
        model = new SmallCnnNet(b, k);
        what = "CNN (small)";
        break;
      case "gru":
        model = new RowGruNet(b, k);
        what = "GRU 128";
        break;
      case "transformer":
        model = new TinyTransformerNet(b, k);
        what = "transformer";
        break;
      default:
        throw new IllegalArgumentException("no network " + network + ": mlp, cnn, gru or transformer");
    }
    Dataset data = network.equals("transformer") ? BenchData.tokens(b, 7) : BenchData.random(b, 7);
    int steps = network.equals("mlp") ? (b >= 256 ? 200 : 1000) : otherSteps(b);
    System.out.println("bytes allocated per training step (after 7 warm-up rounds of " + steps + " steps):");
    report(mx, what + ", batch " + b, kernels, threads, model, data, b, steps, 8);
  }

  /** Steps per round of {@link #alone} for the CNN, GRU and transformer at {@code batch}. */
  private static int otherSteps(int batch) {
    return batch >= 32 ? 30 : 960 / batch;
  }

  private static void report(com.sun.management.ThreadMXBean mx, String what, String kernels, int threads,
      Model model, Dataset data, int batch, int steps) {
    report(mx, what, kernels, threads, model, data, batch, steps, 4);
  }

  private static void report(com.sun.management.ThreadMXBean mx, String what, String kernels, int threads,
      Model model, Dataset data, int batch, int steps, int rounds) {
    model.initialize(42);
    Adam adam = Adam.builder().learningRate(1e-3).build();
    float[][] x = {data.features()};
    int[] y = data.labels();
    // The Vector API allocates until the JIT has compiled (and escape-analysed) its code: warm up for longer.
    model.zeroGradients();
    double[] bytes = perStep(mx, rounds, steps, () -> {
      model.trainStep(x, y, null, batch);
      adam.stepAndZeroGradients(model.parameters());
    });
    double self = bytes[0];
    double all = bytes[1];
    System.out.println(String.format(Locale.ROOT,
        "  %-22s %-8s %d thread%s %8.2f B/step on the calling thread, %8.2f B/step on all threads", what, kernels,
        threads, threads == 1 ? " " : "s", self, all));
  }

  /**
   * Bytes allocated per {@code step}, on the calling thread and on all threads, over the last of {@code rounds}
   * rounds of {@code steps} (the earlier ones warm up).
   */
  private static double[] perStep(com.sun.management.ThreadMXBean mx, int rounds, int steps, Runnable step) {
    double[] bytes = new double[2];
    for (int round = 0; round < rounds; round++) {
      long[] ids = allThreadIds();
      long allBefore = sum(mx.getThreadAllocatedBytes(ids));
      long selfBefore = mx.getCurrentThreadAllocatedBytes();
      for (int s = 0; s < steps; s++) {
        step.run();
      }
      bytes[0] = (double) (mx.getCurrentThreadAllocatedBytes() - selfBefore) / steps;
      bytes[1] = (double) (sum(mx.getThreadAllocatedBytes(ids)) - allBefore) / steps;
    }
    return bytes;
  }

  private static long[] allThreadIds() {
    Thread[] threads = Thread.getAllStackTraces().keySet().toArray(new Thread[0]);
    long[] ids = new long[threads.length];
    for (int i = 0; i < threads.length; i++) {
      ids[i] = threads[i].getId();
    }
    return ids;
  }

  private static long sum(long[] values) {
    long s = 0;
    for (long v : values) {
      if (v > 0) {
        s += v;
      }
    }
    return s;
  }
}
