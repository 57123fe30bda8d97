package io.nabla.runtime.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.nabla.Activation;
import io.nabla.runtime.Rng;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link NormalizationKernels} against a double-precision batch norm written from its definition, its central
 * finite differences, and the convolution it folds into.
 *
 * <p>Tolerances: forward outputs, {@code x̂}, {@code 1/σ} and running statistics within {@code 1e-5 · max(1,
 * max|expected|)} of double (1e-6 for the running statistics); training-mode normalised output: per-channel mean
 * within 1e-6 of 0 and biased variance within 1e-5 (relative) of {@code σ²/(σ² + ε)}, itself within 1e-3 of 1;
 * backward within {@code 1e-5 · max(1, max|fd|)} of central differences ({@code h = 1e-6}, in double, on the loss
 * {@code Σ y·r} with random {@code r}: truncation ~1e-12, rounding ~1e-10; the kernel computes in float);
 * folding within {@code 1e-5 · max(1, max|expected|)} of convolution then inference batch norm.
 */
class NormalizationKernelsTest {
  private static final float EPS = 1e-5f;

  /** A batch norm's buffers laid out with gaps, as in a model's parameter and state arrays. */
  private static final class Layout {
    final int channels;
    final int gammaOff;
    final int betaOff;
    final int paramCount;
    final int meanOff;
    final int varOff;
    final int stateCount;

    Layout(int channels, boolean beta) {
      this.channels = channels;
      gammaOff = 2;
      betaOff = beta ? gammaOff + channels + 1 : -1;
      paramCount = gammaOff + 2 * channels + 2;
      meanOff = 1;
      varOff = meanOff + channels + 2;
      stateCount = varOff + channels + 1;
    }
  }

  private static float[] params(Rng rng, Layout l) {
    float[] p = ConvolutionTest.random(rng, l.paramCount);
    for (int c = 0; c < l.channels; c++) {
      // γ away from 0, of either sign.
      float u = rng.nextFloat();
      p[l.gammaOff + c] = (0.5f + u) * (c % 3 == 2 ? -1 : 1);
    }
    return p;
  }

  private static float[] state(Rng rng, Layout l) {
    float[] s = ConvolutionTest.random(rng, l.stateCount);
    for (int c = 0; c < l.channels; c++) {
      s[l.varOff + c] = 0.3f + 2 * rng.nextFloat();
    }
    return s;
  }

  /** Channel c of x: offset {@code 3c - 2} plus spread {@code 0.5 + c}, so statistics differ per channel. */
  private static float[] input(Rng rng, int batch, int channels, int spatial) {
    float[] x = new float[batch * channels * spatial];
    for (int b = 0; b < batch; b++) {
      for (int c = 0; c < channels; c++) {
        for (int s = 0; s < spatial; s++) {
          x[(b * channels + c) * spatial + s] = 3 * c - 2 + (0.5f + c) * (2 * rng.nextFloat() - 1);
        }
      }
    }
    return x;
  }

  // ---------------------------------------------------------------------------------------------------------
  // The double-precision batch norm.

  /** Per-channel {mean, biased variance, unbiased variance} of x in double. */
  private static double[][] stats(double[] x, int batch, int channels, int spatial) {
    double[][] st = new double[channels][3];
    int n = batch * spatial;
    for (int c = 0; c < channels; c++) {
      double sum = 0;
      for (int b = 0; b < batch; b++) {
        for (int s = 0; s < spatial; s++) {
          sum += x[(b * channels + c) * spatial + s];
        }
      }
      double mean = sum / n;
      double sq = 0;
      for (int b = 0; b < batch; b++) {
        for (int s = 0; s < spatial; s++) {
          double d = x[(b * channels + c) * spatial + s] - mean;
          sq += d * d;
        }
      }
      st[c][0] = mean;
      st[c][1] = sq / n;
      st[c][2] = n > 1 ? sq / (n - 1) : 0;
    }
    return st;
  }

  private static double act(Activation act, float slope, double z) {
    switch (act) {
      case IDENTITY:
        return z;
      case RELU:
        return Math.max(z, 0);
      case LEAKY_RELU:
        return z > 0 ? z : slope * z;
      case SIGMOID:
        return 1 / (1 + Math.exp(-z));
      case TANH:
        return Math.tanh(z);
      default:
        throw new IllegalArgumentException(act.toString());
    }
  }

