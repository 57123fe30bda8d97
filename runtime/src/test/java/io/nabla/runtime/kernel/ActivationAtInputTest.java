package io.nabla.runtime.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nabla.Activation;
import io.nabla.runtime.Rng;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * GELU and SiLU ({@link ActivationFunctions#apply}), the derivative at the pre-activation for every element-wise
 * activation ({@link ActivationFunctions#multiplyDerivativeAtInput}), {@link ActivationFunctions#applyTo}, and the
 * refusal of the output-form derivative for GELU and SiLU by every {@link Kernels} implementation.
 */
class ActivationAtInputTest {

  static Stream<Arguments> activations() {
    List<Arguments> cases = new ArrayList<>();
    cases.add(Arguments.of(Activation.IDENTITY, 0f));
    cases.add(Arguments.of(Activation.RELU, 0f));
    cases.add(Arguments.of(Activation.LEAKY_RELU, 0.2f));
    cases.add(Arguments.of(Activation.SIGMOID, 0f));
    cases.add(Arguments.of(Activation.TANH, 0f));
    cases.add(Arguments.of(Activation.GELU, 0f));
    cases.add(Arguments.of(Activation.SILU, 0f));
    return cases.stream();
  }

  /** The activation in double precision from its definition; GELU through {@code erf}, tested in ErfTest. */
  private static double exact(Activation act, float slope, double x) {
    switch (act) {
      case IDENTITY:
        return x;
      case RELU:
        return Math.max(x, 0);
      case LEAKY_RELU:
        return x > 0 ? x : slope * x;
      case SIGMOID:
        return 1 / (1 + Math.exp(-x));
      case TANH:
        return Math.tanh(x);
      case GELU:
        return x / 2 * (1 + ActivationFunctions.erf(x / Math.sqrt(2)));
      case SILU:
        return x / (1 + Math.exp(-x));
      default:
        throw new AssertionError(act);
    }
  }

  private static float applyOne(Activation act, float slope, float x) {
    float[] v = {x};
    ActivationFunctions.apply(v, 0, 1, act, slope);
    return v[0];
  }

  private static float derivativeAtInput(Activation act, float slope, float x) {
    float[] dy = {1f};
    ActivationFunctions.multiplyDerivativeAtInput(dy, new float[] {x}, 0, 1, act, slope);
    return dy[0];
  }

  /** Points in [-6, 6], away from the ReLU kink at 0. */
  private static float[] points() {
    Rng rng = new Rng(77);
    float[] x = new float[400];
    int n = 0;
    while (n < x.length) {
      float v = 12 * rng.nextFloat() - 6;
      if (Math.abs(v) > 0.01f) {
        x[n++] = v;
      }
    }
    return x;
  }

  @Test
  void geluAndSiluMatchHighPrecisionValues() {
    // x · Φ(x) and x · σ(x) from mpmath at 30 digits; the GELU tail keeps its relative precision.
    double[][] gelu = {{0.5, 0.34573123063700655}, {1, 0.84134474606854295}, {-1, -0.15865525393145705},
        {-3, -0.0040496940948902836}, {2.5, 2.4844758366855597}, {-6, -5.9195258702261888e-9},
        {-10, -7.6198530241605261e-23}, {0, 0}};
    for (double[] c : gelu) {
      assertEquals(c[1], applyOne(Activation.GELU, 0f, (float) c[0]), Math.ulp((float) c[1]), "gelu(" + c[0] + ")");
    }
    double[][] silu = {{1, 0.73105857863000488}, {-1, -0.26894142136999512}, {5, 4.9665357453785757},
        {-20, -4.1223072363804072e-8}, {0, 0}};
    for (double[] c : silu) {
      assertEquals(c[1], applyOne(Activation.SILU, 0f, (float) c[0]), Math.ulp((float) c[1]), "silu(" + c[0] + ")");
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("activations")
  void applyMatchesDefinitionToHalfAnUlp(Activation act, float slope) {
    for (float x : points()) {
      double want = exact(act, slope, x);
      // One rounding to float from an almost exact double: within half an ulp, allow a full one.
      assertEquals(want, applyOne(act, slope, x), Math.ulp((float) want), act + " at x = " + x);
    }
  }

  /**
   * The derivative at the input against central differences of the double-precision definition (h = 1e-6:
   * truncation ≈ h²·|f'''|/6 < 1e-12, rounding ≈ 1e-16/h = 1e-10). Tolerance 1e-6: the analytic value is
   * computed in double and rounded to float once (6e-8 relative, derivatives ≤ 1.13).
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("activations")
  void derivativeAtInputMatchesDoubleCentralDifferences(Activation act, float slope) {
    double h = 1e-6;
    for (float x : points()) {
      double fd = (exact(act, slope, x + h) - exact(act, slope, x - h)) / (2 * h);
      assertEquals(fd, derivativeAtInput(act, slope, x), 1e-6, act + " at x = " + x);
    }
  }

  /**
   * Against central differences of the float activation itself (h = 1e-2, x ± h exact in float's spacing
   * near the points): rounding of each f(x ± h) to float is ≤ 6e-8·|f| ≤ 4e-7, divided by 2h: 2e-5; truncation
   * h²·|f'''|/6 ≤ 1e-4·0.6/6 = 1e-5 for GELU, less for the others. Tolerance 5e-5.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("activations")
  void derivativeAtInputMatchesFloatCentralDifferencesOfApply(Activation act, float slope) {
    float h = 1e-2f;
    for (float x : points()) {
      float xp = x + h;
      float xm = x - h;
      if (act == Activation.RELU || act == Activation.LEAKY_RELU) {
        if (xm <= 0f && xp > 0f) {
          continue; // straddling the kink
        }
      }
      double fd = ((double) applyOne(act, slope, xp) - applyOne(act, slope, xm)) / ((double) xp - xm);
      assertEquals(fd, derivativeAtInput(act, slope, x), 5e-5, act + " at x = " + x);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("activations")
  void atInputAgreesWithFromOutputWhereBothExist(Activation act, float slope) {
    if (act == Activation.GELU || act == Activation.SILU) {
      return;
    }
    for (float x : points()) {
      float y = applyOne(act, slope, x);
      float[] fromOutput = {1.5f};
      ActivationFunctions.multiplyDerivative(fromOutput, new float[] {y}, 0, 1, act, slope);
      float[] atInput = {1.5f};
      ActivationFunctions.multiplyDerivativeAtInput(atInput, new float[] {x}, 0, 1, act, slope);
      // The output form multiplies a rounded y; 3e-7 covers its rounding through y(1 - y) and 1 - y².
      assertEquals(fromOutput[0], atInput[0], 3e-7, act + " at x = " + x);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("activations")
  void onlyTheGivenRangeIsTouchedAndTheUpstreamGradientScales(Activation act, float slope) {
    float[] x = {-2.5f, -0.5f, 0.75f, 3f, 1f, -1f};
    float[] dy = {2f, -3f, 0.5f, 4f, 7f, 7f};
    float[] got = dy.clone();
    ActivationFunctions.multiplyDerivativeAtInput(got, x, 1, 4, act, slope);
    assertEquals(2f, got[0]);
    assertEquals(7f, got[4]);
    assertEquals(7f, got[5]);
    for (int i = 1; i < 4; i++) {
      assertEquals(dy[i] * derivativeAtInput(act, slope, x[i]), got[i], 1e-6f, act + " at " + i);
    }
  }

  @Test
  void kinksFollowPyTorch() {
    assertEquals(0f, derivativeAtInput(Activation.RELU, 0f, 0f));
    assertEquals(0.01f, derivativeAtInput(Activation.LEAKY_RELU, 0.01f, 0f));
    assertEquals(0.5f, derivativeAtInput(Activation.GELU, 0f, 0f));
    assertEquals(0.5f, derivativeAtInput(Activation.SILU, 0f, 0f));
    assertEquals(0.25f, derivativeAtInput(Activation.SIGMOID, 0f, 0f));
    assertEquals(1f, derivativeAtInput(Activation.TANH, 0f, 0f));
  }

  @Test
  void saturatedInputsGiveNoNaN() {
    float[] x = {100f, -100f, 1000f, -1000f, 1e30f, -1e30f, Float.MAX_VALUE, -Float.MAX_VALUE, 88.8f, -88.8f};
    for (Activation act : new Activation[] {Activation.GELU, Activation.SILU, Activation.SIGMOID}) {
      float[] y = new float[x.length];
      ActivationFunctions.applyTo(y, x, x.length, act, 0f);
      float[] d = new float[x.length];
      java.util.Arrays.fill(d, 1f);
      ActivationFunctions.multiplyDerivativeAtInput(d, x, 0, x.length, act, 0f);
      for (int i = 0; i < x.length; i++) {
        assertTrue(Float.isFinite(y[i]), act + "(" + x[i] + ") = " + y[i]);
        assertTrue(Float.isFinite(d[i]), act + "'(" + x[i] + ") = " + d[i]);
        if (act != Activation.SIGMOID) {
          // GELU and SiLU: the identity far right, 0 far left (SiLU(-88.8) ≈ -2.7e-37 is still a float).
          assertEquals(x[i] > 0 ? x[i] : 0f, y[i], x[i] > 0 ? 0f : 1e-35f, act + "(" + x[i] + ")");
          assertEquals(x[i] > 0 ? 1f : 0f, d[i], x[i] > 0 ? 0f : 1e-35f, act + "'(" + x[i] + ")");
          assertTrue(x[i] > 0 || (y[i] <= 0f && d[i] <= 0f), act + " keeps the sign of the tail at " + x[i]);
        }
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("activations")
  void applyToCopiesAndLeavesTheInput(Activation act, float slope) {
    float[] x = {-2f, -0.5f, 0.25f, 1.5f, 9f};
    float[] xCopy = x.clone();
    float[] out = {5f, 5f, 5f, 5f, 5f};
    ActivationFunctions.applyTo(out, x, 4, act, slope);
    assertArrayEquals(xCopy, x, "x untouched");
    for (int i = 0; i < 4; i++) {
      assertEquals(applyOne(act, slope, x[i]), out[i], 0f);
    }
    assertEquals(5f, out[4], "only n elements written");
    float[] same = x.clone();
    ActivationFunctions.applyTo(same, same, 5, act, slope);
    for (int i = 0; i < 5; i++) {
      assertEquals(applyOne(act, slope, x[i]), same[i], 0f, "in place");
    }
  }

  @Test
  void softmaxIsRejectedByTheNewMethods() {
    float[] out = {3f, 3f};
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ActivationFunctions.applyTo(out, new float[] {1f, 2f}, 2, Activation.SOFTMAX, 0f));
    assertTrue(e.getMessage().contains("SOFTMAX"), e.getMessage());
    assertArrayEquals(new float[] {3f, 3f}, out, "nothing written");
    e = assertThrows(IllegalArgumentException.class, () -> ActivationFunctions.multiplyDerivativeAtInput(
        new float[2], new float[2], 0, 2, Activation.SOFTMAX, 0f));
    assertTrue(e.getMessage().contains("SOFTMAX"), e.getMessage());
  }

  @Test
  void derivativeFromOutputRefusesGeluAndSiluInEveryKernels() {
    for (Activation act : new Activation[] {Activation.GELU, Activation.SILU}) {
      float[] dy = {1f, 2f, 3f, 4f};
      float[] y = {0.5f, -0.1f, 2f, 0f};
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> ActivationFunctions.multiplyDerivative(dy, y, 0, 4, act, 0f));
      assertTrue(e.getMessage().contains(act.name()) && e.getMessage().contains("pre-activation"), e.getMessage());
      assertArrayEquals(new float[] {1f, 2f, 3f, 4f}, dy);
      for (Kernels k : new Kernels[] {new PortableKernels(), new ReferenceKernels(), Kernels.best()}) {
        for (int rows : new int[] {0, 2}) {
          float[] grads = {9f, 9f};
          e = assertThrows(IllegalArgumentException.class,
              () -> k.activationBackward(dy, y, rows, 2, act, 0f, grads, 0));
          assertTrue(e.getMessage().contains("pre-activation"), k.getClass().getSimpleName() + ": " + e.getMessage());
          assertArrayEquals(new float[] {1f, 2f, 3f, 4f}, dy, "dy untouched");
          assertArrayEquals(new float[] {9f, 9f}, grads, "grads untouched");
        }
      }
    }
  }
}
