package io.nabla.runtime.optim;

import static io.nabla.runtime.optim.OptimTesting.scalars;
import static io.nabla.runtime.optim.OptimTesting.setGradients;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nabla.runtime.Parameters;
import java.util.Collections;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * State and restore beyond the bit-for-bit resumes of {@link OptimizerParityTest}: names, kinds, copies, and a
 * state that does not fit the optimizer it is restored into.
 */
class OptimizerStateTest {
  private static void assertRejected(Executable executable, String... words) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, executable);
    for (String word : words) {
      assertTrue(e.getMessage().contains(word), "message should name '" + word + "': " + e.getMessage());
    }
  }

  private static Optimizer stepped(Optimizer opt, float... w) {
    Parameters p = scalars(w);
    setGradients(p, w);
    opt.step(p);
    return opt;
  }

  @Test
  void kindsAndNamesAreThoseOfPyTorch() {
    assertEquals("SGD", stepped(Sgd.builder(0.1).momentum(0.9).build(), 1f).state().kind());
    assertEquals("[momentum_buffer]",
        stepped(Sgd.builder(0.1).momentum(0.9).build(), 1f).state().buffers().keySet().toString());
    assertEquals("[exp_avg, exp_avg_sq]", stepped(Adam.defaults(), 1f).state().buffers().keySet().toString());
    assertEquals("[exp_avg, exp_avg_sq, max_exp_avg_sq]",
        stepped(AdamW.builder().amsgrad(true).build(), 1f).state().buffers().keySet().toString());
    assertEquals("AdamW", AdamW.defaults().state().kind());
    assertEquals("[square_avg]", stepped(RmsProp.defaults(), 1f).state().buffers().keySet().toString());
    assertEquals("RMSprop", RmsProp.defaults().state().kind());
    assertEquals("[sum]", stepped(AdaGrad.defaults(), 1f).state().buffers().keySet().toString());
    assertEquals("Adagrad", AdaGrad.defaults().state().kind());
    assertEquals("[step, lr]", stepped(AdaGrad.defaults(), 1f).state().scalars().keySet().toString());
  }

  @Test
  void stateIsACopy() {
    AdaGrad ada = (AdaGrad) stepped(AdaGrad.of(0.1), 2f);
    OptimizerState state = ada.state();
    state.buffers().get("sum")[0] = 99f; // the map's arrays are the state's own copies
    float[] copy = ada.state().buffer("sum");
    assertEquals(4f, copy[0]);
    copy[0] = 42f;
    AdaGrad fresh = AdaGrad.of(0.1);
    fresh.restore(ada.state());
    assertEquals(4f, fresh.state().buffer("sum")[0]);
  }

  @Test
  void restoringAnotherKindIsRejected() {
    OptimizerState adam = stepped(Adam.defaults(), 1f).state();
    assertRejected(() -> AdamW.defaults().restore(adam), "Adam", "AdamW");
    assertRejected(() -> RmsProp.defaults().restore(adam), "Adam", "RMSprop");
    assertRejected(() -> Sgd.of(0.1).restore(stepped(AdaGrad.defaults(), 1f).state()), "Adagrad", "SGD");
  }

  @Test
  void restoringTheEmptyStateStartsAfresh() {
    Adam adam = (Adam) stepped(Adam.defaults(), 1f);
    adam.restore(OptimizerState.empty());
    assertEquals(0, adam.stepCount());
    assertTrue(adam.state().buffers().isEmpty());
  }

  @Test
  void aStateThatDoesNotFitTheOptionsIsRejected() {
    OptimizerState plain = stepped(Adam.defaults(), 1f).state();
    assertRejected(() -> Adam.builder().amsgrad(true).build().restore(plain), "max_exp_avg_sq", "AMSGrad");
    OptimizerState ams = stepped(Adam.builder().amsgrad(true).build(), 1f).state();
    assertRejected(() -> Adam.defaults().restore(ams), "max_exp_avg_sq", "AMSGrad");
    OptimizerState half = new OptimizerState("Adam", Collections.singletonMap("exp_avg", new float[1]),
        Collections.<String, Double>emptyMap());
    assertRejected(() -> Adam.defaults().restore(half), "exp_avg_sq");
    OptimizerState rms = stepped(RmsProp.defaults(), 1f).state();
    assertRejected(() -> RmsProp.builder().centered(true).build().restore(rms), "grad_avg");
    assertRejected(() -> RmsProp.builder().momentum(0.9).build().restore(rms), "momentum_buffer");
  }

  @Test
  void aStateForAnotherNumberOfParametersIsRejectedAtTheNextStep() {
    OptimizerState state = stepped(Adam.defaults(), 1f, 2f).state();
    Adam adam = Adam.defaults();
    adam.restore(state);
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> adam.step(scalars(1f, 2f, 3f)));
    assertTrue(e.getMessage().contains("exp_avg") && e.getMessage().contains("2")
        && e.getMessage().contains("3"), e.getMessage());
  }

  @Test
  void restoreBringsBackTheLearningRateASchedulerSet() {
    RmsProp rms = RmsProp.of(0.01);
    rms.setLearningRate(0.005);
    RmsProp fresh = RmsProp.of(0.01);
    fresh.restore(rms.state());
    assertEquals(0.005f, fresh.learningRate());
  }

  @Test
  void sgdResumedWithMomentumDoesNotCopyTheGradientAgain() {
    Sgd a = Sgd.builder(0.1).momentum(0.9).build();
    Parameters p = scalars(0f);
    setGradients(p, 1f);
    a.step(p);
    Sgd b = Sgd.builder(0.1).momentum(0.9).build();
    b.restore(a.state());
    b.step(p);
    assertArrayEquals(new float[] {1.9f}, b.velocity(), 1e-6f);
  }

  @Test
  void aUserDefinedOptimizerNeedsOneMethodAndHasNoLearningRateToScale() {
    Optimizer signSgd = q -> {
      float[] w = q.values();
      float[] g = q.gradients();
      for (int i = 0; i < w.length; i++) {
        w[i] -= 1e-3f * Math.signum(g[i]);
      }
    };
    assertTrue(Double.isNaN(signSgd.learningRate()));
    assertThrows(IllegalStateException.class, () -> signSgd.scaleLearningRates(0.5));
    assertEquals("none", signSgd.state().kind());
  }
}