  /**
   * {@code y = act(γ (x - μ)/√(σ² + ε) + β)} in double: the batch statistics in training, the running ones (from
   * {@code state}) in inference.
   */
  private static double[] oracle(boolean training, double[] x, int batch, int channels, int spatial, double[] p,
      Layout l, float[] state, Activation act, float slope) {
    double[][] st = training ? stats(x, batch, channels, spatial) : null;
    double[] y = new double[x.length];
    for (int c = 0; c < channels; c++) {
      double mean = training ? st[c][0] : state[l.meanOff + c];
      double var = training ? st[c][1] : state[l.varOff + c];
      double r = 1 / Math.sqrt(var + EPS);
      double gamma = p[l.gammaOff + c];
      double beta = l.betaOff < 0 ? 0 : p[l.betaOff + c];
      for (int b = 0; b < batch; b++) {
        for (int s = 0; s < spatial; s++) {
          int i = (b * channels + c) * spatial + s;
          y[i] = act(act, slope, gamma * (x[i] - mean) * r + beta);
        }
      }
    }
    return y;
  }

  private static void forward(boolean training, float[] x, int batch, int channels, int spatial, float[] params,
      Layout l, float[] state, float momentum, float[] xhat, float[] invStd, Activation act, float slope,
      float[] out) {
    if (training) {
      NormalizationKernels.batchNormTraining(x, batch, channels, spatial, params, l.gammaOff, l.betaOff, state,
          l.meanOff, l.varOff, momentum, EPS, xhat, invStd, act, slope, out);
    } else {
      NormalizationKernels.batchNormInference(x, batch, channels, spatial, params, l.gammaOff, l.betaOff, state,
          l.meanOff, l.varOff, EPS, xhat, invStd, act, slope, out);
    }
  }

  // ---------------------------------------------------------------------------------------------------------
  // Forward.

  @ParameterizedTest(name = "spatial={0}")
  @MethodSource("spatialSizes")
  void trainingForwardNormalisesEachChannel(int spatial) {
    int batch = 4;
    int channels = 3;
    Layout l = new Layout(channels, true);
    Rng rng = new Rng(11 + spatial);
    float[] x = input(rng, batch, channels, spatial);
    float[] params = new float[l.paramCount];
    Arrays.fill(params, l.gammaOff, l.gammaOff + channels, 1f); // γ = 1, β = 0
    float[] state = state(rng, l);
    int n = x.length;
    float[] xhat = new float[n];
    float[] invStd = new float[channels];
    float[] out = new float[n];
    NormalizationKernels.batchNormTraining(x, batch, channels, spatial, params, l.gammaOff, l.betaOff, state,
        l.meanOff, l.varOff, 0.1f, EPS, xhat, invStd, Activation.IDENTITY, 0f, out);
    double[][] inputStats = stats(ConvolutionTest.toDouble(x), batch, channels, spatial);
    double[][] outStats = stats(ConvolutionTest.toDouble(out), batch, channels, spatial);
    for (int c = 0; c < channels; c++) {
      double var = inputStats[c][1];
      assertEquals(0, outStats[c][0], 1e-6, "mean of channel " + c);
      assertEquals(var / (var + EPS), outStats[c][1], 1e-5 * var / (var + EPS), "variance of channel " + c);
      assertEquals(1, outStats[c][1], 1e-3, "variance of channel " + c);
      assertEquals(1 / Math.sqrt(var + EPS), invStd[c], 1e-6 / Math.sqrt(var + EPS), "1/σ of channel " + c);
    }
    assertArrayEquals(out, xhat, 0f, "x̂ is the output when γ = 1, β = 0");
  }

  static Stream<Arguments> spatialSizes() {
    return Stream.of(Arguments.of(1), Arguments.of(6));
  }

