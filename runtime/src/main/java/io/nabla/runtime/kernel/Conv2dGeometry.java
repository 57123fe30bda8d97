package io.nabla.runtime.kernel;

/**
 * The geometry of a 2-D window operation (convolution or pooling) over one sample of shape
 * {@code (channels, height, width)}: kernel, stride, padding (top, left, bottom, right), dilation, and for a
 * convolution its filters and groups. Immutable; generated code keeps one per layer as a constant, e.g.
 *
 * <pre>{@code new Conv2dGeometry(1, 28, 28).filters(16).padding(1, 1, 1, 1).kernel(3, 3)}</pre>
 *
 * <p>Every step of such a chain is checked, so set filters before groups, and padding and dilation before a
 * kernel that needs them to fit.
 *
 * <p>{@code outHeight = (height + padTop + padBottom - dilationH·(kernelH - 1) - 1) / strideH + 1}, likewise the
 * width. A pooling layer has {@code filters = channels}.
 *
 * <p>Each argument is checked when it is given ({@link IllegalArgumentException}). Whether the (dilated) window
 * fits the padded input depends on several calls together, so the fluent calls may come in any order (a kernel
 * larger than the unpadded input may be set before the padding that makes it fit): a geometry whose window does not
 * fit has {@code outHeight} or {@code outWidth} 0, and {@link #outputPlane()}, {@link #outputSize()} and every
 * kernel given it throw {@link IllegalArgumentException}.
 */
public final class Conv2dGeometry {
  public final int channels;
  public final int height;
  public final int width;
  public final int filters;
  public final int groups;
  public final int kernelH;
  public final int kernelW;
  public final int strideH;
  public final int strideW;
  public final int padTop;
  public final int padLeft;
  public final int padBottom;
  public final int padRight;
  public final int dilationH;
  public final int dilationW;
  public final int outHeight;
  public final int outWidth;

  /** A 1×1 window, stride 1, no padding, {@code filters = channels}, one group. */
  public Conv2dGeometry(int channels, int height, int width) {
    this(channels, height, width, channels, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1);
  }

  private Conv2dGeometry(int channels, int height, int width, int filters, int groups, int kernelH, int kernelW,
      int strideH, int strideW, int padTop, int padLeft, int padBottom, int padRight, int dilationH,
      int dilationW) {
    if (channels < 1 || height < 1 || width < 1 || filters < 1 || groups < 1 || kernelH < 1 || kernelW < 1
        || strideH < 1 || strideW < 1 || padTop < 0 || padLeft < 0 || padBottom < 0 || padRight < 0
        || dilationH < 1 || dilationW < 1 || channels % groups != 0 || filters % groups != 0) {
      throw new IllegalArgumentException("invalid 2-D window geometry: " + describe(channels, height, width,
          filters, groups, kernelH, kernelW, strideH, strideW, padTop, padLeft, padBottom, padRight, dilationH,
          dilationW));
    }
    this.channels = channels;
    this.height = height;
    this.width = width;
    this.filters = filters;
    this.groups = groups;
    this.kernelH = kernelH;
    this.kernelW = kernelW;
    this.strideH = strideH;
    this.strideW = strideW;
    this.padTop = padTop;
    this.padLeft = padLeft;
    this.padBottom = padBottom;
    this.padRight = padRight;
    this.dilationH = dilationH;
    this.dilationW = dilationW;
    // long: a huge padding or dilation must not overflow into a plausible size.
    long spanH = (long) height + padTop + padBottom - (long) dilationH * (kernelH - 1) - 1;
    long spanW = (long) width + padLeft + padRight - (long) dilationW * (kernelW - 1) - 1;
    this.outHeight = spanH < 0 ? 0 : (int) (spanH / strideH + 1);
    this.outWidth = spanW < 0 ? 0 : (int) (spanW / strideW + 1);
  }

  /** Throws unless the (dilated) window fits the padded input, i.e. the output has at least one position. */
  void checkWindowFits() {
    if (outHeight < 1 || outWidth < 1) {
      throw new IllegalArgumentException("the (dilated) kernel is larger than the padded input: " + this);
    }
  }

  public Conv2dGeometry filters(int filters) {
    return new Conv2dGeometry(channels, height, width, filters, groups, kernelH, kernelW, strideH, strideW, padTop,
        padLeft, padBottom, padRight, dilationH, dilationW);
  }

  public Conv2dGeometry groups(int groups) {
    return new Conv2dGeometry(channels, height, width, filters, groups, kernelH, kernelW, strideH, strideW, padTop,
        padLeft, padBottom, padRight, dilationH, dilationW);
  }

  public Conv2dGeometry kernel(int kernelH, int kernelW) {
    return new Conv2dGeometry(channels, height, width, filters, groups, kernelH, kernelW, strideH, strideW, padTop,
        padLeft, padBottom, padRight, dilationH, dilationW);
  }

  public Conv2dGeometry stride(int strideH, int strideW) {
    return new Conv2dGeometry(channels, height, width, filters, groups, kernelH, kernelW, strideH, strideW, padTop,
        padLeft, padBottom, padRight, dilationH, dilationW);
  }

  /** Zeros added above, left of, below and right of the input. */
  public Conv2dGeometry padding(int top, int left, int bottom, int right) {
    return new Conv2dGeometry(channels, height, width, filters, groups, kernelH, kernelW, strideH, strideW, top,
        left, bottom, right, dilationH, dilationW);
  }

  public Conv2dGeometry dilation(int dilationH, int dilationW) {
    return new Conv2dGeometry(channels, height, width, filters, groups, kernelH, kernelW, strideH, strideW, padTop,
        padLeft, padBottom, padRight, dilationH, dilationW);
  }

  /** Input values per sample, {@code channels·height·width}. */
  public int inputSize() {
    return channels * height * width;
  }

  /** Output positions per channel, {@code outHeight·outWidth}. */
  public int outputPlane() {
    checkWindowFits();
    return outHeight * outWidth;
  }

  /** Output values per sample, {@code filters·outHeight·outWidth}. */
  public int outputSize() {
    checkWindowFits();
    return filters * outHeight * outWidth;
  }

  /** Rows of the unfolded input (one per weight of a filter, over all groups): {@code channels·kernelH·kernelW}. */
  public int patchSize() {
    return channels * kernelH * kernelW;
  }

  @Override
  public String toString() {
    return describe(channels, height, width, filters, groups, kernelH, kernelW, strideH, strideW, padTop, padLeft,
        padBottom, padRight, dilationH, dilationW);
  }

  private static String describe(int channels, int height, int width, int filters, int groups, int kernelH,
      int kernelW, int strideH, int strideW, int padTop, int padLeft, int padBottom, int padRight, int dilationH,
      int dilationW) {
    return "input (" + channels + ", " + height + ", " + width + "), filters " + filters + ", groups " + groups
        + ", kernel " + kernelH + "×" + kernelW + ", stride " + strideH + "×" + strideW + ", padding (top "
        + padTop + ", left " + padLeft + ", bottom " + padBottom + ", right " + padRight + "), dilation "
        + dilationH + "×" + dilationW;
  }
}
