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
}
