package io.nabla.tests.gradients;

import io.nabla.runtime.Model;
import io.nabla.runtime.kernel.ReferenceKernels;
import io.nabla.tests.JvmOnly;
import org.junit.jupiter.api.Test;

/**
 * Embeddings, learned positions, layer norm, causal and full multi-head attention, GELU and SiLU against finite
 * differences (norm-relative error per tensor ≤ 2e-3, see {@link GradientCheck}), at batch 1 and batch 3, over
 * sequences of 4 positions and of 1, on the portable and the reference kernels. Token ids are drawn from each
 * embedding's vocabulary; the table rows no id reads have zero gradient on both sides.
 */
@JvmOnly
class TransformerFiniteDifferenceTest {

  private static void check(Model model) {
    for (int batch : new int[] {1, 3}) {
      new GradientCheck(model, batch, 21 + batch).run();
    }
  }

  @Test
  void causalPreNormBlock() {
    check(new TransformerDeclarations_CausalBlockNet(3));
  }

  @Test
  void causalBlockOverOnePosition() {
    check(new TransformerDeclarations_CausalBlockOnePositionNet(3));
  }

  @Test
  void fullAttentionWithOneAndFourHeadsAndSilu() {
    check(new TransformerDeclarations_FullAttentionNet(3));
  }

  @Test
  void attentionAsTheOutput() {
    check(new TransformerDeclarations_AttentionOutputNet(3));
  }

  @Test
  void referenceKernelsGiveTheSameGradients() {
    check(new TransformerDeclarations_CausalBlockNet(3, new ReferenceKernels()));
    check(new TransformerDeclarations_FullAttentionNet(3, new ReferenceKernels()));
  }
}
