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
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One Adam (lr 1e-3) step over the MLP's 235,146 parameters, alone: the part of a training step that does not
 * shrink with the batch, so it bounds batch-1 throughput. Each invocation restores the same optimizer state and
 * takes {@value #STEPS} steps; the score is per step.
 *
 * <p>{@code moments = normal}: every gradient and first moment ({@code exp_avg}) a normal float.
 * {@code moments = decaying}: as in training at batch 1 on Fashion-MNIST, 45 % of the gradients are zero (weights
 * of pixels that are zero) and their {@code exp_avg} starts at 2e-38, just above the smallest normal float, and
 * shrinks by β1 = 0.9 per step: computed exactly, it would be subnormal from step 5 to about step 160, and x86
 * cores take a slow assist on every multiply with a subnormal operand (this case took 18× the normal one before
 * the Adam update rounded tiny moments away; see {@code AdamBase.TINY}).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class AdamStepBenchmark {
  static final int STEPS = 200;

  @Param({"normal", "decaying"})
  public String moments;

  private Adam adam;
  private Parameters parameters;
  private OptimizerState start;

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
      boolean idle = moments.equals("decaying") && rng.nextDouble() < 0.45;
      g[i] = idle ? 0f : (float) ((rng.nextDouble() - 0.5) * 2e-3);
      m[i] = idle ? 2e-38f : g[i];
      v[i] = 1e-8f;
    }
    Map<String, float[]> buffers = new LinkedHashMap<>();
    buffers.put("exp_avg", m);
    buffers.put("exp_avg_sq", v);
    Map<String, Double> scalars = new LinkedHashMap<>();
    scalars.put("step", 9000.0);
    start = new OptimizerState("Adam", buffers, scalars);
    adam = Adam.builder().learningRate(1e-3).build();
  }

  @Setup(Level.Invocation)
  public void restart() {
    adam.restore(start);
  }

  @Benchmark
  @OperationsPerInvocation(STEPS)
  public float[] step() {
    for (int s = 0; s < STEPS; s++) {
      adam.step(parameters);
    }
    return parameters.values();
  }
}
