package io.nabla;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;


/**
 * Layer normalisation over the last dimension, as PyTorch's {@code nn.LayerNorm(features)} and Keras's
 * {@code LayerNormalization}: each row {@code x} of {@code n} features becomes
 * {@code y = (x - mean(x)) / √(var(x) + ε) · γ + β} (biased variance), with {@code weight} γ and {@code bias} β of
 * shape {@code (n)} initialised to ones and zeros. The output has the input's shape.
 *
 * <pre>{@code @LayerNorm Tensor norm1(Tensor positioned);}</pre>
 *
 * <p>Training and inference compute the same thing: there are no running statistics.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.METHOD)
public @interface LayerNorm {
  /** ε added to the variance; positive. PyTorch's default. */
  float epsilon() default 1e-5f;
}
