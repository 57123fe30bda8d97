package io.nabla.processor.model;

import io.nabla.processor.model.LayerSpec.Conv2dSpec;
import io.nabla.processor.model.LayerSpec.PoolSpec;

/**
 * The resolved geometry of a 2-D window layer: sizes as {@code (height, width)} pairs, padding on each side
 * ({@code SAME} resolved: the extra row or column of an even effective kernel at the bottom or right, as PyTorch).
 */
public record Window(int kernelH, int kernelW, int strideH, int strideW, int padTop, int padLeft, int padBottom,
    int padRight, int dilationH, int dilationW) {

  public static Window of(Conv2dSpec conv) {
    int[] k = pair(conv.kernel());
    int[] s = pair(conv.stride());
    int[] d = pair(conv.dilation());
    if (conv.samePadding()) {
      int totalH = d[0] * (k[0] - 1);
      int totalW = d[1] * (k[1] - 1);
      return new Window(k[0], k[1], s[0], s[1], totalH / 2, totalW / 2, totalH - totalH / 2, totalW - totalW / 2,
          d[0], d[1]);
    }
    int[] p = pair(conv.padding());
    return new Window(k[0], k[1], s[0], s[1], p[0], p[1], p[0], p[1], d[0], d[1]);
  }

  public static Window of(PoolSpec pool) {
    int[] k = pair(pool.kernel());
    int[] s = pool.stride().length == 0 ? k : pair(pool.stride());
    int[] p = pair(pool.padding());
    return new Window(k[0], k[1], s[0], s[1], p[0], p[1], p[0], p[1], 1, 1);
  }

  /** {@code {v}} as {@code {v, v}}; {@code {h, w}} as is. Validators have checked the length. */
  public static int[] pair(int[] values) {
    return values.length == 1 ? new int[] {values[0], values[0]} : new int[] {values[0], values[1]};
  }

  /** The padded input height minus the effective kernel height: negative when the kernel does not fit. */
  public int spareHeight(int height) {
    return height + padTop + padBottom - dilationH * (kernelH - 1) - 1;
  }

  public int spareWidth(int width) {
    return width + padLeft + padRight - dilationW * (kernelW - 1) - 1;
  }

  public int outHeight(int height) {
    return spareHeight(height) / strideH + 1;
  }

  public int outWidth(int width) {
    return spareWidth(width) / strideW + 1;
  }

  /** As written in comments: {@code 3×3}. */
  public static String pairText(int h, int w) {
    return h + "×" + w;
  }
}
