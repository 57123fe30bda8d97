package io.nabla.runtime.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nabla.Activation;
import io.nabla.runtime.Rng;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The {@link Kernels} layer and batch normalisations ({@code layerNormForward}, {@code layerNormBackward},
 * {@code batchNormTraining}, {@code batchNormInference}, {@code batchNormBackward}) of the reference, the portable
 * kernels on 1, 2 and 3 threads and {@link Kernels#best} on 1, 2 and 3 threads (the Vector API kernels in the runtime
 * pom's {@code vector-kernels} run): bitwise equal to the static {@link LayerNormKernels} and
 * {@link NormalizationKernels} methods, whose accuracy {@code LayerNormKernelsTest} and
 * {@code NormalizationKernelsTest} check. Every output array is compared whole, slack included, so nothing outside
 * the outputs is written. Shapes run from one row, one feature, batch 1 and one position to sizes well above the
 * thresholds from which the work splits ({@link ParallelWork#LAYER_NORM_THRESHOLD},
 * {@link ParallelWork#BATCH_NORM_THRESHOLD}), with odd row, feature and channel counts; one kernels instance serves
 * every shape in turn.
 */
class NormalizationSplittingTest {
  private static final Map<String, Kernels> KERNELS = new LinkedHashMap<>();

  static {
    KERNELS.put("reference", new ReferenceKernels());
    for (int threads = 1; threads <= 3; threads++) {
      KERNELS.put("portable" + threads, new PortableKernels(threads));
    }
    for (int threads = 1; threads <= 3; threads++) {
      KERNELS.put("best" + threads, Kernels.best(threads));
    }
  }

  /** Rows, features: below and above {@link ParallelWork#LAYER_NORM_THRESHOLD} = 4096 elements. */
  private static final int[][] LAYER_SHAPES = {
      {1, 1}, {1, 7}, {3, 1}, {3, 5}, {7, 33}, {63, 64}, {64, 64}, {65, 63}, {64, 65}, {300, 33}, {5001, 1},
      {1, 4099}, {2, 4099}, {3, 2047}, {2048, 128}, {129, 257}};

  /** Batch, channels, positions: below and above {@link ParallelWork#BATCH_NORM_THRESHOLD} = 4096 elements. */
  private static final int[][] BATCH_SHAPES = {
      {1, 1, 1}, {1, 3, 1}, {2, 5, 1}, {5, 1, 7}, {1, 2, 3}, {3, 7, 5}, {256, 33, 1}, {1, 4099, 1}, {4099, 1, 1},
      {2, 2, 2048}, {1, 7, 1000}, {3, 16, 784}, {17, 3, 97}, {64, 256, 1}, {1, 3, 5000}};

  private static final Object[][] ACTIVATIONS = {{Activation.IDENTITY, 0f}, {Activation.RELU, 0f},
      {Activation.LEAKY_RELU, 0.1f}, {Activation.TANH, 0f}, {Activation.SIGMOID, 0f}};

  static Stream<Arguments> layerShapes() {
    List<Arguments> cases = new ArrayList<>();
    for (int[] s : LAYER_SHAPES) {
      cases.add(Arguments.of(s[0], s[1]));
    }
    return cases.stream();
  }

  static Stream<Arguments> batchShapes() {
    List<Arguments> cases = new ArrayList<>();
    for (int[] s : BATCH_SHAPES) {
      for (Object[] act : ACTIVATIONS) {
        cases.add(Arguments.of(s[0], s[1], s[2], act[0], act[1]));
      }
    }
    return cases.stream();
  }

  static float[] random(Rng rng, int n, float scale, float shift) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = scale * (2 * rng.nextFloat() - 1) + shift;
    }
    return v;
  }

  private static void assertBitwise(float[] expected, float[] actual, String what) {
    assertEquals(expected.length, actual.length, what + " length");
    for (int i = 0; i < expected.length; i++) {
      if (Float.floatToRawIntBits(expected[i]) != Float.floatToRawIntBits(actual[i])) {
        throw new AssertionError(what + " differs at " + i + " of " + expected.length + ": expected "
            + expected[i] + ", got " + actual[i]);
      }
    }
  }

  // ---------------------------------------------------------------------------------------------------------
  // Layer norm.

  @ParameterizedTest(name = "rows={0} n={1}")
  @MethodSource("layerShapes")
  void layerNormMatchesTheStaticMethodsBitwise(int rows, int n) {
    Rng rng = new Rng(31L * rows + n);
    int weightOff = 3;
    int biasOff = weightOff + n + 2;
    float[] params = random(rng, biasOff + n + 1, 1f, 0.5f);
    // A per-row offset: the mean is not 0.
    float[] x = random(rng, rows * n + 2, 1f, 0f);
    for (int i = 0; i < rows * n; i++) {
      x[i] += (i / n % 5) * 0.75f;
    }
    float[] dy = random(rng, rows * n + 2, 1f, 0f);
    float[] grads0 = random(rng, params.length + 3, 1f, 0f);
    float[] dx0 = random(rng, rows * n + 2, 1f, 0f);

    float[] y = random(rng, rows * n + 2, 1f, 0f);
    float[] mean = random(rng, rows + 1, 1f, 0f);
    float[] rstd = random(rng, rows + 1, 1f, 0f);
    float[] yStatic = y.clone();
    float[] meanStatic = mean.clone();
    float[] rstdStatic = rstd.clone();
    float epsilon = 1e-5f;
    LayerNormKernels.forward(yStatic, x, rows, n, epsilon, params, weightOff, biasOff, meanStatic, rstdStatic);
    float[] gradsStatic = grads0.clone();
    float[] dxStatic = dx0.clone();
    LayerNormKernels.backward(dy, x, rows, n, meanStatic, rstdStatic, params, weightOff, gradsStatic, weightOff,
        biasOff, dxStatic);
    float[] gradsOnlyStatic = grads0.clone();
    LayerNormKernels.backward(dy, x, rows, n, meanStatic, rstdStatic, params, weightOff, gradsOnlyStatic, weightOff,
        biasOff, null);
    // In place (y = x), as the static method allows.
    float[] inPlaceStatic = x.clone();
    LayerNormKernels.forward(inPlaceStatic, inPlaceStatic, rows, n, epsilon, params, weightOff, biasOff,
        new float[rows], new float[rows]);

    float[] xCopy = x.clone();
    float[] dyCopy = dy.clone();
    for (Map.Entry<String, Kernels> e : KERNELS.entrySet()) {
      Kernels k = e.getValue();
      String name = e.getKey() + " rows " + rows + " n " + n;
      float[] yk = y.clone();
      float[] meanK = mean.clone();
      float[] rstdK = rstd.clone();
      k.layerNormForward(yk, x, rows, n, epsilon, params, weightOff, biasOff, meanK, rstdK);
      assertBitwise(yStatic, yk, name + " y");
      assertBitwise(meanStatic, meanK, name + " mean");
      assertBitwise(rstdStatic, rstdK, name + " rstd");

      float[] grads = grads0.clone();
      float[] dx = dx0.clone();
      k.layerNormBackward(dy, x, rows, n, meanK, rstdK, params, weightOff, grads, weightOff, biasOff, dx);
      assertBitwise(gradsStatic, grads, name + " parameter gradients");
      assertBitwise(dxStatic, dx, name + " dx");
      float[] gradsOnly = grads0.clone();
      k.layerNormBackward(dy, x, rows, n, meanK, rstdK, params, weightOff, gradsOnly, weightOff, biasOff, null);
      assertBitwise(gradsOnlyStatic, gradsOnly, name + " parameter gradients without dx");

      float[] inPlace = x.clone();
      k.layerNormForward(inPlace, inPlace, rows, n, epsilon, params, weightOff, biasOff, new float[rows],
          new float[rows]);
      assertBitwise(inPlaceStatic, inPlace, name + " in place");
      assertArrayEquals(xCopy, x, name + " x not modified");
      assertArrayEquals(dyCopy, dy, name + " dy not modified");
    }
  }

  /** dx written over dy (or x): the kernels fall back to the static method, so the result is still its result. */
  @Test
  void layerNormBackwardWithTheInputGradientOverAnInputIsTheStaticResult() {
    int rows = 300;
    int n = 33;
    Rng rng = new Rng(7);
    float[] params = random(rng, 2 * n, 1f, 0.5f);
    float[] x = random(rng, rows * n, 1f, 0.3f);
    float[] mean = new float[rows];
    float[] rstd = new float[rows];
    LayerNormKernels.forward(new float[rows * n], x, rows, n, 1e-5f, params, 0, n, mean, rstd);
    float[] dy = random(rng, rows * n, 1f, 0f);
    float[] overDy = dy.clone();
    float[] gradsStatic = new float[2 * n];
    LayerNormKernels.backward(overDy, x, rows, n, mean, rstd, params, 0, gradsStatic, 0, n, overDy);
    float[] overX = x.clone();
    float[] gradsStaticX = new float[2 * n];
    LayerNormKernels.backward(dy, overX, rows, n, mean, rstd, params, 0, gradsStaticX, 0, n, overX);
    for (Map.Entry<String, Kernels> e : KERNELS.entrySet()) {
      float[] d = dy.clone();
      float[] grads = new float[2 * n];
      e.getValue().layerNormBackward(d, x, rows, n, mean, rstd, params, 0, grads, 0, n, d);
      assertBitwise(overDy, d, e.getKey() + " dx over dy");
      assertBitwise(gradsStatic, grads, e.getKey() + " gradients, dx over dy");
      float[] xk = x.clone();
      float[] gradsX = new float[2 * n];
      e.getValue().layerNormBackward(dy, xk, rows, n, mean, rstd, params, 0, gradsX, 0, n, xk);
      assertBitwise(overX, xk, e.getKey() + " dx over x");
      assertBitwise(gradsStaticX, gradsX, e.getKey() + " gradients, dx over x");
    }
  }

  // ---------------------------------------------------------------------------------------------------------
  // Batch norm.

  @ParameterizedTest(name = "B={0} C={1} S={2} {3}")
  @MethodSource("batchShapes")
  void batchNormMatchesTheStaticMethodsBitwise(int batch, int channels, int spatial, Activation act, float slope) {
    Rng rng = new Rng(((31L * batch + channels) * 31 + spatial) * 31 + act.ordinal());
    int size = batch * channels * spatial;
    int gammaOff = 2;
    int betaOff = gammaOff + channels + 1;
    float[] params = random(rng, betaOff + channels + 2, 1f, 0.5f);
    int meanOff = 1;
    int varOff = meanOff + channels + 3;
    float[] state0 = random(rng, varOff + channels + 1, 0.5f, 1f);
    float[] x = random(rng, size + 3, 2f, 0.5f);
    float[] xhat0 = random(rng, size + 3, 1f, 0f);
    float[] invStd0 = random(rng, channels + 2, 1f, 0f);
    float[] out0 = random(rng, size + 3, 1f, 0f);
    float[] dy0 = random(rng, size + 3, 1f, 0f);
    float[] grads0 = random(rng, params.length + 1, 1f, 0f);
    float[] dx0 = random(rng, size + 3, 1f, 0f);
    float momentum = 0.1f;
    float epsilon = 1e-5f;

    for (boolean training : new boolean[] {true, false}) {
      for (boolean beta : new boolean[] {true, false}) {
        int bOff = beta ? betaOff : -1;
        float[] stateStatic = state0.clone();
        float[] xhatStatic = xhat0.clone();
        float[] invStdStatic = invStd0.clone();
        float[] outStatic = out0.clone();
        if (training) {
          NormalizationKernels.batchNormTraining(x, batch, channels, spatial, params, gammaOff, bOff, stateStatic,
              meanOff, varOff, momentum, epsilon, xhatStatic, invStdStatic, act, slope, outStatic);
        } else {
          NormalizationKernels.batchNormInference(x, batch, channels, spatial, params, gammaOff, bOff, stateStatic,
              meanOff, varOff, epsilon, xhatStatic, invStdStatic, act, slope, outStatic);
        }
        float[] dyStatic = dy0.clone();
        float[] gradsStatic = grads0.clone();
        float[] dxStatic = dx0.clone();
        NormalizationKernels.batchNormBackward(dyStatic, outStatic, act, slope, xhatStatic, invStdStatic, batch,
            channels, spatial, params, gammaOff, gradsStatic, bOff, training, dxStatic);
        float[] dyOnlyStatic = dy0.clone();
        float[] gradsOnlyStatic = grads0.clone();
        NormalizationKernels.batchNormBackward(dyOnlyStatic, outStatic, act, slope, xhatStatic, invStdStatic, batch,
            channels, spatial, params, gammaOff, gradsOnlyStatic, bOff, training, null);

        for (Map.Entry<String, Kernels> e : KERNELS.entrySet()) {
          Kernels k = e.getValue();
          String name = e.getKey() + (training ? " training" : " inference") + (beta ? "" : " no β") + " B "
              + batch + " C " + channels + " S " + spatial + " " + act;
          float[] state = state0.clone();
          float[] xhat = xhat0.clone();
          float[] invStd = invStd0.clone();
          float[] out = out0.clone();
          float[] xCopy = x.clone();
          if (training) {
            k.batchNormTraining(x, batch, channels, spatial, params, gammaOff, bOff, state, meanOff, varOff,
                momentum, epsilon, xhat, invStd, act, slope, out);
          } else {
            k.batchNormInference(x, batch, channels, spatial, params, gammaOff, bOff, state, meanOff, varOff,
                epsilon, xhat, invStd, act, slope, out);
          }
          assertBitwise(outStatic, out, name + " out");
          assertBitwise(xhatStatic, xhat, name + " x̂");
          assertBitwise(invStdStatic, invStd, name + " 1/σ");
          assertBitwise(stateStatic, state, name + " running statistics");
          assertArrayEquals(xCopy, x, name + " x not modified");

          float[] dy = dy0.clone();
          float[] grads = grads0.clone();
          float[] dx = dx0.clone();
          k.batchNormBackward(dy, out, act, slope, xhat, invStd, batch, channels, spatial, params, gammaOff, grads,
              bOff, training, dx);
          assertBitwise(dyStatic, dy, name + " dz");
          assertBitwise(gradsStatic, grads, name + " parameter gradients");
          assertBitwise(dxStatic, dx, name + " dx");
          float[] dyOnly = dy0.clone();
          float[] gradsOnly = grads0.clone();
          k.batchNormBackward(dyOnly, out, act, slope, xhat, invStd, batch, channels, spatial, params, gammaOff,
              gradsOnly, bOff, training, null);
          assertBitwise(dyOnlyStatic, dyOnly, name + " dz without dx");
          assertBitwise(gradsOnlyStatic, gradsOnly, name + " parameter gradients without dx");
        }
      }
    }
  }

  /** The forward in place ({@code out = x}), as the static method allows. */
  @Test
  void batchNormInPlaceIsTheStaticResult() {
    for (int[] s : new int[][] {{3, 7, 5}, {3, 16, 784}, {64, 256, 1}}) {
      int size = s[0] * s[1] * s[2];
      Rng rng = new Rng(size);
      float[] params = random(rng, 2 * s[1], 1f, 0.5f);
      float[] x = random(rng, size, 2f, 0.5f);
      float[] state0 = random(rng, 2 * s[1], 0.5f, 1f);
      float[] expected = x.clone();
      float[] stateStatic = state0.clone();
      NormalizationKernels.batchNormTraining(expected, s[0], s[1], s[2], params, 0, s[1], stateStatic, 0, s[1],
          0.1f, 1e-5f, new float[size], new float[s[1]], Activation.RELU, 0f, expected);
      for (Map.Entry<String, Kernels> e : KERNELS.entrySet()) {
        float[] actual = x.clone();
        float[] state = state0.clone();
        e.getValue().batchNormTraining(actual, s[0], s[1], s[2], params, 0, s[1], state, 0, s[1], 0.1f, 1e-5f,
            new float[size], new float[s[1]], Activation.RELU, 0f, actual);
        assertBitwise(expected, actual, e.getKey() + " in place " + size);
        assertBitwise(stateStatic, state, e.getKey() + " running statistics " + size);
      }
    }
  }

  /** GELU and SiLU have no derivative from the output: refused before anything is written, split or not. */
  @Test
  void batchNormBackwardRefusesGeluAndSiluBeforeWritingAnything() {
    for (Activation act : new Activation[] {Activation.GELU, Activation.SILU}) {
      for (int[] s : new int[][] {{2, 3, 5}, {3, 16, 784}}) {
        int size = s[0] * s[1] * s[2];
        Rng rng = new Rng(size + act.ordinal());
        float[] params = random(rng, 2 * s[1], 1f, 0.5f);
        float[] x = random(rng, size, 2f, 0.5f);
        float[] xhat = new float[size];
        float[] invStd = new float[s[1]];
        float[] out = new float[size];
        float[] state = random(rng, 2 * s[1], 0.5f, 1f);
        for (Map.Entry<String, Kernels> e : KERNELS.entrySet()) {
          Kernels k = e.getValue();
          k.batchNormTraining(x, s[0], s[1], s[2], params, 0, s[1], state, 0, s[1], 0.1f, 1e-5f, xhat, invStd,
              act, 0f, out);
          float[] dy = random(rng, size, 1f, 0f);
          float[] dyCopy = dy.clone();
          float[] grads = new float[2 * s[1]];
          float[] dx = new float[size];
          IllegalArgumentException thrown = assertThrows(IllegalArgumentException.class,
              () -> k.batchNormBackward(dy, out, act, 0f, xhat, invStd, s[0], s[1], s[2], params, 0, grads, s[1],
                  true, dx));
          assertTrue(thrown.getMessage().contains("pre-activation"), thrown.getMessage());
          assertArrayEquals(dyCopy, dy, e.getKey() + " dy untouched");
          assertArrayEquals(new float[2 * s[1]], grads, e.getKey() + " gradients untouched");
          assertArrayEquals(new float[size], dx, e.getKey() + " dx untouched");
        }
      }
    }
  }

  // ---------------------------------------------------------------------------------------------------------
  // Allocation.

  @Test
  void normalisationsAllocateNothingPerCallAfterWarmUp() {
    java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
    if (!(mx instanceof com.sun.management.ThreadMXBean)) {
      return;
    }
    com.sun.management.ThreadMXBean bean = (com.sun.management.ThreadMXBean) mx;
    Rng rng = new Rng(11);
    int rows = 2048;
    int n = 128;
    float[] params = random(rng, 2 * n, 1f, 0.5f);
    float[] x = random(rng, rows * n, 1f, 0.2f);
    float[] y = new float[rows * n];
    float[] mean = new float[rows];
    float[] rstd = new float[rows];
    float[] dy = random(rng, rows * n, 1f, 0f);
    float[] dx = new float[rows * n];
    float[] grads = new float[2 * n];
    int batch = 64;
    int channels = 16;
    int spatial = 196;
    int size = batch * channels * spatial;
    float[] bx = random(rng, size, 1f, 0.2f);
    float[] bParams = random(rng, 2 * channels, 1f, 0.5f);
    float[] state = random(rng, 2 * channels, 0.5f, 1f);
    float[] xhat = new float[size];
    float[] invStd = new float[channels];
    float[] out = new float[size];
    float[] bdy = new float[size];
    float[] bdx = new float[size];
    float[] bGrads = new float[2 * channels];
    for (Map.Entry<String, Kernels> e : KERNELS.entrySet()) {
      Kernels k = e.getValue();
      long allocated = 0;
      for (int round = 0; round < 4; round++) {
        long before = bean.getThreadAllocatedBytes(Thread.currentThread().getId());
        k.layerNormForward(y, x, rows, n, 1e-5f, params, 0, n, mean, rstd);
        k.layerNormBackward(dy, x, rows, n, mean, rstd, params, 0, grads, 0, n, dx);
        k.batchNormTraining(bx, batch, channels, spatial, bParams, 0, channels, state, 0, channels, 0.1f, 1e-5f,
            xhat, invStd, Activation.RELU, 0f, out);
        k.batchNormInference(bx, batch, channels, spatial, bParams, 0, channels, state, 0, channels, 1e-5f, xhat,
            invStd, Activation.RELU, 0f, out);
        System.arraycopy(out, 0, bdy, 0, size);
        k.batchNormBackward(bdy, out, Activation.RELU, 0f, xhat, invStd, batch, channels, spatial, bParams, 0,
            bGrads, channels, true, bdx);
        allocated = bean.getThreadAllocatedBytes(Thread.currentThread().getId()) - before;
      }
      assertTrue(allocated == 0, e.getKey() + ": " + allocated + " bytes allocated per call after warm-up");
    }
  }
}
