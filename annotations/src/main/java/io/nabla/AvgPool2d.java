package io.nabla;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The mean over each {@code kernel} window of each channel of a {@code (channels, height, width)} input, as
 * PyTorch's {@code nn.AvgPool2d} with its defaults: padded zeros count in the mean ({@code count_include_pad}).
 *
 * <pre>{@code @AvgPool2d(kernel = 2) Tensor pool1(Tensor conv1);}</pre>
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.METHOD)
public @interface AvgPool2d {
  /** The window: {@code {k}} or {@code {kH, kW}}. */
  int[] kernel();

  /** The stride: {@code {s}} or {@code {sH, sW}}; empty (the default) means the kernel size, as in PyTorch. */
  int[] stride() default {};

  /** Padding on each side: {@code {p}} or {@code {pH, pW}}, at most half the kernel. */
  int[] padding() default 0;
}
