package io.nabla.runtime.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * {@link FastFunctions} against {@code Math.exp} and the double definitions of GELU and SiLU
 * ({@link ActivationFunctions}' Cody erf). Measured: exp within 1 ulp over a dense sweep; GELU and GELU' within
 * {@code 2e-7·max(1, |x|)} absolute over [−10, 10] and at large |x|; SiLU and SiLU' within {@code 1e-6·max(1, |x|)}.
 */
class FastFunctionsTest {

  /** Distance in ulps between a float and the exact double. */
  static double ulps(float actual, double exact) {
    float rounded = (float) exact;
    if (rounded == actual) {
      return 0;
    }
    return Math.abs(actual - exact) / Math.ulp(rounded);
  }

  @Test
  void expIsWithinOneUlpOfMathExpOverTheFloatRange() {
    double worst = 0;
    float at = 0;
    long count = 0;
    // Every 97th float of [-87.33, 88.72], both signs: about 22 million arguments.
    for (int sign = 0; sign < 2; sign++) {
      float limit = sign == 0 ? 88.72283f : -87.336f;
      int last = Float.floatToRawIntBits(Math.abs(limit));
      for (int bits = 0; bits <= last; bits += 97) {
        float x = Float.intBitsToFloat(bits);
        x = sign == 0 ? x : -x;
        double e = ulps(FastFunctions.exp(x), Math.exp(x));
        count++;
        if (e > worst) {
          worst = e;
          at = x;
        }
      }
    }
    System.out.println("fast exp: worst " + worst + " ulp at " + at + " over " + count + " arguments");
    assertTrue(worst <= 1.0, "worst " + worst + " ulp at " + at);
  }

  @Test
  void expLimits() {
    assertEquals(1f, FastFunctions.exp(0f), 0f);
    assertEquals(1f, FastFunctions.exp(-0f), 0f);
    assertEquals(Float.POSITIVE_INFINITY, FastFunctions.exp(88.7229f), 0f);
    assertEquals(Float.POSITIVE_INFINITY, FastFunctions.exp(1000f), 0f);
    assertEquals(Float.POSITIVE_INFINITY, FastFunctions.exp(Float.POSITIVE_INFINITY), 0f);
    assertTrue(Float.isFinite(FastFunctions.exp(88.72283f)));
    assertEquals(Math.exp(88.72283f), FastFunctions.exp(88.72283f), Math.ulp(3.4e38f));
    assertEquals(0f, FastFunctions.exp(-87.34f), 0f);
    assertEquals(0f, FastFunctions.exp(-1000f), 0f);
    assertEquals(0f, FastFunctions.exp(Float.NEGATIVE_INFINITY), 0f);
    assertTrue(FastFunctions.exp(-87.33f) > 0f);
    assertTrue(Float.isNaN(FastFunctions.exp(Float.NaN)));
  }

  static double gelu(double x) {
    return x * ActivationFunctions.phi(x);
  }

  /** Sweep of [−10, 10] in steps of about 1e-4 plus large magnitudes; returns the worst error / max(1, |x|). */
  private static double worst(java.util.function.DoubleUnaryOperator exact,
      java.util.function.DoubleUnaryOperator fast, String name) {
    double worst = 0;
    double at = 0;
    java.util.List<Float> xs = new java.util.ArrayList<>();
    for (int i = -100_000; i <= 100_000; i++) {
      xs.add(i * 1e-4f);
      xs.add(i * 1e-4f + 3.3e-5f);
    }
    for (float big : new float[] {12f, 13f, 13.5f, 14f, 20f, 50f, 1e3f, 1e10f, 3e38f}) {
      xs.add(big);
      xs.add(-big);
    }
    for (float x : xs) {
      double e = Math.abs(fast.applyAsDouble(x) - exact.applyAsDouble(x)) / Math.max(1, Math.abs(x));
      if (e > worst) {
        worst = e;
        at = x;
      }
    }
    System.out.println(name + ": worst |error|/max(1,|x|) " + worst + " at " + at);
    return worst;
  }

  @Test
  void geluIsWithin2e7OfTheDefinition() {
    assertTrue(worst(FastFunctionsTest::gelu, x -> FastFunctions.gelu((float) x), "GELU") <= 2e-7);
    assertTrue(worst(ActivationFunctions::geluDerivative, x -> FastFunctions.geluDerivative((float) x), "GELU'")
        <= 2e-7);
    assertEquals(0f, FastFunctions.gelu(-20f), 0f);
    assertEquals(20f, FastFunctions.gelu(20f), 0f);
    assertEquals(1f, FastFunctions.geluDerivative(20f), 0f);
    assertEquals(0f, FastFunctions.geluDerivative(-20f), 0f);
    assertEquals(Float.POSITIVE_INFINITY, FastFunctions.gelu(Float.POSITIVE_INFINITY), 0f);
    assertTrue(Float.isNaN(FastFunctions.gelu(Float.NaN)));
    assertTrue(Float.isNaN(FastFunctions.geluDerivative(Float.NaN)));
  }

  @Test
  void siluIsWithinAFewUlpsOfTheDefinition() {
    assertTrue(worst(x -> x / (1 + Math.exp(-x)), x -> FastFunctions.silu((float) x), "SiLU") <= 1e-6);
    assertTrue(worst(x -> {
      double s = 1 / (1 + Math.exp(-x));
      return s * (1 + x * (1 - s));
    }, x -> FastFunctions.siluDerivative((float) x), "SiLU'") <= 1e-6);
    assertEquals(-0f, FastFunctions.silu(-1000f), 0f);
    assertTrue(Float.isNaN(FastFunctions.silu(Float.NaN)));
  }
}
