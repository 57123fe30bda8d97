package io.nabla.spark;

import io.nabla.runtime.Model;

/** A model on an executor with its batch buffers, borrowed by one task at a time from {@link ExecutorModels}. */
final class Worker {
  final Model model;
  private final float[] features;
  private final int[] labels;
  private final float[] targets;
  /** Correct predictions of the last {@link #forward}. */
  int correct;

  Worker(Model model, DataShape shape) {
    this.model = model;
    int rows = model.maxBatch();
    this.features = new float[rows * shape.featureSize];
    this.labels = shape.labels ? new int[rows * shape.targetsPerSample] : null;
    this.targets = shape.labels ? null : new float[rows * shape.targetsPerSample];
  }

  /** Overwrites the model's parameters with the driver's. */
  void load(float[] parameters) {
    float[] values = model.parameters().values();
    if (parameters.length != values.length) {
      throw new IllegalStateException("the driver sent " + parameters.length + " parameters for " + model.name()
          + "'s " + values.length);
    }
    System.arraycopy(parameters, 0, values, 0, values.length);
  }

  /**
   * Runs the forward pass and the loss on rows {@code order[from ... from + n)} of {@code block}, counts the
   * correct predictions into {@link #correct}, and returns the mean loss; the backward pass may follow.
   */
  float forward(Block block, int[] order, int from, int n) {
    if (n > model.maxBatch()) {
      throw new IllegalStateException("a share of " + n + " examples exceeds the executor model's maxBatch "
          + model.maxBatch() + " (a bug in the batch plan)");
    }
    block.gather(order, from, n, features, labels, targets);
    model.forward(features, n);
    float loss = labels != null ? model.loss(labels, n) : model.loss(targets, n);
    correct = model.countCorrect(labels, targets, n);
    return loss;
  }
}
