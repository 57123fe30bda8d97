package io.nabla.tests.gradients;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nabla.runtime.Model;
import io.nabla.runtime.kernel.ReferenceKernels;
import io.nabla.tests.JvmOnly;
import org.junit.jupiter.api.Test;

/**
 * Every convolutional layer against central finite differences (h = 5e-3, norm-relative error per tensor ≤ 2e-3;
 * see {@link GradientCheck}), at batch 1 and batch 3, in training and in inference mode, on the portable and the
 * reference kernels.
 *
 * <p>Max pooling has a kink wherever two values of a window tie, and one weight upstream moves every window of its
 * filter, so at h = 5e-3 many data sets put some window within h of a tie, where finite differences mean nothing.
 * The data come from seed {@value #SEED}, one that keeps every window here clear of ties (seeds 9, 10 and 13 do;
 * a wrong gradient fails with any seed). The pooling kernels themselves are checked tie-free in the runtime.
 */
@JvmOnly
class ConvFiniteDifferenceTest {
  private static final long SEED = 9;

  private static void check(Model model) {
    for (int batch : new int[] {1, 3}) {
      new GradientCheck(model, batch, SEED).run();
    }
  }

  @Test
  void convolutionsWithStridePaddingAndRectangularKernels() {
    check(new ConvDeclarations_ConvBasicsNet(3));
  }

  @Test
  void dilationGroupsDepthwiseSamePaddingAndNoBias() {
    check(new ConvDeclarations_DilatedGroupedNet(3));
  }

  @Test
  void maxAndAveragePooling() {
    check(new ConvDeclarations_PoolsNet(3));
  }

  @Test
  void batchNormInTraining() {
    check(new ConvDeclarations_NormalizedNet(3));
  }

  @Test
  void batchNormInInferenceWithTheConvolutionFolded() {
    Model model = new ConvDeclarations_NormalizedNet(3);
    for (int batch : new int[] {1, 3}) {
      GradientCheck check = new GradientCheck(model, batch, SEED);
      check.loss(); // a training pass moves the running statistics away from (0, 1)
      model.setTraining(false);
      check.run();
      model.setTraining(true);
    }
  }

  @Test
  void foldedInferenceEqualsUnfoldedBatchNorm() {
    Model model = new ConvDeclarations_NormalizedNet(3);
    GradientCheck check = new GradientCheck(model, 3, 3);
    check.loss();
    check.loss();
    model.setTraining(false);
    float[] input = new float[3 * model.inputSize()];
    for (int i = 0; i < input.length; i++) {
      input[i] = (float) Math.sin(i);
    }
    model.forward(input, 3);
    float[] folded = model.activations("bn1");
    // Backward after an inference pass computes the unfolded conv1 and bn1: the same values, to rounding.
    model.loss(new int[] {0, 1, 2}, 3);
    model.backward();
    float[] unfolded = model.activations("bn1");
    assertArrayEquals(unfolded, folded, 1e-5f);
    boolean moved = false;
    for (float v : model.buffers().values()) {
      moved |= v != 0f && v != 1f;
    }
    assertTrue(moved, "training passes update the running statistics");
  }

  @Test
  void concatenationStrideAndDropout() {
    check(new ConvDeclarations_BranchesNet(3));
  }

  @Test
  void dropoutInInferenceIsTheIdentity() {
    Model model = new ConvDeclarations_BranchesNet(3);
    model.setTraining(false);
    check(model);
  }

  @Test
  void residualBlockOfSameConvolutions() {
    check(new ConvDeclarations_ResidualNet(3));
  }

  @Test
  void referenceKernelsGiveTheSameGradients() {
    check(new ConvDeclarations_DilatedGroupedNet(3, new ReferenceKernels()));
    check(new ConvDeclarations_PoolsNet(3, new ReferenceKernels()));
  }
}
