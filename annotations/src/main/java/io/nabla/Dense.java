package io.nabla;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A fully connected layer over the last dimension of its one input, as PyTorch's {@code nn.Linear} and Keras's
 * {@code Dense}: {@code y = activation(x · Wᵀ + b)} with {@code W} of shape {@code (units, in)} (PyTorch's layout)
 * and {@code b} of shape {@code (units)}. An input of shape {@code (..., in)} gives an output {@code (..., units)}.
 *
 * <pre>{@code @Dense(units = 256, activation = Activation.RELU) Tensor hidden(Tensor pixels);}</pre>
 *
 * <p>Weights are initialised with He-uniform for the ReLU family and Glorot-uniform otherwise; biases with zero.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.METHOD)
public @interface Dense {
  /** The number of output features; positive. */
  int units();

  /** The activation applied after the affine map. */
  Activation activation() default Activation.IDENTITY;

  /** Whether the layer adds a learned bias. */
  boolean bias() default true;

  /** The slope for negative inputs of {@link Activation#LEAKY_RELU} (PyTorch's default); ignored otherwise. */
  float leakySlope() default 0.01f;
}
