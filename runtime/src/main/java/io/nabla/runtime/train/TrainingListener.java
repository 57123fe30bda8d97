package io.nabla.runtime.train;

/** Called by {@link Trainer#fit} after each epoch (e.g. to print progress or stop early). */
public interface TrainingListener {
  void onEpoch(EpochResult result);
}
