package io.nabla;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A long short-term memory layer over a sequence, as PyTorch's {@code nn.LSTM} (one layer,
 * {@code batch_first=True}) and Keras's {@code LSTM}: it reads an input of shape {@code (time, features)} step by
 * step, from {@code h = c = 0},
 *
 * <pre>
 * i, f, g, o = σ, σ, tanh, σ of the four blocks of x_t · W_ihᵀ + b_ih + h · W_hhᵀ + b_hh
 * c = f ⊙ c + i ⊙ g
 * h = o ⊙ tanh(c)
 * </pre>
 *
 * and outputs the last step's {@code h}, shape {@code (units)}, or with {@link #returnSequences()} every step's,
 * {@code (time, units)}. With {@link #bidirectional()} a second LSTM reads the sequence backwards and the two are
 * joined on the last dimension (forward first): {@code (2·units)} holds each direction's final state (PyTorch's
 * {@code h_n}, Keras's {@code Bidirectional}), {@code (time, 2·units)} each step's pair.
 *
 * <pre>{@code @Lstm(units = 128) Tensor lstm(Tensor rows);}</pre>
 *
 * <p>Its tensors are PyTorch's, with the gates stacked in the order i, f, g, o: {@code weight_ih_l0}
 * {@code (4·units, features)}, {@code weight_hh_l0} {@code (4·units, units)}, {@code bias_ih_l0} and
 * {@code bias_hh_l0} {@code (4·units)}, and the same with {@code _reverse} for the backward direction, all
 * initialised uniform in ±1/√units as PyTorch does. Training backpropagates through the whole sequence.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.METHOD)
public @interface Lstm {
  /** The size of the hidden (and cell) state; positive. */
  int units();

  /** Whether the output holds every step ({@code (time, units)}) or only the last ({@code (units)}). */
  boolean returnSequences() default false;

  /** Whether a second LSTM reads the sequence backwards, doubling the output's last dimension. */
  boolean bidirectional() default false;
}
