package io.nabla.runtime.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

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
 * {@link Pooling} against brute force (forward) and central finite differences (backward).
 *
 * <p>Tolerances: max pooling is a selection, so its forward must match brute force exactly, and with distinct
 * inputs (gaps ≥ 0.01, step {@code h = 1e-3}) its finite differences are exact: the gradient must match to
 * {@code 1e-6}. Average pooling sums in float: forward within {@code 1e-6 · max(1, max|expected|)} of a double
 * brute force; backward within {@code 1e-5} of finite differences (the pooling is linear, the step is
 * {@code h = 0.25}, and the difference quotient divides by the float step actually taken, {@code (x+h) - (x-h)}
 * as stored, so the only error is the float rounding of the window sums).
 */
class PoolingTest {
  private static final float SENTINEL = 12345.678f;

  /** channels, height, width, kernelH, kernelW, strideH, strideW, padTop, padLeft, padBottom, padRight, dH, dW. */
  private static final int[][] GEOMETRIES = {
      {2, 4, 4, 2, 2, 2, 2, 0, 0, 0, 0, 1, 1},
      {2, 5, 7, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1},
      {3, 7, 5, 3, 2, 1, 1, 0, 0, 0, 0, 1, 1},
      {2, 7, 9, 3, 3, 3, 3, 1, 1, 1, 1, 1, 1},
      {2, 6, 7, 2, 3, 2, 1, 0, 1, 1, 0, 1, 1},
      {2, 7, 7, 2, 2, 1, 2, 1, 0, 1, 1, 2, 2},
      {1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1},
      {2, 5, 5, 5, 5, 1, 1, 2, 2, 2, 2, 1, 1},
  };

  static Conv2dGeometry geometry(int[] s) {
    return new Conv2dGeometry(s[0], s[1], s[2]).kernel(s[3], s[4]).stride(s[5], s[6])
        .padding(s[7], s[8], s[9], s[10]).dilation(s[11], s[12]);
  }

  static Stream<Arguments> cases() {
    List<Arguments> cases = new ArrayList<>();
    for (int i = 0; i < GEOMETRIES.length; i++) {
      for (int batch : new int[] {1, 3}) {
        cases.add(Arguments.of(i, geometry(GEOMETRIES[i]).toString(), batch));
      }
    }
    return cases.stream();
  }

  /** Distinct values, shuffled: {@code (k - n/2)·0.01} for {@code k < n}, so every gap is about 0.01. */
  private static float[] distinct(Rng rng, int n) {
    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    rng.shuffle(order);
    float[] x = new float[n];
    for (int i = 0; i < n; i++) {
      x[i] = (order[i] - n / 2) * 0.01f;
    }
    return x;
  }

  // ---------------------------------------------------------------------------------------------------------
  // Max pooling.

  /** Brute force: the maximum over in-range window positions, the first (lowest input index) on ties. */
  private static void bruteMax(Conv2dGeometry g, float[] x, int batch, float[] out, int[] argmax) {
    int o = 0;
    for (int b = 0; b < batch; b++) {
      for (int c = 0; c < g.channels; c++) {
        for (int oh = 0; oh < g.outHeight; oh++) {
          for (int ow = 0; ow < g.outWidth; ow++, o++) {
            List<Integer> window = new ArrayList<>();
            for (int i = 0; i < g.kernelH; i++) {
              for (int j = 0; j < g.kernelW; j++) {
                int h = oh * g.strideH - g.padTop + i * g.dilationH;
                int w = ow * g.strideW - g.padLeft + j * g.dilationW;
                if (h >= 0 && h < g.height && w >= 0 && w < g.width) {
                  window.add(((b * g.channels + c) * g.height + h) * g.width + w);
                }
              }
            }
            java.util.Collections.sort(window);
            int best = window.get(0);
            for (int idx : window) {
              if (x[idx] > x[best]) {
                best = idx;
              }
            }
            out[o] = x[best];
            argmax[o] = best;
          }
        }
      }
    }
  }

