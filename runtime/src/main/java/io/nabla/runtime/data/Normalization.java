package io.nabla.runtime.data;

import io.nabla.runtime.train.Dataset;
import java.util.Arrays;

/**
 * Per-feature normalisation of inputs, fitted on the training data and then applied, unchanged, to the
 * validation and test data and to the inputs of the trained model, so that no statistic of held-out data leaks
 * into training and predictions see inputs scaled exactly as in training:
 *
 * <pre>
 * Dataset.Split split = data.split(0.8, 0.1, 42);
 * Normalization norm = Normalization.fitStandard(split.train());
 * Dataset train = norm.apply(split.train());
 * Dataset validation = norm.apply(split.validation());
 * // save norm.mean() and norm.std() beside the weights; at prediction time:
 * Normalization same = Normalization.ofMeanStd(mean, std);
 * same.applyInPlace(input, 1);                      // no allocation
 * </pre>
 *
 * <p>Two kinds, as scikit-learn's {@code StandardScaler} and {@code MinMaxScaler}:
 *
 * <ul>
 *   <li>{@link Kind#STANDARD}: {@code x' = (x − mean) / std}, with the <em>population</em> standard deviation
 *       (dividing by n, as NumPy's {@code std}, scikit-learn and Keras's {@code Normalization} layer; PyTorch's
 *       {@code torch.std} divides by n − 1 by default). Training features get mean 0 and standard deviation 1.
 *   <li>{@link Kind#MIN_MAX}: {@code x' = (x − min) / (max − min)}. Training features land in [0, 1]; other data
 *       may fall outside, it is not clipped.
 * </ul>
 *
 * <p>Constant features (the eps guard): when a feature's spread ({@code std}, or {@code max − min}) is below
 * {@link Float#MIN_NORMAL} (about 1.2e-38), the divisor is 1 instead, so the feature becomes {@code x − mean} (or
 * {@code x − min}): 0 on the training data, and never NaN or infinite, as scikit-learn does. The statistics are
 * computed from the float values in double precision, so a constant feature has a spread of exactly 0, and any
 * feature that does vary, however little, is scaled. {@link #std()} and {@link #max()} report the fitted values;
 * {@link #ofMeanStd} and {@link #ofMinMax} apply the same rule, so a restored normalisation behaves
 * identically.
 *
 * <p>Statistics are computed in double precision in two passes (mean, then squared deviations) and stored as
 * floats; normalising computes {@code (x − center) / divisor} in float. Instances are immutable.
 */
public final class Normalization {
  /** Which formula a normalisation applies. */
  public enum Kind {
    /** {@code (x − mean) / std}. */
    STANDARD,
    /** {@code (x − min) / (max − min)}. */
    MIN_MAX
  }

  private final Kind kind;
  /** Mean or min. */
  private final float[] first;
  /** Std or max. */
  private final float[] second;
  /** Subtracted: the mean or the min. */
  private final float[] center;
  /** Divided by: the std or max − min, or 1 for a constant feature. */
  private final float[] divisor;

  private Normalization(Kind kind, float[] first, float[] second) {
    this.kind = kind;
    this.first = first;
    this.second = second;
    int n = first.length;
    this.center = first.clone();
    this.divisor = new float[n];
    for (int j = 0; j < n; j++) {
      double spread = kind == Kind.STANDARD ? second[j] : (double) second[j] - first[j];
      float d = (float) Math.min(spread, Float.MAX_VALUE);
      divisor[j] = d < Float.MIN_NORMAL ? 1f : d;
    }
  }

  /**
   * Fits a {@link Kind#STANDARD} normalisation to {@code train}: each feature's mean and population standard
   * deviation.
   *
   * @throws IllegalArgumentException if {@code train} is empty or holds a NaN or infinite feature value
   */
  public static Normalization fitStandard(Dataset train) {
    int n = train.size();
    int size = train.featureSize();
    float[] f = checkFinite(train);
    double[] sum = new double[size];
    for (int s = 0, at = 0; s < n; s++) {
      for (int j = 0; j < size; j++) {
        sum[j] += f[at++];
      }
    }
    double[] mean = new double[size];
    for (int j = 0; j < size; j++) {
      mean[j] = sum[j] / n;
    }
    double[] squares = new double[size];
    for (int s = 0, at = 0; s < n; s++) {
      for (int j = 0; j < size; j++) {
        double d = f[at++] - mean[j];
        squares[j] += d * d;
      }
    }
    float[] m = new float[size];
    float[] sd = new float[size];
    for (int j = 0; j < size; j++) {
      m[j] = (float) mean[j];
      sd[j] = (float) Math.sqrt(squares[j] / n);
    }
    return new Normalization(Kind.STANDARD, m, sd);
  }

  /**
   * Fits a {@link Kind#MIN_MAX} normalisation to {@code train}: each feature's smallest and largest value.
   *
   * @throws IllegalArgumentException if {@code train} is empty or holds a NaN or infinite feature value
   */
  public static Normalization fitMinMax(Dataset train) {
    int n = train.size();
    int size = train.featureSize();
    float[] f = checkFinite(train);
    float[] min = Arrays.copyOf(f, size);
    float[] max = Arrays.copyOf(f, size);
    for (int s = 1, at = size; s < n; s++) {
      for (int j = 0; j < size; j++, at++) {
        float v = f[at];
        if (v < min[j]) {
          min[j] = v;
        }
        if (v > max[j]) {
          max[j] = v;
        }
      }
    }
    return new Normalization(Kind.MIN_MAX, min, max);
  }

