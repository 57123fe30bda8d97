package io.nabla.runtime.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.nabla.Activation;
import io.nabla.runtime.Rng;
import org.junit.jupiter.api.Test;

/**
 * The dense and add layers' element-wise passes ({@code activationBackward}, {@code addForward},
 * {@code accumulate}), split over threads above {@link ParallelWork#DENSE_THRESHOLD} elements: the bits of
 * {@link ReferenceKernels} (same operations, same order per element and per bias column) for every thread count,
 * on the portable and the best kernels, below and above the threshold, with column counts that are and are not
 * multiples of the split alignment.
 */
class ElementwiseSplittingTest {
  /**
   * rows × n: below the threshold, at it, above it with n not a multiple of 64 (nor of 16: 33, 47), too narrow to
   * split, one row; and at and above the Vector API kernels' activation-backward threshold (2¹⁸), with columns not
   * in whole vectors.
   */
  private static final int[][] SHAPES = {{3, 70}, {256, 256}, {700, 200}, {3000, 100}, {1, 70_000}, {2048, 128},
      {2048, 96}, {5000, 33}, {999, 47}, {1100, 250}, {5, 7}};

  private static Kernels[] kernels() {
    return new Kernels[] {new PortableKernels(1), new PortableKernels(2), new PortableKernels(3), Kernels.best(1),
        Kernels.best(2), Kernels.best(3)};
  }

  private static float[] random(int n, long seed) {
    Rng rng = new Rng(seed);
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = 2 * rng.nextFloat() - 1;
    }
    return v;
  }

  @Test
  void activationBackwardGivesTheReferenceBits() {
    Activation[] acts = {Activation.RELU, Activation.LEAKY_RELU, Activation.TANH, Activation.SIGMOID,
        Activation.IDENTITY};
    for (int[] shape : SHAPES) {
      int rows = shape[0];
      int n = shape[1];
      float[] y = random(rows * n, 1);
      float[] dy = random(rows * n, 2);
      for (Activation act : acts) {
        for (int biasGradOff : new int[] {-1, 5}) {
          float[] expectedDy = dy.clone();
          float[] expectedGrads = random(n + 9, 3);
          float[] grads0 = expectedGrads.clone();
          new ReferenceKernels().activationBackward(expectedDy, y, rows, n, act, 0.1f, expectedGrads, biasGradOff);
          for (Kernels k : kernels()) {
            float[] actualDy = dy.clone();
            float[] actualGrads = grads0.clone();
            k.activationBackward(actualDy, y, rows, n, act, 0.1f, actualGrads, biasGradOff);
            String where = k + " " + rows + "x" + n + " " + act + " bias " + biasGradOff;
            assertArrayEquals(expectedDy, actualDy, where);
            assertArrayEquals(expectedGrads, actualGrads, where);
          }
        }
      }
    }
  }

  @Test
  void activationsThatNeedTheirInputAreRefusedBeforeAnythingIsWritten() {
    for (Kernels k : kernels()) {
      for (Activation act : new Activation[] {Activation.GELU, Activation.SILU}) {
        float[] dy = random(700 * 200, 4);
        float[] before = dy.clone();
        float[] grads = new float[200];
        assertThrows(IllegalArgumentException.class,
            () -> k.activationBackward(dy, random(700 * 200, 5), 700, 200, act, 0f, grads, 0));
        assertArrayEquals(before, dy, k + " " + act);
        assertArrayEquals(new float[200], grads, k + " " + act);
      }
    }
  }

  @Test
  void addForwardAndAccumulateGiveTheReferenceBits() {
    for (int n : new int[] {100, 65_536, 140_001, 262_144}) {
      float[][] inputs = {random(n, 6), random(n, 7), random(n, 8)};
      for (Activation act : new Activation[] {Activation.IDENTITY, Activation.RELU, Activation.TANH}) {
        float[] expected = new float[n];
        new ReferenceKernels().addForward(expected, inputs, n, act, 0f);
        for (Kernels k : kernels()) {
          float[] actual = random(n, 9);
          k.addForward(actual, inputs, n, act, 0f);
          assertArrayEquals(expected, actual, k + " addForward n " + n + " " + act);
        }
      }
      float[] expected = inputs[0].clone();
      new ReferenceKernels().accumulate(expected, inputs[1], n);
      for (Kernels k : kernels()) {
        float[] actual = inputs[0].clone();
        k.accumulate(actual, inputs[1], n);
        assertArrayEquals(expected, actual, k + " accumulate n " + n);
      }
    }
  }
}
