package io.nabla.runtime.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * {@link ActivationFunctions#erf} and {@link ActivationFunctions#erfc} (Cody's rational approximations) against
 * published values (to 2 ulp-ish: {@code 4e-16} relative) and against an independent series and continued fraction
 * evaluated in double (to {@code 2e-14} relative, the series' own rounding).
 */
class ErfTest {

  /** erf(x) from mpmath to 17 digits. */
  private static final double[][] ERF = {
      {0.0, 0.0}, {0.1, 0.1124629160182849}, {0.5, 0.5204998778130465}, {1.0, 0.8427007929497149},
      {1.5, 0.9661051464753108}, {2.0, 0.9953222650189527}, {-3.0, -0.9999779095030014},
      {3.5, 0.9999992569016276}, {-0.25, -0.2763263901682369}};

  /** erfc(x) far in the tail, where 1 - erf(x) has no significant digits left. */
  private static final double[][] ERFC = {
      {3.0, 2.209049699858544e-05}, {5.0, 1.5374597944280349e-12}, {10.0, 2.0884875837625447e-45},
      {-1.0, 1.8427007929497148}};

  @Test
  void erfMatchesPublishedValues() {
    for (double[] c : ERF) {
      assertEquals(c[1], ActivationFunctions.erf(c[0]), 4e-16 * Math.abs(c[1]), "erf(" + c[0] + ")");
    }
  }

  @Test
  void erfcKeepsRelativePrecisionInTheTail() {
    for (double[] c : ERFC) {
      assertEquals(c[1], ActivationFunctions.erfc(c[0]), 1e-15 * Math.abs(c[1]), "erfc(" + c[0] + ")");
    }
  }

  @Test
  void erfIsOddSaturatesAndPassesNaN() {
    for (double x = -7; x <= 7; x += 0.01) {
      assertEquals(-ActivationFunctions.erf(x), ActivationFunctions.erf(-x), 0.0, "odd at " + x);
    }
    assertEquals(1.0, ActivationFunctions.erf(6.0));
    assertEquals(-1.0, ActivationFunctions.erf(-30.0));
    assertEquals(1.0, ActivationFunctions.erf(Double.POSITIVE_INFINITY));
    assertEquals(-1.0, ActivationFunctions.erf(Double.NEGATIVE_INFINITY));
    assertEquals(0.0, ActivationFunctions.erfc(40.0));
    assertEquals(2.0, ActivationFunctions.erfc(-40.0));
    assertTrue(Double.isNaN(ActivationFunctions.erf(Double.NaN)));
    assertTrue(Double.isNaN(ActivationFunctions.erfc(Double.NaN)));
    // Monotonic across the two interval boundaries of the approximation (0.46875 and 4).
    for (double b : new double[] {0.46875, 4.0}) {
      double below = ActivationFunctions.erf(Math.nextDown(b));
      double at = ActivationFunctions.erf(b);
      double above = ActivationFunctions.erf(Math.nextUp(b));
      assertTrue(below <= at && at <= above, "monotonic at " + b);
    }
  }

  /**
   * {@code erf(x) = 2/√π · e^(-x²) · Σ_n 2^n x^(2n+1) / (1·3·…·(2n+1))}: every term positive, so no cancellation;
   * accurate to a few 1e-15 for {@code |x| ≤ 4}.
   */
  private static double erfSeries(double x) {
    double term = x;
    double sum = x;
    for (int n = 1; n < 400; n++) {
      term *= 2 * x * x / (2 * n + 1);
      sum += term;
      if (term < 1e-18 * sum) {
        break;
      }
    }
    return 2 / Math.sqrt(Math.PI) * Math.exp(-x * x) * sum;
  }

  /** {@code erfc(x) = e^(-x²)/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + …))))}, evaluated bottom-up, for x ≥ 3. */
  private static double erfcContinuedFraction(double x) {
    double f = x;
    for (int k = 400; k >= 1; k--) {
      f = x + (k / 2.0) / f;
    }
    // e^(-x²) with an exact large exponent (s = x rounded down to 1/16, s² exact): x·x alone would be rounded by
    // up to 1.5e-14 relative at x = 26, more than the error under test.
    double s = Math.floor(16 * x) / 16;
    return Math.exp(-s * s) * Math.exp(-(x - s) * (x + s)) / Math.sqrt(Math.PI) / f;
  }

  @Test
  void erfMatchesAnIndependentSeriesOnAFineGrid() {
    for (int i = 1; i <= 800; i++) {
      double x = i * 0.005; // (0, 4]
      double want = erfSeries(x);
      assertEquals(want, ActivationFunctions.erf(x), 2e-14 * want, "erf(" + x + ")");
      assertEquals(-want, ActivationFunctions.erf(-x), 2e-14 * want, "erf(" + -x + ")");
    }
  }

  @Test
  void erfcMatchesAContinuedFractionInTheTail() {
    for (int i = 0; i <= 230; i++) {
      double x = 3 + i * 0.1; // [3, 26]
      double want = erfcContinuedFraction(x);
      assertEquals(want, ActivationFunctions.erfc(x), 2e-14 * want, "erfc(" + x + ")");
    }
  }
}
