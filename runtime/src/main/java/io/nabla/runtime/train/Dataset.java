package io.nabla.runtime.train;

import io.nabla.runtime.Rng;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * Examples in flat arrays: {@code count} samples of {@code featureSize} floats, and either integer labels
 * ({@code labelsPerSample} each, for softmax cross-entropy) or float targets ({@code targetSize} each, for MSE
 * and binary cross-entropy). Immutable by convention: the arrays are not copied, so do not change them.
 *
 * <p>Every method that makes a dataset from another ({@link #split(double, double, long)}, {@link #shuffled(long)},
 * {@link #take(int)}, {@link #range(int, int)}, {@link #subset(int[])}, {@link #concat(Dataset...)},
 * {@link #scaled(float)}) returns a copy, never a view: a dataset's arrays always start at its first sample, so
 * that trainers and models can index them directly.
 */
public final class Dataset {
  private final float[] features;
  private final int featureSize;
  private final int count;
  private final int @Nullable [] labels;
  private final float @Nullable [] targets;
  private final int targetsPerSample;

  private Dataset(float[] features, int featureSize, int @Nullable [] labels, float @Nullable [] targets,
      int targetsPerSample) {
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
  public int @Nullable [] labels() {
    return labels;
  }

  /** The float targets, or {@code null} for a dataset of labels. */
  public float @Nullable [] targets() {
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
    int[] order = permutation(seed);
    int first = (int) Math.round(fraction * count);
    return new Dataset[] {subset(Arrays.copyOfRange(order, 0, first)),
        subset(Arrays.copyOfRange(order, first, count))};
  }

  /**
   * Shuffles with {@code seed} and splits into training, validation and test parts, as scikit-learn's
   * {@code train_test_split} applied twice or PyTorch's {@code random_split} would:
   * {@code data.split(0.8, 0.1, 42)} keeps 80 % for training, 10 % for validation and the remaining 10 % for
   * testing. The training part holds {@code round(trainFraction · size)} samples, the first two parts together
   * {@code round((trainFraction + validationFraction) · size)}, the test part the rest; so the sizes always add
   * up, and the training part (and the validation and test parts taken together) are the same samples as
   * {@link #split(double, long) split(trainFraction, seed)} gives. The same seed gives the same split.
   *
   * @param trainFraction in (0, 1]
   * @param validationFraction in [0, 1 − trainFraction]; the test part gets 1 − trainFraction −
   *     validationFraction, which may be 0
   */
  public Split split(double trainFraction, double validationFraction, long seed) {
    double sum = trainFraction + validationFraction;
    if (!(trainFraction > 0 && validationFraction >= 0 && sum <= 1 + 1e-9)) {
      throw new IllegalArgumentException("split fractions must be train in (0, 1] and validation in [0, 1 - train]"
          + ", got train " + trainFraction + " and validation " + validationFraction);
    }
    int[] order = permutation(seed);
    int trainEnd = (int) Math.round(trainFraction * count);
    int validationEnd = Math.max(trainEnd, Math.min(count, (int) Math.round(Math.min(sum, 1) * count)));
    return new Split(subset(Arrays.copyOfRange(order, 0, trainEnd)),
        subset(Arrays.copyOfRange(order, trainEnd, validationEnd)),
        subset(Arrays.copyOfRange(order, validationEnd, count)));
  }

  /** The three parts of {@link #split(double, double, long)}. */
  public static final class Split {
    private final Dataset train;
    private final Dataset validation;
    private final Dataset test;

    Split(Dataset train, Dataset validation, Dataset test) {
      this.train = train;
      this.validation = validation;
      this.test = test;
    }

    /** The samples to train on. */
    public Dataset train() {
      return train;
    }

    /** The samples to watch while training (model selection, early stopping); may be empty. */
    public Dataset validation() {
      return validation;
    }

    /** The samples held out for the final measure; may be empty. */
    public Dataset test() {
      return test;
    }

    @Override
    public String toString() {
      return "Split[train " + train.size() + ", validation " + validation.size() + ", test " + test.size() + "]";
    }
  }

  /**
   * All the samples in an order shuffled with {@code seed}, copied; the same seed gives the same order, and
   * {@link #split(double, long)} with that seed cuts this order in two.
   */
  public Dataset shuffled(long seed) {
    return subset(permutation(seed));
  }

  /** {@code 0, 1, …, size − 1} shuffled with {@code seed}. */
  private int[] permutation(long seed) {
    int[] order = new int[count];
    for (int i = 0; i < count; i++) {
      order[i] = i;
    }
    new Rng(seed).shuffle(order);
    return order;
  }

  /**
   * The first {@code n} samples, or all of them if there are fewer, copied (as {@code tf.data}'s {@code take}):
   * a quick way to try a model on a small part of the data.
   */
  public Dataset take(int n) {
    if (n < 0) {
      throw new IllegalArgumentException("cannot take " + n + " samples");
    }
    return range(0, Math.min(n, count));
  }

  /** Samples {@code from} (inclusive) to {@code to} (exclusive), copied. */
  public Dataset range(int from, int to) {
    if (from < 0 || to > count || from > to) {
      throw new IndexOutOfBoundsException("samples " + from + " to " + to + " of a dataset of " + count);
    }
    return new Dataset(Arrays.copyOfRange(features, from * featureSize, to * featureSize), featureSize,
        labels == null ? null : Arrays.copyOfRange(labels, from * targetsPerSample, to * targetsPerSample),
        targets == null ? null : Arrays.copyOfRange(targets, from * targetsPerSample, to * targetsPerSample),
        targetsPerSample);
  }

  /**
   * This dataset's samples followed by those of {@code others}, in order, copied ({@code train.concat(extra)},
   * as {@code tf.data}'s {@code concatenate}). The datasets must agree: the same feature size, all labels or all
   * targets, and the same number of them per sample.
   */
  public Dataset concat(Dataset... others) {
    Dataset[] parts = new Dataset[others.length + 1];
    parts[0] = this;
    System.arraycopy(others, 0, parts, 1, others.length);
    Dataset first = this;
    long samples = 0;
    for (int p = 0; p < parts.length; p++) {
      Dataset d = parts[p];
      if (d.featureSize != first.featureSize || d.hasLabels() != first.hasLabels()
          || d.targetsPerSample != first.targetsPerSample) {
        throw new IllegalArgumentException("cannot append dataset " + p + " of " + others.length + " ("
            + d.describe() + ") to this one (" + first.describe() + ")");
      }
      samples += d.count;
    }
    if (samples * Math.max(first.featureSize, first.targetsPerSample) > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException(samples + " samples of " + first.describe()
          + " are more than a Java array can hold");
    }
    int n = (int) samples;
    float[] f = new float[n * first.featureSize];
    int[] l = first.labels == null ? null : new int[n * first.targetsPerSample];
    float[] t = first.targets == null ? null : new float[n * first.targetsPerSample];
    int at = 0;
    for (Dataset d : parts) {
      System.arraycopy(d.features, 0, f, at * d.featureSize, d.features.length);
      if (l != null) {
        System.arraycopy(d.labels, 0, l, at * d.targetsPerSample, d.labels.length);
      } else {
        System.arraycopy(d.targets, 0, t, at * d.targetsPerSample, d.targets.length);
      }
      at += d.count;
    }
    return new Dataset(f, first.featureSize, l, t, first.targetsPerSample);
  }

  /**
   * How many times each class label occurs: element {@code c} counts label {@code c}, for {@code c} from 0 to the
   * largest label (an empty array for an empty dataset). With several labels per sample, every label counts.
   *
   * @throws IllegalStateException for a dataset of float targets
   * @throws IllegalArgumentException if a label is negative
   */
  public int[] labelCounts() {
    if (labels == null) {
      throw new IllegalStateException("a dataset of float targets has no labels to count");
    }
    int max = -1;
    for (int i = 0; i < labels.length; i++) {
      int label = labels[i];
      if (label < 0) {
        throw new IllegalArgumentException("label " + label + " at index " + i + " is negative");
      }
      max = Math.max(max, label);
    }
    int[] counts = new int[max + 1];
    for (int label : labels) {
      counts[label]++;
    }
    return counts;
  }

  /**
   * Copies sample {@code index} to position {@code slot} of batch buffers (any of them may be {@code null}):
   * how a trainer fills its reused batch without allocating.
   */
  public void gather(int index, int slot, float @Nullable [] batchFeatures, int @Nullable [] batchLabels,
      float @Nullable [] batchTargets) {
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

  /**
   * Elements {@code [start, end)} of a batch's features whose slot {@code s} holds sample {@code order[from + s]}:
   * part of what {@link #gather} copies, for a trainer that splits the copy over threads. The indices must have
   * been checked (by {@link #gather}).
   */
  void gatherFeatures(int[] order, int from, float[] batchFeatures, int start, int end) {
    int e = start;
    while (e < end) {
      int slot = e / featureSize;
      int within = e - slot * featureSize;
      int length = Math.min(featureSize - within, end - e);
      System.arraycopy(features, order[from + slot] * featureSize + within, batchFeatures, e, length);
      e += length;
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

  /** {@code "10 features and 1 label"}, for messages. */
  private String describe() {
    return featureSize + (featureSize == 1 ? " feature" : " features") + " and " + targetsPerSample
        + (labels != null ? (targetsPerSample == 1 ? " label" : " labels") : (targetsPerSample == 1 ? " target"
        : " targets")) + " per sample";
  }

  /** {@code "Dataset[150 samples, 4 features and 1 label per sample]"}. */
  @Override
  public String toString() {
    return "Dataset[" + count + (count == 1 ? " sample, " : " samples, ") + describe() + "]";
  }
}