  static Stream<Arguments> forwardCases() {
    List<Arguments> cases = new ArrayList<>();
    Object[][] acts = {{Activation.IDENTITY, 0f}, {Activation.RELU, 0f}, {Activation.LEAKY_RELU, 0.2f},
        {Activation.SIGMOID, 0f}, {Activation.TANH, 0f}};
    for (boolean training : new boolean[] {true, false}) {
      for (int spatial : new int[] {1, 6}) {
        for (Object[] act : acts) {
          for (boolean beta : new boolean[] {true, false}) {
            cases.add(Arguments.of(training, spatial, act[0], act[1], beta));
          }
        }
      }
    }
    return cases.stream();
  }

  @ParameterizedTest(name = "training={0} spatial={1} {2} slope={3} beta={4}")
  @MethodSource("forwardCases")
  void forwardMatchesDouble(boolean training, int spatial, Activation act, float slope, boolean beta) {
    int batch = 3;
    int channels = 4;
    Layout l = new Layout(channels, beta);
    Rng rng = new Rng(21 + spatial * 7 + act.ordinal() * 3 + (training ? 1 : 0) + (beta ? 50 : 0));
    float[] x = input(rng, batch, channels, spatial);
    float[] params = params(rng, l);
    float[] state = state(rng, l);
    float[] stateBefore = state.clone();
    float[] xCopy = x.clone();
    float[] paramsCopy = params.clone();
    int n = x.length;
    float[] xhat = new float[n];
    float[] invStd = new float[channels];
    float[] out = new float[n];
    forward(training, x, batch, channels, spatial, params, l, state, 0.1f, xhat, invStd, act, slope, out);

    double[] xd = ConvolutionTest.toDouble(x);
    double[] want = oracle(training, xd, batch, channels, spatial, ConvolutionTest.toDouble(params), l,
        stateBefore, act, slope);
    ConvolutionTest.assertClose(want, ConvolutionTest.toDouble(out), n, "output");
    // x̂ and 1/σ as documented.
    double[][] st = stats(xd, batch, channels, spatial);
    double[] wantXhat = new double[n];
    for (int c = 0; c < channels; c++) {
      double mean = training ? st[c][0] : stateBefore[l.meanOff + c];
      double var = training ? st[c][1] : stateBefore[l.varOff + c];
      double r = 1 / Math.sqrt(var + EPS);
      assertEquals(r, invStd[c], 1e-6 * r, "1/σ of channel " + c);
      for (int b = 0; b < batch; b++) {
        for (int s = 0; s < spatial; s++) {
          int i = (b * channels + c) * spatial + s;
          wantXhat[i] = (xd[i] - mean) * r;
        }
      }
    }
    ConvolutionTest.assertClose(wantXhat, ConvolutionTest.toDouble(xhat), n, "x̂");
    assertArrayEquals(xCopy, x, 0f, "input unchanged");
    assertArrayEquals(paramsCopy, params, 0f, "parameters unchanged");
    if (!training) {
      assertArrayEquals(stateBefore, state, 0f, "inference leaves the running statistics alone");
    }
  }

  @ParameterizedTest(name = "momentum={0}")
  @MethodSource("momenta")
  void trainingUpdatesRunningStatisticsWithUnbiasedVariance(float momentum) {
    for (int spatial : new int[] {1, 5}) {
      int batch = 4;
      int channels = 3;
      Layout l = new Layout(channels, true);
      Rng rng = new Rng(31 + spatial);
      float[] x = input(rng, batch, channels, spatial);
      float[] params = params(rng, l);
      float[] state = state(rng, l);
      float[] before = state.clone();
      int n = x.length;
      NormalizationKernels.batchNormTraining(x, batch, channels, spatial, params, l.gammaOff, l.betaOff, state,
          l.meanOff, l.varOff, momentum, EPS, new float[n], new float[channels], Activation.IDENTITY, 0f,
          new float[n]);
      double[][] st = stats(ConvolutionTest.toDouble(x), batch, channels, spatial);
      for (int c = 0; c < channels; c++) {
        double mean = (1 - (double) momentum) * before[l.meanOff + c] + momentum * st[c][0];
        double var = (1 - (double) momentum) * before[l.varOff + c] + momentum * st[c][2];
        assertEquals(mean, state[l.meanOff + c], 1e-6 * Math.max(1, Math.abs(mean)), "running mean " + c);
        assertEquals(var, state[l.varOff + c], 1e-6 * Math.max(1, var), "running variance " + c);
        // Not the biased variance (the two differ by n/(n-1)).
        double biased = (1 - (double) momentum) * before[l.varOff + c] + momentum * st[c][1];
        assertTrue(Math.abs(state[l.varOff + c] - biased) > 1e-4, "the running variance must be unbiased");
      }
      // Everything else in the state buffer is untouched.
      for (int i = 0; i < state.length; i++) {
        boolean stat = (i >= l.meanOff && i < l.meanOff + channels) || (i >= l.varOff && i < l.varOff + channels);
        if (!stat) {
          assertEquals(before[i], state[i], 0f, "state outside the statistics at " + i);
        }
      }
    }
  }

