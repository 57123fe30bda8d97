package io.nabla;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * An Elman recurrent layer over a sequence, as PyTorch's {@code nn.RNN} (one layer, tanh,
 * {@code batch_first=True}) and Keras's {@code SimpleRNN}: it reads an input of shape {@code (time, features)}
 * step by step, from {@code h = 0},
 *
 * <pre>
 * h = tanh(x_t · W_ihᵀ + b_ih + h · W_hhᵀ + b_hh)
 * </pre>
 *
 * and outputs the last step's {@code h}, shape {@code (units)}, or with {@link #returnSequences()} every step's,
 * {@code (time, units)}. With {@link #bidirectional()} a second layer reads the sequence backwards and the two are
 * joined on the last dimension (forward first): {@code (2·units)} holds each direction's final state (PyTorch's
 * {@code h_n}, Keras's {@code Bidirectional}), {@code (time, 2·units)} each step's pair.
 *
 * <pre>{@code @SimpleRnn(units = 64, returnSequences = true) Tensor rnn(Tensor steps);}</pre>
 *
 * <p>Its tensors are PyTorch's: {@code weight_ih_l0} {@code (units, features)}, {@code weight_hh_l0}
 * {@code (units, units)}, {@code bias_ih_l0} and {@code bias_hh_l0} {@code (units)}, and the same with
 * {@code _reverse} for the backward direction, all initialised uniform in ±1/√units as PyTorch does. Training
 * backpropagates through the whole sequence.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.METHOD)
public @interface SimpleRnn {
  /** The size of the hidden state; positive. */
  int units();

  /** Whether the output holds every step ({@code (time, units)}) or only the last ({@code (units)}). */
  boolean returnSequences() default false;

  /** Whether a second layer reads the sequence backwards, doubling the output's last dimension. */
  boolean bidirectional() default false;
}
