package io.nabla.runtime.optim;

import static io.nabla.runtime.optim.OptimTesting.scalars;
import static io.nabla.runtime.optim.OptimTesting.setGradients;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nabla.runtime.Parameters;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * SGD against {@code torch.optim.SGD}'s documented rule. Expected values are either worked out by hand (the
 * literals) or computed here in double from the documentation's pseudo-code:
 *
 * <pre>
 * g ← ∇ + λ·θ;  if μ ≠ 0: b ← (t = 1 ? g : μ·b + (1 - τ)·g);  g ← nesterov ? g + μ·b : b;  θ ← θ - γ·g
 * </pre>
 *
 * Tolerance 1e-6 on values of order 1: the optimizer works in float (≈ 6e-8 relative per operation, a few
 * operations per step, three steps).
 */
class SgdTest {
  private static final double TOL = 1e-6;

  private static void run(Optimizer opt, Parameters p, float[][] grads) {
    for (float[] g : grads) {
      setGradients(p, g);
      opt.step(p);
    }
  }

  /** Three steps of the same gradient 1 on a scalar starting at 0, with hand-computed positions after each. */
  private static void assertTrajectory(Sgd sgd, float w0, float g, double... expected) {
    Parameters p = scalars(w0);
    for (int t = 0; t < expected.length; t++) {
      setGradients(p, g);
      sgd.step(p);
      assertEquals(expected[t], p.values()[0], TOL, sgd + " after step " + (t + 1));
    }
  }

  @Test
  void plainSgdHandComputed() {
    // θ ← θ - 0.1 · 0.5 each step.
    assertTrajectory(Sgd.of(0.1), 1f, 0.5f, 0.95, 0.90, 0.85);
  }

  @Test
  void momentumHandComputed() {
    // μ = 0.9, g = 1: b = 1, 1.9, 2.71 so θ = -0.1, -0.29, -0.561.
    assertTrajectory(Sgd.builder(0.1).momentum(0.9).build(), 0f, 1f, -0.1, -0.29, -0.561);
  }

  @Test
  void dampeningHandComputed() {
    // μ = 0.9, τ = 0.5, g = 1: the first step copies g (no dampening), then b = 0.9·1 + 0.5 = 1.4,
    // 0.9·1.4 + 0.5 = 1.76, so θ = -0.1, -0.24, -0.416.
    assertTrajectory(Sgd.builder(0.1).momentum(0.9).dampening(0.5).build(), 0f, 1f, -0.1, -0.24, -0.416);
  }

  @Test
  void nesterovHandComputed() {
    // μ = 0.9, g = 1: b = 1, 1.9, 2.71 and the step uses g + μ·b = 1.9, 2.71, 3.439, so θ = -0.19, -0.461,
    // -0.8049.
    assertTrajectory(Sgd.builder(0.1).momentum(0.9).nesterov(true).build(), 0f, 1f, -0.19, -0.461, -0.8049);
  }

  @Test
  void weightDecayHandComputed() {
    // λ = 0.1, ∇ = 0: θ ← θ - 0.1 · 0.1 · θ = 0.99 θ.
    assertTrajectory(Sgd.builder(0.1).weightDecay(0.1).build(), 1f, 0f, 0.99, 0.9801, 0.970299);
  }

  /** The documented rule, in double, for any hyperparameters. */
  private static double[] reference(double[] w0, float[][] grads, double lr, double momentum, double dampening,
      double weightDecay, boolean nesterov) {
    double[] w = w0.clone();
    double[] buf = new double[w.length];
    for (int t = 0; t < grads.length; t++) {
      for (int i = 0; i < w.length; i++) {
        double g = grads[t][i] + weightDecay * w[i];
        if (momentum != 0) {
          buf[i] = t == 0 ? g : momentum * buf[i] + (1 - dampening) * g;
          g = nesterov ? g + momentum * buf[i] : buf[i];
        }
        w[i] -= lr * g;
      }
    }
    return w;
  }

