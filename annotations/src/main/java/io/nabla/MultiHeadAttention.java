package io.nabla;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;


/**
 * Multi-head scaled dot-product self-attention, as PyTorch's {@code nn.MultiheadAttention(d, heads,
 * batch_first=True)} called with the same tensor as query, key and value: over a sequence {@code x} of shape
 * {@code (time, d)},
 *
 * <pre>
 * [Q | K | V] = x · W_inᵀ + b_in                      W_in (3d, d), b_in (3d)
 * head_h = softmax(Q_h · K_hᵀ / √(d/heads) + M) · V_h   Q_h, K_h, V_h: columns h·d/heads … of Q, K, V
 * y = [head_0 | … | head_{heads-1}] · W_outᵀ + b_out    W_out (d, d), b_out (d)
 * </pre>
 *
 * where the mask {@code M} is 0, or with {@link #causal()} −∞ above the diagonal so position {@code t} attends only
 * to positions {@code ≤ t} (what a language model needs). The output has the input's shape {@code (time, d)};
 * {@code d} must be divisible by {@code heads}.
 *
 * <pre>{@code @MultiHeadAttention(heads = 4, causal = true) Tensor attention(Tensor norm1);}</pre>
 *
 * <p>Its tensors are PyTorch's: {@code in_proj_weight}, {@code in_proj_bias}, {@code out_proj.weight},
 * {@code out_proj.bias}, so weights interchange through safetensors. Weights are initialised Glorot-uniform, biases
 * with zero. There is no dropout on the attention weights.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.METHOD)
public @interface MultiHeadAttention {
  /** The number of heads; positive, and dividing the input's last dimension. */
  int heads();

  /** Whether each position attends only to itself and earlier positions. */
  boolean causal() default false;
}
