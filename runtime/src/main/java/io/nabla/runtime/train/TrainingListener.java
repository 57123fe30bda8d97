package io.nabla.runtime.train;

/**
 * Called by {@link Trainer#fit}: after every epoch (the one method to write, so a lambda will do) and, if
 * overridden, at the start and end of training and after every batch.
 */
public interface TrainingListener {
  /** After each epoch, with its losses and metrics. */
  void onEpoch(EpochResult result);

  /** Before the first epoch. */
  default void onTrainBegin(int epochs, int stepsPerEpoch, int samplesPerEpoch) {}

  /** After each optimizer step. */
  default void onBatch(BatchResult result) {}

  /** After the last epoch, or when early stopping ends training. */
  default void onTrainEnd(History history) {}
}