  @ParameterizedTest(name = "#{0} {1} batch={2}")
  @MethodSource("cases")
  void maxForwardMatchesBruteForce(int which, String description, int batch) {
    Conv2dGeometry g = geometry(GEOMETRIES[which]);
    Rng rng = new Rng(100 + which * 10 + batch);
    int n = batch * g.outputSize();
    for (int trial = 0; trial < 2; trial++) {
      // Trial 0: distinct values. Trial 1: few values, so ties are everywhere.
      float[] x = distinct(rng, batch * g.inputSize());
      if (trial == 1) {
        for (int i = 0; i < x.length; i++) {
          x[i] = Math.round(x[i] * 100) % 3 - 1;
        }
      }
      float[] xCopy = x.clone();
      float[] want = new float[n];
      int[] wantArg = new int[n];
      bruteMax(g, x, batch, want, wantArg);
      float[] out = filled(n + 3, SENTINEL);
      int[] argmax = new int[n + 3];
      Arrays.fill(argmax, -7);
      Pooling.maxForward(g, x, batch, out, argmax);
      assertArrayEquals(want, Arrays.copyOf(out, n), 0f, "max values, trial " + trial);
      assertArrayEquals(wantArg, Arrays.copyOf(argmax, n), "argmax, trial " + trial);
      assertArrayEquals(new float[] {SENTINEL, SENTINEL, SENTINEL}, Arrays.copyOfRange(out, n, n + 3), 0f);
      assertArrayEquals(new int[] {-7, -7, -7}, Arrays.copyOfRange(argmax, n, n + 3));
      assertArrayEquals(xCopy, x, 0f, "input unchanged");
    }
  }

  @ParameterizedTest(name = "#{0} {1} batch={2}")
  @MethodSource("cases")
  void maxBackwardMatchesFiniteDifferences(int which, String description, int batch) {
    Conv2dGeometry g = geometry(GEOMETRIES[which]);
    Rng rng = new Rng(200 + which * 10 + batch);
    int n = batch * g.outputSize();
    float[] x = distinct(rng, batch * g.inputSize());
    float[] r = ConvolutionTest.random(rng, n);
    float[] out = new float[n];
    int[] argmax = new int[n];
    Pooling.maxForward(g, x, batch, out, argmax);
    float[] start = ConvolutionTest.random(rng, x.length);
    float[] dx = start.clone();
    float[] dy = r.clone();
    Pooling.maxBackward(g, dy, argmax, batch, dx);
    assertArrayEquals(r, dy, 0f, "dy unchanged");

    float h = 1e-3f;
    float[] plus = new float[n];
    float[] minus = new float[n];
    int[] scratch = new int[n];
    for (int i = 0; i < x.length; i++) {
      float keep = x[i];
      x[i] = keep + h;
      float up = x[i];
      Pooling.maxForward(g, x, batch, plus, scratch);
      x[i] = keep - h;
      float down = x[i];
      Pooling.maxForward(g, x, batch, minus, scratch);
      x[i] = keep;
      double diff = 0;
      for (int o = 0; o < n; o++) {
        diff += ((double) plus[o] - minus[o]) * r[o];
      }
      double fd = diff / ((double) up - down);
      assertEquals(fd, (double) dx[i] - start[i], 1e-6, "d/dx[" + i + "]");
    }
  }

  @Test
  void tiesGoToTheFirstPosition() {
    // One 3×3 window over a 3×3 plane of equal values: the first (top-left) wins.
    Conv2dGeometry g = new Conv2dGeometry(1, 3, 3).kernel(3, 3);
    float[] x = new float[9];
    Arrays.fill(x, 2f);
    float[] out = new float[1];
    int[] argmax = new int[1];
    Pooling.maxForward(g, x, 1, out, argmax);
    assertEquals(2f, out[0]);
    assertEquals(0, argmax[0]);
    // Two maxima, at (1, 2) and (2, 0): the first in row-major order, (1, 2) = index 5.
    x = new float[] {0, 1, 0, 1, 2, 3, 3, 0, 1};
    Pooling.maxForward(g, x, 1, out, argmax);
    assertEquals(3f, out[0]);
    assertEquals(5, argmax[0]);
    // Second channel and second sample: indices are into the whole batch buffer.
    Conv2dGeometry g2 = new Conv2dGeometry(2, 2, 2).kernel(2, 2);
    float[] x2 = {1, 1, 1, 1, 4, 5, 5, 4, 0, 0, 0, 0, -1, -2, -1, -3};
    float[] out2 = new float[4];
    int[] arg2 = new int[4];
    Pooling.maxForward(g2, x2, 2, out2, arg2);
    assertArrayEquals(new float[] {1, 5, 0, -1}, out2, 0f);
    assertArrayEquals(new int[] {0, 5, 8, 12}, arg2);
    // The gradient goes to the winner only.
    float[] dx = new float[16];
    Pooling.maxBackward(g2, new float[] {1, 2, 3, 4}, arg2, 2, dx);
    assertArrayEquals(new float[] {1, 0, 0, 0, 0, 2, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0}, dx, 0f);
  }

