package io.nabla.runtime.train;

import io.nabla.runtime.Rng;
import java.util.Arrays;

/**
 * Examples in flat arrays: {@code count} samples of {@code featureSize} floats, and either integer labels
 * ({@code labelsPerSample} each, for softmax cross-entropy) or float targets ({@code targetSize} each, for MSE
 * and binary cross-entropy). Immutable by convention: the arrays are not copied, so do not change them.
 */
public final class Dataset {
  private final float[] features;
  private final int featureSize;
  private final int count;
  private final int[] labels;
  private final float[] targets;
  private final int targetsPerSample;

  private Dataset(float[] features, int featureSize, int[] labels, float[] targets, int targetsPerSample) {
    if (featureSize < 1 || features.length % featureSize != 0) {
      throw new IllegalArgumentException(
          features.length + " feature values do not split into samples of " + featureSize);
    }
    this.features = features;
    this.featureSize = featureSize;
    this.count = features.length / featureSize;
    this.labels = labels;
    this.targets = targets;
    this.targetsPerSample = targetsPerSample;
    int given = labels != null ? labels.length : targets.length;
    if (given != (long) count * targetsPerSample) {
      throw new IllegalArgumentException(count + " samples need " + (long) count * targetsPerSample
          + (labels != null ? " labels" : " targets") + " (" + targetsPerSample + " each), got " + given);
    }
  }

  /** Samples with one integer class label each. */
  public static Dataset ofLabels(float[] features, int featureSize, int[] labels) {
    return new Dataset(features, featureSize, labels, null, 1);
  }

  /** Samples with {@code labelsPerSample} integer labels each (e.g. one per time step). */
  public static Dataset ofLabels(float[] features, int featureSize, int[] labels, int labelsPerSample) {
    return new Dataset(features, featureSize, labels, null, labelsPerSample);
  }

  /** Samples with {@code targetSize} float targets each. */
  public static Dataset ofTargets(float[] features, int featureSize, float[] targets, int targetSize) {
    return new Dataset(features, featureSize, null, targets, targetSize);
  }

  public int size() {
    return count;
  }

  public int featureSize() {
    return featureSize;
  }

  public boolean hasLabels() {
    return labels != null;
  }

  /** Labels, or floats targets, per sample. */
  public int targetsPerSample() {
    return targetsPerSample;
  }

  public float[] features() {
    return features;
  }

  /** The labels, or {@code null} for a dataset of float targets. */
  public int[] labels() {
    return labels;
  }

  /** The float targets, or {@code null} for a dataset of labels. */
  public float[] targets() {
    return targets;
  }

  /** The samples at {@code indices}, in that order, copied. */
  public Dataset subset(int[] indices) {
    float[] f = new float[indices.length * featureSize];
    int[] l = labels == null ? null : new int[indices.length * targetsPerSample];
    float[] t = targets == null ? null : new float[indices.length * targetsPerSample];
    for (int i = 0; i < indices.length; i++) {
      gather(indices[i], i, f, l, t);
    }
    return new Dataset(f, featureSize, l, t, targetsPerSample);
  }

  /**
   * Shuffles with {@code seed} and splits: the first part holds {@code round(fraction · size)} samples, the
   * second the rest. The same seed gives the same split.
   */
  public Dataset[] split(double fraction, long seed) {
    if (!(fraction > 0 && fraction < 1)) {
      throw new IllegalArgumentException("split fraction must be in (0, 1), got " + fraction);
    }
    int[] order = new int[count];
    for (int i = 0; i < count; i++) {
      order[i] = i;
    }
    new Rng(seed).shuffle(order);
    int first = (int) Math.round(fraction * count);
    return new Dataset[] {subset(Arrays.copyOfRange(order, 0, first)),
        subset(Arrays.copyOfRange(order, first, count))};
  }

  /**
   * Copies sample {@code index} to position {@code slot} of batch buffers (any of them may be {@code null}):
   * how a trainer fills its reused batch without allocating.
   */
  public void gather(int index, int slot, float[] batchFeatures, int[] batchLabels, float[] batchTargets) {
    if (index < 0 || index >= count) {
      throw new IndexOutOfBoundsException("sample " + index + " of a dataset of " + count);
    }
    if (batchFeatures != null) {
      System.arraycopy(features, index * featureSize, batchFeatures, slot * featureSize, featureSize);
    }
    if (batchLabels != null && labels != null) {
      System.arraycopy(labels, index * targetsPerSample, batchLabels, slot * targetsPerSample, targetsPerSample);
    }
    if (batchTargets != null && targets != null) {
      System.arraycopy(targets, index * targetsPerSample, batchTargets, slot * targetsPerSample,
          targetsPerSample);
    }
  }

  /** Scales every feature by {@code factor} (e.g. 1/255 for bytes), in a copy. */
  public Dataset scaled(float factor) {
    float[] f = features.clone();
    for (int i = 0; i < f.length; i++) {
      f[i] *= factor;
    }
    return new Dataset(f, featureSize, labels, targets, targetsPerSample);
  }
}
