package io.nabla.runtime.kernel;

import io.nabla.Activation;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;

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
    im2colSamples(g, x, batch, columns, 0, batch);
  }

  /**
   * {@link #im2col} for samples {@code [from, to)} of the {@code batch}: writes only their columns, so disjoint
   * ranges may run on different threads.
   */
  static void im2colSamples(Conv2dGeometry g, float[] x, int batch, float[] columns, int from, int to) {
    int plane = g.outputPlane();
    int rowLength = batch * plane;
    int inPlane = g.height * g.width;
    int outW = g.outWidth;
    for (int b = from; b < to; b++) {
      for (int c = 0; c < g.channels; c++) {
        int src = (b * g.channels + c) * inPlane;
        for (int i = 0; i < g.kernelH; i++) {
          int dh = i * g.dilationH - g.padTop;
          for (int j = 0; j < g.kernelW; j++) {
            int dst = ((c * g.kernelH + i) * g.kernelW + j) * rowLength + b * plane;
            int dw = j * g.dilationW - g.padLeft;
            // Output columns whose input column is inside the image: [first, end); the rest read padding.
            int first = firstInside(dw, g.strideW, g.width, outW);
            int end = endInside(dw, g.strideW, g.width, outW, first);
            if (sameShape(g)) {
              im2colShifted(g, x, src + dh * g.width + dw, columns, dst, dh, first, end);
              continue;
            }
            for (int oh = 0; oh < g.outHeight; oh++) {
              int h = oh * g.strideH + dh;
              int out = dst + oh * outW;
              if (h < 0 || h >= g.height) {
                for (int ow = 0; ow < outW; ow++) {
                  columns[out + ow] = 0f;
                }
                continue;
              }
              int srcRow = src + h * g.width + dw;
              for (int ow = 0; ow < first; ow++) {
                columns[out + ow] = 0f;
              }
              if (g.strideW == 1) {
                System.arraycopy(x, srcRow + first, columns, out + first, end - first);
              } else {
                int sw = g.strideW;
                for (int ow = first; ow < end; ow++) {
                  columns[out + ow] = x[srcRow + ow * sw];
                }
              }
              for (int ow = end; ow < outW; ow++) {
                columns[out + ow] = 0f;
              }
            }
          }
        }
      }
    }
  }

  /**
   * Stride 1 and an output as wide as the input ("same" padding): then column {@code (oh, ow)} of a kernel offset
   * reads input {@code (oh + dh, ow + dw)}, a constant shift in the flattened planes, so the valid rows are one
   * contiguous span (long loops instead of one per short row) apart from the few columns each row reads from
   * padding.
   */
  static boolean sameShape(Conv2dGeometry g) {
    return g.strideH == 1 && g.strideW == 1 && g.outWidth == g.width;
  }

  /** The output rows {@code oh} whose input row {@code oh + dh} is inside: {@code [first, end)}. */
  private static int firstRow(Conv2dGeometry g, int dh) {
    return Math.min(g.outHeight, Math.max(0, -dh));
  }

  private static int endRow(Conv2dGeometry g, int dh, int first) {
    return Math.max(first, Math.min(g.outHeight, g.height - dh));
  }

  /**
   * One kernel offset's block of {@link #im2col} under {@link #sameShape}: {@code columns[out + k] = x[in + k]}
   * over the span from the first valid element to the last (one copy), then zeros over the padding (whole rows
   * outside, and each row's columns outside {@code [first, end)}, which the copy filled from neighbouring rows).
   */
  private static void im2colShifted(Conv2dGeometry g, float[] x, int in, float[] columns, int out, int dh,
      int first, int end) {
    int w = g.width;
    int plane = g.outputPlane();
    int rowA = firstRow(g, dh);
    int rowB = endRow(g, dh, rowA);
    if (rowA == rowB || first == end) {
      Arrays.fill(columns, out, out + plane, 0f);
      return;
    }
    int k0 = rowA * w + first;
    int k1 = (rowB - 1) * w + end;
    Arrays.fill(columns, out, out + k0, 0f);
    System.arraycopy(x, in + k0, columns, out + k0, k1 - k0);
    Arrays.fill(columns, out + k1, out + plane, 0f);
    if (first > 0 || end < w) {
      for (int oh = rowA; oh < rowB; oh++) {
        int row = out + oh * w;
        for (int ow = 0; ow < first; ow++) {
          columns[row + ow] = 0f;
        }
        for (int ow = end; ow < w; ow++) {
          columns[row + ow] = 0f;
        }
      }
    }
  }

  /**
   * One kernel offset's block of {@link #col2imAdd} under {@link #sameShape}: {@code dx[d + k] += columns[s + k]}
   * over the span in one loop. The span also adds the padding columns between rows into {@code dx} elements they
   * do not belong to; those few elements ({@code saved}, at least {@code 4·outHeight} long) are saved before and
   * restored after, so every element gets exactly the additions, in the order, of the row-by-row loop.
   */
  private static void col2imShifted(Conv2dGeometry g, float[] columns, int s, float[] dx, int d, int dh,
      int first, int end, float[] saved, SpanAdd spans) {
    int w = g.width;
    int rowA = firstRow(g, dh);
    int rowB = endRow(g, dh, rowA);
    if (rowA == rowB || first == end) {
      return;
    }
    int k0 = rowA * w + first;
    int k1 = (rowB - 1) * w + end;
    int gaps = w - (end - first);
    if (gaps > 4) {
      // Wide gaps (a kernel much wider than the padding): row by row.
      for (int oh = rowA; oh < rowB; oh++) {
        spans.add(dx, d + oh * w + first, columns, s + oh * w + first, end - first);
      }
      return;
    }
    // Between rows oh and oh + 1 the span crosses k in [oh·w + end, oh·w + end + gaps).
    int n = 0;
    for (int oh = rowA; oh < rowB - 1; oh++) {
      int gap = d + oh * w + end;
      for (int t = 0; t < gaps; t++) {
        saved[n++] = dx[gap + t];
      }
    }
    spans.add(dx, d + k0, columns, s + k0, k1 - k0);
    n = 0;
    for (int oh = rowA; oh < rowB - 1; oh++) {
      int gap = d + oh * w + end;
      for (int t = 0; t < gaps; t++) {
        dx[gap + t] = saved[n++];
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
    col2imAddSamples(g, columns, batch, dx, 0, batch);
  }

  /**
   * {@link #col2imAdd} for samples {@code [from, to)}: writes only their part of {@code dx}, each element summed
   * in the same order whatever the range, so disjoint ranges may run on different threads.
   */
  static void col2imAddSamples(Conv2dGeometry g, float[] columns, int batch, float[] dx, int from, int to) {
    col2imAddSamples(g, columns, batch, dx, from, to, null);
  }

  /**
   * {@code dx[d + k] += columns[s + k]} for {@code k < n}: the Vector API kernels pass one to
   * {@link #col2imAddSamples(Conv2dGeometry, float[], int, float[], int, int, SpanAdd)}, which then adds each
   * {@link #sameShape} block as one span (the JIT does not vectorise this loop itself: the two arrays might be
   * one).
   */
  interface SpanAdd {
    void add(float[] dx, int d, float[] columns, int s, int n);
  }

  /**
   * Each thread's room for the padding-gap elements a span overwrites, grown once: the kernels' worker threads live
   * as long as their pool, so a training step allocates nothing here after the first.
   */
  private static final ThreadLocal<float[][]> SAVED_GAPS = new ThreadLocal<float[][]>() {
    @Override
    protected float[][] initialValue() {
      return new float[][] {new float[0]};
    }
  };

  private static float[] savedGaps(int length) {
    float[][] holder = SAVED_GAPS.get();
    if (holder[0].length < length) {
      holder[0] = new float[length];
    }
    return holder[0];
  }

  /** As {@link #col2imAddSamples}, spans added by {@code spans} ({@code null}: row by row, in scalar). */
  static void col2imAddSamples(Conv2dGeometry g, float[] columns, int batch, float[] dx, int from, int to,
      SpanAdd spans) {
    float[] saved = spans != null && sameShape(g) ? savedGaps(4 * g.outHeight) : null;
    int plane = g.outputPlane();
    int rowLength = batch * plane;
    int inPlane = g.height * g.width;
    int outW = g.outWidth;
    for (int b = from; b < to; b++) {
      for (int c = 0; c < g.channels; c++) {
        // One input plane stays in cache while every (i, j) adds into it.
        int dst = (b * g.channels + c) * inPlane;
        for (int i = 0; i < g.kernelH; i++) {
          int dh = i * g.dilationH - g.padTop;
          for (int j = 0; j < g.kernelW; j++) {
            int src = ((c * g.kernelH + i) * g.kernelW + j) * rowLength + b * plane;
            int dw = j * g.dilationW - g.padLeft;
            int first = firstInside(dw, g.strideW, g.width, outW);
            int end = endInside(dw, g.strideW, g.width, outW, first);
            if (saved != null) {
              col2imShifted(g, columns, src, dx, dst + dh * g.width + dw, dh, first, end, saved, spans);
              continue;
            }
            for (int oh = 0; oh < g.outHeight; oh++) {
              int h = oh * g.strideH + dh;
              if (h < 0 || h >= g.height) {
                continue;
              }
              int dstRow = dst + h * g.width + dw;
              int in = src + oh * outW;
              if (g.strideW == 1) {
                for (int ow = first; ow < end; ow++) {
                  dx[dstRow + ow] += columns[in + ow];
                }
              } else {
                int sw = g.strideW;
                for (int ow = first; ow < end; ow++) {
                  dx[dstRow + ow * sw] += columns[in + ow];
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
    toBatchMajorFilters(g, product, batch, params, biasOff, act, slope, out, 0, g.filters);
  }

  /** {@link #toBatchMajor} for filters {@code [from, to)}: disjoint ranges may run on different threads. */
  static void toBatchMajorFilters(Conv2dGeometry g, float[] product, int batch, float[] params, int biasOff,
      Activation act, float slope, float[] out, int from, int to) {
    toBatchMajorBlock(g, product, batch, params, biasOff, act, slope, out, from, to, 0, batch);
  }

  /**
   * {@link #toBatchMajor} for filters {@code [f0, f1)} of samples {@code [b0, b1)}: disjoint blocks may run on
   * different threads.
   */
  static void toBatchMajorBlock(Conv2dGeometry g, float[] product, int batch, float[] params, int biasOff,
      Activation act, float slope, float[] out, int f0, int f1, int b0, int b1) {
    int plane = g.outputPlane();
    int rowLength = batch * plane;
    for (int f = f0; f < f1; f++) {
      float bias = biasOff < 0 ? 0f : params[biasOff + f];
      for (int b = b0; b < b1; b++) {
        int src = f * rowLength + b * plane;
        int dst = (b * g.filters + f) * plane;
        // A copy, then the arithmetic in place: the JIT vectorises a loop reading and writing the same index of
        // one array, not one between two arrays at different offsets (they might be the same array).
        System.arraycopy(product, src, out, dst, plane);
        if (act == Activation.RELU) {
          // The common case, inline: one pass instead of two (the same Math.max as ActivationFunctions).
          for (int p = dst; p < dst + plane; p++) {
            out[p] = Math.max(out[p] + bias, 0f);
          }
          continue;
        }
        for (int p = dst; p < dst + plane; p++) {
          out[p] += bias;
        }
        ActivationFunctions.apply(out, dst, dst + plane, act, slope);
      }
    }
  }

  /**
   * The backward prologue, fused: {@code dz[f, b·P + p] = dy[b, f, p] · act'(y[b, f, p])} (filter-major, ready for
   * the weight and input products) and the bias gradient {@code grads[biasOff + f] += Σ_{b,p} dz}
   * ({@code biasOff = -1}: none). Overwrites {@code dy} with {@code dy · act'(y)}. The bias gradient sums each
   * sample's plane in four interleaved partial sums, then the planes in sample order: a fixed order.
   */
  public static void toFilterMajor(Conv2dGeometry g, float[] dy, float[] y, int batch, Activation act, float slope,
      float[] dz, float[] grads, int biasOff) {
    toFilterMajorFilters(g, dy, y, batch, act, slope, dz, grads, biasOff, 0, g.filters);
  }

  /** {@link #toFilterMajor} for filters {@code [from, to)}: disjoint ranges may run on different threads. */
  static void toFilterMajorFilters(Conv2dGeometry g, float[] dy, float[] y, int batch, Activation act, float slope,
      float[] dz, float[] grads, int biasOff, int from, int to) {
    toFilterMajorBlock(g, dy, y, batch, act, slope, dz, grads, biasOff, null, from, to, 0, batch);
  }

  /**
   * {@link #toFilterMajor} for filters {@code [f0, f1)} of samples {@code [b0, b1)}: with {@code planeSums}
   * ({@code biasOff ≥ 0}), each plane's sum goes to {@code planeSums[f·batch + b]} and {@code grads} is not
   * touched, for the caller to add the planes of each filter in sample order ({@link #addPlaneSums}) once every
   * block is done; without, the block must hold every sample and adds its filters' bias gradients itself.
   */
  static void toFilterMajorBlock(Conv2dGeometry g, float[] dy, float[] y, int batch, Activation act, float slope,
      float[] dz, float[] grads, int biasOff, float @Nullable [] planeSums, int f0, int f1, int b0, int b1) {
    int plane = g.outputPlane();
    int rowLength = batch * plane;
    for (int f = f0; f < f1; f++) {
      float sum = 0f;
      for (int b = b0; b < b1; b++) {
        int src = (b * g.filters + f) * plane;
        int dst = f * rowLength + b * plane;
        if (act == Activation.RELU) {
          // The common case, inline: one pass instead of two, and branch-free (y > 0 is a coin toss after a ReLU).
          for (int p = src; p < src + plane; p++) {
            dy[p] = Float.intBitsToFloat(Float.floatToRawIntBits(dy[p]) & positiveMask(y[p]));
          }
          System.arraycopy(dy, src, dz, dst, plane);
        } else {
          ActivationFunctions.multiplyDerivative(dy, y, src, src + plane, act, slope);
          System.arraycopy(dy, src, dz, dst, plane);
        }
        if (biasOff >= 0) {
          float s = planeSum(dz, dst, plane);
          if (planeSums != null) {
            planeSums[f * batch + b] = s;
          } else {
            sum += s;
          }
        }
      }
      if (biasOff >= 0 && planeSums == null) {
        grads[biasOff + f] += sum;
      }
    }
  }

  /**
   * {@code grads[biasOff + f] += Σ_b planeSums[f·batch + b]}, the sum from zero over the samples in order: the
   * bias gradient {@link #toFilterMajorFilters} computes, from the plane sums of {@link #toFilterMajorBlock}.
   */
  static void addPlaneSums(float[] planeSums, int filters, int batch, float[] grads, int biasOff) {
    for (int f = 0; f < filters; f++) {
      float sum = 0f;
      for (int b = 0; b < batch; b++) {
        sum += planeSums[f * batch + b];
      }
      grads[biasOff + f] += sum;
    }
  }

  /**
   * All ones when {@code y > 0f}, else 0, without a branch: {@code y > 0} exactly when its bits, as an int, lie in
   * {@code [1, 0x7f800000]} (the positive floats up to +∞; NaNs lie above, negatives and -0 below as ints ≤ 0).
   */
  static int positiveMask(float y) {
    long bits = Float.floatToRawIntBits(y);
    // (bits - 1) in [0, 0x7f800000): both differences below negative only inside, as longs (no overflow).
    return (int) ((~(bits - 1) & (bits - 1 - 0x7f800000L)) >> 63);
  }

  /** {@code Σ v[off, off + n)} in four interleaved partial sums, ((s0 + s1) + (s2 + s3)) + the tail in order. */
  static float planeSum(float[] v, int off, int n) {
    float s0 = 0f;
    float s1 = 0f;
    float s2 = 0f;
    float s3 = 0f;
    int p = 0;
    for (; p + 4 <= n; p += 4) {
      s0 += v[off + p];
      s1 += v[off + p + 1];
      s2 += v[off + p + 2];
      s3 += v[off + p + 3];
    }
    float s = (s0 + s1) + (s2 + s3);
    for (; p < n; p++) {
      s += v[off + p];
    }
    return s;
  }
}