  @Test
  void paddingNeverWins() {
    // All inputs negative: a padded zero would beat every one of them if padding counted.
    for (int[] spec : GEOMETRIES) {
      Conv2dGeometry g = geometry(spec);
      int batch = 2;
      Rng rng = new Rng(300 + spec[1]);
      float[] x = new float[batch * g.inputSize()];
      for (int i = 0; i < x.length; i++) {
        x[i] = -1 - rng.nextFloat();
      }
      int n = batch * g.outputSize();
      float[] out = new float[n];
      int[] argmax = new int[n];
      Pooling.maxForward(g, x, batch, out, argmax);
      int plane = g.height * g.width;
      for (int o = 0; o < n; o++) {
        assertTrue(out[o] <= -1f, g + ": output " + o + " is " + out[o]);
        assertTrue(argmax[o] >= 0 && argmax[o] < x.length, g + ": argmax " + argmax[o]);
        // The winner lies in the output's own (sample, channel) plane.
        assertEquals(o / g.outputPlane(), argmax[o] / plane, g + ": argmax plane of output " + o);
        assertEquals(x[argmax[o]], out[o], 0f);
      }
    }
    // Explicitly: -∞ and the largest finite value are not beaten by padding either.
    Conv2dGeometry g = new Conv2dGeometry(1, 2, 2).kernel(2, 2).stride(2, 2).padding(1, 1, 1, 1);
    float[] x = {Float.NEGATIVE_INFINITY, -3, -2, -1};
    float[] out = new float[4];
    int[] argmax = new int[4];
    Pooling.maxForward(g, x, 1, out, argmax);
    assertArrayEquals(x, out, 0f);
    assertArrayEquals(new int[] {0, 1, 2, 3}, argmax);
  }

  @Test
  void nanPropagatesAndTheFirstNanWins() {
    Conv2dGeometry g = new Conv2dGeometry(1, 2, 3).kernel(2, 3);
    float[] x = {1, Float.NaN, 5, 9, Float.NaN, 2};
    float[] out = new float[1];
    int[] argmax = new int[1];
    Pooling.maxForward(g, x, 1, out, argmax);
    assertTrue(Float.isNaN(out[0]));
    assertEquals(1, argmax[0]);
    x = new float[] {1, 2, 5, Float.NaN, 9, Float.NaN};
    Pooling.maxForward(g, x, 1, out, argmax);
    assertTrue(Float.isNaN(out[0]));
    assertEquals(3, argmax[0]);
  }

  /**
   * A window wholly in the padding (padding over half the kernel, which no annotation produces but the geometry
   * allows): −∞, {@code argmax = -1}, and backward gives its gradient to no input instead of failing.
   */
  @Test
  void windowWhollyInThePaddingGetsMinusInfinityAndNoGradient() {
    Conv2dGeometry g = new Conv2dGeometry(1, 2, 2).padding(1, 1, 1, 1); // 1×1 window, 4×4 output
    float[] x = {1, 2, 3, 4};
    float[] out = new float[16];
    int[] argmax = new int[16];
    Pooling.maxForward(g, x, 1, out, argmax);
    float inf = Float.NEGATIVE_INFINITY;
    assertArrayEquals(new float[] {inf, inf, inf, inf, inf, 1, 2, inf, inf, 3, 4, inf, inf, inf, inf, inf}, out,
        0f);
    assertEquals(-1, argmax[0]);
    assertEquals(0, argmax[5]);
    float[] dy = new float[16];
    Arrays.fill(dy, 1f);
    float[] dx = new float[4];
    Pooling.maxBackward(g, dy, argmax, 1, dx);
    assertArrayEquals(new float[] {1, 1, 1, 1}, dx, 0f);
  }

