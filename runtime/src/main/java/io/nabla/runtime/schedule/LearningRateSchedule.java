package io.nabla.runtime.schedule;

import io.nabla.runtime.optim.Optimizer;
import java.util.Collections;
import java.util.Map;

/**
 * A learning rate as a function of training progress, driven by the training loop:
 *
 * <pre>{@code
 * LearningRateSchedule schedule = Schedules.cosine(100);          // advances once per epoch
 * long step = 0;
 * for (int epoch = 0; epoch < 100; epoch++) {
 *   for (...each batch...) {
 *     schedule.apply(optimizer, step, epoch);                     // sets the rate this step uses
 *     ...forward, loss, backward...
 *     optimizer.step(model.parameters());
 *     step++;
 *   }
 *   schedule.observe(validationLoss);                             // only ReduceOnPlateau uses it
 * }
 * }</pre>
 *
 * <p><b>Positions.</b> {@code step} is the number of optimizer steps already taken in the run (0 for the first),
 * {@code epoch} the number of epochs already completed (0 during the first). A schedule's {@link #unit()} says
 * which of the two it follows; the other is ignored. Calling {@link #apply} before every optimizer step is
 * always right: an epoch schedule then gives the same rate for a whole epoch. At position {@code t} a schedule
 * gives the rate a PyTorch scheduler holds after {@code t} calls of {@code scheduler.step()}, so a per-epoch
 * schedule matches PyTorch's {@code for epoch: train(); scheduler.step()} and a per-step one matches calling
 * {@code scheduler.step()} after every {@code optimizer.step()}.
 *
 * <p><b>Base learning rate.</b> As PyTorch's {@code initial_lr}: the optimizer's {@link Optimizer#learningRate()}
 * when the schedule is first applied, unless given explicitly. It is part of {@link #state()}, so a resumed run
 * does not mistake an already scheduled rate for the base.
 *
 * <p>A schedule is bound to one optimizer, as a PyTorch scheduler is. Implementations: {@link Schedules}.
 */
public interface LearningRateSchedule {

  /** What a schedule's position counts. */
  enum Unit {
    /** Epochs completed: PyTorch's usual {@code scheduler.step()} once per epoch. */
    EPOCH,
    /** Optimizer steps (batches) taken: {@code scheduler.step()} after every {@code optimizer.step()}. */
    STEP
  }

  /** Whether this schedule advances once per epoch or once per optimizer step. */
  Unit unit();

  /**
   * The learning rate at this position (see the class comment); does not touch any optimizer.
   *
   * @throws IllegalStateException if the base learning rate is needed but not known yet (neither given nor read
   *     from an optimizer by {@link #apply})
   * @throws IllegalArgumentException if {@code step} or {@code epoch} is negative, or past the end of a schedule
   *     that has one
   */
  double learningRate(long step, int epoch);

  /**
   * Sets {@code optimizer}'s learning rate to the one at this position and returns it. Implementations that need
   * a base learning rate read it from {@code optimizer.learningRate()} on the first call if it was not given.
   */
  default double apply(Optimizer optimizer, long step, int epoch) {
    double rate = learningRate(step, epoch);
    optimizer.setLearningRate(rate);
    return rate;
  }

  /**
   * Reports the monitored metric at the end of an epoch (e.g. the validation loss), as PyTorch's
   * {@code ReduceLROnPlateau.step(metric)}. Schedules that do not depend on a metric ignore it.
   */
  default void observe(double metric) {}

  /** What a checkpoint must save to continue this schedule exactly (positions are the caller's to save). */
  default Map<String, Double> state() {
    return Collections.emptyMap();
  }

  /**
   * Restores what {@link #state()} returned.
   *
   * @throws IllegalArgumentException if the map has a key this schedule does not keep, or lacks one it needs
   */
  default void restore(Map<String, Double> state) {
    if (!state.isEmpty()) {
      throw new IllegalArgumentException(getClass().getSimpleName() + " keeps no state, but was given "
          + state.keySet());
    }
  }
}
