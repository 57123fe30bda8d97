package io.nabla;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;


/**
 * Learned positional embeddings, as in GPT and BERT: over a sequence of shape {@code (time, dimension)} it adds a
 * learned vector per position, {@code y[t] = x[t] + P[t]}, with {@code weight} {@code P} of shape
 * {@code (time, dimension)} initialised from N(0, 1) (PyTorch's {@code nn.Embedding(time, dimension)} indexed by
 * {@code arange(time)}).
 *
 * <pre>{@code @PositionalEmbedding Tensor positioned(Tensor embed);}</pre>
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.METHOD)
public @interface PositionalEmbedding {}