  // ---------------------------------------------------------------------------------------------------------
  // Average pooling (count_include_pad: every window divides by kernelH·kernelW).

  private static double[] bruteAverage(Conv2dGeometry g, float[] x, int batch) {
    double[] out = new double[batch * g.outputSize()];
    int o = 0;
    for (int b = 0; b < batch; b++) {
      for (int c = 0; c < g.channels; c++) {
        for (int oh = 0; oh < g.outHeight; oh++) {
          for (int ow = 0; ow < g.outWidth; ow++, o++) {
            double s = 0;
            for (int i = 0; i < g.kernelH; i++) {
              for (int j = 0; j < g.kernelW; j++) {
                int h = oh * g.strideH - g.padTop + i * g.dilationH;
                int w = ow * g.strideW - g.padLeft + j * g.dilationW;
                s += h >= 0 && h < g.height && w >= 0 && w < g.width
                    ? x[((b * g.channels + c) * g.height + h) * g.width + w] : 0.0;
              }
            }
            out[o] = s / (g.kernelH * g.kernelW);
          }
        }
      }
    }
    return out;
  }

  @ParameterizedTest(name = "#{0} {1} batch={2}")
  @MethodSource("cases")
  void averageForwardMatchesBruteForce(int which, String description, int batch) {
    Conv2dGeometry g = geometry(GEOMETRIES[which]);
    Rng rng = new Rng(400 + which * 10 + batch);
    float[] x = ConvolutionTest.random(rng, batch * g.inputSize());
    int n = batch * g.outputSize();
    float[] out = filled(n + 3, SENTINEL);
    Pooling.averageForward(g, x, batch, out);
    double[] want = bruteAverage(g, x, batch);
    assertClose(want, ConvolutionTest.toDouble(Arrays.copyOf(out, n)), 1e-6, "average forward");
    assertArrayEquals(new float[] {SENTINEL, SENTINEL, SENTINEL}, Arrays.copyOfRange(out, n, n + 3), 0f);
  }

