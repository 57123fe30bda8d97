package io.nabla.spark;

import io.nabla.runtime.optim.Optimizer;
import java.io.Serializable;

/**
 * Makes the optimizer, on the driver and (in averaging mode) on the executors, which is why the trainer takes a
 * factory rather than an instance: {@code () -> Adam.of(1e-3)}. Each call must return a new optimizer with the same
 * settings.
 */
@FunctionalInterface
public interface OptimizerFactory extends Serializable {
  /** A new optimizer, without state. */
  Optimizer create();
}
