package io.nabla.runtime.kernel;

/**
 * Pooling over batch-major {@code (B, C, H, W)} buffers, per channel ({@code filters = channels} in the geometry).
 * Max pooling records, in forward, the index of each maximum in the input buffer, so backward is a scatter rather
 * than a second search.
 */
public final class Pooling {
  private Pooling() {}

  /**
   * {@code out[b, c, oh, ow] = max} over the window (padding never wins); {@code argmax} gets the index in
   * {@code x} of each maximum, the first one on ties (as PyTorch's CPU kernel). A NaN in the window wins (the first
   * one). A window that lies wholly in the padding (possible only with padding over half the kernel, which the
   * annotations do not allow) gives {@code -∞} and {@code argmax = -1}: no input receives its gradient.
   */
  public static void maxForward(Conv2dGeometry g, float[] x, int batch, float[] out, int[] argmax) {
    g.checkWindowFits();
    maxForwardPlanes(g, x, out, argmax, 0, batch * g.channels);
  }

  /**
   * {@link #maxForward} for the planes {@code [from, to)} of the {@code B·C} (sample, channel) planes: disjoint
   * ranges may run on different threads. The window must fit ({@link Conv2dGeometry#checkWindowFits}).
   */
  static void maxForwardPlanes(Conv2dGeometry g, float[] x, float[] out, int[] argmax, int from, int to) {
    boolean inside = g.padTop == 0 && g.padLeft == 0 && g.padBottom == 0 && g.padRight == 0 && g.dilationH == 1
        && g.dilationW == 1;
    if (isPlain2x2(g)) {
      maxForward2x2(g, x, out, argmax, from, to);
      return;
    }
    if (inside) {
      maxForwardInside(g, x, out, argmax, from, to);
      return;
    }
    int inPlane = g.height * g.width;
    int o = from * g.outputPlane();
    for (int bc = from; bc < to; bc++) {
      int base = bc * inPlane;
      for (int oh = 0; oh < g.outHeight; oh++) {
        int h0 = oh * g.strideH - g.padTop;
        for (int ow = 0; ow < g.outWidth; ow++, o++) {
          int w0 = ow * g.strideW - g.padLeft;
          float best = Float.NEGATIVE_INFINITY;
          int where = -1;
          for (int i = 0; i < g.kernelH; i++) {
            int h = h0 + i * g.dilationH;
            if (h < 0 || h >= g.height) {
              continue;
            }
            int rowBase = base + h * g.width;
            for (int j = 0; j < g.kernelW; j++) {
              int w = w0 + j * g.dilationW;
              if (w < 0 || w >= g.width) {
                continue;
              }
              float v = x[rowBase + w];
              // !(v <= best) also takes a NaN, which then stays: NaN propagates, as in PyTorch.
              if (where < 0 || !(v <= best) && best == best) {
                best = v;
                where = rowBase + w;
              }
            }
          }
          out[o] = best;
          argmax[o] = where;
        }
      }
    }
  }

  /** Whether the window is 2×2 with stride 2, without padding or dilation (the usual max pooling). */
  static boolean isPlain2x2(Conv2dGeometry g) {
    return g.padTop == 0 && g.padLeft == 0 && g.padBottom == 0 && g.padRight == 0 && g.dilationH == 1
        && g.dilationW == 1 && g.kernelH == 2 && g.kernelW == 2 && g.strideH == 2 && g.strideW == 2;
  }

  /**
   * An int that orders as the float under {@code <} and {@code ==}: {@code -0} and {@code +0} equal, every NaN
   * equal and above {@code +∞} (so the first NaN wins, as the scan in window order takes it). Branch-free.
   */
  private static int orderKey(float v) {
    int bits = Float.floatToRawIntBits(v);
    int sign = bits >> 31;
    // Negative floats: flip the magnitude bits and add one, so -0 meets +0 at 0 and order runs the right way.
    int key = (bits ^ (sign & 0x7fffffff)) - sign;
    int nan = (0x7f800000 - (bits & 0x7fffffff)) >> 31;
    return (key & ~nan) | (nan & Integer.MAX_VALUE);
  }

