package io.nabla.runtime.optim;

import io.nabla.runtime.ParameterTensor;
import io.nabla.runtime.Parameters;
import java.util.Arrays;

/**
 * The problem of the optimizer fixtures ({@code tools/reference/make_optimizer_fixtures.py}), written out by hand:
 * x (3) → hidden = tanh(x · W1ᵀ + b1) (5) → out = hidden · W2ᵀ + b2 (2), the mean squared error against fixed
 * targets on a fixed batch. Parameters in Nabla's layout: {@code hidden.weight} (5, 3) at 0, {@code hidden.bias}
 * (5) at 15, {@code out.weight} (2, 5) at 20, {@code out.bias} (2) at 30. The forward and backward passes run in
 * double from the float weights and write float gradients: the exact gradient up to one rounding, where PyTorch's
 * float32 autograd is within a few roundings of it.
 */
final class TinyMlp {
  static final int IN = 3;
  static final int HIDDEN = 5;
  static final int OUT = 2;
  static final String[] NAMES = {"hidden.weight", "hidden.bias", "out.weight", "out.bias"};
  static final int W1 = 0;
  static final int B1 = W1 + HIDDEN * IN;
  static final int W2 = B1 + HIDDEN;
  static final int B2 = W2 + OUT * HIDDEN;
  static final int SIZE = B2 + OUT;

  private final float[] inputs;
  private final float[] targets;
  private final int batch;
  private final double[] grad = new double[SIZE];
  private final double[] h = new double[HIDDEN];
  private final double[] dy = new double[OUT];

  TinyMlp(float[] inputs, float[] targets) {
    if (inputs.length % IN != 0 || targets.length != inputs.length / IN * OUT) {
      throw new IllegalArgumentException("inputs " + inputs.length + " and targets " + targets.length);
    }
    this.inputs = inputs.clone();
    this.targets = targets.clone();
    this.batch = inputs.length / IN;
  }

  /** A parameter set with the four named tensors, holding {@code values}. */
  static Parameters parameters(float[] values) {
    if (values.length != SIZE) {
      throw new IllegalArgumentException("expected " + SIZE + " values, got " + values.length);
    }
    return new Parameters(values.clone(), new float[SIZE], Arrays.asList(
        new ParameterTensor("hidden", ParameterTensor.Kind.WEIGHT, W1, new int[] {HIDDEN, IN},
            ParameterTensor.Init.GLOROT_UNIFORM, IN, HIDDEN),
        new ParameterTensor("hidden", ParameterTensor.Kind.BIAS, B1, new int[] {HIDDEN},
            ParameterTensor.Init.ZEROS, IN, HIDDEN),
        new ParameterTensor("out", ParameterTensor.Kind.WEIGHT, W2, new int[] {OUT, HIDDEN},
            ParameterTensor.Init.GLOROT_UNIFORM, HIDDEN, OUT),
        new ParameterTensor("out", ParameterTensor.Kind.BIAS, B2, new int[] {OUT},
            ParameterTensor.Init.ZEROS, HIDDEN, OUT)));
  }

  /** The loss at the current weights; sets {@code p.gradients()} to its gradient (not accumulated). */
  double lossAndGradient(Parameters p) {
    float[] w = p.values();
    Arrays.fill(grad, 0);
    double loss = 0;
    double n = batch * OUT;
    for (int b = 0; b < batch; b++) {
      for (int j = 0; j < HIDDEN; j++) {
        double z = w[B1 + j];
        for (int k = 0; k < IN; k++) {
          z += (double) w[W1 + j * IN + k] * inputs[b * IN + k];
        }
        h[j] = Math.tanh(z);
      }
      for (int o = 0; o < OUT; o++) {
        double y = w[B2 + o];
        for (int j = 0; j < HIDDEN; j++) {
          y += w[W2 + o * HIDDEN + j] * h[j];
        }
        double e = y - targets[b * OUT + o];
        loss += e * e / n;
        dy[o] = 2 * e / n;
        grad[B2 + o] += dy[o];
        for (int j = 0; j < HIDDEN; j++) {
          grad[W2 + o * HIDDEN + j] += dy[o] * h[j];
        }
      }
      for (int j = 0; j < HIDDEN; j++) {
        double dh = 0;
        for (int o = 0; o < OUT; o++) {
          dh += dy[o] * w[W2 + o * HIDDEN + j];
        }
        double dz = dh * (1 - h[j] * h[j]);
        grad[B1 + j] += dz;
        for (int k = 0; k < IN; k++) {
          grad[W1 + j * IN + k] += dz * inputs[b * IN + k];
        }
      }
    }
    float[] g = p.gradients();
    for (int i = 0; i < SIZE; i++) {
      g[i] = (float) grad[i];
    }
    return loss;
  }
}
