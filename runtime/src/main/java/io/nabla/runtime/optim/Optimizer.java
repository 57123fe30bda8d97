package io.nabla.runtime.optim;

import io.nabla.runtime.Parameters;

/**
 * Updates parameters from their gradients. An implementation keeps its configuration (learning rate, betas) apart
 * from its state (moment buffers, step count), allocates that state lazily as flat arrays with the parameters'
 * layout, and is bound to one parameter set. Built in, with PyTorch's update rules, defaults and state names:
 * {@link Sgd}, {@link Adam}, {@link AdamW}, {@link RmsProp} and {@link AdaGrad}, each with per-layer or per-kind
 * {@link ParameterGroup}s; {@link GradientClipping} clips the gradients before a step. A user-defined optimizer is
 * one method:
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

  /**
   * {@link #step} and then every gradient set to zero, as PyTorch's {@code optimizer.step()} followed by
   * {@code optimizer.zero_grad()}: the {@link io.nabla.runtime.train.Trainer} ends each training step with it, so
   * the next backward pass finds the gradients zero without a pass of its own. The built-in optimizers clear each
   * gradient right after reading it, while it is still in cache (at batch 1, where the step is memory traffic,
   * that saves most of a separate zeroing pass); the values they write are the same as {@link #step}'s. This
   * default runs {@link #step} and then {@link Parameters#zeroGradients()}.
   */
  default void stepAndZeroGradients(Parameters parameters) {
    step(parameters);
    parameters.zeroGradients();
  }

  /** The learning rate the next step uses, or {@code NaN} for an optimizer without one. */
  default double learningRate() {
    return Double.NaN;
  }

  /**
   * Sets the learning rate of the next steps, as PyTorch's schedulers set {@code param_group["lr"]}. With
   * {@link ParameterGroup}s, this is the learning rate of the default group and of every group that sets none of
   * its own; groups with their own learning rate keep it (use {@link #scaleLearningRates(double)} to move them
   * all).
   *
   * @throws IllegalStateException if the optimizer has no learning rate to set
   */
  default void setLearningRate(double learningRate) {
    throw new IllegalStateException(getClass().getSimpleName() + " has no learning rate that a schedule can set");
  }

  /**
   * Sets every learning rate to its initial value times {@code factor}: the optimizer's own and that of each
   * {@link ParameterGroup} with a learning rate of its own, as PyTorch's schedulers set
   * {@code group["lr"] = group["initial_lr"] · factor} for every group. {@link #setLearningRate(double)}, by
   * contrast, leaves the groups that set their own learning rate alone. Without groups the two agree:
   * {@code scaleLearningRates(f)} is {@code setLearningRate(initial · f)}.
   *
   * @throws IllegalStateException if the optimizer has no learning rates to scale
   * @throws IllegalArgumentException if {@code factor} is negative, infinite or NaN
   */
  default void scaleLearningRates(double factor) {
    throw new IllegalStateException(getClass().getSimpleName() + " has no learning rates that a schedule can scale");
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
