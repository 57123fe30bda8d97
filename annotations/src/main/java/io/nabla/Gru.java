package io.nabla;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A gated recurrent unit over a sequence, as PyTorch's {@code nn.GRU} (one layer, {@code batch_first=True}) and
 * Keras's {@code GRU}: it reads an input of shape {@code (time, features)} step by step, from {@code h = 0},
 *
 * <pre>
 * r = σ(x_t · W_irᵀ + b_ir + h · W_hrᵀ + b_hr)
 * z = σ(x_t · W_izᵀ + b_iz + h · W_hzᵀ + b_hz)
 * n = tanh(x_t · W_inᵀ + b_in + r ⊙ (h · W_hnᵀ + b_hn))
 * h = (1 - z) ⊙ n + z ⊙ h
 * </pre>
 *
 * and outputs the last step's {@code h}, shape {@code (units)}, or with {@link #returnSequences()} every step's,
 * {@code (time, units)}. With {@link #bidirectional()} a second GRU reads the sequence backwards and the two are
 * joined on the last dimension (forward first): {@code (2·units)} holds each direction's final state (PyTorch's
 * {@code h_n}, Keras's {@code Bidirectional}), {@code (time, 2·units)} each step's pair.
 *
 * <pre>{@code @Gru(units = 128) Tensor gru(Tensor rows);}</pre>
 *
 * <p>Its tensors are PyTorch's, with the gates stacked in the order r, z, n: {@code weight_ih_l0}
 * {@code (3·units, features)}, {@code weight_hh_l0} {@code (3·units, units)}, {@code bias_ih_l0} and
 * {@code bias_hh_l0} {@code (3·units)}, and the same with {@code _reverse} for the backward direction, all
 * initialised uniform in ±1/√units as PyTorch does. Training backpropagates through the whole sequence.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.METHOD)
public @interface Gru {
  /** The size of the hidden state; positive. */
  int units();

  /** Whether the output holds every step ({@code (time, units)}) or only the last ({@code (units)}). */
  boolean returnSequences() default false;

  /** Whether a second GRU reads the sequence backwards, doubling the output's last dimension. */
  boolean bidirectional() default false;
}
