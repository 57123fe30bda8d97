package io.nabla.benchmarks;

import io.nabla.runtime.optim.Adam;
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
 * One training step of the MLP 784-256-128-10 on a fixed batch: {@code zeroGradients, forward, loss, backward} and
 * an Adam (lr 1e-3) step, on the portable or the best (Vector API) kernels with 1 or 2 threads. Time per step; samples/s is
 * {@code batch / time}. With {@code -prof gc}, {@code gc.alloc.rate.norm} is the bytes allocated per step (target
 * 0).
 *
 * <pre>
 * java -jar benchmarks/target/nabla-benchmarks.jar TrainStep -prof gc
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 4, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = BenchKernels.VECTOR_MODULE)
public class TrainStepBenchmark {
  @Param({"1", "32", "256"})
  public int batch;

  @Param({"1", "2"})
  public int threads;

  /** {@code portable} or {@code best} (the Vector API kernels), see {@link BenchKernels}. */
  @Param({"portable", "best"})
  public String kernels;

  private MlpNet model;
  private Adam adam;
  private float[] features;
  private float[][] inputs;
  private int[] labels;

  @Setup
  public void setUp() {
    model = new MlpNet(batch, BenchKernels.create(kernels, threads));
    model.initialize(42);
    adam = Adam.builder().learningRate(1e-3).build();
    Dataset data = BenchData.random(batch, 7);
    features = data.features();
    inputs = new float[][] {features};
    labels = data.labels();
  }

  @Benchmark
  public float step() {
    model.zeroGradients();
    model.forward(features, batch);
    float loss = model.loss(labels, batch);
    model.backward();
    adam.step(model.parameters());
    return loss;
  }

  /**
   * The same step through {@code forward(float[][], int)} with the input array wrapped once, outside the step:
   * the difference in {@code gc.alloc.rate.norm} from {@link #step()} is what {@code forward(float[], int)}
   * allocates per call (it wraps its argument in a new {@code float[][]}).
   */
  @Benchmark
  public float stepPrewrapped() {
    model.zeroGradients();
    model.forward(inputs, batch);
    float loss = model.loss(labels, batch);
    model.backward();
    adam.step(model.parameters());
    return loss;
  }
}
