package io.nabla;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Declares a network: the annotated interface (or abstract class) lists its layers as abstract methods, each
 * carrying one layer annotation ({@link Input}, {@link Dense}, {@link Add}). A layer names its inputs by its
 * parameters: {@code @Dense(units = 10) Tensor logits(Tensor hidden)} reads the output of layer {@code hidden}.
 *
 * <p>Nabla's annotation processor generates a final class {@code <Model>Net} in the same package (for a nested
 * declaration {@code Outer.Inner}, {@code Outer_InnerNet}) that implements {@code io.nabla.runtime.Model}.
 *
 * <p>The network's output is the one layer no other layer reads.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.TYPE)
public @interface Network {
  /** The training loss, applied to the output layer. */
  Loss loss();
}
