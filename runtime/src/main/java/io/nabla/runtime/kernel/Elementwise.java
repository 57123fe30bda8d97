package io.nabla.runtime.kernel;

import io.nabla.Activation;

/**
 * The element-wise kernels every implementation shares: plain loops over contiguous arrays, which HotSpot's
 * superword pass vectorises already. {@link ReferenceKernels} holds their naive twins.
 */
final class Elementwise {
  private Elementwise() {}

  static void activationBackward(float[] dy, float[] y, int rows, int n, Activation act, float slope,
      float[] grads, int biasGradOff) {
    // GELU and SiLU need the pre-activation: fail before any row is written, even for zero rows.
    ActivationFunctions.checkDerivativeFromOutput(act);
    for (int r = 0; r < rows; r++) {
      int row = r * n;
      ActivationFunctions.multiplyDerivative(dy, y, row, row + n, act, slope);
      if (biasGradOff >= 0) {
        for (int j = 0; j < n; j++) {
          grads[biasGradOff + j] += dy[row + j];
        }
      }
    }
  }

  static void addForward(float[] out, float[][] inputs, int n, Activation act, float slope) {
    System.arraycopy(inputs[0], 0, out, 0, n);
    for (int s = 1; s < inputs.length; s++) {
      float[] input = inputs[s];
      for (int i = 0; i < n; i++) {
        out[i] += input[i];
      }
    }
    ActivationFunctions.apply(out, 0, n, act, slope);
  }

  static void accumulate(float[] dx, float[] dz, int n) {
    for (int i = 0; i < n; i++) {
      dx[i] += dz[i];
    }
  }
}
