package io.nabla;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * An input of the network, of the given per-sample shape (the batch dimension is not part of it): {@code {784}},
 * {@code {1, 28, 28}}, {@code {time, features}}. Data is row-major: the last dimension varies fastest.
 *
 * <pre>{@code @Input({784}) Tensor pixels();}</pre>
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.METHOD)
public @interface Input {
  /** The shape of one sample; every dimension positive. */
  int[] value();

  /**
   * Whether the values are integer token ids, e.g. characters or words of a sequence, for an {@link Embedding} to
   * look up (passed in the same {@code float[]} as other inputs; ids up to 2²⁴ are exact). Only embeddings read a
   * token input, and a forward pass given an id that is not an integer in {@code [0, vocabulary)} throws an
   * exception naming the sample and position.
   *
   * <pre>{@code @Input(value = {128}, tokens = true) Tensor text();}</pre>
   */
  boolean tokens() default false;
}
