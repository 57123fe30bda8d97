package io.nabla.tests.gradients;

import io.nabla.runtime.Model;
import io.nabla.runtime.kernel.ReferenceKernels;
import io.nabla.tests.JvmOnly;
import org.junit.jupiter.api.Test;

/**
 * The recurrent layers against finite differences (norm-relative error per tensor ≤ 2e-3, observed ≤ 8.8e-4; see
 * {@link GradientCheck}), at batch 1 and batch 3, over sequences of 4 steps and of 1, one direction and two,
 * every step and the last, on the portable and the reference kernels.
 *
 * <p>The gradients of a recurrence are small (≈1e-5 per value for a reverse direction's hidden weights read
 * through another recurrent layer), so central differences at the default h = 5e-3 drown in the float32 rounding
 * of the loss (≈1e-7 / 2h), and at a larger h in their O(h²) truncation. These use the five-point stencil at
 * h = 5e-2: truncation O(h⁴), rounding ≈1e-7 / h. A 2 % error in one carried derivative (the LSTM's dc) fails
 * them.
 */
@JvmOnly
class RecurrentFiniteDifferenceTest {

  /** The step of the five-point stencil. */
  private static final float H = 5e-2f;

  private static void check(Model model) {
    for (int batch : new int[] {1, 3}) {
      new GradientCheck(model, batch, 11 + batch, H).run();
    }
  }

  @Test
  void gruEveryVariant() {
    check(new RecurrentDeclarations_GruVariantsNet(3));
  }

  @Test
  void gruOneStep() {
    check(new RecurrentDeclarations_GruOneStepNet(3));
  }

  @Test
  void lstmEveryVariant() {
    check(new RecurrentDeclarations_LstmVariantsNet(3));
  }

  @Test
  void lstmOneStep() {
    check(new RecurrentDeclarations_LstmOneStepNet(3));
  }

  @Test
  void simpleRnnEveryVariant() {
    check(new RecurrentDeclarations_SimpleRnnVariantsNet(3));
  }

  @Test
  void simpleRnnOneStep() {
    check(new RecurrentDeclarations_SimpleRnnOneStepNet(3));
  }

  @Test
  void perStepClassifierOnABidirectionalGru() {
    check(new RecurrentDeclarations_GruTaggerNet(3));
  }

  @Test
  void lstmSequenceAsTheOutput() {
    check(new RecurrentDeclarations_LstmOutputNet(3));
  }

  @Test
  void referenceKernelsGiveTheSameGradients() {
    check(new RecurrentDeclarations_GruVariantsNet(3, new ReferenceKernels()));
    check(new RecurrentDeclarations_LstmVariantsNet(3, new ReferenceKernels()));
    check(new RecurrentDeclarations_SimpleRnnVariantsNet(3, new ReferenceKernels()));
  }
}
