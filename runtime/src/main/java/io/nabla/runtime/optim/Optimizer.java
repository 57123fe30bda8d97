package io.nabla.runtime.optim;

import io.nabla.runtime.Parameters;

/**
 * Updates parameters from their gradients. An implementation keeps its configuration (learning rate, betas) apart
 * from its state (moment buffers, step count), allocates that state lazily as flat arrays with the parameters'
 * layout, and is bound to one parameter set. A user-defined optimizer is one method:
 *
 * <pre>{@code
 * Optimizer signSgd = p -> {
 *   float[] w = p.values(), g = p.gradients();
 *   for (int i = 0; i < w.length; i++) w[i] -= 1e-3f * Math.signum(g[i]);
 * };
 * }</pre>
 */
public interface Optimizer {
  /** Applies one update to {@code parameters.values()} from {@code parameters.gradients()}. */
  void step(Parameters parameters);

  /** The learning rate the next step uses, or {@code NaN} for an optimizer without one. */
  default double learningRate() {
    return Double.NaN;
  }

  /**
   * Sets the learning rate of the next steps, as PyTorch's schedulers set {@code param_group["lr"]}.
   *
   * @throws IllegalStateException if the optimizer has no learning rate to set
   */
  default void setLearningRate(double learningRate) {
    throw new IllegalStateException(getClass().getSimpleName() + " has no learning rate that a schedule can set");
  }

  /** The state a checkpoint saves (empty for a stateless optimizer). */
  default OptimizerState state() {
    return OptimizerState.empty();
  }

  /** Restores what {@link #state()} returned, so a resumed run continues exactly. */
  default void restore(OptimizerState state) {
    state.checkKind("none");
  }
}
