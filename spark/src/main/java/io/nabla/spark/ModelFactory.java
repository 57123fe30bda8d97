package io.nabla.spark;

import io.nabla.runtime.Model;
import java.io.Serializable;

/**
 * Makes the network on the executors, where the driver's {@link Model} cannot go (a model is not serializable, by
 * design: it holds buffers sized for a batch). A generated network's constructor is one:
 * {@code DigitsMlpNet::new}. The trainer chooses {@code maxBatch}, the largest share of a batch one partition
 * computes; the parameters it starts from are overwritten with the driver's every step, so the factory need not
 * initialise them.
 */
@FunctionalInterface
public interface ModelFactory extends Serializable {
  /** A new network for batches of up to {@code maxBatch} samples. */
  Model create(int maxBatch);
}
