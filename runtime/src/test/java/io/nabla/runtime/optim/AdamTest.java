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
 * Adam against {@code torch.optim.Adam}'s documented rule (Kingma &amp; Ba with bias correction, L2 weight decay
 * added to the gradient):
 *
 * <pre>
 * g ← ∇ + λ·θ;  m ← β1·m + (1 - β1)·g;  v ← β2·v + (1 - β2)·g²
 * m̂ ← m / (1 - β1^t);  v̂ ← v / (1 - β2^t);  θ ← θ - γ · m̂ / (√v̂ + ε)
 * </pre>
 *
 * Tolerance 1e-6 on parameters of order 1 moved by steps of order γ ≤ 0.1: the optimizer computes in float.
 */
class AdamTest {
  private static final double TOL = 1e-6;

  @Test
  void constantGradientMovesByTheLearningRateEachStep() {
    // With a constant gradient g, bias correction makes m̂ = g and v̂ = g² exactly at every step, so each step
    // moves θ by γ · g / (|g| + ε) ≈ γ · sign(g): worked by hand, 1 → 0.9 → 0.8 → 0.7 for g = 0.5, γ = 0.1.
    Adam adam = Adam.of(0.1);
    Parameters p = scalars(1f, -1f);
    double[] want0 = {0.9, 0.8, 0.7};
    double[] want1 = {-0.9, -0.8, -0.7};
    for (int t = 0; t < 3; t++) {
      setGradients(p, 0.5f, -3f);
      adam.step(p);
      assertEquals(want0[t], p.values()[0], TOL, "step " + (t + 1));
      assertEquals(want1[t], p.values()[1], TOL, "step " + (t + 1));
    }
    assertEquals(3, adam.stepCount());
  }

  @Test
  void firstStepHandComputedWithVaryingGradient() {
    // Step 1, g = 2: m = 0.1·2 = 0.2, v = 0.001·4 = 0.004; m̂ = 2, v̂ = 4; θ = 1 - 0.01 · 2 / 2 = 0.99.
    // Step 2, g = -1: m = 0.18 - 0.1 = 0.08, v = 0.003996 + 0.001 = 0.004996; m̂ = 0.08 / 0.19 = 0.421053,
    // v̂ = 0.004996 / 0.001999 = 2.499250, √v̂ = 1.580902; θ = 0.99 - 0.01 · 0.421053 / 1.580902 = 0.987337.
    Adam adam = Adam.of(0.01);
    Parameters p = scalars(1f);
    setGradients(p, 2f);
    adam.step(p);
    assertEquals(0.99, p.values()[0], TOL);
    setGradients(p, -1f);
    adam.step(p);
    assertEquals(0.987337, p.values()[0], 2e-6);
  }

  @Test
  void decayingMomentsNeverBecomeSubnormal() {
    // A weight whose gradient turns zero: its exp_avg shrinks by β1 = 0.9 per step, exactly computed through the
    // subnormal floats (slow on x86) and down to 0 after about 900 steps. Adam rounds such tiny moments to
    // multiples of 2^-101 instead: one more rounding per step below 2^-53 (errors within the parity tolerance,
    // 1e-4), and a few multiples of 2^-100 at the end instead of 0.
    for (Adam adam : new Adam[] {Adam.of(1e-3), Adam.builder().amsgrad(true).build()}) {
      Parameters p = scalars(0.5f, -0.5f);
      setGradients(p, 1e-3f, -2e-3f);
      adam.step(p);
      setGradients(p, 0f, 0f);
      double[] exact = {1e-4, -2e-4};
      for (int t = 0; t < 1200; t++) {
        adam.step(p);
        float[] m = adam.state().buffer("exp_avg");
        float[] v = adam.state().buffer("exp_avg_sq");
        for (int i = 0; i < 2; i++) {
          exact[i] = (float) (0.9f * (float) exact[i]);
          assertTrue(m[i] == 0f || Math.abs(m[i]) >= Float.MIN_NORMAL, "step " + t + ": exp_avg " + m[i]);
          assertTrue(v[i] == 0f || v[i] >= Float.MIN_NORMAL, "step " + t + ": exp_avg_sq " + v[i]);
          assertEquals(exact[i], m[i], Math.max(0x1p-98, Math.abs(exact[i]) * 1e-4), "step " + t);
        }
      }
    }
  }