  /** {@code max(a, b)} without a branch (the JIT keeps a branch for {@code Math.max(long, long)} on Java 17). */
  private static long maxBranchFree(long a, long b) {
    long d = a - b;
    return b + (d & ~(d >> 63));
  }

  /**
   * The 2×2 stride-2 window without padding (the usual pooling), branch-free: each element's {@link #orderKey}
   * shifted left two bits, below it {@code 3 - position} in window order, so the largest of the four is the first
   * maximum (or the first NaN) — the element the scan in window order picks. The value is re-read at its index.
   */
  static void maxForward2x2(Conv2dGeometry g, float[] x, float[] out, int[] argmax, int from, int to) {
    int width = g.width;
    int inPlane = g.height * width;
    int outW = g.outWidth;
    int o = from * g.outputPlane();
    for (int bc = from; bc < to; bc++) {
      int base = bc * inPlane;
      for (int oh = 0; oh < g.outHeight; oh++) {
        int top = base + 2 * oh * width;
        int bottom = top + width;
        for (int ow = 0; ow < outW; ow++, o++) {
          int t = top + 2 * ow;
          int u = bottom + 2 * ow;
          long k0 = ((long) orderKey(x[t]) << 2) | 3;
          long k1 = ((long) orderKey(x[t + 1]) << 2) | 2;
          long k2 = ((long) orderKey(x[u]) << 2) | 1;
          long k3 = (long) orderKey(x[u + 1]) << 2;
          int position = 3 - (int) (maxBranchFree(maxBranchFree(k0, k1), maxBranchFree(k2, k3)) & 3);
          int where = t + (position & 1) + (position >> 1) * width;
          out[o] = x[where];
          argmax[o] = where;
        }
      }
    }
  }

  /** {@link #maxForward} without padding or dilation: every window lies inside, so no bounds checks. */
  private static void maxForwardInside(Conv2dGeometry g, float[] x, float[] out, int[] argmax, int from, int to) {
    int inPlane = g.height * g.width;
    int o = from * g.outputPlane();
    for (int bc = from; bc < to; bc++) {
      int base = bc * inPlane;
      for (int oh = 0; oh < g.outHeight; oh++) {
        int rowBase = base + oh * g.strideH * g.width;
        for (int ow = 0; ow < g.outWidth; ow++, o++) {
          int start = rowBase + ow * g.strideW;
          float best = x[start];
          int where = start;
          for (int i = 0; i < g.kernelH; i++) {
            int at = start + i * g.width;
            for (int j = 0; j < g.kernelW; j++) {
              float v = x[at + j];
              if (!(v <= best) && best == best) {
                best = v;
                where = at + j;
              }
            }
          }
          out[o] = best;
          argmax[o] = where;
        }
      }
    }
  }

  /**
   * {@code dx[argmax[o]] += dy[o]}: each output's gradient goes to the input that won its window ({@code argmax = -1},
   * a window wholly in the padding: to none).
   */
  public static void maxBackward(Conv2dGeometry g, float[] dy, int[] argmax, int batch, float[] dx) {
    maxBackwardPlanes(g, dy, argmax, dx, 0, batch * g.channels);
  }

  /**
   * {@link #maxBackward} for the planes {@code [from, to)}: each plane's outputs scatter only into its own input
   * plane, so disjoint ranges may run on different threads.
   */
  static void maxBackwardPlanes(Conv2dGeometry g, float[] dy, int[] argmax, float[] dx, int from, int to) {
    int outPlane = g.outputPlane();
    int end = to * outPlane;
    for (int o = from * outPlane; o < end; o++) {
      int where = argmax[o];
      if (where >= 0) {
        dx[where] += dy[o];
      }
    }
  }

