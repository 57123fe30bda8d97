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
 * AMSGrad, AdamW, RMSprop and Adagrad: first steps worked by hand from PyTorch's documented rules, defaults, and
 * hyperparameter validation. {@link OptimizerParityTest} checks 100 steps of each against PyTorch itself.
 */
class NewOptimizersTest {
  private static final double TOL = 1e-6;

  @Test
  void adamWDecaysTheWeightsApartFromTheGradient() {
    // Step 1, g = 2, lr 0.1, λ 0.5: w = 1 · (1 - 0.05) = 0.95, then the Adam step -0.1 · sign(g): 0.85.
    // With Adam's L2 decay instead, g + λw = 2.5 has the same sign, so the step is also -0.1: 0.9.
    Parameters p = scalars(1f);
    setGradients(p, 2f);
    AdamW.builder().learningRate(0.1).weightDecay(0.5).build().step(p);
    assertEquals(0.85, p.values()[0], TOL);
    Parameters q = scalars(1f);
    setGradients(q, 2f);
    Adam.builder().learningRate(0.1).weightDecay(0.5).build().step(q);
    assertEquals(0.9, q.values()[0], TOL);
    // With a zero gradient AdamW still shrinks the weights (m = v = 0 gives no Adam step).
    Parameters r = scalars(2f);
    AdamW adamW = AdamW.builder().learningRate(0.1).weightDecay(0.5).build();
    adamW.step(r);
    adamW.step(r);
    assertEquals(2 * 0.95 * 0.95, r.values()[0], TOL);
  }

  @Test
  void amsgradNormalisesByTheLargestSecondMoment() {
    // β1 = 0, β2 = 0.5, lr 0.1, eps ≈ 0: step 1 g = 2: v = 2, vMax = 2, v̂ = 2 / 0.5 = 4, w -= 0.1 · 2 / 2 = 0.1.
    // Step 2 g = 0.5: v = 1 + 0.125 = 1.125 < vMax = 2; v̂ = 2 / 0.75 = 8/3, w -= 0.1 · 0.5 / √(8/3) = 0.0306186.
    Adam ams = Adam.builder().learningRate(0.1).betas(0, 0.5).epsilon(1e-12).amsgrad(true).build();
    Parameters p = scalars(1f);
    setGradients(p, 2f);
    ams.step(p);
    assertEquals(0.9, p.values()[0], TOL);
    setGradients(p, 0.5f);
    ams.step(p);
    assertEquals(0.9 - 0.1 * 0.5 / Math.sqrt(8.0 / 3), p.values()[0], TOL);
    assertArrayEquals(new float[] {2f}, ams.state().buffer("max_exp_avg_sq"));
    assertArrayEquals(new float[] {1.125f}, ams.state().buffer("exp_avg_sq"));
    assertTrue(ams.amsgrad());
  }

  @Test
  void rmsPropHandComputed() {
    // α = 0.5, lr 0.1, g = 2 then 1: s = 2, d = √2; w = 1 - 0.1 · 2/√2 = 0.858579.
    // s = 1 + 0.5 = 1.5; w -= 0.1 · 1 / √1.5 = 0.081650: 0.776929.
    RmsProp rms = RmsProp.builder().learningRate(0.1).alpha(0.5).build();
    Parameters p = scalars(1f);
    setGradients(p, 2f);
    rms.step(p);
    assertEquals(1 - 0.1 * Math.sqrt(2), p.values()[0], TOL);
    setGradients(p, 1f);
    rms.step(p);
    assertEquals(1 - 0.1 * Math.sqrt(2) - 0.1 / Math.sqrt(1.5), p.values()[0], TOL);
    assertEquals(2, rms.stepCount());
  }

  @Test
  void centeredRmsPropWithMomentumHandComputed() {
    // α = 0.5, momentum 0.5, lr 0.1, g = 2 then 1.
    // Step 1: s = 2, a = 1, d = √(2 - 1) = 1; b = 0 · 0.5 + 2 / 1 = 2; w = 1 - 0.2 = 0.8.
    // Step 2: s = 1.5, a = 1, d = √0.5; b = 1 + 1/√0.5 = 2.414214; w = 0.8 - 0.2414214 = 0.5585786.
    RmsProp rms = RmsProp.builder().learningRate(0.1).alpha(0.5).momentum(0.5).centered(true).build();
    Parameters p = scalars(1f);
    setGradients(p, 2f);
    rms.step(p);
    assertEquals(0.8, p.values()[0], TOL);
    setGradients(p, 1f);
    rms.step(p);
    assertEquals(0.8 - 0.1 * (1 + 1 / Math.sqrt(0.5)), p.values()[0], TOL);
    assertEquals("[square_avg, grad_avg, momentum_buffer]", rms.state().buffers().keySet().toString());
  }

