package io.nabla.benchmarks;

import io.nabla.runtime.kernel.Kernels;
import java.util.Locale;

/**
 * Two threads over one for each product of the MLP's training step at one batch size, alone: for each product, one
 * kernels instance on one thread and another on {@code --threads} threads time the same call in short alternating
 * windows in one JVM (as {@link ThreadScaling} does for whole steps, so that the machine's drifting speed cancels),
 * and the figure is the median over windows of the one-thread time over the many-thread time. Where the whole
 * step's scaling falls short of what the cores give, this says which products lose it.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -cp benchmarks/target/nabla-benchmarks.jar \
 *     io.nabla.benchmarks.ProductScaling [--batch 256] [--threads 2] [--windows 15] [--kernels best|portable]
 * </pre>
 */
public final class ProductScaling {
  /** Each window's length on either side. */
  static final long WINDOW_NANOS = 60_000_000L;

  private ProductScaling() {}

  /** One product of the step: {@code kind} is NN, NT or TN, as {@link Kernels}' methods. */
  private static final class Shape {
    final String kind;
    final String role;
    final int m;
    final int n;
    final int k;
    final float[] a;
    final float[] b;
    final float[] c;

    Shape(String kind, String role, int m, int n, int k) {
      this.kind = kind;
      this.role = role;
      this.m = m;
      this.n = n;
      this.k = k;
      this.a = filled(m * k, 0.01f);
      this.b = filled(k * n, 0.02f);
      this.c = new float[m * n];
    }

    void run(Kernels kernels) {
      switch (kind) {
        case "NN":
          kernels.matmulNN(c, 0, a, 0, b, 0, m, n, k, true);
          break;
        case "NT":
          kernels.matmulNT(c, 0, a, 0, b, 0, m, n, k, false);
          break;
        default:
          kernels.matmulTN(c, 0, a, 0, b, 0, m, n, k, true);
          break;
      }
    }

    @Override
    public String toString() {
      return String.format(Locale.ROOT, "%s %d x %d x %d (%s)", kind, m, n, k, role);
    }
  }

