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
 *
 * <p>With {@code --serve} it times one window per request instead, so that {@code bench/kernel_pairs.py} can
 * alternate its windows with OpenBLAS's on the same core: it first prints one line naming the kernels behind
 * {@code best} and {@code portable} and the JVM; then each line read, {@code SHAPE KERNELS SECONDS}, runs that
 * product for that many seconds of CPU time (after 2 s of warm-up the first time it sees the shape and kernels) and
 * answers one line, the GFLOP per CPU-second.
 */
public final class MatmulCpuTime {
  static final String[] SHAPES = {
    "NT_32x256x784", "TN_256x784x32", "NT_32x128x256", "NN_32x256x128", "TN_128x256x32",
    "NT_256x256x784", "TN_256x784x256", "NT_256x128x256", "NN_256x256x128", "TN_128x256x256"};

  private MatmulCpuTime() {}

  public static void main(String[] args) throws java.io.IOException {
    String[] kernelNames = {"best", "portable"};
    String[] shapes = SHAPES;
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--serve") && args.length == 1) {
        serve();
        return;
      } else if (args[i].equals("--kernels") && i + 1 < args.length) {
        kernelNames = args[++i].split(",");
      } else if (args[i].equals("--shapes") && i + 1 < args.length) {
        shapes = args[++i].split(",");
      } else {
        System.err.println("usage: MatmulCpuTime [--kernels best,portable] [--shapes NT_32x256x784,...] | --serve");
        System.exit(2);
      }
    }
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    System.out.println("| shape | " + String.join(" | ", Arrays.stream(kernelNames)
        .map(k -> k + " (" + BenchKernels.describe(k) + "), GFLOP/CPU-s median / best").toArray(String[]::new)) + " |");
    System.out.println("|---|" + "---:|".repeat(kernelNames.length));
    for (String shape : shapes) {
      StringBuilder row = new StringBuilder("| " + shape + " |");
      for (String name : kernelNames) {
        Case product = new Case(shape, name);
        product.window(mx, 2_000_000_000L);
        double[] rates = new double[15];
        for (int w = 0; w < rates.length; w++) {
          rates[w] = product.window(mx, 200_000_000L);
        }
        Arrays.sort(rates);
        row.append(String.format(Locale.ROOT, " %.1f / %.1f |", rates[rates.length / 2], rates[rates.length - 1]));
      }
      System.out.println(row);
      System.out.flush();
    }
  }

  /** One shape's operands and one kernels' instance, made the first time a request names them. */
  private static final class Case {
    final String variant;
    final int m;
    final int n;
    final int k;
    final float[] a;
    final float[] b;
    final float[] c;
    final Kernels kernels;

    Case(String shape, String kernelName) {
      String[] parts = shape.split("_");
      String[] sizes = parts.length == 2 ? parts[1].split("x") : new String[0];
      if (sizes.length != 3 || !parts[0].matches("NN|NT|TN")) {
        throw new IllegalArgumentException("a shape is NN|NT|TN_MxNxK, got " + shape);
      }
      variant = parts[0];
      m = Integer.parseInt(sizes[0]);
      n = Integer.parseInt(sizes[1]);
      k = Integer.parseInt(sizes[2]);
      a = random(m * k, 1);
      b = random(k * n, 2);
      c = new float[m * n];
      kernels = BenchKernels.create(kernelName, 1);
    }

    /** GFLOP per second of this thread's CPU time over at least {@code nanos} of it. */
    double window(ThreadMXBean mx, long nanos) {
      long start = mx.getCurrentThreadCpuTime();
      long calls = 0;
      long now;
      do {
        run(kernels, variant, c, a, b, m, n, k);
        calls++;
        now = mx.getCurrentThreadCpuTime();
      } while (now - start < nanos);
      return 2.0 * m * n * k * calls / (now - start);
    }
  }

  /** The {@code --serve} loop: one window per line of standard input, until it ends. */
  private static void serve() throws java.io.IOException {
    System.out.println("nabla kernels: best " + BenchKernels.describe("best") + ", portable "
        + BenchKernels.describe("portable") + "; java " + System.getProperty("java.version"));
    System.out.flush();
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    java.util.Map<String, Case> cases = new java.util.HashMap<>();
    java.io.BufferedReader in = new java.io.BufferedReader(
        new java.io.InputStreamReader(System.in, java.nio.charset.StandardCharsets.UTF_8));
    for (String line = in.readLine(); line != null; line = in.readLine()) {
      String[] words = line.trim().split("\\s+");
      if (words.length != 3) {
        throw new IllegalArgumentException("expected SHAPE KERNELS SECONDS, got: " + line);
      }
      String key = words[0] + " " + words[1];
      Case c = cases.get(key);
      if (c == null) {
        c = new Case(words[0], words[1]);
        cases.put(key, c);
        c.window(mx, 2_000_000_000L);
      }
      double rate = c.window(mx, (long) (Double.parseDouble(words[2]) * 1e9));
      System.out.println(String.format(Locale.ROOT, "%.3f", rate));
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
