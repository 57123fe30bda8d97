package io.nabla;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The mean of each channel over its whole {@code (height, width)} plane: {@code (channels, height, width)} becomes
 * {@code (channels)}, as Keras's {@code GlobalAveragePooling2D} (PyTorch: {@code AdaptiveAvgPool2d(1)} then
 * flatten).
 *
 * <pre>{@code @GlobalAvgPool Tensor features(Tensor block3);}</pre>
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.METHOD)
public @interface GlobalAvgPool {}