  static Stream<Arguments> momenta() {
    return Stream.of(Arguments.of(0.1f), Arguments.of(0.5f), Arguments.of(1f));
  }

  // ---------------------------------------------------------------------------------------------------------
  // Backward against finite differences.

  static Stream<Arguments> backwardCases() {
    List<Arguments> cases = new ArrayList<>();
    for (boolean training : new boolean[] {true, false}) {
      for (Activation act : new Activation[] {Activation.IDENTITY, Activation.RELU}) {
        for (int spatial : new int[] {1, 5}) {
          for (boolean beta : new boolean[] {true, false}) {
            cases.add(Arguments.of(training, act, spatial, beta));
          }
        }
      }
    }
    return cases.stream();
  }

  @ParameterizedTest(name = "training={0} {1} spatial={2} beta={3}")
  @MethodSource("backwardCases")
  void backwardMatchesFiniteDifferences(boolean training, Activation act, int spatial, boolean beta) {
    int batch = 4;
    int channels = 3;
    float slope = 0f;
    Layout l = new Layout(channels, beta);
    Rng rng = new Rng(41 + spatial * 5 + act.ordinal() * 2 + (training ? 1 : 0) + (beta ? 100 : 0));
    float[] x = input(rng, batch, channels, spatial);
    float[] params = params(rng, l);
    float[] state = state(rng, l);
    float[] stateBefore = state.clone();
    int n = x.length;
    float[] r = ConvolutionTest.random(rng, n);

    float[] xhat = new float[n];
    float[] invStd = new float[channels];
    float[] y = new float[n];
    forward(training, x, batch, channels, spatial, params, l, state, 0.1f, xhat, invStd, act, slope, y);
    float[] dy = r.clone();
    float[] grads0 = ConvolutionTest.random(rng, l.paramCount);
    float[] grads = grads0.clone();
    float[] dx0 = ConvolutionTest.random(rng, n);
    float[] dx = dx0.clone();
    NormalizationKernels.batchNormBackward(dy, y, act, slope, xhat, invStd, batch, channels, spatial, params,
        l.gammaOff, grads, l.betaOff, training, dx);

    // dy is overwritten with dz = dy·act'(y).
    float[] dz = r.clone();
    ActivationFunctions.multiplyDerivative(dz, y, 0, n, act, slope);
    assertArrayEquals(dz, dy, 0f, "dy becomes dy·act'(y)");

    double h = 1e-6;
    double[] xd = ConvolutionTest.toDouble(x);
    double[] pd = ConvolutionTest.toDouble(params);
    double[] fdX = new double[n];
    for (int i = 0; i < n; i++) {
      double keep = xd[i];
      xd[i] = keep + h;
      double plus = loss(oracle(training, xd, batch, channels, spatial, pd, l, stateBefore, act, slope), r);
      xd[i] = keep - h;
      double minus = loss(oracle(training, xd, batch, channels, spatial, pd, l, stateBefore, act, slope), r);
      xd[i] = keep;
      fdX[i] = (plus - minus) / (2 * h);
    }
    double[] fdP = new double[l.paramCount];
    for (int i = 0; i < l.paramCount; i++) {
      double keep = pd[i];
      pd[i] = keep + h;
      double plus = loss(oracle(training, xd, batch, channels, spatial, pd, l, stateBefore, act, slope), r);
      pd[i] = keep - h;
      double minus = loss(oracle(training, xd, batch, channels, spatial, pd, l, stateBefore, act, slope), r);
      pd[i] = keep;
      fdP[i] = (plus - minus) / (2 * h);
    }
    assertClose(fdX, difference(dx, dx0), 1e-5, "input gradient");
    // Parameters that are neither γ nor (a present) β have no gradient and must stay as they were.
    assertClose(fdP, difference(grads, grads0), 1e-5, "γ and β gradients");

    // dx == null: the same parameter gradients, the input takes none.
    float[] grads2 = grads0.clone();
    float[] dyAgain = r.clone();
    NormalizationKernels.batchNormBackward(dyAgain, y, act, slope, xhat, invStd, batch, channels, spatial, params,
        l.gammaOff, grads2, l.betaOff, training, null);
    assertArrayEquals(grads, grads2, 0f, "parameter gradients do not depend on dx");
  }

