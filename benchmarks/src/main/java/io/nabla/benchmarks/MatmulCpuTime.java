package io.nabla.benchmarks;

import io.nabla.runtime.Rng;
import io.nabla.runtime.kernel.Kernels;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.Locale;

/**
 * GFLOP per second of CPU time of the products {@link MatmulBenchmark} times, on one thread: the rate the
 * kernels reach while they run, which other load on the machine barely changes (a shared machine makes wall-clock
 * figures swing by 2-4×). {@code bench/pytorch_gemm.py --clock cpu} measures OpenBLAS the same way. Per shape and
 * kernels: 2 s of warm-up, then the median and the best of 15 windows of about 0.2 s of CPU time.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -cp benchmarks/target/nabla-benchmarks.jar \
 *     io.nabla.benchmarks.MatmulCpuTime [--kernels best,portable] [--shapes NT_32x256x784,...]
 * </pre>
 */
public final class MatmulCpuTime {
  static final String[] SHAPES = {
    "NT_32x256x784", "TN_256x784x32", "NT_32x128x256", "NN_32x256x128", "TN_128x256x32",
    "NT_256x256x784", "TN_256x784x256", "NT_256x128x256", "NN_256x256x128", "TN_128x256x256"};

  private MatmulCpuTime() {}

  public static void main(String[] args) {
    String[] kernelNames = {"best", "portable"};
    String[] shapes = SHAPES;
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--kernels") && i + 1 < args.length) {
        kernelNames = args[++i].split(",");
      } else if (args[i].equals("--shapes") && i + 1 < args.length) {
        shapes = args[++i].split(",");
      } else {
        System.err.println("usage: MatmulCpuTime [--kernels best,portable] [--shapes NT_32x256x784,...]");
        System.exit(2);
      }
    }
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    System.out.println("| shape | " + String.join(" | ", Arrays.stream(kernelNames)
        .map(k -> k + " (" + BenchKernels.describe(k) + "), GFLOP/CPU-s median / best").toArray(String[]::new)) + " |");
    System.out.println("|---|" + "---:|".repeat(kernelNames.length));
    for (String shape : shapes) {
      String[] parts = shape.split("_");
      String[] sizes = parts[1].split("x");
      int m = Integer.parseInt(sizes[0]);
      int n = Integer.parseInt(sizes[1]);
      int k = Integer.parseInt(sizes[2]);
      float[] a = random(m * k, 1);
      float[] b = random(k * n, 2);
      float[] c = new float[m * n];
      StringBuilder row = new StringBuilder("| " + shape + " |");
      for (String name : kernelNames) {
        Kernels kernels = BenchKernels.create(name, 1);
        long until = mx.getCurrentThreadCpuTime() + 2_000_000_000L;
        while (mx.getCurrentThreadCpuTime() < until) {
          run(kernels, parts[0], c, a, b, m, n, k);
        }
        double[] rates = new double[15];
        for (int w = 0; w < rates.length; w++) {
          long start = mx.getCurrentThreadCpuTime();
          long calls = 0;
          long now;
          do {
            run(kernels, parts[0], c, a, b, m, n, k);
            calls++;
            now = mx.getCurrentThreadCpuTime();
          } while (now - start < 200_000_000L);
          rates[w] = 2.0 * m * n * k * calls / (now - start);
        }
        Arrays.sort(rates);
        row.append(String.format(Locale.ROOT, " %.1f / %.1f |", rates[rates.length / 2], rates[rates.length - 1]));
      }
      System.out.println(row);
      System.out.flush();
    }
  }

  private static void run(Kernels kernels, String variant, float[] c, float[] a, float[] b, int m, int n, int k) {
    switch (variant) {
      case "NN":
        kernels.matmulNN(c, 0, a, 0, b, 0, m, n, k, false);
        break;
      case "NT":
        kernels.matmulNT(c, 0, a, 0, b, 0, m, n, k, false);
        break;
      default:
        kernels.matmulTN(c, 0, a, 0, b, 0, m, n, k, false);
    }
  }

  private static float[] random(int size, long seed) {
    Rng rng = new Rng(seed);
    float[] v = new float[size];
    for (int i = 0; i < size; i++) {
      v[i] = (float) (rng.nextDouble() - 0.5);
    }
    return v;
  }
}
