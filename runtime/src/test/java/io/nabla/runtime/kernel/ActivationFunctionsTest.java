package io.nabla.runtime.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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

class ActivationFunctionsTest {

  static Stream<Arguments> activations() {
    List<Arguments> cases = new ArrayList<>();
    cases.add(Arguments.of(Activation.IDENTITY, 0f));
    cases.add(Arguments.of(Activation.RELU, 0f));
    cases.add(Arguments.of(Activation.LEAKY_RELU, 0.01f));
    cases.add(Arguments.of(Activation.LEAKY_RELU, 0.2f));
    cases.add(Arguments.of(Activation.SIGMOID, 0f));
    cases.add(Arguments.of(Activation.TANH, 0f));
    return cases.stream();
  }

  /** The activation in double precision, written from its definition. */
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
      default:
        throw new AssertionError(act);
    }
  }

  private static float applyOne(Activation act, float slope, float x) {
    float[] v = {x};
    ActivationFunctions.apply(v, 0, 1, act, slope);
    return v[0];
  }

  private static float derivativeFromOutput(Activation act, float slope, float y) {
    float[] dy = {1f};
    ActivationFunctions.multiplyDerivative(dy, new float[] {y}, 0, 1, act, slope);
    return dy[0];
  }

  /** Sample points in [-6, 6], away from the ReLU kink at 0 (central differences straddling it are meaningless). */
  private static float[] points() {
    Rng rng = new Rng(2024);
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

  /**
   * The derivative written as a function of the output against central differences of the float activation with
   * h = 1e-3. Tolerance 1e-4 · max(1, |y|): each f(x ± h) is rounded to float (relative error ≤ 6e-8), and
   * the difference divided by 2h = 2e-3 turns that into at most ≈ 6e-5 · |y|; the truncation error
   * h² · |f'''| / 6 is below 4e-7 for sigmoid and tanh and zero for the piecewise-linear ones.
   */
  @ParameterizedTest(name = "{0} slope={1}")
  @MethodSource("activations")
  void derivativeFromOutputMatchesFloatCentralDifferences(Activation act, float slope) {
    float h = 1e-3f;
    for (float x : points()) {
      float y = applyOne(act, slope, x);
      float xp = x + h;
      float xm = x - h;
      double fd = ((double) applyOne(act, slope, xp) - applyOne(act, slope, xm)) / ((double) xp - xm);
      double analytic = derivativeFromOutput(act, slope, y);
      assertEquals(fd, analytic, 1e-4 * Math.max(1, Math.abs(y)), act + " at x = " + x);
    }
  }

  /**
   * The same against central differences of the activation evaluated in double precision (h = 1e-6: truncation
   * ≈ 1e-13, rounding ≈ 1e-10). Tolerance 1e-6: the only error left is the float rounding of y (≤ 6e-8 relative)
   * carried through y(1 - y) or 1 - y², and one float multiply.
   */
  @ParameterizedTest(name = "{0} slope={1}")
  @MethodSource("activations")
  void derivativeFromOutputMatchesDoubleCentralDifferences(Activation act, float slope) {
    double h = 1e-6;
    for (float x : points()) {
      double fd = (exact(act, slope, x + h) - exact(act, slope, x - h)) / (2 * h);
      float y = applyOne(act, slope, x);
      assertEquals(fd, derivativeFromOutput(act, slope, y), 1e-6, act + " at x = " + x);
    }
  }

  @ParameterizedTest(name = "{0} slope={1}")
  @MethodSource("activations")
  void applyMatchesDefinition(Activation act, float slope) {
    for (float x : points()) {
      double want = exact(act, slope, x);
      float got = applyOne(act, slope, x);
      assertEquals(want, got, Math.ulp((float) want), act + " at x = " + x);
    }
  }

  @ParameterizedTest(name = "{0} slope={1}")
  @MethodSource("activations")
  void multiplyDerivativeScalesUpstreamGradient(Activation act, float slope) {
    float[] x = {-2.5f, -0.5f, 0.75f, 3f};
    float[] y = x.clone();
    ActivationFunctions.apply(y, 0, y.length, act, slope);
    float[] dy = {2f, -3f, 0.5f, 4f};
    float[] got = dy.clone();
    ActivationFunctions.multiplyDerivative(got, y, 0, y.length, act, slope);
    for (int i = 0; i < x.length; i++) {
      assertEquals(dy[i] * derivativeFromOutput(act, slope, y[i]), got[i], 1e-6f, act + " at " + i);
    }
  }

  @ParameterizedTest(name = "{0} slope={1}")
  @MethodSource("activations")
  void onlyTheGivenRangeIsTouched(Activation act, float slope) {
    float[] v = {-1f, -2f, 3f, -4f, 5f, -6f};
    float[] w = v.clone();
    ActivationFunctions.apply(w, 2, 4, act, slope);
    assertEquals(v[0], w[0]);
    assertEquals(v[1], w[1]);
    assertEquals(applyOne(act, slope, v[2]), w[2]);
    assertEquals(applyOne(act, slope, v[3]), w[3]);
    assertEquals(v[4], w[4]);
    assertEquals(v[5], w[5]);

    float[] y = {0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f};
    float[] dy = {7f, 7f, 7f, 7f, 7f, 7f};
    ActivationFunctions.multiplyDerivative(dy, y, 1, 3, act, slope);
    assertEquals(7f, dy[0]);
    assertEquals(7f, dy[3]);
    assertEquals(7f, dy[5]);
    assertEquals(7f * derivativeFromOutput(act, slope, 0.5f), dy[1]);
  }

  @Test
  void kinksFollowPyTorch() {
    // relu'(0) = 0 and leaky_relu'(0) = slope, as torch's backward (x > 0 ? g : g · slope).
    assertEquals(0f, derivativeFromOutput(Activation.RELU, 0f, 0f));
    assertEquals(0.01f, derivativeFromOutput(Activation.LEAKY_RELU, 0.01f, 0f));
    assertEquals(1f, derivativeFromOutput(Activation.RELU, 0f, 1e-30f));
    assertEquals(0.2f, derivativeFromOutput(Activation.LEAKY_RELU, 0.2f, -3f));
    assertEquals(0f, applyOne(Activation.RELU, 0f, -5f));
    assertEquals(0.01f * -5f, applyOne(Activation.LEAKY_RELU, 0.01f, -5f));
    assertEquals(0.25f, derivativeFromOutput(Activation.SIGMOID, 0f, 0.5f));
    assertEquals(1f, derivativeFromOutput(Activation.TANH, 0f, 0f));
    assertEquals(0.5f, applyOne(Activation.SIGMOID, 0f, 0f));
  }

  @Test
  void sigmoidIsStableForLargeInputs() {
    assertEquals(1f, ActivationFunctions.sigmoid(100f));
    float small = ActivationFunctions.sigmoid(-100f);
    assertFalse(Float.isNaN(small));
    assertTrue(small >= 0f && small < 1e-40f, "sigmoid(-100) ≈ 3.7e-44, got " + small);
    for (float x : new float[] {1000f, Float.MAX_VALUE, Float.POSITIVE_INFINITY}) {
      assertEquals(1f, ActivationFunctions.sigmoid(x), "sigmoid(" + x + ")");
      assertEquals(0f, ActivationFunctions.sigmoid(-x), "sigmoid(" + -x + ")");
    }
    float[] v = {100f, -100f, 1000f, -1000f, 88.8f, -88.8f, 710f, -710f};
    ActivationFunctions.apply(v, 0, v.length, Activation.SIGMOID, 0f);
    float[] dy = {1, 1, 1, 1, 1, 1, 1, 1};
    ActivationFunctions.multiplyDerivative(dy, v, 0, v.length, Activation.SIGMOID, 0f);
    for (int i = 0; i < v.length; i++) {
      assertTrue(v[i] >= 0f && v[i] <= 1f, "sigmoid in [0, 1], got " + v[i]);
      assertTrue(Float.isFinite(dy[i]) && dy[i] >= 0f && dy[i] < 1e-30f, "saturated derivative ≈ 0, got " + dy[i]);
    }
  }

  @Test
  void sigmoidIsSymmetricAndMonotonic() {
    float previous = -1f;
    for (int i = -5000; i <= 5000; i++) {
      float x = i / 100f;
      float s = ActivationFunctions.sigmoid(x);
      assertTrue(s >= previous, "monotonic at " + x);
      previous = s;
      assertEquals(1.0, (double) s + ActivationFunctions.sigmoid(-x), 1.2e-7, "σ(x) + σ(-x) = 1 at " + x);
    }
  }

  @Test
  void tanhSaturatesWithoutNaN() {
    float[] v = {100f, -100f, 1000f, -1000f, Float.MAX_VALUE};
    ActivationFunctions.apply(v, 0, v.length, Activation.TANH, 0f);
    assertArrayEquals(new float[] {1f, -1f, 1f, -1f, 1f}, v);
    float[] dy = {1, 1, 1, 1, 1};
    ActivationFunctions.multiplyDerivative(dy, v, 0, v.length, Activation.TANH, 0f);
    assertArrayEquals(new float[5], dy);
  }

  @Test
  void softmaxIsRejectedNamingTheActivation() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ActivationFunctions.apply(new float[2], 0, 2, Activation.SOFTMAX, 0f));
    assertTrue(e.getMessage().contains("SOFTMAX"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> ActivationFunctions.multiplyDerivative(new float[2], new float[2], 0, 2, Activation.SOFTMAX, 0f));
    assertTrue(e.getMessage().contains("SOFTMAX"), e.getMessage());
  }
}
