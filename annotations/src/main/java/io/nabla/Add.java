package io.nabla;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The element-wise sum of two or more inputs of the same shape, then an optional activation: the join of a
 * residual block.
 *
 * <pre>{@code @Add(activation = Activation.RELU) Tensor block(Tensor branch, Tensor skip);}</pre>
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.METHOD)
public @interface Add {
  /** The activation applied to the sum. */
  Activation activation() default Activation.IDENTITY;

  /** The slope for negative inputs of {@link Activation#LEAKY_RELU}; ignored otherwise. */
  float leakySlope() default 0.01f;
}