  /** {@code out = Σ window / (kH·kW)}: padded zeros count in the mean, as PyTorch's default. */
  public static void averageForward(Conv2dGeometry g, float[] x, int batch, float[] out) {
    g.checkWindowFits();
    averageForwardPlanes(g, x, out, 0, batch * g.channels);
  }

  /** {@link #averageForward} for the planes {@code [from, to)}: disjoint ranges may run on different threads. */
  static void averageForwardPlanes(Conv2dGeometry g, float[] x, float[] out, int from, int to) {
    int inPlane = g.height * g.width;
    float scale = 1f / (g.kernelH * g.kernelW);
    int o = from * g.outputPlane();
    for (int bc = from; bc < to; bc++) {
      int base = bc * inPlane;
      for (int oh = 0; oh < g.outHeight; oh++) {
        int h0 = oh * g.strideH - g.padTop;
        for (int ow = 0; ow < g.outWidth; ow++, o++) {
          int w0 = ow * g.strideW - g.padLeft;
          float sum = 0f;
          for (int i = 0; i < g.kernelH; i++) {
            int h = h0 + i * g.dilationH;
            if (h < 0 || h >= g.height) {
              continue;
            }
            for (int j = 0; j < g.kernelW; j++) {
              int w = w0 + j * g.dilationW;
              if (w >= 0 && w < g.width) {
                sum += x[base + h * g.width + w];
              }
            }
          }
          out[o] = sum * scale;
        }
      }
    }
  }

  /** The transpose of {@link #averageForward}: each output's gradient, scaled, to every input of its window. */
  public static void averageBackward(Conv2dGeometry g, float[] dy, int batch, float[] dx) {
    g.checkWindowFits();
    averageBackwardPlanes(g, dy, dx, 0, batch * g.channels);
  }

  /** {@link #averageBackward} for the planes {@code [from, to)}: disjoint ranges may run on different threads. */
  static void averageBackwardPlanes(Conv2dGeometry g, float[] dy, float[] dx, int from, int to) {
    int inPlane = g.height * g.width;
    float scale = 1f / (g.kernelH * g.kernelW);
    int o = from * g.outputPlane();
    for (int bc = from; bc < to; bc++) {
      int base = bc * inPlane;
      for (int oh = 0; oh < g.outHeight; oh++) {
        int h0 = oh * g.strideH - g.padTop;
        for (int ow = 0; ow < g.outWidth; ow++, o++) {
          int w0 = ow * g.strideW - g.padLeft;
          float d = dy[o] * scale;
          for (int i = 0; i < g.kernelH; i++) {
            int h = h0 + i * g.dilationH;
            if (h < 0 || h >= g.height) {
              continue;
            }
            for (int j = 0; j < g.kernelW; j++) {
              int w = w0 + j * g.dilationW;
              if (w >= 0 && w < g.width) {
                dx[base + h * g.width + w] += d;
              }
            }
          }
        }
      }
    }
  }

  /** {@code out[b, c] = mean over (h, w) of x[b, c, h, w]}, for {@code rows = B·C} planes of {@code plane} values. */
  public static void globalAverageForward(float[] x, int rows, int plane, float[] out) {
    float scale = 1f / plane;
    for (int r = 0; r < rows; r++) {
      float sum = 0f;
      int base = r * plane;
      for (int p = 0; p < plane; p++) {
        sum += x[base + p];
      }
      out[r] = sum * scale;
    }
  }

  /** {@code dx[b, c, h, w] += dy[b, c] / plane}. */
  public static void globalAverageBackward(float[] dy, int rows, int plane, float[] dx) {
    float scale = 1f / plane;
    for (int r = 0; r < rows; r++) {
      float d = dy[r] * scale;
      int base = r * plane;
      for (int p = 0; p < plane; p++) {
        dx[base + p] += d;
      }
    }
  }
}
