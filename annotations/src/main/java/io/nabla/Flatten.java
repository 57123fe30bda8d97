package io.nabla;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Reshapes its input to one dimension, {@code (c, h, w)} to {@code (c·h·w)}, in row-major order as PyTorch's
 * {@code nn.Flatten}. {@link Dense} acts on the last dimension only (as {@code nn.Linear}), so a convolutional
 * feature map goes through {@code @Flatten} (or {@link GlobalAvgPool}) before a classifier.
 *
 * <pre>{@code @Flatten Tensor features(Tensor pool2);}</pre>
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.METHOD)
public @interface Flatten {}
