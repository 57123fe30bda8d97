package io.nabla;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;


/**
 * A learned lookup table from token ids to vectors, as PyTorch's {@code nn.Embedding} and Keras's {@code Embedding}:
 * over an {@link Input#tokens() token input} of shape {@code (time)} it outputs {@code (time, dimension)}, row
 * {@code t} being row {@code ids[t]} of its {@code weight} {@code (vocabulary, dimension)}.
 *
 * <pre>{@code
 * @Input(value = {64}, tokens = true) Tensor text();
 * @Embedding(vocabulary = 96, dimension = 128) Tensor embed(Tensor text);
 * }</pre>
 *
 * <p>The table is initialised from N(0, 1) as PyTorch does. An id that is not an integer in
 * {@code [0, vocabulary)} is an exception naming the layer, sample and position.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.METHOD)
public @interface Embedding {
  /** The number of distinct token ids; positive. */
  int vocabulary();

  /** The size of each token's vector; positive. */
  int dimension();
}