  @Test
  void adaGradHandComputed() {
    // lr 0.1, lr decay 1, initial accumulator 1, g = 3 then 4.
    // Step 1: clr = 0.1, sum = 1 + 9 = 10, w = 1 - 0.1 · 3/√10 = 0.905132.
    // Step 2: clr = 0.1 / 2, sum = 26, w -= 0.05 · 4/√26 = 0.039223: 0.865909.
    AdaGrad ada = AdaGrad.builder().learningRate(0.1).lrDecay(1).initialAccumulatorValue(1).build();
    Parameters p = scalars(1f);
    setGradients(p, 3f);
    ada.step(p);
    assertEquals(1 - 0.3 / Math.sqrt(10), p.values()[0], TOL);
    setGradients(p, 4f);
    ada.step(p);
    assertEquals(1 - 0.3 / Math.sqrt(10) - 0.2 / Math.sqrt(26), p.values()[0], TOL);
    assertArrayEquals(new float[] {26f}, ada.state().buffer("sum"));
    assertEquals(2.0, ada.state().scalar("step", 0));
  }

  @Test
  void defaultsAreThoseOfPyTorch() {
    assertEquals("AdamW(lr=0.001, betas=(0.9, 0.999), eps=1.0E-8, weightDecay=0.01, amsgrad=false)",
        AdamW.defaults().toString());
    assertEquals("Adam(lr=0.001, betas=(0.9, 0.999), eps=1.0E-8, weightDecay=0.0, amsgrad=false)",
        Adam.defaults().toString());
    assertEquals("RMSprop(lr=0.01, alpha=0.99, eps=1.0E-8, weightDecay=0.0, momentum=0.0, centered=false)",
        RmsProp.defaults().toString());
    assertEquals("Adagrad(lr=0.01, lrDecay=0.0, weightDecay=0.0, initialAccumulatorValue=0.0, eps=1.0E-10)",
        AdaGrad.defaults().toString());
    assertEquals(0.01f, AdamW.of(0.01).learningRate());
    assertEquals(0.01f, AdamW.of(0.01).weightDecay());
    assertEquals(0.5f, RmsProp.of(0.5).learningRate());
    assertEquals(0.5f, AdaGrad.of(0.5).learningRate());
  }

  @Test
  void stateIsAllocatedLazily() {
    for (Optimizer opt : new Optimizer[] {AdamW.defaults(), RmsProp.builder().momentum(0.9).centered(true).build(),
        AdaGrad.defaults(), Adam.builder().amsgrad(true).build()}) {
      assertTrue(opt.state().buffers().isEmpty(), opt + " before its first step");
      assertEquals(0.0, opt.state().scalar("step", -1), opt.toString());
      Parameters p = scalars(1f, 2f, 3f);
      opt.step(p);
      for (float[] buffer : opt.state().buffers().values()) {
        assertEquals(3, buffer.length, opt.toString());
      }
      IllegalStateException e = assertThrows(IllegalStateException.class, () -> opt.step(scalars(1f)));
      assertTrue(e.getMessage().contains("3") && e.getMessage().contains("1"), e.getMessage());
    }
  }

  private static void assertRejected(Executable build, String... words) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, build);
    for (String word : words) {
      assertTrue(e.getMessage().contains(word), "message should name '" + word + "': " + e.getMessage());
    }
  }

  @Test
  void hyperparametersAreValidated() {
    assertRejected(() -> AdamW.of(-1e-3), "AdamW learning rate", "-0.001");
    assertRejected(() -> AdamW.builder().betas(1.0, 0.999).build(), "AdamW beta1", "1.0");
    assertRejected(() -> AdamW.builder().betas(0.9, -0.5).build(), "AdamW beta2", "-0.5");
    assertRejected(() -> AdamW.builder().epsilon(0).build(), "AdamW epsilon", "0.0");
    assertRejected(() -> AdamW.builder().weightDecay(-0.01).build(), "AdamW weight decay", "-0.01");

    assertRejected(() -> RmsProp.of(0), "RMSprop learning rate", "0.0");
    assertRejected(() -> RmsProp.builder().alpha(1).build(), "RMSprop alpha", "1.0");
    assertRejected(() -> RmsProp.builder().alpha(-0.1).build(), "RMSprop alpha", "-0.1");
    assertRejected(() -> RmsProp.builder().epsilon(-1e-8).build(), "RMSprop epsilon", "-1.0E-8");
    assertRejected(() -> RmsProp.builder().weightDecay(Double.NaN).build(), "RMSprop weight decay", "NaN");
    assertRejected(() -> RmsProp.builder().momentum(-0.9).build(), "RMSprop momentum", "-0.9");

    assertRejected(() -> AdaGrad.of(Double.POSITIVE_INFINITY), "Adagrad learning rate", "Infinity");
    assertRejected(() -> AdaGrad.builder().lrDecay(-1).build(), "Adagrad lr decay", "-1.0");
    assertRejected(() -> AdaGrad.builder().weightDecay(-1).build(), "Adagrad weight decay", "-1.0");
    assertRejected(() -> AdaGrad.builder().initialAccumulatorValue(-0.1).build(),
        "Adagrad initial accumulator value", "-0.1");
    assertRejected(() -> AdaGrad.builder().epsilon(0).build(), "Adagrad epsilon", "0.0");

    assertRejected(() -> RmsProp.defaults().setLearningRate(-1), "RMSprop learning rate", "-1.0");
    // The edges of the valid ranges are accepted.
    RmsProp.builder().alpha(0).momentum(0).weightDecay(0).build();
    AdaGrad.builder().lrDecay(0).initialAccumulatorValue(0).build();
    AdamW.builder().weightDecay(0).betas(0, 0).build();
  }
}
