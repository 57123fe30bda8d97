package io.nabla.benchmarks;

import io.nabla.runtime.kernel.Kernels;
import io.nabla.runtime.Rng;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The raw matrix products of an MLP 784-256-128-10 training step, at batch 32 and 256, on the portable or the best
 * (Vector API) kernels with 1 or 2 threads. {@code shape} is {@code VARIANT_MxNxK}, the {@link Kernels} method and its {@code m, n, k}:
 *
 * <pre>
 * NT_Bx256x784   hidden1 forward   x · W1ᵀ          NT_Bx128x256   hidden2 forward   h1 · W2ᵀ
 * TN_256x784xB   hidden1 dW1 += dZ1ᵀ · x          TN_128x256xB   hidden2 dW2 += dZ2ᵀ · h1
 * NN_Bx256x128   hidden2 dh1 += dZ2 · W2
 * </pre>
 *
 * <p>Throughput is reported per nanosecond, so the secondary result {@code flop} (2·m·n·k per product, counted
 * by an auxiliary counter) reads directly as <b>GFLOP/s</b>; ignore the primary {@code ops/ns} score.
 *
 * <pre>
 * java -jar benchmarks/target/nabla-benchmarks.jar Matmul -p threads=1 -p kernels=best
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = BenchKernels.VECTOR_MODULE)
public class MatmulBenchmark {
  @Param({
    "NT_32x256x784", "TN_256x784x32", "NT_32x128x256", "NN_32x256x128", "TN_128x256x32",
    "NT_256x256x784", "TN_256x784x256", "NT_256x128x256", "NN_256x256x128", "TN_128x256x256"})
  public String shape;

  @Param({"1", "2"})
  public int threads;

  /** {@code portable} or {@code best} (the Vector API kernels), see {@link BenchKernels}. */
  @Param({"portable", "best"})
  public String kernels;

  private Kernels impl;
  private String variant;
  private int m;
  private int n;
  private int k;
  private float[] a;
  private float[] b;
  private float[] c;

  /** FLOPs done, reported as a rate: FLOP per nanosecond, i.e. GFLOP/s. */
  @State(Scope.Thread)
  @AuxCounters(AuxCounters.Type.OPERATIONS)
  public static class Flops {
    public long flop;

    @Setup(Level.Iteration)
    public void reset() {
      flop = 0;
    }
  }

  @Setup
  public void setUp() {
    String[] parts = shape.split("_");
    variant = parts[0];
    String[] sizes = parts[1].split("x");
    m = Integer.parseInt(sizes[0]);
    n = Integer.parseInt(sizes[1]);
    k = Integer.parseInt(sizes[2]);
    impl = BenchKernels.create(kernels, threads);
    a = random(m * k, 1);
    b = random(k * n, 2);
    c = new float[m * n];
  }

  private static float[] random(int size, long seed) {
    Rng rng = new Rng(seed);
    float[] v = new float[size];
    for (int i = 0; i < size; i++) {
      v[i] = (float) (rng.nextDouble() - 0.5);
    }
    return v;
  }

  @Benchmark
  public float[] product(Flops flops) {
    switch (variant) {
      case "NN":
        impl.matmulNN(c, 0, a, 0, b, 0, m, n, k, false);
        break;
      case "NT":
        impl.matmulNT(c, 0, a, 0, b, 0, m, n, k, false);
        break;
      case "TN":
        impl.matmulTN(c, 0, a, 0, b, 0, m, n, k, false);
        break;
      default:
        throw new IllegalArgumentException("unknown variant " + variant);
    }
    flops.flop += 2L * m * n * k;
    return c;
  }
}
