package io.nabla.runtime.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.nabla.Activation;
import io.nabla.runtime.Rng;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The {@link Kernels} convolution and pooling steps ({@code im2col}, {@code col2imAdd}, {@code toBatchMajor},
 * {@code toFilterMajor}, max and average pooling) of every implementation ({@link KernelsFastPathTest#implementations}:
 * reference, portable and best on 1, 2 and 3 threads): bitwise equal to the static {@link Convolution} and
 * {@link Pooling} methods (which {@code ConvolutionTest} and {@code PoolingTest} check against
 * {@link ReferenceConvolution}, brute force and finite differences), so 1 and 2 threads agree bitwise (but for the
 * Vector API kernels' bias gradient after a ReLU, summed in vectors: within rounding of the static method, and
 * bitwise equal to one thread's); the whole
 * forward and backward against {@link ReferenceConvolution} within {@code 1e-5·max(1, max|expected|)}; the 2×2
 * stride-2 max pooling (a vector loop in the Vector API kernels) against a scan in window order on data full of ties, NaNs, signed zeros and infinities.
 * Sizes include ones above the threshold from which the steps split over the threads.
 */
class ConvolutionKernelsTest {
  private static final double TOL = 1e-5;

  /** As {@code ConvolutionTest}: channels, height, width, filters, groups, kernel, stride, padding, dilation. */
  private static final int[][] CONVOLUTIONS = {
      {2, 5, 7, 3, 1, 3, 2, 1, 1, 0, 0, 0, 0, 1, 1},
      {2, 5, 7, 4, 1, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1},
      {4, 7, 9, 4, 2, 3, 2, 2, 3, 1, 2, 0, 1, 2, 1},
      {3, 5, 7, 6, 3, 3, 3, 2, 1, 1, 1, 1, 1, 1, 2},
      // "Same" padding, stride 1 (one span per kernel offset): dilation 2; 5×5; a 1×11 kernel (gaps over 4 wide)
      {2, 7, 7, 2, 1, 3, 3, 1, 1, 2, 2, 2, 2, 2, 2},
      {3, 6, 8, 2, 1, 5, 5, 1, 1, 2, 2, 2, 2, 1, 1},
      {2, 6, 9, 3, 1, 1, 11, 1, 1, 0, 5, 0, 5, 1, 1},
      // The small CNN's layers, large enough to split.
      {1, 28, 28, 16, 1, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1},
      {16, 14, 14, 32, 1, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1},
  };

  /** As {@code PoolingTest}: channels, height, width, kernel, stride, padding, dilation. */
  private static final int[][] POOLS = {
      {2, 4, 4, 2, 2, 2, 2, 0, 0, 0, 0, 1, 1},
      {2, 5, 7, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1},
      {3, 7, 5, 3, 2, 1, 1, 0, 0, 0, 0, 1, 1},
      {2, 7, 7, 2, 2, 1, 2, 1, 0, 1, 1, 2, 2},
      // odd sizes: the last row and column are not pooled
      {3, 9, 7, 2, 2, 2, 2, 0, 0, 0, 0, 1, 1},
      // large enough to split
      {16, 28, 28, 2, 2, 2, 2, 0, 0, 0, 0, 1, 1},
      {32, 14, 14, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1},
  };

  /**
   * {@link KernelsFastPathTest#implementations} and the portable and best kernels on 3 threads: the epilogues split
   * by samples from as many samples as threads, unevenly for 5 and 7 samples.
   */
  private static Map<String, Kernels> implementations() {
    Map<String, Kernels> all = KernelsFastPathTest.implementations();
    all.put("portable3", Kernels.portable(3));
    all.put("best3", Kernels.best(3));
    return all;
  }

  static Stream<Arguments> convolutionCases() {
    List<Arguments> cases = new ArrayList<>();
    Object[][] acts = {{Activation.RELU, 0f}, {Activation.IDENTITY, 0f}, {Activation.LEAKY_RELU, 0.1f},
        {Activation.TANH, 0f}};
    for (String k : implementations().keySet()) {
      for (int gi = 0; gi < CONVOLUTIONS.length; gi++) {
        for (Object[] act : acts) {
          cases.add(Arguments.of(k, gi, act[0], act[1]));
        }
      }
    }
    return cases.stream();
  }

  static Stream<Arguments> poolCases() {
    List<Arguments> cases = new ArrayList<>();
    for (String k : implementations().keySet()) {
      for (int gi = 0; gi < POOLS.length; gi++) {
        cases.add(Arguments.of(k, gi));
      }
    }
    return cases.stream();
  }

  private static Kernels kernels(String name) {
    return implementations().get(name);
  }

  @ParameterizedTest(name = "{0} #{1} {2}")
  @MethodSource("convolutionCases")
  void convolutionStepsMatchTheStaticMethodsBitwise(String name, int which, Activation act, float slope) {
    Kernels kernels = kernels(name);
    Conv2dGeometry g = ConvolutionTest.geometry(CONVOLUTIONS[which]);
    for (int batch : new int[] {1, 5, 7}) {
      boolean bias = batch > 1;
      Rng rng = new Rng(31L * which + batch + act.ordinal());
      int groups = g.groups;
      int fg = g.filters / groups;
      int kg = g.patchSize() / groups;
      int bp = batch * g.outputPlane();
      int outN = batch * g.outputSize();
      int inN = batch * g.inputSize();
      int weightOff = 3;
      int biasOff = bias ? weightOff + g.filters * kg : -1;
      float[] params = ConvolutionTest.random(rng, weightOff + g.filters * kg + g.filters);
      float[] x = ConvolutionTest.random(rng, inN);

      // Forward, through the kernels and through the static methods.
      float[] columns = ConvolutionTest.random(rng, g.patchSize() * bp);
      float[] columnsStatic = ConvolutionTest.random(rng, g.patchSize() * bp);
      kernels.im2col(g, x, batch, columns);
      Convolution.im2col(g, x, batch, columnsStatic);
      assertBitwise(columnsStatic, columns, "im2col");
      float[] product = new float[g.filters * bp];
      for (int gi = 0; gi < groups; gi++) {
        new ReferenceKernels().matmulNN(product, gi * fg * bp, params, weightOff + gi * fg * kg, columns,
            gi * kg * bp, fg, bp, kg, false);
      }
      float[] out = ConvolutionTest.random(rng, outN);
      float[] outStatic = new float[outN];
      kernels.toBatchMajor(g, product, batch, params, biasOff, act, slope, out);
      Convolution.toBatchMajor(g, product, batch, params, biasOff, act, slope, outStatic);
      assertBitwise(outStatic, out, "toBatchMajor");
      float[] expected = new float[outN];
      ReferenceConvolution.forward(g, x, batch, params, weightOff, biasOff, expected);
      ActivationFunctions.apply(expected, 0, outN, act, slope);
      assertClose(expected, out, "forward against ReferenceConvolution");

      // Backward.
      float[] dy = ConvolutionTest.random(rng, outN);
      float[] dyStatic = dy.clone();
      float[] dyRef = dy.clone();
      float[] grads = ConvolutionTest.random(rng, params.length);
      float[] gradsStatic = grads.clone();
      float[] gradsRef = grads.clone();
      float[] dz = ConvolutionTest.random(rng, g.filters * bp);
      float[] dzStatic = new float[dz.length];
      float[] dyOne = dy.clone();
      float[] gradsOne = grads.clone();
      kernels.toFilterMajor(g, dy, out, batch, act, slope, dz, grads, biasOff);
      Convolution.toFilterMajor(g, dyStatic, out, batch, act, slope, dzStatic, gradsStatic, biasOff);
      assertBitwise(dyStatic, dy, "toFilterMajor dy");
      assertBitwise(dzStatic, dz, "toFilterMajor dz");
      if (act == Activation.RELU && kernels.getClass().getSimpleName().equals("VectorKernels")) {
        // The Vector API kernels sum each plane in a vector of partial sums, not the static method's four chains:
        // within rounding of it, and the same bits on one thread as on two or three.
        Kernels one = Kernels.best(1);
        one.toFilterMajor(g, dyOne, out, batch, act, slope, new float[dz.length], gradsOne, biasOff);
        assertBitwise(gradsOne, grads, "toFilterMajor bias gradient against one thread");
        assertClose(gradsStatic, grads, "toFilterMajor bias gradient against the static method");
      } else {
        assertBitwise(gradsStatic, grads, "toFilterMajor bias gradient");
      }
      ReferenceKernels ref = new ReferenceKernels();
      for (int gi = 0; gi < groups; gi++) {
        ref.matmulNT(grads, weightOff + gi * fg * kg, dz, gi * fg * bp, columns, gi * kg * bp, fg, kg, bp, true);
        ref.matmulTN(columns, gi * kg * bp, params, weightOff + gi * fg * kg, dz, gi * fg * bp, kg, bp, fg, false);
      }
      float[] dx = ConvolutionTest.random(rng, inN);
      float[] dxStatic = dx.clone();
      float[] dxRef = dx.clone();
      kernels.col2imAdd(g, columns, batch, dx);
      Convolution.col2imAdd(g, columns, batch, dxStatic);
      assertBitwise(dxStatic, dx, "col2imAdd");
      ActivationFunctions.multiplyDerivative(dyRef, expected, 0, outN, act, slope);
      ReferenceConvolution.backward(g, x, dyRef, batch, params, weightOff, gradsRef, biasOff, dxRef);
      assertClose(gradsRef, grads, "parameter gradients against ReferenceConvolution");
      assertClose(dxRef, dx, "input gradient against ReferenceConvolution");
    }
  }

  @ParameterizedTest(name = "{0} #{1}")
  @MethodSource("poolCases")
  void poolingStepsMatchTheStaticMethodsBitwise(String name, int which) {
    Kernels kernels = kernels(name);
    Conv2dGeometry g = PoolingTest.geometry(POOLS[which]);
    for (int batch : new int[] {1, 4}) {
      Rng rng = new Rng(77L * which + batch);
      int inN = batch * g.inputSize();
      int outN = batch * g.outputSize();
      for (int trial = 0; trial < 2; trial++) {
        float[] x = special(rng, inN, trial == 1);
        float[] out = new float[outN];
        int[] argmax = new int[outN];
        float[] outStatic = new float[outN];
        int[] argmaxStatic = new int[outN];
        kernels.maxPoolForward(g, x, batch, out, argmax);
        Pooling.maxForward(g, x, batch, outStatic, argmaxStatic);
        assertBitwise(outStatic, out, "max forward");
        assertArrayEquals(argmaxStatic, argmax, "argmax");
        float[] dy = ConvolutionTest.random(rng, outN);
        float[] dx = ConvolutionTest.random(rng, inN);
        float[] dxStatic = dx.clone();
        kernels.maxPoolBackward(g, dy, argmax, batch, dx);
        Pooling.maxBackward(g, dy, argmax, batch, dxStatic);
        assertBitwise(dxStatic, dx, "max backward");

        float[] avg = new float[outN];
        float[] avgStatic = new float[outN];
        float[] y = ConvolutionTest.random(rng, inN);
        kernels.averagePoolForward(g, y, batch, avg);
        Pooling.averageForward(g, y, batch, avgStatic);
        assertBitwise(avgStatic, avg, "average forward");
        kernels.averagePoolBackward(g, dy, batch, dx);
        Pooling.averageBackward(g, dy, batch, dxStatic);
        assertBitwise(dxStatic, dx, "average backward");
      }
    }
  }

  /**
   * The fast 2×2 stride-2 path picks what the scan in window order picks (the first maximum under {@code <=}, or
   * the first NaN), on data made of few values: ties, ±0, ±∞ and NaNs of both signs everywhere.
   */
  @Test
  void twoByTwoMaxPoolingMatchesTheScanInWindowOrder() {
    float[] values = {0f, -0f, 1f, -1f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN,
        Float.intBitsToFloat(0xffc00001), Float.MIN_VALUE, -Float.MIN_VALUE, Float.MAX_VALUE, -Float.MAX_VALUE};
    // 37 outputs a row: vector loops of any width, and a scalar tail.
    Conv2dGeometry g = PoolingTest.geometry(new int[] {3, 6, 75, 2, 2, 2, 2, 0, 0, 0, 0, 1, 1});
    Rng rng = new Rng(5);
    List<Kernels> all = new ArrayList<>(KernelsFastPathTest.implementations().values());
    for (int trial = 0; trial < 200; trial++) {
      Kernels kernels = all.get(trial % all.size());
      int batch = 2;
      float[] x = new float[batch * g.inputSize()];
      int few = 2 + trial % values.length;
      for (int i = 0; i < x.length; i++) {
        x[i] = values[(int) (rng.nextFloat() * few) % values.length];
      }
      int n = batch * g.outputSize();
      float[] out = new float[n];
      int[] argmax = new int[n];
      kernels.maxPoolForward(g, x, batch, out, argmax);
      int o = 0;
      for (int bc = 0; bc < batch * g.channels; bc++) {
        for (int oh = 0; oh < g.outHeight; oh++) {
          for (int ow = 0; ow < g.outWidth; ow++, o++) {
            int start = bc * g.inputSize() / g.channels + 2 * oh * g.width + 2 * ow;
            int[] window = {start, start + 1, start + g.width, start + g.width + 1};
            int where = window[0];
            float best = x[where];
            for (int k = 1; k < 4; k++) {
              float v = x[window[k]];
              if (!(v <= best) && best == best) {
                best = v;
                where = window[k];
              }
            }
            assertEquals(where, argmax[o], "argmax at " + o + ", trial " + trial + ", " + kernels);
            assertEquals(Float.floatToRawIntBits(x[where]), Float.floatToRawIntBits(out[o]), "value at " + o);
          }
        }
      }
    }
  }

  /** The branch-free ReLU derivative's mask is {@code y > 0f}, on special values and random bit patterns. */
  @Test
  void positiveMaskIsGreaterThanZero() {
    float[] special = {0f, -0f, Float.MIN_VALUE, -Float.MIN_VALUE, Float.MAX_VALUE, -Float.MAX_VALUE,
        Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN, Float.intBitsToFloat(0xffc00001),
        Float.intBitsToFloat(0x7f800001), Float.intBitsToFloat(0x7fffffff), Float.intBitsToFloat(0x80000001), 1f,
        -1f};
    for (float y : special) {
      assertEquals(y > 0f ? -1 : 0, Convolution.positiveMask(y), "y = " + y + " (" + Float.floatToRawIntBits(y) + ")");
    }
    java.util.Random random = new java.util.Random(3);
    for (int i = 0; i < 100_000; i++) {
      float y = Float.intBitsToFloat(random.nextInt());
      assertEquals(y > 0f ? -1 : 0, Convolution.positiveMask(y), "bits " + Float.floatToRawIntBits(y));
    }
  }

  /** Random values, or ({@code ties}) few distinct values with a NaN now and then. */
  private static float[] special(Rng rng, int n, boolean ties) {
    float[] x = ConvolutionTest.random(rng, n);
    if (ties) {
      for (int i = 0; i < n; i++) {
        x[i] = Math.round(x[i] * 2) * 0.5f;
        if (i % 53 == 7) {
          x[i] = Float.NaN;
        }
      }
    }
    return x;
  }

  private static void assertBitwise(float[] expected, float[] actual, String what) {
    assertEquals(expected.length, actual.length, what);
    for (int i = 0; i < expected.length; i++) {
      if (Float.floatToRawIntBits(expected[i]) != Float.floatToRawIntBits(actual[i])) {
        assertEquals(expected[i], actual[i], 0f, what + " at " + i + " (bitwise)");
        throw new AssertionError(what + " at " + i + ": " + expected[i] + " vs " + actual[i] + " (bits differ)");
      }
    }
  }

  private static void assertClose(float[] expected, float[] actual, String what) {
    double scale = 1;
    for (float v : expected) {
      scale = Math.max(scale, Math.abs(v));
    }
    for (int i = 0; i < expected.length; i++) {
      assertEquals(expected[i], actual[i], TOL * scale, what + " at " + i);
    }
  }
}
