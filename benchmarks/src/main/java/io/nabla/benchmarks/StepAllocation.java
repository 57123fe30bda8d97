package io.nabla.benchmarks;

import io.nabla.runtime.optim.Adam;
import io.nabla.runtime.train.Dataset;
import java.lang.management.ManagementFactory;
import java.util.Locale;

/**
 * Bytes allocated per training step of the MLP 784-256-128-10 ({@code zeroGradients, forward, loss, backward},
 * Adam step), exactly, from the JVM's per-thread allocation counters: for the calling thread and for all threads
 * (the kernels' workers included), after a warm-up, for batch 1, 32 and 256 on 1 and 2 threads, through
 * {@code forward(float[], int)} (what {@code Trainer} calls) and through {@code forward(float[][], int)} with the
 * input wrapped once, on the portable and the best kernels. JMH's {@code -prof gc} gives the same per-step figure plus a background of about 6 KB/s
 * that does not come from the step (visible as B/op growing with the step's duration).
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -cp benchmarks/target/nabla-benchmarks.jar io.nabla.benchmarks.StepAllocation
 * </pre>
 */
public final class StepAllocation {
  private StepAllocation() {}

  public static void main(String[] args) {
    com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    System.out.println("bytes allocated per training step (after 1 warm-up round):");
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
            double self = 0;
            double all = 0;
            for (int round = 0; round < 2; round++) {
              long[] ids = allThreadIds();
              long allBefore = sum(mx.getThreadAllocatedBytes(ids));
              long selfBefore = mx.getCurrentThreadAllocatedBytes();
              for (int s = 0; s < steps; s++) {
                model.zeroGradients();
                if (variant == 0) {
                  model.forward(x, batch);
                } else {
                  model.forward(wrapped, batch);
                }
                model.loss(y, batch);
                model.backward();
                adam.step(model.parameters());
              }
              self = (double) (mx.getCurrentThreadAllocatedBytes() - selfBefore) / steps;
              all = (double) (sum(mx.getThreadAllocatedBytes(ids)) - allBefore) / steps;
            }
            System.out.println(String.format(Locale.ROOT,
                "  batch %3d, %d thread%s, %-24s %6.2f B/step on the calling thread, %6.2f B/step on all threads",
                batch, threads, threads == 1 ? " " : "s", variant == 0 ? "forward(float[], int):" : "forward(float[][], int):",
                self, all));
          }
        }
      }
    }
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
