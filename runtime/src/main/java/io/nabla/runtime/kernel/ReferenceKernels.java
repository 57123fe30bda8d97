package io.nabla.runtime.kernel;

import io.nabla.Activation;

/**
 * The naive twin of every kernel: the textbook loops, written for obviousness, not speed. Tests check each faster
 * implementation against these; they also make a usable (slow) implementation.
 */
public class ReferenceKernels implements Kernels {

  @Override
  public void matmulNN(float[] c, int cOff, float[] a, int aOff, float[] b, int bOff, int m, int n, int k,
      boolean accumulate) {
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        float s = 0f;
        for (int p = 0; p < k; p++) {
          s += a[aOff + i * k + p] * b[bOff + p * n + j];
        }
        c[cOff + i * n + j] = accumulate ? c[cOff + i * n + j] + s : s;
      }
    }
  }

  @Override
  public void matmulNT(float[] c, int cOff, float[] a, int aOff, float[] b, int bOff, int m, int n, int k,
      boolean accumulate) {
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        float s = 0f;
        for (int p = 0; p < k; p++) {
          s += a[aOff + i * k + p] * b[bOff + j * k + p];
        }
        c[cOff + i * n + j] = accumulate ? c[cOff + i * n + j] + s : s;
      }
    }
  }

  @Override
  public void matmulTN(float[] c, int cOff, float[] a, int aOff, float[] b, int bOff, int m, int n, int k,
      boolean accumulate) {
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        float s = 0f;
        for (int p = 0; p < k; p++) {
          s += a[aOff + p * m + i] * b[bOff + p * n + j];
        }
        c[cOff + i * n + j] = accumulate ? c[cOff + i * n + j] + s : s;
      }
    }
  }

  @Override
  public void denseForward(float[] out, float[] x, int xOff, float[] params, int weightOff, int biasOff,
      int rows, int in, int units, Activation act, float slope) {
    matmulNT(out, 0, x, xOff, params, weightOff, rows, units, in, false);
    if (biasOff >= 0) {
      for (int r = 0; r < rows; r++) {
        for (int j = 0; j < units; j++) {
          out[r * units + j] += params[biasOff + j];
        }
      }
    }
    ActivationFunctions.apply(out, 0, rows * units, act, slope);
  }

  @Override
  public void activationBackward(float[] dy, float[] y, int rows, int n, Activation act, float slope,
      float[] grads, int biasGradOff) {
    ActivationFunctions.checkDerivativeFromOutput(act);
    ActivationFunctions.multiplyDerivative(dy, y, 0, rows * n, act, slope);
    if (biasGradOff >= 0) {
      for (int r = 0; r < rows; r++) {
        for (int j = 0; j < n; j++) {
          grads[biasGradOff + j] += dy[r * n + j];
        }
      }
    }
  }

  @Override
  public void addForward(float[] out, float[][] inputs, int n, Activation act, float slope) {
    for (int i = 0; i < n; i++) {
      float s = 0f;
      for (float[] input : inputs) {
        s += input[i];
      }
      out[i] = s;
    }
    ActivationFunctions.apply(out, 0, n, act, slope);
  }

  @Override
  public void accumulate(float[] dx, float[] dz, int n) {
    for (int i = 0; i < n; i++) {
      dx[i] += dz[i];
    }
  }
}
