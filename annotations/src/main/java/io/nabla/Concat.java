package io.nabla;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Joins its inputs along the first (channel) dimension, as {@code torch.cat(..., dim=1)}: {@code (c1, h, w)} and
 * {@code (c2, h, w)} give {@code (c1 + c2, h, w)}; every other dimension must agree. For one-dimensional inputs it
 * joins the features.
 *
 * <pre>{@code @Concat Tensor mixed(Tensor branch3x3, Tensor branch5x5);}</pre>
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.METHOD)
public @interface Concat {}