  /** The gradient of Σy through training-mode batch norm (identity activation) is zero: Σ x̂ = 0. */
  @Test
  void trainingGradientOfTheSumIsZero() {
    int batch = 5;
    int channels = 2;
    int spatial = 3;
    Layout l = new Layout(channels, true);
    Rng rng = new Rng(51);
    float[] x = input(rng, batch, channels, spatial);
    float[] params = params(rng, l);
    int n = x.length;
    float[] xhat = new float[n];
    float[] invStd = new float[channels];
    float[] y = new float[n];
    NormalizationKernels.batchNormTraining(x, batch, channels, spatial, params, l.gammaOff, l.betaOff,
        state(rng, l), l.meanOff, l.varOff, 0.1f, EPS, xhat, invStd, Activation.IDENTITY, 0f, y);
    float[] dy = new float[n];
    Arrays.fill(dy, 1f);
    float[] dx = new float[n];
    float[] grads = new float[l.paramCount];
    NormalizationKernels.batchNormBackward(dy, y, Activation.IDENTITY, 0f, xhat, invStd, batch, channels, spatial,
        params, l.gammaOff, grads, l.betaOff, true, dx);
    for (int i = 0; i < n; i++) {
      assertEquals(0, dx[i], 1e-5, "dx[" + i + "]");
    }
    for (int c = 0; c < channels; c++) {
      assertEquals(0, grads[l.gammaOff + c], 1e-5, "dγ: Σ x̂ = 0");
      assertEquals(batch * spatial, grads[l.betaOff + c], 1e-5, "dβ: Σ 1");
    }
  }

  private static double loss(double[] y, float[] r) {
    double s = 0;
    for (int i = 0; i < y.length; i++) {
      s += y[i] * r[i];
    }
    return s;
  }

  private static double[] difference(float[] after, float[] before) {
    double[] d = new double[after.length];
    for (int i = 0; i < after.length; i++) {
      d[i] = (double) after[i] - before[i];
    }
    return d;
  }

  private static void assertClose(double[] expected, double[] actual, double tol, String what) {
    double scale = 1;
    for (double e : expected) {
      scale = Math.max(scale, Math.abs(e));
    }
    for (int i = 0; i < expected.length; i++) {
      if (!(Math.abs(actual[i] - expected[i]) <= tol * scale)) {
        fail(what + ": at " + i + " expected " + expected[i] + " but was " + actual[i] + " (allowed "
            + tol * scale + ")");
      }
    }
  }

  // ---------------------------------------------------------------------------------------------------------
  // Folding into the convolution.

  static Stream<Arguments> foldCases() {
    List<Arguments> cases = new ArrayList<>();
    for (boolean convBias : new boolean[] {true, false}) {
      for (boolean beta : new boolean[] {true, false}) {
        for (int groups : new int[] {1, 3}) {
          cases.add(Arguments.of(convBias, beta, groups));
        }
      }
    }
    return cases.stream();
  }

