package io.nabla.runtime.kernel;

import io.nabla.Activation;

/**
 * Portable pure-Java kernels (Java 8, Android): loops ordered so that the innermost one is a contiguous
 * {@code c[j] += a · b[j]} that HotSpot's superword pass vectorises, blocked so that the rows being updated
 * stay in cache. {@code NT} products transpose {@code b} into scratch space once per call, which costs
 * {@code n·k} against the product's {@code m·n·k}. Faster kernels replace this class without touching the
 * generated code; {@link ReferenceKernels} is the reference it is tested against.
 *
 * <p>Zero multipliers are skipped (ReLU makes many): exact for finite values, but {@code 0 × NaN} gives 0 here
 * where the reference gives NaN, so a non-finite weight that meets only zeros stays unseen until it meets a
 * non-zero ({@link io.nabla.runtime.Model#describeNonFinite()} finds it).
 */
public final class PortableKernels implements Kernels {
  /** Rows of {@code c} updated together: 32 rows of 1024 floats stay within a 128 KiB L2 share. */
  private static final int ROW_BLOCK = 32;

  private float[] scratch = new float[0];

  @Override
  public void matmulNN(float[] c, int cOff, float[] a, int aOff, float[] b, int bOff, int m, int n, int k,
      boolean accumulate) {
    if (!accumulate) {
      zero(c, cOff, m * n);
    }
    for (int i = 0; i < m; i++) {
      int ci = cOff + i * n;
      int ai = aOff + i * k;
      for (int p = 0; p < k; p++) {
        float aip = a[ai + p];
        if (aip == 0f) {
          continue; // ReLU leaves many zeros in dZ and X; skipping them is exact for finite b.
        }
        int bp = bOff + p * n;
        for (int j = 0; j < n; j++) {
          c[ci + j] += aip * b[bp + j];
        }
      }
    }
  }

  @Override
  public void matmulNT(float[] c, int cOff, float[] a, int aOff, float[] b, int bOff, int m, int n, int k,
      boolean accumulate) {
    float[] bt = scratch(n * k);
    for (int j = 0; j < n; j++) {
      int bj = bOff + j * k;
      for (int p = 0; p < k; p++) {
        bt[p * n + j] = b[bj + p];
      }
    }
    matmulNN(c, cOff, a, aOff, bt, 0, m, n, k, accumulate);
  }

  @Override
  public void matmulTN(float[] c, int cOff, float[] a, int aOff, float[] b, int bOff, int m, int n, int k,
      boolean accumulate) {
    if (!accumulate) {
      zero(c, cOff, m * n);
    }
    for (int i0 = 0; i0 < m; i0 += ROW_BLOCK) {
      int i1 = Math.min(m, i0 + ROW_BLOCK);
      for (int p = 0; p < k; p++) {
        int ap = aOff + p * m;
        int bp = bOff + p * n;
        for (int i = i0; i < i1; i++) {
          float api = a[ap + i];
          if (api == 0f) {
            continue;
          }
          int ci = cOff + i * n;
          for (int j = 0; j < n; j++) {
            c[ci + j] += api * b[bp + j];
          }
        }
      }
    }
  }

  @Override
  public void denseForward(float[] out, float[] x, int xOff, float[] params, int weightOff, int biasOff,
      int rows, int in, int units, Activation act, float slope) {
    if (biasOff >= 0) {
      for (int r = 0; r < rows; r++) {
        System.arraycopy(params, biasOff, out, r * units, units);
      }
    }
    matmulNT(out, 0, x, xOff, params, weightOff, rows, units, in, biasOff >= 0);
    ActivationFunctions.apply(out, 0, rows * units, act, slope);
  }

  @Override
  public void activationBackward(float[] dy, float[] y, int rows, int n, Activation act, float slope,
      float[] grads, int biasGradOff) {
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

  @Override
  public void addForward(float[] out, float[][] inputs, int n, Activation act, float slope) {
    System.arraycopy(inputs[0], 0, out, 0, n);
    for (int s = 1; s < inputs.length; s++) {
      float[] input = inputs[s];
      for (int i = 0; i < n; i++) {
        out[i] += input[i];
      }
    }
    ActivationFunctions.apply(out, 0, n, act, slope);
  }

  @Override
  public void accumulate(float[] dx, float[] dz, int n) {
    for (int i = 0; i < n; i++) {
      dx[i] += dz[i];
    }
  }

  private float[] scratch(int size) {
    if (scratch.length < size) {
      scratch = new float[size];
    }
    return scratch;
  }

  private static void zero(float[] c, int off, int len) {
    java.util.Arrays.fill(c, off, off + len, 0f);
  }
}