  /**
   * A {@link Kind#STANDARD} normalisation from saved statistics (e.g. {@link #mean()} and {@link #std()} of a
   * fitted one); the arrays are copied.
   *
   * @throws IllegalArgumentException unless both have the same positive length, the means are finite and the
   *     standard deviations finite and non-negative
   */
  public static Normalization ofMeanStd(float[] mean, float[] std) {
    checkLengths(mean, std, "mean", "std");
    for (int j = 0; j < mean.length; j++) {
      if (!isFinite(mean[j]) || !isFinite(std[j]) || std[j] < 0) {
        throw new IllegalArgumentException("feature " + j + " has mean " + mean[j] + " and std " + std[j]
            + "; a mean must be finite and a std finite and non-negative");
      }
    }
    return new Normalization(Kind.STANDARD, mean.clone(), std.clone());
  }

  /**
   * A {@link Kind#MIN_MAX} normalisation from saved bounds (e.g. {@link #min()} and {@link #max()} of a fitted
   * one); the arrays are copied.
   *
   * @throws IllegalArgumentException unless both have the same positive length and each min is finite and at
   *     most its finite max
   */
  public static Normalization ofMinMax(float[] min, float[] max) {
    checkLengths(min, max, "min", "max");
    for (int j = 0; j < min.length; j++) {
      if (!isFinite(min[j]) || !isFinite(max[j]) || min[j] > max[j]) {
        throw new IllegalArgumentException("feature " + j + " has min " + min[j] + " and max " + max[j]
            + "; both must be finite, the min at most the max");
      }
    }
    return new Normalization(Kind.MIN_MAX, min.clone(), max.clone());
  }

  /** Which formula this normalisation applies. */
  public Kind kind() {
    return kind;
  }

  /** The number of features it normalises. */
  public int featureSize() {
    return first.length;
  }

  /**
   * The fitted mean of each feature (a copy).
   *
   * @throws IllegalStateException for a {@link Kind#MIN_MAX} normalisation
   */
  public float[] mean() {
    requireKind(Kind.STANDARD, "mean()");
    return first.clone();
  }

  /**
   * The fitted population standard deviation of each feature (a copy), as computed: 0 for a constant feature,
   * which is divided by 1 instead.
   *
   * @throws IllegalStateException for a {@link Kind#MIN_MAX} normalisation
   */
  public float[] std() {
    requireKind(Kind.STANDARD, "std()");
    return second.clone();
  }

  /**
   * The fitted smallest value of each feature (a copy).
   *
   * @throws IllegalStateException for a {@link Kind#STANDARD} normalisation
   */
  public float[] min() {
    requireKind(Kind.MIN_MAX, "min()");
    return first.clone();
  }

  /**
   * The fitted largest value of each feature (a copy).
   *
   * @throws IllegalStateException for a {@link Kind#STANDARD} normalisation
   */
  public float[] max() {
    requireKind(Kind.MIN_MAX, "max()");
    return second.clone();
  }

  /**
   * {@code data} with its features normalised, in a new dataset that shares {@code data}'s labels or targets.
   *
   * @throws IllegalArgumentException if {@code data}'s feature size is not this normalisation's
   */
  public Dataset apply(Dataset data) {
    if (data.featureSize() != featureSize()) {
      throw new IllegalArgumentException("this normalisation was fitted to " + featureSize()
          + " features, the dataset has " + data.featureSize());
    }
    float[] f = data.features().clone();
    applyInPlace(f, data.size());
    return data.hasLabels() ? Dataset.ofLabels(f, data.featureSize(), data.labels(), data.targetsPerSample())
        : Dataset.ofTargets(f, data.featureSize(), data.targets(), data.targetsPerSample());
  }

  /**
   * Normalises the first {@code count} samples of {@code features} ({@link #featureSize()} floats each, one
   * after the other) in place, without allocating: for inputs at prediction time.
   *
   * @throws IllegalArgumentException if {@code features} holds fewer than {@code count} samples
   */
  public void applyInPlace(float[] features, int count) {
    int size = first.length;
    if (count < 0 || (long) count * size > features.length) {
      throw new IllegalArgumentException(count + " samples of " + size + " features need " + (long) count * size
          + " values, the array holds " + features.length);
    }
    float[] c = center;
    float[] d = divisor;
    for (int s = 0, at = 0; s < count; s++) {
      for (int j = 0; j < size; j++, at++) {
        features[at] = (features[at] - c[j]) / d[j];
      }
    }
  }

  @Override
  public String toString() {
    return "Normalization[" + (kind == Kind.STANDARD ? "standard" : "min-max") + ", " + first.length
        + (first.length == 1 ? " feature]" : " features]");
  }

  private void requireKind(Kind wanted, String accessor) {
    if (kind != wanted) {
      throw new IllegalStateException("a " + (kind == Kind.STANDARD ? "standard normalisation has mean() and std()"
          : "min-max normalisation has min() and max()") + ", not " + accessor);
    }
  }

  /** {@code train}'s features, after checking that there is at least one sample and every value is finite. */
  private static float[] checkFinite(Dataset train) {
    if (train.size() == 0) {
      throw new IllegalArgumentException("cannot fit a normalisation to an empty dataset");
    }
    float[] f = train.features();
    for (int i = 0; i < f.length; i++) {
      if (!isFinite(f[i])) {
        throw new IllegalArgumentException("feature " + i % train.featureSize() + " of sample "
            + i / train.featureSize() + " is " + f[i] + "; a normalisation is fitted to finite values only");
      }
    }
    return f;
  }

  private static void checkLengths(float[] a, float[] b, String aName, String bName) {
    if (a.length == 0 || a.length != b.length) {
      throw new IllegalArgumentException(aName + " and " + bName + " need one value per feature, got "
          + a.length + " and " + b.length);
    }
  }

  /** As {@code Float.isFinite}, which Android 21 lacks. */
  private static boolean isFinite(float v) {
    return Math.abs(v) <= Float.MAX_VALUE;
  }
}
