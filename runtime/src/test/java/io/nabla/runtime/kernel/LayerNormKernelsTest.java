package io.nabla.runtime.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nabla.runtime.Rng;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link LayerNormKernels} against {@link ReferenceLayerNorm} (double, explicit Jacobian) and against central
 * differences of its own forward.
 *
 * <p>Tolerances: outputs and gradients within {@code 2e-5 · max(1, max|expected|)} of the reference; the backward
 * within {@code 3e-3 · ‖fd‖₂} of float central differences with {@code h = 3e-3} (float rounding of the loss
 * ≈ 1e-6 / 2h ≈ 2e-4 per entry; truncation h²·|f'''|/6 is large where a short row has a small variance: h = 1e-2
 * missed by 4e-3 on a row of 3). Every case passes at 1e-3; 3e-3 leaves margin.
 */
class LayerNormKernelsTest {
  private static final double TOLERANCE = 2e-5;

  static Stream<Arguments> shapes() {
    List<Arguments> cases = new ArrayList<>();
    for (int rows : new int[] {1, 3, 10}) {
      for (int n : new int[] {1, 2, 7, 33}) {
        cases.add(Arguments.of(rows, n));
      }
    }
    return cases.stream();
  }

  /** Parameters at scattered offsets: γ at 3, β at 3 + n + 2, in a buffer with slack. */
  static final class Case {
    final int rows;
    final int n;
    final int weightOff = 3;
    final int biasOff;
    final float epsilon = 1e-5f;
    final float[] params;
    final float[] x;
    final float[] dy;

    Case(int rows, int n, long seed) {
      this.rows = rows;
      this.n = n;
      biasOff = weightOff + n + 2;
      Rng rng = new Rng(seed);
      params = new float[biasOff + n + 1];
      for (int j = 0; j < n; j++) {
        params[weightOff + j] = 0.5f + rng.nextFloat();
        params[biasOff + j] = rng.nextFloat() - 0.5f;
      }
      x = new float[rows * n];
      for (int i = 0; i < x.length; i++) {
        // A per-row offset: the mean is not 0, so the two-pass statistics matter.
        x[i] = 2 * rng.nextFloat() - 1 + (i / n) * 0.75f;
      }
      dy = new float[rows * n];
      for (int i = 0; i < dy.length; i++) {
        dy[i] = 2 * rng.nextFloat() - 1;
      }
    }

    float[] forward(float[] input) {
      float[] y = new float[rows * n];
      LayerNormKernels.forward(y, input, rows, n, epsilon, params, weightOff, biasOff, new float[rows],
          new float[rows]);
      return y;
    }
  }

  private static void assertClose(float[] expected, float[] actual, String what) {
    double scale = 1;
    for (float e : expected) {
      scale = Math.max(scale, Math.abs(e));
    }
    for (int i = 0; i < expected.length; i++) {
      assertEquals(expected[i], actual[i], TOLERANCE * scale, what + " at " + i);
    }
  }

  @ParameterizedTest(name = "rows={0} n={1}")
  @MethodSource("shapes")
  void forwardAndBackwardMatchTheReference(int rows, int n) {
    Case c = new Case(rows, n, rows * 100 + n);
    float[] mean = new float[rows + 1];
    float[] rstd = new float[rows + 1];
    mean[rows] = 9f;
    float[] y = new float[rows * n];
    LayerNormKernels.forward(y, c.x, rows, n, c.epsilon, c.params, c.weightOff, c.biasOff, mean, rstd);
    float[] expected = new float[rows * n];
    ReferenceLayerNorm.forward(expected, c.x, rows, n, c.epsilon, c.params, c.weightOff, c.biasOff);
    assertClose(expected, y, "y");
    assertEquals(9f, mean[rows], "past the statistics");
    for (int r = 0; r < rows; r++) {
      double mu = 0;
      for (int j = 0; j < n; j++) {
        mu += c.x[r * n + j];
      }
      assertEquals(mu / n, mean[r], 1e-6 * Math.max(1, Math.abs(mu / n)), "mean of row " + r);
      assertTrue(rstd[r] > 0, "rstd of row " + r);
    }

    float[] grads0 = new float[c.params.length];
    for (int i = 0; i < grads0.length; i++) {
      grads0[i] = 0.25f * i;
    }
    float[] dx0 = new float[rows * n];
    java.util.Arrays.fill(dx0, 0.5f);
    float[] dyCopy = c.dy.clone();
    float[] xCopy = c.x.clone();
    float[] grads = grads0.clone();
    float[] dx = dx0.clone();
    LayerNormKernels.backward(c.dy, c.x, rows, n, mean, rstd, c.params, c.weightOff, grads, c.weightOff,
        c.biasOff, dx);
    assertArrayEquals(dyCopy, c.dy, "dy not modified");
    assertArrayEquals(xCopy, c.x, "x not modified");
    float[] expectedGrads = grads0.clone();
    float[] expectedDx = dx0.clone();
    ReferenceLayerNorm.backward(c.dy, c.x, rows, n, c.epsilon, c.params, c.weightOff, expectedGrads, c.weightOff,
        c.biasOff, expectedDx);
    assertClose(expectedGrads, grads, "grads");
    assertClose(expectedDx, dx, "dx");

    float[] gradsOnly = grads0.clone();
    LayerNormKernels.backward(c.dy, c.x, rows, n, mean, rstd, c.params, c.weightOff, gradsOnly, c.weightOff,
        c.biasOff, null);
    assertArrayEquals(grads, gradsOnly, 0f, "dx == null: the same parameter gradients");
  }

  private static double loss(float[] dy, float[] y) {
    double s = 0;
    for (int i = 0; i < y.length; i++) {
      s += (double) dy[i] * y[i];
    }
    return s;
  }

  private static void assertNormClose(double[] fd, float[] analytic, String what) {
    double diff = 0;
    double norm = 0;
    for (int i = 0; i < fd.length; i++) {
      diff += (fd[i] - analytic[i]) * (fd[i] - analytic[i]);
      norm += fd[i] * fd[i];
    }
    assertTrue(Math.sqrt(diff) <= 3e-3 * Math.max(Math.sqrt(norm), 1e-3),
        what + ": ‖fd - analytic‖ = " + Math.sqrt(diff) + ", ‖fd‖ = " + Math.sqrt(norm));
  }

  /**
   * Rows of 2 are left out here (not from the reference comparison): there {@code x̂ = ±1} whatever x, up to ε, so
   * dx is of order ε/|x₀ - x₁|³ and central differences with a float-sized h see only its curvature.
   */
  static Stream<Arguments> differenceShapes() {
    List<Arguments> cases = new ArrayList<>();
    for (int rows : new int[] {1, 3, 10}) {
      for (int n : new int[] {1, 3, 7, 33}) {
        cases.add(Arguments.of(rows, n));
      }
    }
    return cases.stream();
  }

  @ParameterizedTest(name = "rows={0} n={1}")
  @MethodSource("differenceShapes")
  void backwardMatchesCentralDifferencesOfForward(int rows, int n) {
    Case c = new Case(rows, n, 5 + rows * 100 + n);
    float[] mean = new float[rows];
    float[] rstd = new float[rows];
    LayerNormKernels.forward(new float[rows * n], c.x, rows, n, c.epsilon, c.params, c.weightOff, c.biasOff,
        mean, rstd);
    float[] grads = new float[c.params.length];
    float[] dx = new float[rows * n];
    LayerNormKernels.backward(c.dy, c.x, rows, n, mean, rstd, c.params, c.weightOff, grads, c.weightOff,
        c.biasOff, dx);
    float h = 3e-3f;

    double[] fdX = new double[rows * n];
    for (int i = 0; i < fdX.length; i++) {
      float[] xp = c.x.clone();
      xp[i] = c.x[i] + h;
      double plus = loss(c.dy, c.forward(xp));
      xp[i] = c.x[i] - h;
      double minus = loss(c.dy, c.forward(xp));
      fdX[i] = (plus - minus) / (2 * h);
    }
    assertNormClose(fdX, dx, "dx");

    double[] fdP = new double[2 * n];
    float[] analyticP = new float[2 * n];
    for (int k = 0; k < 2 * n; k++) {
      int i = k < n ? c.weightOff + k : c.biasOff + k - n;
      float saved = c.params[i];
      c.params[i] = saved + h;
      double plus = loss(c.dy, c.forward(c.x));
      c.params[i] = saved - h;
      double minus = loss(c.dy, c.forward(c.x));
      c.params[i] = saved;
      fdP[k] = (plus - minus) / (2 * h);
      analyticP[k] = grads[i];
    }
    assertNormClose(fdP, analyticP, "dγ, dβ");
  }

  @Test
  void aConstantRowNormalisesToTheBiasAndALargeMeanCostsNoPrecision() {
    int n = 5;
    float[] params = {1f, 2f, 3f, 4f, 5f, 0.1f, 0.2f, 0.3f, 0.4f, 0.5f};
    float[] x = {7f, 7f, 7f, 7f, 7f, 1000.5f, 1001f, 1001.5f, 1002f, 1002.5f};
    float[] y = new float[10];
    float[] mean = new float[2];
    float[] rstd = new float[2];
    LayerNormKernels.forward(y, x, 2, n, 1e-5f, params, 0, 5, mean, rstd);
    for (int j = 0; j < n; j++) {
      assertEquals(params[5 + j], y[j], 0f, "x̂ = 0 for a constant row");
    }
    assertEquals(1f / (float) Math.sqrt(1e-5), rstd[0], 1e-3f);
    // Row 2: x̂ = (-2, -1, 0, 1, 2)/√2 up to ε; a one-pass E[x²] - E[x]² in float would lose it entirely.
    double r = 1 / Math.sqrt(0.5 + 1e-5);
    for (int j = 0; j < n; j++) {
      assertEquals((j - 2) * 0.5 * r * params[j] + params[5 + j], y[n + j], 1e-5, "row 2 at " + j);
    }
    assertEquals(1001.5f, mean[1], 0f);
  }
}
