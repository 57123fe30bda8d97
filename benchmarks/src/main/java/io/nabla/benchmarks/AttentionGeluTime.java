package io.nabla.benchmarks;

import io.nabla.Activation;
import io.nabla.runtime.Rng;
import io.nabla.runtime.kernel.ActivationFunctions;
import io.nabla.runtime.kernel.AttentionKernels;
import io.nabla.runtime.kernel.Kernels;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.Locale;

/**
 * Attention forward + backward (causal, B = 32, T = 64, D = 128, H = 4) and GELU forward + derivative
 * (n = 32·64·512) of a character transformer's step: the static single-threaded methods ({@code AttentionKernels},
 * {@code ActivationFunctions}: "before") against the {@link Kernels} methods of the portable and the best kernels on
 * 1 and 2 threads, all in one run so the ratios hold on a shared machine. Per variant: 2 s of warm-up, then the
 * median (and best) wall time of 15 windows of about 0.3 s, the CPUs the process kept busy meanwhile (below 2 for
 * 2 threads means other jobs had the second core), the kernels' worker threads' share of that CPU time (0.5: the
 * work split evenly), and the bytes allocated per call on the calling thread. Ratios are given in wall time and per
 * CPU-second (wall × CPUs busy), the steadier figure on a shared machine.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -cp benchmarks/target/nabla-benchmarks.jar io.nabla.benchmarks.AttentionGeluTime
 * </pre>
 */
public final class AttentionGeluTime {
  static final int B = 32, T = 64, D = 128, H = 4, HIDDEN = 512;

  private AttentionGeluTime() {}

  interface Work {
    void run();
  }

  public static void main(String[] args) {
    Rng rng = new Rng(1);
    float[] qkv = random(rng, B * T * 3 * D, 1.5f);
    float[] dA = random(rng, B * T * D, 1f);
    float[] attended = new float[B * T * D];
    float[] p = new float[B * H * T * T];
    float[] dQkv = new float[qkv.length];
    float[] scratch = new float[AttentionKernels.scratchSize(T)];
    int n = B * T * HIDDEN;
    float[] z = random(rng, n, 3f);
    float[] y = new float[n];
    float[] dy = random(rng, n, 1f);

    String[] names = {"static (before)", "portable 1", "portable 2", "best 1", "best 2"};
    Kernels[] kernels = {null, Kernels.portable(1), Kernels.portable(2), Kernels.best(1), Kernels.best(2)};
    System.out.println("best = " + kernels[3] + "; load " + ManagementFactory.getOperatingSystemMXBean()
        .getSystemLoadAverage());
    double[] attention = new double[names.length];
    double[] gelu = new double[names.length];
    double[] attentionCpu = new double[names.length];
    double[] geluCpu = new double[names.length];
    System.out.println("| variant | attention fwd+bwd, ms (median / best) | B/call | CPUs busy | worker share | GELU"
        + " fwd+deriv, ms (median / best) | B/call | CPUs busy | worker share |");
    System.out.println("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    for (int v = 0; v < names.length; v++) {
      Kernels k = kernels[v];
      Work att = k == null
          ? () -> {
            AttentionKernels.forward(attended, p, qkv, B, T, D, H, true);
            AttentionKernels.backward(dQkv, dA, p, qkv, B, T, D, H, true, scratch);
          }
          : () -> {
            k.attentionForward(attended, p, qkv, B, T, D, H, true);
            k.attentionBackward(dQkv, dA, p, qkv, B, T, D, H, true, scratch);
          };
      Work act = k == null
          ? () -> {
            System.arraycopy(z, 0, y, 0, n);
            ActivationFunctions.apply(y, 0, n, Activation.GELU, 0f);
            ActivationFunctions.multiplyDerivativeAtInput(dy, z, 0, n, Activation.GELU, 0f);
          }
          : () -> {
            k.activate(y, z, n, Activation.GELU, 0f);
            k.multiplyDerivativeAtInput(dy, z, n, Activation.GELU, 0f);
          };
      double[] a = time(att);
      double[] g = time(act);
      attention[v] = a[0];
      gelu[v] = g[0];
      attentionCpu[v] = a[0] * a[3];
      geluCpu[v] = g[0] * g[3];
      System.out.printf(Locale.ROOT, "| %s | %.2f / %.2f | %.0f | %.2f | %.2f | %.2f / %.2f | %.0f | %.2f | %.2f |%n",
          names[v], a[0], a[1], a[2], a[3], a[4], g[0], g[1], g[2], g[3], g[4]);
      // Keep dy bounded: the derivative multiplies it in place.
      System.arraycopy(random(new Rng(2), n, 1f), 0, dy, 0, n);
    }
    System.out.println();
    System.out.println("| variant | attention speed-up, wall | per CPU-second | GELU speed-up, wall | per CPU-second |");
    System.out.println("|---|---:|---:|---:|---:|");
    for (int v = 1; v < names.length; v++) {
      System.out.printf(Locale.ROOT, "| %s | %.1f× | %.1f× | %.1f× | %.1f× |%n", names[v], attention[0] / attention[v],
          attentionCpu[0] / attentionCpu[v], gelu[0] / gelu[v], geluCpu[0] / geluCpu[v]);
    }
  }

  /** Median and best milliseconds per call, and bytes allocated per call on this thread. */
  static double[] time(Work w) {
    long until = System.nanoTime() + 2_000_000_000L;
    while (System.nanoTime() < until) {
      w.run();
    }
    double[] ms = new double[15];
    com.sun.management.OperatingSystemMXBean os =
        (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    long cpu0 = os.getProcessCpuTime();
    long worker0 = workerCpu();
    long wall0 = System.nanoTime();
    for (int i = 0; i < ms.length; i++) {
      long start = System.nanoTime();
      long calls = 0;
      long now;
      do {
        w.run();
        calls++;
        now = System.nanoTime();
      } while (now - start < 300_000_000L);
      ms[i] = (now - start) / 1e6 / calls;
    }
    double busy = (double) (os.getProcessCpuTime() - cpu0) / (System.nanoTime() - wall0);
    double worker = (double) (workerCpu() - worker0) / (os.getProcessCpuTime() - cpu0);
    Arrays.sort(ms);
    com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long id = Thread.currentThread().getId();
    long before = mx.getThreadAllocatedBytes(id);
    for (int i = 0; i < 10; i++) {
      w.run();
    }
    double bytes = (mx.getThreadAllocatedBytes(id) - before) / 10.0;
    return new double[] {ms[ms.length / 2], ms[0], bytes, busy, worker};
  }

  /** CPU time of the kernels' worker threads ({@code nabla-kernels-*}), ns. */
  static long workerCpu() {
    java.lang.management.ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    long sum = 0;
    for (java.lang.management.ThreadInfo info : mx.getThreadInfo(mx.getAllThreadIds())) {
      if (info != null && info.getThreadName().startsWith("nabla-kernels-")) {
        sum += Math.max(0, mx.getThreadCpuTime(info.getThreadId()));
      }
    }
    return sum;
  }

  static float[] random(Rng rng, int n, float scale) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = scale * (2 * rng.nextFloat() - 1);
    }
    return v;
  }
}
