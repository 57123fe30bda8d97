package io.nabla.benchmarks;

import io.nabla.runtime.Parameters;
import io.nabla.runtime.Rng;
import io.nabla.runtime.optim.Adam;
import io.nabla.runtime.optim.OptimizerState;
import java.util.LinkedHashMap;
import java.util.Map;
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
 * One Adam (lr 1e-3) step over the MLP's 235,146 parameters, alone: the part of a training step that does not
 * shrink with the batch, so it bounds batch-1 throughput.
 *
 * <p>{@code moments = normal}: every gradient and first moment ({@code exp_avg}) a normal float.
 * {@code moments = subnormal}: 45 % of them held at a subnormal value (1e-39), the steady state those entries
 * reach; training at batch 1 on Fashion-MNIST leaves 39-49 % of {@code exp_avg} subnormal after 1-3 epochs of
 * 3,000 samples (weights of pixels that are rarely non-zero get a gradient now and then, and the moment decays by
 * 0.9 per step in between), and x86 cores take a slow assist on every subnormal operand.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class AdamStepBenchmark {
  @Param({"normal", "subnormal"})
  public String moments;

  private Adam adam;
  private Parameters parameters;

  @Setup
  public void setUp() {
    MlpNet model = new MlpNet(1);
    model.initialize(42);
    parameters = model.parameters();
    float[] g = parameters.gradients();
    float[] m = new float[g.length];
    float[] v = new float[g.length];
    Rng rng = new Rng(3);
    for (int i = 0; i < g.length; i++) {
      boolean tiny = moments.equals("subnormal") && rng.nextDouble() < 0.45;
      g[i] = tiny ? 1e-39f : (float) ((rng.nextDouble() - 0.5) * 2e-3);
      m[i] = g[i];
      v[i] = 1e-8f;
    }
    Map<String, float[]> buffers = new LinkedHashMap<>();
    buffers.put("exp_avg", m);
    buffers.put("exp_avg_sq", v);
    Map<String, Double> scalars = new LinkedHashMap<>();
    scalars.put("step", 9000.0);
    adam = Adam.builder().learningRate(1e-3).build();
    adam.restore(new OptimizerState("Adam", buffers, scalars));
  }

  @Benchmark
  public float[] step() {
    adam.step(parameters);
    return parameters.values();
  }
}
