package io.nabla.tests.gradients;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.nabla.Activation;
import io.nabla.runtime.Model;
import io.nabla.runtime.kernel.Kernels;
import io.nabla.runtime.kernel.ReferenceKernels;
import io.nabla.tests.JvmOnly;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;

/**
 * Every layer, activation and loss against central finite differences (h = 5e-3, norm-relative error per tensor
 * ≤ 2e-3; see {@link GradientCheck}), at batch 1 and batch 3, on the portable and the reference kernels.
 */
@JvmOnly
class FiniteDifferenceTest {

  private static void check(Model model) {
    for (int batch : new int[] {1, 3}) {
      new GradientCheck(model, batch, 7 + batch).run();
    }
  }

  @Test
  void reluHiddenWithSoftmaxCrossEntropy() {
    check(new Declarations_ReluClassifierNet(4));
  }

  @Test
  void softmaxOutputFusedWithCrossEntropy() {
    check(new Declarations_SoftmaxOutputNet(4));
  }

  @Test
  void leakyReluSigmoidTanhWithMse() {
    check(new Declarations_SmoothRegressionNet(4));
  }

  @Test
  void sigmoidOutputWithMse() {
    check(new Declarations_SigmoidRegressionNet(4));
  }

  @Test
  void binaryCrossEntropyOnLogits() {
    check(new Declarations_BinaryLogitsNet(4));
  }

  @Test
  void binaryCrossEntropyFusedWithSigmoidAndNoBias() {
    check(new Declarations_BinarySigmoidNet(4));
  }

  @Test
  void residualAddWithFanOut() {
    check(new Declarations_ResidualNet(4));
  }

  @Test
  void twoInputs() {
    check(new Declarations_TwoInputsNet(4));
  }

  @Test
  void rankTwoInputWithOneLabelPerRow() {
    Model model = new Declarations_SequenceNet(4);
    assertEquals(3, model.targetsPerSample());
    check(model);
  }

  @Test
  void addOutputFusedWithSoftmax() {
    check(new Declarations_AddSoftmaxNet(4));
  }

  @Test
  void referenceKernelsGiveTheSameGradients() {
    check(new Declarations_ResidualNet(4, new ReferenceKernels()));
    check(new Declarations_SequenceNet(4, new ReferenceKernels()));
  }

  @Test
  void theCheckCatchesAWrongGradient() {
    // A kernel whose activation backward is off by 5 % must fail the check, or the check proves nothing.
    Kernels broken = new ReferenceKernels() {
      @Override
      public void activationBackward(float[] dy, float[] y, int rows, int n, Activation act, float slope,
          float[] grads, int biasGradOff) {
        super.activationBackward(dy, y, rows, n, act, slope, grads, biasGradOff);
        for (int i = 0; i < rows * n; i++) {
          dy[i] *= 1.05f;
        }
      }
    };
    assertThrows(AssertionFailedError.class,
        () -> new GradientCheck(new Declarations_SmoothRegressionNet(4, broken), 3, 1).run());
  }
}
