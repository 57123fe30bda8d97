package io.nabla.runtime.kernel;

import io.nabla.Activation;

/**
 * The element-wise kernels every implementation shares: plain loops over contiguous arrays, which HotSpot's
 * superword pass vectorises already. {@link ReferenceKernels} holds their naive twins.
 */
final class Elementwise {
  private Elementwise() {}

  /**
   * {@link Kernels#activationBackward} on the columns {@code [from, to)} of every row (the caller has checked that
   * the activation's derivative is a function of its output): each column's bias gradient is summed over the rows
   * in order, so a split by columns gives the same bits.
   */
  static void activationBackwardColumns(float[] dy, float[] y, int rows, int n, Activation act, float slope,
      float[] grads, int biasGradOff, int from, int to) {
    for (int r = 0; r < rows; r++) {
      int row = r * n;
      ActivationFunctions.multiplyDerivative(dy, y, row + from, row + to, act, slope);
      if (biasGradOff >= 0) {
        for (int j = from; j < to; j++) {
          grads[biasGradOff + j] += dy[row + j];
        }
      }
    }
  }

  /** {@link Kernels#addForward} on the elements {@code [from, to)}. */
  static void addForwardRange(float[] out, float[][] inputs, int from, int to, Activation act, float slope) {
    System.arraycopy(inputs[0], from, out, from, to - from);
    for (int s = 1; s < inputs.length; s++) {
      float[] input = inputs[s];
      for (int i = from; i < to; i++) {
        out[i] += input[i];
      }
    }
    ActivationFunctions.apply(out, from, to, act, slope);
  }

  /** {@code dx[i] += dz[i]} on {@code [from, to)}. */
  static void accumulateRange(float[] dx, float[] dz, int from, int to) {
    for (int i = from; i < to; i++) {
      dx[i] += dz[i];
    }
  }
}