  public static void main(String[] args) {
    int batch = 256;
    int threads = 2;
    int windows = 15;
    String kernelsName = "best";
    for (int i = 0; i < args.length; i += 2) {
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException(args[i] + " needs a value");
      }
      switch (args[i]) {
        case "--batch":
          batch = Integer.parseInt(args[i + 1]);
          break;
        case "--threads":
          threads = Integer.parseInt(args[i + 1]);
          break;
        case "--windows":
          windows = Integer.parseInt(args[i + 1]);
          break;
        case "--kernels":
          kernelsName = args[i + 1];
          break;
        default:
          throw new IllegalArgumentException("unknown option " + args[i]
              + "; options: --batch N, --threads N, --windows N, --kernels best|portable");
      }
    }
    Shape[] shapes = {
        new Shape("NT", "forward 1", batch, 256, 784),
        new Shape("NT", "forward 2", batch, 128, 256),
        new Shape("NT", "forward 3", batch, 10, 128),
        new Shape("TN", "weight gradient 3", 10, 128, batch),
        new Shape("NN", "input gradient 3", batch, 128, 10),
        new Shape("TN", "weight gradient 2", 128, 256, batch),
        new Shape("NN", "input gradient 2", batch, 256, 128),
        new Shape("TN", "weight gradient 1", 256, 784, batch),
    };
    Kernels one = BenchKernels.create(kernelsName, 1);
    Kernels many = BenchKernels.create(kernelsName, threads);
    System.out.println(String.format(Locale.ROOT, "java %s, %d cores; kernels %s: %s; %d threads over 1, batch %d",
        System.getProperty("java.version"), Runtime.getRuntime().availableProcessors(), kernelsName,
        one.getClass().getSimpleName(), threads, batch));
    double oneTotal = 0;
    double manyTotal = 0;
    for (Shape shape : shapes) {
      for (int warm = 0; warm < 5; warm++) {
        microsPerCall(shape, one);
        microsPerCall(shape, many);
      }
      double[] oneTimes = new double[windows];
      double[] manyTimes = new double[windows];
      double[] ratios = new double[windows];
      for (int w = 0; w < windows; w++) {
        oneTimes[w] = microsPerCall(shape, one);
        manyTimes[w] = microsPerCall(shape, many);
        ratios[w] = oneTimes[w] / manyTimes[w];
      }
      double oneMedian = median(oneTimes);
      double manyMedian = median(manyTimes);
      oneTotal += oneMedian;
      manyTotal += manyMedian;
      System.out.println(String.format(Locale.ROOT, "%-36s 1 thread %8.1f us, %d threads %8.1f us, %.2fx",
          shape, oneMedian, threads, manyMedian, median(ratios)));
    }
    System.out.println(String.format(Locale.ROOT, "%-36s 1 thread %8.1f us, %d threads %8.1f us, %.2fx",
        "all (sum of medians)", oneTotal, threads, manyTotal, oneTotal / manyTotal));
    pairs(one, many, batch, windows, threads);
  }

  /**
   * The two backward products of each hidden layer through {@link Kernels#denseBackward}, which may run them side
   * by side, against the same two as separate calls on the many-thread kernels.
   */
  private static void pairs(Kernels one, Kernels many, int batch, int windows, int threads) {
    int[][] layers = {{784, 256}, {256, 128}, {128, 10}};
    for (int[] layer : layers) {
      int in = layer[0];
      int units = layer[1];
      float[] grads = new float[units * in];
      float[] params = filled(units * in, 0.003f);
      float[] dz = filled(batch * units, 0.01f);
      float[] x = filled(batch * in, 0.02f);
      float[] dx = new float[batch * in];
      Runnable[] sides = {
          () -> one.denseBackward(grads, 0, dz, 0, x, 0, dx, 0, params, 0, batch, in, units),
          () -> {
            many.matmulTN(grads, 0, dz, 0, x, 0, units, in, batch, true);
            many.matmulNN(dx, 0, dz, 0, params, 0, batch, in, units, true);
          },
          () -> many.denseBackward(grads, 0, dz, 0, x, 0, dx, 0, params, 0, batch, in, units)};
      for (int warm = 0; warm < 5; warm++) {
        for (Runnable side : sides) {
          microsPerCall(side);
        }
      }
      double[][] times = new double[sides.length][windows];
      for (int w = 0; w < windows; w++) {
        for (int s = 0; s < sides.length; s++) {
          times[s][w] = microsPerCall(sides[s]);
        }
      }
      double alone = median(times[0]);
      double split = median(times[1]);
      double paired = median(times[2]);
      System.out.println(String.format(Locale.ROOT, "dense backward %d -> %d: 1 thread %8.1f us, %d threads split"
          + " %8.1f us (%.2fx), side by side %8.1f us (%.2fx)", in, units, alone, threads, split, alone / split,
          paired, alone / paired));
    }
  }

  /** Microseconds per call of {@code call}, over about {@link #WINDOW_NANOS}. */
  private static double microsPerCall(Runnable call) {
    long start = System.nanoTime();
    long calls = 0;
    long now;
    do {
      call.run();
      calls++;
      now = System.nanoTime();
    } while (now - start < WINDOW_NANOS);
    return (now - start) / 1e3 / calls;
  }

  /** Microseconds per call of {@code shape} on {@code kernels}, over about {@link #WINDOW_NANOS}. */
  private static double microsPerCall(Shape shape, Kernels kernels) {
    return microsPerCall(() -> shape.run(kernels));
  }

  private static double median(double[] values) {
    return ThreadScaling.median(values);
  }

  private static float[] filled(int size, float step) {
    float[] values = new float[size];
    for (int i = 0; i < size; i++) {
      values[i] = (i % 97) * step - 0.4f;
    }
    return values;
  }
}
