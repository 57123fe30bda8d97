package io.nabla.spark;

import java.io.Serializable;
import java.util.Arrays;
import java.util.Objects;

/**
 * One training example, the element of the {@code JavaRDD} that {@link SparkTrainer} trains on: a flat feature
 * vector and either integer class labels (softmax cross-entropy) or float targets (MSE, binary cross-entropy).
 * Only flat arrays, so it serialises small. The arrays are not copied: do not change them afterwards.
 */
public final class Example implements Serializable {
  private static final long serialVersionUID = 1L;

  private final float[] features;
  private final int[] labels;
  private final float[] targets;

  private Example(float[] features, int[] labels, float[] targets) {
    this.features = Objects.requireNonNull(features, "features");
    this.labels = labels;
    this.targets = targets;
  }

  /** An example with one class label. */
  public static Example ofLabel(float[] features, int label) {
    return new Example(features, new int[] {label}, null);
  }

  /** An example with several class labels (one per row of the output's last dimension). */
  public static Example ofLabels(float[] features, int... labels) {
    return new Example(features, Objects.requireNonNull(labels, "labels"), null);
  }

  /** An example with float targets (MSE, binary cross-entropy). */
  public static Example ofTargets(float[] features, float... targets) {
    return new Example(features, null, Objects.requireNonNull(targets, "targets"));
  }

  public float[] features() {
    return features;
  }

  public boolean hasLabels() {
    return labels != null;
  }

  /** The labels, or {@code null} for an example with targets. */
  public int[] labels() {
    return labels;
  }

  /** The targets, or {@code null} for an example with labels. */
  public float[] targets() {
    return targets;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof Example)) {
      return false;
    }
    Example e = (Example) o;
    return Arrays.equals(features, e.features) && Arrays.equals(labels, e.labels)
        && Arrays.equals(targets, e.targets);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(features) * 31 + (labels != null ? Arrays.hashCode(labels) : Arrays.hashCode(targets));
  }

  @Override
  public String toString() {
    return "Example[" + features.length + " features, " + (labels != null ? "labels " + Arrays.toString(labels)
        : "targets " + Arrays.toString(targets)) + "]";
  }
}
