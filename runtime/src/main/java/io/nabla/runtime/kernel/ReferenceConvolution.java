package io.nabla.runtime.kernel;

import org.jspecify.annotations.Nullable;

/**
 * The textbook convolution, six loops deep, for tests: what {@link Convolution}'s im2col lowering must equal.
 * Batch-major buffers; weight {@code (F, C/G, kH, kW)} at {@code weightOff}, bias at {@code biasOff} ({@code -1}:
 * none).
 */
public final class ReferenceConvolution {
  private ReferenceConvolution() {}

  /** {@code y[b, f, oh, ow] = bias[f] + Σ_{c in group, i, j} w[f, c, i, j] · x[b, c, oh·s - p + i·d, ...]}. */
  public static void forward(Conv2dGeometry g, float[] x, int batch, float[] params, int weightOff, int biasOff,
      float[] y) {
    g.checkWindowFits();
    int cg = g.channels / g.groups;
    int fg = g.filters / g.groups;
    for (int b = 0; b < batch; b++) {
      for (int f = 0; f < g.filters; f++) {
        int group = f / fg;
        for (int oh = 0; oh < g.outHeight; oh++) {
          for (int ow = 0; ow < g.outWidth; ow++) {
            float sum = biasOff < 0 ? 0f : params[biasOff + f];
            for (int c = 0; c < cg; c++) {
              for (int i = 0; i < g.kernelH; i++) {
                for (int j = 0; j < g.kernelW; j++) {
                  int h = oh * g.strideH - g.padTop + i * g.dilationH;
                  int w = ow * g.strideW - g.padLeft + j * g.dilationW;
                  if (h >= 0 && h < g.height && w >= 0 && w < g.width) {
                    sum += params[weightOff + ((f * cg + c) * g.kernelH + i) * g.kernelW + j]
                        * x[((b * g.channels + group * cg + c) * g.height + h) * g.width + w];
                  }
                }
              }
            }
            y[((b * g.filters + f) * g.outHeight + oh) * g.outWidth + ow] = sum;
          }
        }
      }
    }
  }

  /**
   * Adds the gradients of {@link #forward} given {@code dy}: into {@code grads} at the weight and bias offsets,
   * and into {@code dx} unless it is {@code null}.
   */
  public static void backward(Conv2dGeometry g, float[] x, float[] dy, int batch, float[] params, int weightOff,
      float[] grads, int biasOff, float @Nullable [] dx) {
    g.checkWindowFits();
    int cg = g.channels / g.groups;
    int fg = g.filters / g.groups;
    for (int b = 0; b < batch; b++) {
      for (int f = 0; f < g.filters; f++) {
        int group = f / fg;
        for (int oh = 0; oh < g.outHeight; oh++) {
          for (int ow = 0; ow < g.outWidth; ow++) {
            float d = dy[((b * g.filters + f) * g.outHeight + oh) * g.outWidth + ow];
            if (biasOff >= 0) {
              grads[biasOff + f] += d;
            }
            for (int c = 0; c < cg; c++) {
              for (int i = 0; i < g.kernelH; i++) {
                for (int j = 0; j < g.kernelW; j++) {
                  int h = oh * g.strideH - g.padTop + i * g.dilationH;
                  int w = ow * g.strideW - g.padLeft + j * g.dilationW;
                  if (h >= 0 && h < g.height && w >= 0 && w < g.width) {
                    int xi = ((b * g.channels + group * cg + c) * g.height + h) * g.width + w;
                    int wi = weightOff + ((f * cg + c) * g.kernelH + i) * g.kernelW + j;
                    grads[wi] += d * x[xi];
                    if (dx != null) {
                      dx[xi] += d * params[wi];
                    }
                  }
                }
              }
            }
          }
        }
      }
    }
  }
}