  @ParameterizedTest(name = "convBias={0} beta={1} groups={2}")
  @MethodSource("foldCases")
  void foldingEqualsConvolutionThenInferenceBatchNorm(boolean convBias, boolean beta, int groups) {
    Conv2dGeometry g = new Conv2dGeometry(3, 5, 6).filters(6).kernel(3, 2).stride(2, 1).padding(1, 0, 1, 1)
        .groups(groups);
    int batch = 2;
    int filters = g.filters;
    int kg = g.patchSize() / g.groups;
    // params: [2 pad][conv weights][1 pad][conv bias][γ][1 pad][β][3 pad]
    int convWeightOff = 2;
    int convBiasOff = convBias ? convWeightOff + filters * kg + 1 : -1;
    int gammaOff = convWeightOff + filters * kg + 1 + filters;
    int betaOff = beta ? gammaOff + filters + 1 : -1;
    int paramCount = gammaOff + 2 * filters + 1 + 3;
    Rng rng = new Rng(61 + groups + (convBias ? 10 : 0) + (beta ? 20 : 0));
    float[] params = ConvolutionTest.random(rng, paramCount);
    for (int f = 0; f < filters; f++) {
      params[gammaOff + f] = (0.5f + rng.nextFloat()) * (f % 2 == 0 ? 1 : -1);
    }
    int meanOff = 3;
    int varOff = meanOff + filters;
    float[] state = ConvolutionTest.random(rng, varOff + filters + 2);
    for (int f = 0; f < filters; f++) {
      state[varOff + f] = 0.2f + 2 * rng.nextFloat();
    }
    float[] paramsCopy = params.clone();
    float[] stateCopy = state.clone();
    float[] x = ConvolutionTest.random(rng, batch * g.inputSize());

    // Convolution, then inference-mode batch norm over (batch, filters, outputPlane).
    int outN = batch * g.outputSize();
    float[] conv = new float[outN];
    ReferenceConvolution.forward(g, x, batch, params, convWeightOff, convBiasOff, conv);
    float[] expected = new float[outN];
    NormalizationKernels.batchNormInference(conv, batch, filters, g.outputPlane(), params, gammaOff, betaOff, state,
        meanOff, varOff, EPS, new float[outN], new float[filters], Activation.IDENTITY, 0f, expected);

    // The folded convolution: weights first, then one bias per filter.
    float[] folded = new float[filters * kg + filters + 4];
    Arrays.fill(folded, filters * kg + filters, folded.length, 777f);
    NormalizationKernels.foldIntoConvolution(params, convWeightOff, convBiasOff, filters, kg, gammaOff, betaOff,
        state, meanOff, varOff, EPS, folded);
    float[] actual = new float[outN];
    ReferenceConvolution.forward(g, x, batch, folded, 0, filters * kg, actual);
    ConvolutionTest.assertClose(ConvolutionTest.toDouble(expected), ConvolutionTest.toDouble(actual), outN,
        "folded convolution");
    // And through the im2col lowering, as generated inference code runs it.
    float[] lowered = lowered(g, x, batch, folded, filters * kg);
    ConvolutionTest.assertClose(ConvolutionTest.toDouble(expected), ConvolutionTest.toDouble(lowered), outN,
        "folded convolution, im2col");
    for (int i = filters * kg + filters; i < folded.length; i++) {
      assertEquals(777f, folded[i], 0f, "written past the folded buffer at " + i);
    }
    assertArrayEquals(paramsCopy, params, 0f, "parameters unchanged");
    assertArrayEquals(stateCopy, state, 0f, "state unchanged");
  }

  private static float[] lowered(Conv2dGeometry g, float[] x, int batch, float[] params, int biasOff) {
    Kernels kernels = Kernels.portable(1);
    int bp = batch * g.outputPlane();
    int fg = g.filters / g.groups;
    int kg = g.patchSize() / g.groups;
    float[] columns = new float[g.patchSize() * bp];
    float[] product = new float[g.filters * bp];
    float[] out = new float[batch * g.outputSize()];
    Convolution.im2col(g, x, batch, columns);
    for (int gi = 0; gi < g.groups; gi++) {
      kernels.matmulNN(product, gi * fg * bp, params, gi * fg * kg, columns, gi * kg * bp, fg, bp, kg, false);
    }
    Convolution.toBatchMajor(g, product, batch, params, biasOff, Activation.IDENTITY, 0f, out);
    return out;
  }
}