  /** The documented rule in double, with the hyperparameters given as the float values the optimizer stores. */
  private static double[] reference(double[] w0, float[][] grads, double lr, double beta1, double beta2,
      double eps, double weightDecay) {
    double[] w = w0.clone();
    double[] m = new double[w.length];
    double[] v = new double[w.length];
    for (int t = 1; t <= grads.length; t++) {
      for (int i = 0; i < w.length; i++) {
        double g = grads[t - 1][i] + weightDecay * w[i];
        m[i] = beta1 * m[i] + (1 - beta1) * g;
        v[i] = beta2 * v[i] + (1 - beta2) * g * g;
        double mHat = m[i] / (1 - Math.pow(beta1, t));
        double vHat = v[i] / (1 - Math.pow(beta2, t));
        w[i] -= lr * mHat / (Math.sqrt(vHat) + eps);
      }
    }
    return w;
  }

  @Test
  void matchesDocumentedRuleOnSeveralScalars() {
    float[] w0 = {1f, -2f, 0.5f};
    double[] w0d = {1, -2, 0.5};
    float[][] grads = {{0.5f, -1f, 0.25f}, {0.25f, 0.3f, -0.75f}, {-0.1f, 0.2f, 2f}};
    // lr, beta1, beta2, eps, weight decay
    double[][] configs = {
        {1e-3, 0.9, 0.999, 1e-8, 0},
        {0.1, 0.9, 0.999, 1e-8, 0},
        {0.05, 0.5, 0.9, 1e-3, 0},
        {0.1, 0.9, 0.999, 1e-8, 0.1},
        {0.02, 0, 0, 1e-8, 0.01},
    };
    for (double[] c : configs) {
      Adam adam = Adam.builder().learningRate(c[0]).betas(c[1], c[2]).epsilon(c[3]).weightDecay(c[4]).build();
      Parameters p = scalars(w0);
      for (float[] g : grads) {
        setGradients(p, g);
        adam.step(p);
      }
      double[] want = reference(w0d, grads, (float) c[0], (float) c[1], (float) c[2], (float) c[3], (float) c[4]);
      for (int i = 0; i < want.length; i++) {
        assertEquals(want[i], p.values()[i], TOL, adam + " parameter " + i);
      }
    }
  }

  @Test
  void defaultsAreThoseOfPyTorch() {
    Adam adam = Adam.defaults();
    assertEquals(1e-3f, adam.learningRate());
    String s = adam.toString();
    assertTrue(s.contains("lr=0.001") && s.contains("0.9") && s.contains("0.999") && s.contains("1.0E-8"), s);
    assertEquals(0, adam.stepCount());
  }

  @Test
  void gradientsAreLeftAsTheyWere() {
    Parameters p = scalars(1f, 2f);
    setGradients(p, 0.5f, -0.5f);
    Adam.builder().weightDecay(0.1).build().step(p);
    assertArrayEquals(new float[] {0.5f, -0.5f}, p.gradients());
  }

  @Test
  void zeroGradientLeavesParametersUnchanged() {
    Parameters p = scalars(1f, -2f);
    Adam adam = Adam.of(0.1);
    adam.step(p);
    adam.step(p);
    assertArrayEquals(new float[] {1f, -2f}, p.values(), "m = v = 0 gives a zero step, no NaN from 0/0");
  }

  @Test
  void stateIsBoundToOneParameterSet() {
    Adam adam = Adam.defaults();
    adam.step(scalars(1f, 2f));
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> adam.step(scalars(1f)));
    assertTrue(e.getMessage().contains("2") && e.getMessage().contains("1"), e.getMessage());
  }

  private static void assertRejected(Executable build, String... words) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, build);
    for (String word : words) {
      assertTrue(e.getMessage().contains(word), "message should name '" + word + "': " + e.getMessage());
    }
  }

  @Test
  void hyperparametersAreValidated() {
    assertRejected(() -> Adam.of(-1e-3), "learning rate", "-0.001");
    assertRejected(() -> Adam.of(0), "learning rate");
    assertRejected(() -> Adam.of(Double.NaN), "learning rate");
    assertRejected(() -> Adam.builder().betas(1.0, 0.999).build(), "beta1", "1.0");
    assertRejected(() -> Adam.builder().betas(-0.1, 0.999).build(), "beta1");
    assertRejected(() -> Adam.builder().betas(0.9, 1.0).build(), "beta2");
    assertRejected(() -> Adam.builder().betas(0.9, 1.5).build(), "beta2", "1.5");
    assertRejected(() -> Adam.builder().betas(0.9, Double.NaN).build(), "beta2");
    assertRejected(() -> Adam.builder().epsilon(0).build(), "epsilon");
    assertRejected(() -> Adam.builder().weightDecay(-0.1).build(), "weight decay");
    // The edges of the valid ranges are accepted.
    Adam.builder().betas(0, 0).build();
    Adam.builder().betas(0.999999, 0.999999).weightDecay(0).build();
  }
}
