package io.nabla;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Batch normalisation over the first (channel) dimension, as PyTorch's {@code nn.BatchNorm1d/2d}: for an input
 * {@code (channels, ...)}, each channel is normalised with the mean and (biased) variance over the batch and every
 * other position, then scaled by a learned {@code weight} (γ, initially 1) and shifted by a learned {@code bias}
 * (β, initially 0): {@code y = activation(γ · (x - mean) / √(var + epsilon) + β)}.
 *
 * <p>In training the batch statistics are used and the running statistics ({@code running_mean},
 * {@code running_var}, saved in checkpoints) are updated with {@code momentum}: {@code running = (1 - momentum) ·
 * running + momentum · batch} (the variance unbiased, as in PyTorch). In inference the running statistics are used,
 * and when this layer reads a {@link Conv2d} that nothing else reads, it is folded into that convolution's weights.
 *
 * <pre>{@code @BatchNorm(activation = Activation.RELU) Tensor bn1(Tensor conv1);}</pre>
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.METHOD)
public @interface BatchNorm {
  /** The weight of the newest batch in the running statistics, in {@code (0, 1]}. */
  double momentum() default 0.1;

  /** Added to the variance before the square root; positive. */
  double epsilon() default 1e-5;

  /** The activation applied after the affine map, fused with it. */
  Activation activation() default Activation.IDENTITY;

  /** The slope for negative inputs of {@link Activation#LEAKY_RELU}; ignored otherwise. */
  float leakySlope() default 0.01f;
}
