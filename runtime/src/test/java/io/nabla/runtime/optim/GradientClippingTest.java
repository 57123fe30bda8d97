package io.nabla.runtime.optim;

import static io.nabla.runtime.optim.OptimTesting.scalars;
import static io.nabla.runtime.optim.OptimTesting.setGradients;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nabla.runtime.Parameters;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * Clipping against PyTorch's {@code clip_grad_norm_} (scale by {@code min(1, maxNorm / (norm + 1e-6))}, return the
 * norm before clipping) and {@code clip_grad_value_} (clamp), worked by hand; the fixtures' clipping runs check
 * them over 100 steps against PyTorch itself.
 */
class GradientClippingTest {
  @Test
  void normIsTheL2NormOverAllGradientsTogether() {
    Parameters p = scalars(0f, 0f, 0f);
    setGradients(p, 2f, -3f, 6f);
    assertEquals(7.0, GradientClipping.norm(p), 0);
  }

  @Test
  void clipNormScalesLargeGradientsDownToTheMaxNorm() {
    Parameters p = scalars(0f, 0f);
    setGradients(p, 3f, -4f);
    assertEquals(5.0, GradientClipping.clipNorm(p, 1.0), 0, "returns the norm before clipping");
    double scale = 1.0 / (5 + 1e-6);
    assertArrayEquals(new float[] {(float) (3 * scale), (float) (-4 * scale)}, p.gradients(), 1e-7f);
    assertEquals(1.0, GradientClipping.norm(p), 1e-6);
  }

  @Test
  void clipNormLeavesSmallGradientsBitForBit() {
    Parameters p = scalars(0f, 0f);
    setGradients(p, 0.3f, -0.4f);
    assertEquals(0.5, GradientClipping.clipNorm(p, 1.0), 1e-7);
    assertArrayEquals(new float[] {0.3f, -0.4f}, p.gradients());
  }

  @Test
  void aNormEqualToMaxNormIsScaledByAFactorJustBelowOneAsInPyTorch() {
    Parameters p = scalars(0f, 0f);
    setGradients(p, 3f, 4f);
    GradientClipping.clipNorm(p, 5.0);
    assertTrue(p.gradients()[0] < 3f && p.gradients()[0] > 2.99999f, "3 · 5 / (5 + 1e-6): " + p.gradients()[0]);
  }

  @Test
  void aNonFiniteNormMakesTheGradientsNonFiniteAsInPyTorch() {
    Parameters p = scalars(0f, 0f);
    setGradients(p, Float.NaN, 1f);
    assertTrue(Double.isNaN(GradientClipping.clipNorm(p, 1.0)));
    assertTrue(Float.isNaN(p.gradients()[0]) && Float.isNaN(p.gradients()[1]));
    setGradients(p, Float.POSITIVE_INFINITY, 1f);
    assertEquals(Double.POSITIVE_INFINITY, GradientClipping.clipNorm(p, 1.0));
    assertTrue(Float.isNaN(p.gradients()[0]), "inf · 0");
    assertEquals(0f, p.gradients()[1]);
  }

  @Test
  void clipValueClampsEachGradient() {
    Parameters p = scalars(0f, 0f, 0f, 0f, 0f);
    setGradients(p, 0.5f, -0.5f, 0.05f, -2f, Float.NaN);
    GradientClipping.clipValue(p, 0.1);
    assertArrayEquals(new float[] {0.1f, -0.1f, 0.05f, -0.1f, Float.NaN}, p.gradients());
  }

  @Test
  void instancesApplyTheSameClippingAndReturnTheNormBefore() {
    Parameters p = scalars(0f, 0f);
    setGradients(p, 3f, -4f);
    GradientClipping byNorm = GradientClipping.byNorm(2.5);
    assertEquals(5.0, byNorm.apply(p), 0);
    assertEquals(2.5, GradientClipping.norm(p), 1e-6);
    setGradients(p, 3f, -4f);
    GradientClipping byValue = GradientClipping.byValue(1);
    assertEquals(5.0, byValue.apply(p), 0);
    assertArrayEquals(new float[] {1f, -1f}, p.gradients());
    assertEquals("GradientClipping.byNorm(2.5)", byNorm.toString());
    assertEquals("GradientClipping.byValue(1.0)", byValue.toString());
  }

  private static void assertRejected(Executable executable, String... words) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, executable);
    for (String word : words) {
      assertTrue(e.getMessage().contains(word), "message should name '" + word + "': " + e.getMessage());
    }
  }

  @Test
  void limitsAreValidated() {
    Parameters p = scalars(0f);
    assertRejected(() -> GradientClipping.clipNorm(p, 0), "max norm", "0.0");
    assertRejected(() -> GradientClipping.clipNorm(p, Double.NaN), "max norm", "NaN");
    assertRejected(() -> GradientClipping.byNorm(-1), "max norm", "-1.0");
    assertRejected(() -> GradientClipping.clipValue(p, -0.5), "value", "-0.5");
    assertRejected(() -> GradientClipping.byValue(Double.POSITIVE_INFINITY), "value", "Infinity");
  }
}