  @Test
  void matchesDocumentedRuleOnSeveralScalarsWithChangingGradients() {
    float[] w0 = {1f, -2f, 0.5f};
    double[] w0d = {1, -2, 0.5};
    float[][] grads = {{0.5f, -1f, 0.25f}, {0.25f, 0.3f, -0.75f}, {-0.1f, 0.2f, 2f}};
    // lr, momentum, dampening, weight decay, nesterov
    Object[][] configs = {
        {0.1, 0.0, 0.0, 0.0, false},
        {0.05, 0.9, 0.0, 0.0, false},
        {0.05, 0.9, 0.3, 0.0, false},
        {0.05, 0.8, 0.0, 0.0, true},
        {0.1, 0.0, 0.0, 0.01, false},
        {0.05, 0.9, 0.1, 0.05, false},
        {0.05, 0.7, 0.0, 0.2, true},
    };
    for (Object[] c : configs) {
      double lr = (Double) c[0];
      double momentum = (Double) c[1];
      double dampening = (Double) c[2];
      double weightDecay = (Double) c[3];
      boolean nesterov = (Boolean) c[4];
      Sgd sgd = Sgd.builder(lr).momentum(momentum).dampening(dampening).weightDecay(weightDecay)
          .nesterov(nesterov).build();
      Parameters p = scalars(w0);
      run(sgd, p, grads);
      // Hyperparameters are stored as float: use the same values so only arithmetic rounding remains.
      double[] want = reference(w0d, grads, (float) lr, (float) momentum, (float) dampening, (float) weightDecay,
          nesterov);
      for (int i = 0; i < want.length; i++) {
        assertEquals(want[i], p.values()[i], TOL, sgd + " parameter " + i);
      }
    }
  }

  @Test
  void gradientsAreLeftAsTheyWere() {
    Parameters p = scalars(1f, 2f);
    setGradients(p, 0.5f, -0.5f);
    Sgd.builder(0.1).momentum(0.9).weightDecay(0.1).build().step(p);
    assertArrayEquals(new float[] {0.5f, -0.5f}, p.gradients());
  }

  @Test
  void velocityIsAllocatedLazilyOnlyWithMomentum() {
    Sgd plain = Sgd.of(0.1);
    Parameters p = scalars(1f);
    plain.step(p);
    assertNull(plain.velocity());

    Sgd momentum = Sgd.builder(0.1).momentum(0.9).build();
    assertNull(momentum.velocity());
    setGradients(p, 2f);
    momentum.step(p);
    assertNotNull(momentum.velocity());
    assertArrayEquals(new float[] {2f}, momentum.velocity(), "the first step copies the gradient");
    assertEquals(0.1f, momentum.learningRate());
    assertEquals(0.9f, momentum.momentum());
  }

  @Test
  void stateIsBoundToOneParameterSet() {
    Sgd sgd = Sgd.builder(0.1).momentum(0.5).build();
    sgd.step(scalars(1f, 2f));
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> sgd.step(scalars(1f, 2f, 3f)));
    assertTrue(e.getMessage().contains("2") && e.getMessage().contains("3"), e.getMessage());
  }

  private static void assertRejected(Executable build, String... words) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, build);
    for (String word : words) {
      assertTrue(e.getMessage().contains(word), "message should name '" + word + "': " + e.getMessage());
    }
  }

  @Test
  void hyperparametersAreValidated() {
    assertRejected(() -> Sgd.of(-0.1), "learning rate", "-0.1");
    assertRejected(() -> Sgd.of(0), "learning rate");
    assertRejected(() -> Sgd.of(Double.NaN), "learning rate", "NaN");
    assertRejected(() -> Sgd.of(Double.POSITIVE_INFINITY), "learning rate");
    assertRejected(() -> Sgd.builder(0.1).momentum(-0.5).build(), "momentum", "-0.5");
    assertRejected(() -> Sgd.builder(0.1).momentum(0.9).dampening(-1).build(), "dampening");
    assertRejected(() -> Sgd.builder(0.1).weightDecay(-1e-4).build(), "weight decay");
    assertRejected(() -> Sgd.builder(0.1).nesterov(true).build(), "Nesterov", "momentum");
    assertRejected(() -> Sgd.builder(0.1).momentum(0.9).dampening(0.1).nesterov(true).build(), "Nesterov",
        "dampening");
  }

  @Test
  void userDefinedLambdaOptimizer() {
    // signSGD from Optimizer's documentation.
    Optimizer signSgd = p -> {
      float[] w = p.values();
      float[] g = p.gradients();
      for (int i = 0; i < w.length; i++) {
        w[i] -= 1e-3f * Math.signum(g[i]);
      }
    };
    Parameters p = scalars(1f, 1f, 1f);
    run(signSgd, p, new float[][] {{5f, -0.01f, 0f}, {3f, -2f, 0f}});
    assertArrayEquals(new float[] {0.998f, 1.002f, 1f}, p.values(), 1e-6f);
  }
}
