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
    if (g.padTop == 0 && g.padLeft == 0 && g.padBottom == 0 && g.padRight == 0 && g.dilationH == 1
        && g.dilationW == 1) {
      maxForwardInside(g, x, batch, out, argmax);
      return;
    }
    int inPlane = g.height * g.width;
    int o = 0;
    for (int bc = 0; bc < batch * g.channels; bc++) {
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

  /** {@link #maxForward} without padding or dilation: every window lies inside, so no bounds checks. */
  private static void maxForwardInside(Conv2dGeometry g, float[] x, int batch, float[] out, int[] argmax) {
    int inPlane = g.height * g.width;
    int o = 0;
    for (int bc = 0; bc < batch * g.channels; bc++) {
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
    int n = batch * g.channels * g.outputPlane();
    for (int o = 0; o < n; o++) {
      int where = argmax[o];
      if (where >= 0) {
        dx[where] += dy[o];
      }
    }
  }

  /** {@code out = Σ window / (kH·kW)}: padded zeros count in the mean, as PyTorch's default. */
  public static void averageForward(Conv2dGeometry g, float[] x, int batch, float[] out) {
    g.checkWindowFits();
    int inPlane = g.height * g.width;
    float scale = 1f / (g.kernelH * g.kernelW);
    int o = 0;
    for (int bc = 0; bc < batch * g.channels; bc++) {
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
    int inPlane = g.height * g.width;
    float scale = 1f / (g.kernelH * g.kernelW);
    int o = 0;
    for (int bc = 0; bc < batch * g.channels; bc++) {
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
