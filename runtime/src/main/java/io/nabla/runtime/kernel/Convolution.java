package io.nabla.runtime.kernel;

import io.nabla.Activation;
import java.util.Arrays;

/**
 * Convolution lowered to matrix products (im2col). A batch of {@code B} samples {@code (C, H, W)} is unfolded into
 * columns {@code (C·kH·kW, B·P)} with {@code P = outH·outW}, so each group's forward is one product
 * {@code W_g (F/G, C/G·kH·kW) · columns_g} on the fast matmul kernels, for the whole batch at once. The product
 * comes out filter-major, {@code (F, B·P)}; {@link #toBatchMajor} moves it to the batch-major {@code (B, F, P)}
 * layout every other layer reads, adding the bias and applying the activation on the way. Backward runs the same
 * steps transposed.
 *
 * <p>{@link ReferenceConvolution} holds the naive loops these are tested against.
 */
public final class Convolution {
  private Convolution() {}

  /**
   * Unfolds {@code batch} samples of {@code x} into {@code columns (C·kH·kW, batch·P)}: row {@code (c, i, j)},
   * column {@code (b, oh, ow)} holds {@code x[b, c, oh·sH - padTop + i·dH, ow·sW - padLeft + j·dW]}, or 0 in the
   * padding.
   */
  public static void im2col(Conv2dGeometry g, float[] x, int batch, float[] columns) {
    int plane = g.outputPlane();
    int rowLength = batch * plane;
    int inPlane = g.height * g.width;
    for (int c = 0; c < g.channels; c++) {
      for (int i = 0; i < g.kernelH; i++) {
        for (int j = 0; j < g.kernelW; j++) {
          int row = ((c * g.kernelH + i) * g.kernelW + j) * rowLength;
          int dh = i * g.dilationH - g.padTop;
          int dw = j * g.dilationW - g.padLeft;
          // Output columns whose input column is inside the image: [first, end); the rest read padding.
          int first = firstInside(dw, g.strideW, g.width, g.outWidth);
          int end = endInside(dw, g.strideW, g.width, g.outWidth, first);
          for (int b = 0; b < batch; b++) {
            int src = (b * g.channels + c) * inPlane;
            int dst = row + b * plane;
            for (int oh = 0; oh < g.outHeight; oh++) {
              int h = oh * g.strideH + dh;
              int out = dst + oh * g.outWidth;
              if (h < 0 || h >= g.height) {
                Arrays.fill(columns, out, out + g.outWidth, 0f);
                continue;
              }
              int srcRow = src + h * g.width + dw;
              Arrays.fill(columns, out, out + first, 0f);
              if (g.strideW == 1) {
                System.arraycopy(x, srcRow + first, columns, out + first, end - first);
              } else {
                for (int ow = first; ow < end; ow++) {
                  columns[out + ow] = x[srcRow + ow * g.strideW];
                }
              }
              Arrays.fill(columns, out + end, out + g.outWidth, 0f);
            }
          }
        }
      }
    }
  }

  /** The first output column {@code ow} with {@code ow·stride + offset ≥ 0}, at most {@code outWidth}. */
  static int firstInside(int offset, int stride, int width, int outWidth) {
    int first = offset >= 0 ? 0 : (-offset + stride - 1) / stride;
    return Math.min(first, outWidth);
  }

  /** One past the last output column with {@code ow·stride + offset < width}, at least {@code first}. */
  static int endInside(int offset, int stride, int width, int outWidth, int first) {
    int end = width - offset <= 0 ? 0 : (width - offset - 1) / stride + 1;
    return Math.max(first, Math.min(end, outWidth));
  }

  /** The transpose of {@link #im2col}: adds every column entry back into {@code dx} where it was read from. */
  public static void col2imAdd(Conv2dGeometry g, float[] columns, int batch, float[] dx) {
    int plane = g.outputPlane();
    int rowLength = batch * plane;
    int inPlane = g.height * g.width;
    for (int c = 0; c < g.channels; c++) {
      for (int i = 0; i < g.kernelH; i++) {
        for (int j = 0; j < g.kernelW; j++) {
          int row = ((c * g.kernelH + i) * g.kernelW + j) * rowLength;
          int dh = i * g.dilationH - g.padTop;
          int dw = j * g.dilationW - g.padLeft;
          int first = firstInside(dw, g.strideW, g.width, g.outWidth);
          int end = endInside(dw, g.strideW, g.width, g.outWidth, first);
          for (int b = 0; b < batch; b++) {
            int dst = (b * g.channels + c) * inPlane;
            int src = row + b * plane;
            for (int oh = 0; oh < g.outHeight; oh++) {
              int h = oh * g.strideH + dh;
              if (h < 0 || h >= g.height) {
                continue;
              }
              int dstRow = dst + h * g.width + dw;
              int in = src + oh * g.outWidth;
              if (g.strideW == 1) {
                for (int ow = first; ow < end; ow++) {
                  dx[dstRow + ow] += columns[in + ow];
                }
              } else {
                for (int ow = first; ow < end; ow++) {
                  dx[dstRow + ow * g.strideW] += columns[in + ow];
                }
              }
            }
          }
        }
      }
    }
  }

  /**
   * The forward epilogue, fused: {@code out[b, f, p] = act(product[f, b·P + p] + bias[f])} — the move from
   * filter-major to batch-major, the bias ({@code biasOff = -1}: none) and the activation in one pass.
   */
  public static void toBatchMajor(Conv2dGeometry g, float[] product, int batch, float[] params, int biasOff,
      Activation act, float slope, float[] out) {
    int plane = g.outputPlane();
    int rowLength = batch * plane;
    for (int f = 0; f < g.filters; f++) {
      float bias = biasOff < 0 ? 0f : params[biasOff + f];
      for (int b = 0; b < batch; b++) {
        int src = f * rowLength + b * plane;
        int dst = (b * g.filters + f) * plane;
        for (int p = 0; p < plane; p++) {
          out[dst + p] = product[src + p] + bias;
        }
        ActivationFunctions.apply(out, dst, dst + plane, act, slope);
      }
    }
  }

  /**
   * The backward prologue, fused: {@code dz[f, b·P + p] = dy[b, f, p] · act'(y[b, f, p])} (filter-major, ready for
   * the weight and input products) and the bias gradient {@code grads[biasOff + f] += Σ_{b,p} dz}
   * ({@code biasOff = -1}: none). Overwrites {@code dy} with {@code dy · act'(y)}.
   */
  public static void toFilterMajor(Conv2dGeometry g, float[] dy, float[] y, int batch, Activation act, float slope,
      float[] dz, float[] grads, int biasOff) {
    int plane = g.outputPlane();
    int rowLength = batch * plane;
    for (int f = 0; f < g.filters; f++) {
      float sum = 0f;
      for (int b = 0; b < batch; b++) {
        int src = (b * g.filters + f) * plane;
        int dst = f * rowLength + b * plane;
        if (act == Activation.RELU) {
          // The common case, inline: one pass instead of two.
          for (int p = 0; p < plane; p++) {
            float v = y[src + p] > 0f ? dy[src + p] : 0f;
            dy[src + p] = v;
            dz[dst + p] = v;
            sum += v;
          }
          continue;
        }
        ActivationFunctions.multiplyDerivative(dy, y, src, src + plane, act, slope);
        for (int p = 0; p < plane; p++) {
          float v = dy[src + p];
          dz[dst + p] = v;
          sum += v;
        }
      }
      if (biasOff >= 0) {
        grads[biasOff + f] += sum;
      }
    }
  }
}
