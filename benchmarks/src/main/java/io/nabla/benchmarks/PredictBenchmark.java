package io.nabla.benchmarks;

import io.nabla.runtime.train.Dataset;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Single-sample latency of the trained-shape MLP 784-256-128-10 in inference mode, one thread:
 * {@code forward(x, 1)} (the output buffer itself, allocation-free), {@code predict(x, 1)} (a copy of the 10
 * outputs) and {@code predictClasses(x, 1)} (the argmax, in a new {@code int[1]}), and both into arrays of the
 * caller's ({@code predictInto}, {@code predictClassesInto}: allocation-free, as {@code -prof gc} shows).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 4, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = BenchKernels.VECTOR_MODULE)
public class PredictBenchmark {
  /** {@code portable} or {@code best} (the Vector API kernels), see {@link BenchKernels}. */
  @Param({"portable", "best"})
  public String kernels;

  private MlpNet model;
  private float[] sample;
  private final float[] outputs = new float[10];
  private final int[] classes = new int[1];

  @Setup
  public void setUp() {
    model = new MlpNet(1, BenchKernels.create(kernels, 1));
    model.initialize(42);
    model.setTraining(false);
    Dataset data = BenchData.random(1, 7);
    sample = data.features();
  }

  @Benchmark
  public float[] forward() {
    return model.forward(sample, 1);
  }

  @Benchmark
  public float[] predict() {
    return model.predict(sample, 1);
  }

  @Benchmark
  public int[] predictClasses() {
    return model.predictClasses(sample, 1);
  }

  @Benchmark
  public float[] predictInto() {
    return model.predict(sample, 1, outputs);
  }

  @Benchmark
  public int[] predictClassesInto() {
    return model.predictClasses(sample, 1, classes);
  }
}
