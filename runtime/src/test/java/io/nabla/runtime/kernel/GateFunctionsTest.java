package io.nabla.runtime.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The gate functions of the recurrent cells' forward: those of {@link Kernels#best} (in the runtime pom's
 * {@code vector-kernels} run the Vector API kernels' float ones, on {@code target/classes} the exact ones) against
 * {@link GateFunctions#EXACT}, over every 4099th float in [-30, 30] and the special values, in spans of odd lengths
 * (whole vectors and scalar tails). Tolerances: sigmoid and tanh within 4 ulps of the exact value (tanh near 0 too:
 * its series below 0.625); bitwise the same whether a value falls in a vector or in a tail. And the GRU's and LSTM's
 * per-sample rows of the best kernels bitwise against the scalar loops.
 */
class GateFunctionsTest {
  private static final GateFunctions BEST = ((SplittingKernels) Kernels.best()).gateFunctions();

  @Test
  void bestGateFunctionsAreWithinAFewUlpsOfTheExactOnes() {
    // Every 4099th float of each sign up to 30 in magnitude (about half a million values).
    int top = Float.floatToIntBits(30f);
    int each = top / 4099 + 1;
    float[] x = new float[2 * each];
    for (int i = 0; i < each; i++) {
      x[2 * i] = Float.intBitsToFloat(i * 4099);
      x[2 * i + 1] = -x[2 * i];
    }
    float[] sigmoid = x.clone();
    float[] tanh = x.clone();
    float[] exactSigmoid = x.clone();
    float[] exactTanh = x.clone();
    BEST.sigmoid(sigmoid, 0, x.length);
    BEST.tanh(tanh, 0, x.length);
    GateFunctions.EXACT.sigmoid(exactSigmoid, 0, x.length);
    GateFunctions.EXACT.tanh(exactTanh, 0, x.length);
    double worstSigmoidUlps = 0;
    double worstTanhUlps = 0;
    for (int i = 0; i < x.length; i++) {
      double ulps = Math.abs(sigmoid[i] - exactSigmoid[i]) / Math.ulp(exactSigmoid[i]);
      worstSigmoidUlps = Math.max(worstSigmoidUlps, ulps);
      double tanhUlps = Math.abs(tanh[i] - exactTanh[i]) / Math.ulp(exactTanh[i]);
      assertTrue(tanhUlps <= 4, "tanh(" + x[i] + ") = " + tanh[i] + ", exact " + exactTanh[i]);
      worstTanhUlps = Math.max(worstTanhUlps, tanhUlps);
    }
    assertTrue(worstSigmoidUlps <= 4, "sigmoid: " + worstSigmoidUlps + " ulps");
    System.out.printf("gate functions %s over %d values: sigmoid within %.1f ulps, tanh within %.1f ulps%n",
        BEST == GateFunctions.EXACT ? "exact" : "vector", x.length, worstSigmoidUlps, worstTanhUlps);
  }

  @Test
  void specialValuesAndSpansOfEveryLength() {
    float[] special = {0f, -0f, 1e-30f, -1e-30f, 0x1p-13f, -0x1p-13f, 100f, -100f, Float.POSITIVE_INFINITY,
        Float.NEGATIVE_INFINITY, Float.NaN, Float.MAX_VALUE, -Float.MAX_VALUE};
    float[] s = special.clone();
    float[] t = special.clone();
    BEST.sigmoid(s, 0, s.length);
    BEST.tanh(t, 0, t.length);
    float[] wantSigmoid = {0.5f, 0.5f, 0.5f, 0.5f, 0.5f + 0x1p-15f, 0.5f - 0x1p-15f, 1f, 0f, 1f, 0f, Float.NaN, 1f, 0f};
    float[] wantTanh = {0f, -0f, 1e-30f, -1e-30f, 0x1p-13f, -0x1p-13f, 1f, -1f, 1f, -1f, Float.NaN, 1f, -1f};
    for (int i = 0; i < special.length; i++) {
      assertEquals(wantSigmoid[i], s[i], 1e-7f, "sigmoid(" + special[i] + ")");
      assertEquals(wantTanh[i], t[i], 0f, "tanh(" + special[i] + ")");
    }
    // A value gives the same bits at any position of a span of any length (vector lanes or the scalar tail).
    float[] x = new float[40];
    for (int i = 0; i < x.length; i++) {
      x[i] = (i * 0.37f - 7f) * ((i & 1) == 0 ? 1 : -0.5f);
    }
    float[] whole = x.clone();
    BEST.tanh(whole, 0, x.length);
    float[] wholeSigmoid = x.clone();
    BEST.sigmoid(wholeSigmoid, 0, x.length);
    for (int i = 0; i < x.length; i++) {
      float[] one = {x[i]};
      BEST.tanh(one, 0, 1);
      assertEquals(Float.floatToIntBits(whole[i]), Float.floatToIntBits(one[0]), "tanh at " + i);
      one[0] = x[i];
      BEST.sigmoid(one, 0, 1);
      assertEquals(Float.floatToIntBits(wholeSigmoid[i]), Float.floatToIntBits(one[0]), "sigmoid at " + i);
    }
  }

  /**
   * The GRU's per-sample forward and backward steps of the best kernels' gate functions (vectors of units in the
   * Vector API kernels) against the scalar loops ({@link RecurrentKernels#gruForwardRow} with the same gate
   * functions, {@link RecurrentKernels#gruBackwardRow}): bitwise equal for unit counts in whole vectors and with
   * tails, the first step (no previous state) or not, with and without an output, on data with signed zeros.
   */
  @Test
  void gruRowsInVectorsGiveTheScalarLoopsBits() {
    for (int h : new int[] {1, 5, 16, 33, 128}) {
      for (boolean first : new boolean[] {true, false}) {
        for (boolean output : new boolean[] {true, false}) {
          String at = "h=" + h + (first ? " first" : "") + (output ? " output" : "");
          io.nabla.runtime.Rng rng = new io.nabla.runtime.Rng(31L * h + (first ? 7 : 0) + (output ? 3 : 0));
          float[] projection = values(rng, 3 * h + 2);
          float[] recurrent = values(rng, 3 * h + 1);
          float[] params = values(rng, 6 * h + 4);
          float[] hidden = values(rng, 2 * h + 3);
          float[] gates = values(rng, 3 * h + 5);
          float[] newRecurrent = values(rng, h + 2);
          float[] out = values(rng, h + 1);
          float[][] vector = {gates.clone(), newRecurrent.clone(), hidden.clone(), out.clone()};
          float[][] scalar = {gates.clone(), newRecurrent.clone(), hidden.clone(), out.clone()};
          int o = output ? 1 : -1;
          int prev = first ? -1 : h + 3;
          BEST.gruForwardRow(h, projection, 2, recurrent, 1, first, params, 1, 3 * h + 2, vector[0], 5, vector[1], 2,
              vector[2], prev, vector[3], o);
          RecurrentKernels.gruForwardRow(BEST, h, projection, 2, recurrent, 1, first, params, 1, 3 * h + 2,
              scalar[0], 5, scalar[1], 2, scalar[2], prev, scalar[3], o);
          for (int a = 0; a < vector.length; a++) {
            assertBitwise(scalar[a], vector[a], "forward " + at + " array " + a);
          }

          float[] dy = values(rng, h + 4);
          float[] stateGrad = values(rng, h + 2);
          float[] projectionGrad = values(rng, 3 * h + 3);
          float[] partials = values(rng, 4 * h + 6);
          float[][] v = {gates.clone(), stateGrad.clone(), projectionGrad.clone(), partials.clone()};
          float[][] w = {gates.clone(), stateGrad.clone(), projectionGrad.clone(), partials.clone()};
          BEST.gruBackwardRow(h, dy, output ? 4 : -1, v[0], 5, newRecurrent, 2, hidden, prev, v[1], 2, v[2], 3, v[3],
              6);
          RecurrentKernels.gruBackwardRow(0, h, dy, output ? 4 : -1, w[0], 5, newRecurrent, 2, hidden, prev, w[1], 2,
              w[2], 3, w[3], 6);
          for (int a = 0; a < v.length; a++) {
            assertBitwise(w[a], v[a], "backward " + at + " array " + a);
          }
        }
      }
    }
  }

  /** As {@link #gruRowsInVectorsGiveTheScalarLoopsBits}, for the LSTM's rows. */
  @Test
  void lstmRowsInVectorsGiveTheScalarLoopsBits() {
    for (int h : new int[] {1, 5, 16, 33, 128}) {
      for (boolean first : new boolean[] {true, false}) {
        for (boolean output : new boolean[] {true, false}) {
          String at = "h=" + h + (first ? " first" : "") + (output ? " output" : "");
          io.nabla.runtime.Rng rng = new io.nabla.runtime.Rng(37L * h + (first ? 7 : 0) + (output ? 3 : 0));
          float[] projection = values(rng, 4 * h + 2);
          float[] recurrent = values(rng, 4 * h + 1);
          float[] params = values(rng, 8 * h + 4);
          float[] gates = values(rng, 4 * h + 5);
          float[] cells = values(rng, 2 * h + 3);
          float[] cellTanh = values(rng, h + 2);
          float[] hidden = values(rng, h + 2);
          float[] out = values(rng, h + 1);
          int o = output ? 1 : -1;
          int prev = first ? -1 : h + 3;
          float[][] vector = {gates.clone(), cells.clone(), cellTanh.clone(), hidden.clone(), out.clone()};
          float[][] scalar = {gates.clone(), cells.clone(), cellTanh.clone(), hidden.clone(), out.clone()};
          BEST.lstmForwardRow(h, projection, 2, recurrent, 1, first, params, 1, 4 * h + 2, vector[0], 5, vector[1],
              vector[2], 2, vector[3], prev, vector[4], o);
          RecurrentKernels.lstmForwardRow(BEST, h, projection, 2, recurrent, 1, first, params, 1, 4 * h + 2,
              scalar[0], 5, scalar[1], scalar[2], 2, scalar[3], prev, scalar[4], o);
          for (int a = 0; a < vector.length; a++) {
            assertBitwise(scalar[a], vector[a], "forward " + at + " array " + a);
          }

          float[] dy = values(rng, h + 4);
          float[] stateGrad = values(rng, 2 * h + 5);
          float[] projectionGrad = values(rng, 4 * h + 3);
          float[] partials = values(rng, 4 * h + 6);
          float[][] v = {gates.clone(), stateGrad.clone(), projectionGrad.clone(), partials.clone()};
          float[][] w = {gates.clone(), stateGrad.clone(), projectionGrad.clone(), partials.clone()};
          BEST.lstmBackwardRow(h, dy, output ? 4 : -1, v[0], 5, cells, cellTanh, 2, prev, v[1], 1, h + 4, v[2], 3,
              v[3], 6);
          RecurrentKernels.lstmBackwardRow(0, h, dy, output ? 4 : -1, w[0], 5, cells, cellTanh, 2, prev, w[1], 1, h + 4,
              w[2], 3, w[3], 6);
          for (int a = 0; a < v.length; a++) {
            assertBitwise(w[a], v[a], "backward " + at + " array " + a);
          }
        }
      }
    }
  }

  /** Seeded values in [-2, 2) with every seventh a signed zero. */
  private static float[] values(io.nabla.runtime.Rng rng, int n) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = i % 7 == 0 ? (i % 14 == 0 ? -0f : 0f) : 4 * rng.nextFloat() - 2;
    }
    return v;
  }

  private static void assertBitwise(float[] expected, float[] actual, String what) {
    for (int i = 0; i < expected.length; i++) {
      assertEquals(Float.floatToRawIntBits(expected[i]), Float.floatToRawIntBits(actual[i]),
          what + " at " + i + ": " + expected[i] + " vs " + actual[i]);
    }
  }
}