  @ParameterizedTest(name = "#{0} {1} batch={2}")
  @MethodSource("cases")
  void averageBackwardMatchesFiniteDifferences(int which, String description, int batch) {
    Conv2dGeometry g = geometry(GEOMETRIES[which]);
    Rng rng = new Rng(500 + which * 10 + batch);
    int n = batch * g.outputSize();
    float[] x = ConvolutionTest.random(rng, batch * g.inputSize());
    float[] r = ConvolutionTest.random(rng, n);
    float[] start = ConvolutionTest.random(rng, x.length);
    float[] dx = start.clone();
    Pooling.averageBackward(g, r, batch, dx);
    float h = 0.25f;
    float[] plus = new float[n];
    float[] minus = new float[n];
    double[] fd = new double[x.length];
    double[] got = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      float keep = x[i];
      x[i] = keep + h;
      float up = x[i];
      Pooling.averageForward(g, x, batch, plus);
      x[i] = keep - h;
      float down = x[i];
      Pooling.averageForward(g, x, batch, minus);
      x[i] = keep;
      double diff = 0;
      for (int o = 0; o < n; o++) {
        diff += ((double) plus[o] - minus[o]) * r[o];
      }
      fd[i] = diff / ((double) up - down);
      got[i] = (double) dx[i] - start[i];
    }
    assertClose(fd, got, 1e-5, "average backward vs finite differences");
  }

  @Test
  void averageCountsPaddedZeros() {
    // 2×2 input of ones, 2×2 window, padding 1, stride 2: every window holds one input and three zeros.
    Conv2dGeometry g = new Conv2dGeometry(1, 2, 2).kernel(2, 2).stride(2, 2).padding(1, 1, 1, 1);
    float[] out = new float[4];
    Pooling.averageForward(g, new float[] {1, 1, 1, 1}, 1, out);
    assertArrayEquals(new float[] {0.25f, 0.25f, 0.25f, 0.25f}, out, 0f);
  }

  // ---------------------------------------------------------------------------------------------------------
  // Global average pooling.

  @Test
  void globalAverageForwardAndBackward() {
    Rng rng = new Rng(600);
    for (int[] shape : new int[][] {{1, 1}, {6, 1}, {6, 35}, {2, 49}}) {
      int rows = shape[0];
      int plane = shape[1];
      float[] x = ConvolutionTest.random(rng, rows * plane);
      float[] out = filled(rows + 2, SENTINEL);
      Pooling.globalAverageForward(x, rows, plane, out);
      double[] want = new double[rows];
      for (int r = 0; r < rows; r++) {
        double s = 0;
        for (int p = 0; p < plane; p++) {
          s += x[r * plane + p];
        }
        want[r] = s / plane;
      }
      assertClose(want, ConvolutionTest.toDouble(Arrays.copyOf(out, rows)), 1e-6, "global average");
      assertEquals(SENTINEL, out[rows]);

      // Backward: the adjoint, checked against finite differences of the (linear) forward.
      float[] dy = ConvolutionTest.random(rng, rows);
      float[] start = ConvolutionTest.random(rng, rows * plane);
      float[] dx = filled(rows * plane + 2, SENTINEL);
      System.arraycopy(start, 0, dx, 0, start.length);
      Pooling.globalAverageBackward(dy, rows, plane, dx);
      for (int r = 0; r < rows; r++) {
        for (int p = 0; p < plane; p++) {
          int i = r * plane + p;
          assertEquals((double) dy[r] / plane, (double) dx[i] - start[i], 1e-6, "dx[" + i + "]");
        }
      }
      assertEquals(SENTINEL, dx[rows * plane]);
      float h = 0.25f;
      float[] plus = new float[rows];
      float[] minus = new float[rows];
      for (int i = 0; i < x.length; i += 3) {
        float keep = x[i];
        x[i] = keep + h;
        float up = x[i];
        Pooling.globalAverageForward(x, rows, plane, plus);
        x[i] = keep - h;
        float down = x[i];
        Pooling.globalAverageForward(x, rows, plane, minus);
        x[i] = keep;
        double diff = 0;
        for (int r = 0; r < rows; r++) {
          diff += ((double) plus[r] - minus[r]) * dy[r];
        }
        assertEquals(diff / ((double) up - down), (double) dx[i] - start[i], 1e-5, "finite difference at " + i);
      }
    }
  }

  @Test
  void poolingRejectsAGeometryWhoseWindowDoesNotFit() {
    Conv2dGeometry g = new Conv2dGeometry(1, 2, 2).kernel(3, 3);
    assertThrows(IllegalArgumentException.class,
        () -> Pooling.maxForward(g, new float[4], 1, new float[9], new int[9]));
    assertThrows(IllegalArgumentException.class, () -> Pooling.averageForward(g, new float[4], 1, new float[9]));
    assertThrows(IllegalArgumentException.class, () -> Pooling.averageBackward(g, new float[9], 1, new float[4]));
    assertThrows(IllegalArgumentException.class,
        () -> Pooling.maxBackward(g, new float[9], new int[9], 1, new float[4]));
  }

  // ---------------------------------------------------------------------------------------------------------

  private static float[] filled(int n, float v) {
    float[] a = new float[n];
    Arrays.fill(a, v);
    return a;
  }

  /** {@code |actual - expected| ≤ tol · max(1, max|expected|)} elementwise. */
  private static void assertClose(double[] expected, double[] actual, double tol, String what) {
    double scale = 1;
    for (double e : expected) {
      scale = Math.max(scale, Math.abs(e));
    }
    for (int i = 0; i < expected.length; i++) {
      if (!(Math.abs(actual[i] - expected[i]) <= tol * scale)) {
        fail(what + ": at " + i + " expected " + expected[i] + " but was " + actual[i]);
      }
    }
  }
}
