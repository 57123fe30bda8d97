package io.nabla;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Inverted dropout, as PyTorch's {@code nn.Dropout}: in training, each value is zeroed with probability
 * {@code rate} and the others are scaled by {@code 1 / (1 - rate)}; in inference the layer passes its input
 * through. The mask comes from the model's seeded random stream, so seeded runs repeat exactly.
 *
 * <pre>{@code @Dropout(rate = 0.25) Tensor dropped(Tensor hidden);}</pre>
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.METHOD)
public @interface Dropout {
  /** The probability of zeroing a value, in {@code [0, 1)}. */
  double rate();
}
