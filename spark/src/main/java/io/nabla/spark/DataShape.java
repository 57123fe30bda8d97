package io.nabla.spark;

import io.nabla.Loss;
import io.nabla.runtime.Model;
import java.io.Serializable;

/**
 * What an example must look like for a model, read on the driver and shipped to the executors (which check every
 * example against it while packing their partition), and the words the error messages use.
 */
final class DataShape implements Serializable {
  private static final long serialVersionUID = 1L;

  final String modelName;
  final String inputName;
  final int featureSize;
  final boolean labels;
  final int targetsPerSample;
  final int classCount;
  final String outputName;
  final Loss loss;

  private DataShape(Model model) {
    this.modelName = model.name();
    this.inputName = model.inputs().get(0).name();
    this.featureSize = model.inputSize();
    this.labels = model.loss() == Loss.SOFTMAX_CROSS_ENTROPY;
    this.targetsPerSample = model.targetsPerSample();
    this.classCount = model.classCount();
    this.outputName = model.output().name();
    this.loss = model.loss();
  }

  /**
   * The shape of {@code model}'s examples.
   *
   * @throws IllegalArgumentException if the model has several inputs (an {@link Example} has one feature vector)
   */
  static DataShape of(Model model) {
    if (model.inputs().size() != 1) {
      throw new IllegalArgumentException("SparkTrainer takes single-input models, as Trainer does; " + model.name()
          + " has " + model.inputs().size() + " inputs");
    }
    return new DataShape(model);
  }

  /**
   * Throws naming {@code where} (partition and row) unless {@code example} fits: its feature count, labels or
   * targets and their count, every label a class of the output, every feature finite.
   */
  void check(Example example, String where) {
    if (example == null) {
      throw new IllegalArgumentException(where + " is null");
    }
    float[] features = example.features();
    if (features.length != featureSize) {
      throw new IllegalArgumentException(where + " has " + features.length + " features, but " + modelName
          + "'s input '" + inputName + "' takes " + featureSize);
    }
    for (int i = 0; i < features.length; i++) {
      if (Float.isNaN(features[i]) || Float.isInfinite(features[i])) {
        throw new IllegalArgumentException(where + " has feature " + i + " = " + features[i]
            + "; features must be finite");
      }
    }
    if (example.hasLabels() != labels) {
      throw new IllegalArgumentException(where + " has " + (example.hasLabels() ? "labels" : "targets") + ", but "
          + modelName + "'s loss " + loss + " takes " + (labels ? "integer labels (Example.ofLabel)"
          : "float targets (Example.ofTargets)"));
    }
    int given = labels ? example.labels().length : example.targets().length;
    if (given != targetsPerSample) {
      throw new IllegalArgumentException(where + " has " + given + (labels ? " labels" : " targets") + ", but "
          + modelName + " takes " + targetsPerSample + " per example");
    }
    if (labels) {
      int[] values = example.labels();
      for (int i = 0; i < values.length; i++) {
        if (values[i] < 0 || values[i] >= classCount) {
          throw new IllegalArgumentException(where + " has label " + values[i] + (values.length > 1 ? " at " + i
              : "") + ", out of range: " + modelName + "'s output '" + outputName + "' has " + classCount
              + " classes (0.." + (classCount - 1) + ")");
        }
      }
    }
  }

  /** {@code "example 37 of partition 1"} (both counted from 0): how messages name an example. */
  static String where(int partition, long row) {
    return "example " + row + " of partition " + partition;
  }
}
