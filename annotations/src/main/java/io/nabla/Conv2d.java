package io.nabla;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A 2-D convolution over an input of shape {@code (channels, height, width)}, as PyTorch's {@code nn.Conv2d}
 * (cross-correlation, weight of shape {@code (filters, channels / groups, kernelH, kernelW)}): the output is
 * {@code (filters, outH, outW)} with {@code outH = (height + padTop + padBottom - dilation·(kernel - 1) - 1) / stride
 * + 1}. Sizes given as one value apply to both axes; two values are {@code {height, width}}.
 *
 * <pre>{@code @Conv2d(filters = 32, kernel = 3, padding = Conv2d.SAME, activation = Activation.RELU)
 * Tensor conv1(Tensor image);}</pre>
 *
 * <p>{@code groups = channels} (and {@code filters} a multiple of it) gives a depthwise convolution. Weights are
 * initialised He-uniform for the ReLU family and Glorot-uniform otherwise (fan-in {@code channels / groups ·
 * kernelH · kernelW}); biases with zero.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.METHOD)
public @interface Conv2d {
  /** {@code padding = SAME}: pad so that the output has the input's height and width (stride 1 only). */
  int SAME = -1;

  /** The number of output channels; positive and a multiple of {@link #groups()}. */
  int filters();

  /** The kernel size: {@code {k}} or {@code {kH, kW}}. */
  int[] kernel();

  /** The stride: {@code {s}} or {@code {sH, sW}}. */
  int[] stride() default 1;

  /**
   * Zeros added on each side: {@code {p}}, {@code {pH, pW}}, or {@link #SAME}. With {@code SAME} and an even
   * effective kernel, the extra row and column go at the bottom and right, as PyTorch's {@code padding='same'}.
   */
  int[] padding() default 0;

  /** The spacing between kernel taps: {@code {d}} or {@code {dH, dW}}. */
  int[] dilation() default 1;

  /** Channel groups: input and output channels split into this many independent convolutions. */
  int groups() default 1;

  /** Whether the layer adds a learned bias per filter. */
  boolean bias() default true;

  /** The activation applied to the output, fused with the convolution. */
  Activation activation() default Activation.IDENTITY;

  /** The slope for negative inputs of {@link Activation#LEAKY_RELU}; ignored otherwise. */
  float leakySlope() default 0.01f;
}
