package io.nabla.spark;

import java.io.Serializable;
import java.util.Arrays;

/**
 * What one partition sends back for a step, a round or an evaluation, and what sums of them are: flat float
 * arrays already weighted by the partition's share (a gradient, or parameters and optimizer buffers), the loss
 * summed over its examples, its correct predictions and its example count. Optimizer scalars (Adam's step count)
 * are not summed: a sum keeps those of its leftmost partition.
 */
final class Contribution implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Names of {@link #arrays}, the same in every contribution of one job; {@code null} with no arrays. */
  String[] arrayNames;
  /** {@code null} when the partition took no example (a zero that adds nothing). */
  float[][] arrays;
  String[] scalarNames;
  double[] scalars;
  double lossSum;
  long correct;
  long samples;

  Contribution(String[] arrayNames, float[][] arrays, String[] scalarNames, double[] scalars, double lossSum,
      long correct, long samples) {
    this.arrayNames = arrayNames;
    this.arrays = arrays;
    this.scalarNames = scalarNames;
    this.scalars = scalars;
    this.lossSum = lossSum;
    this.correct = correct;
    this.samples = samples;
  }

  /** Counts and a loss, without arrays (an evaluation, or a partition with no share in a step). */
  static Contribution counts(double lossSum, long correct, long samples) {
    return new Contribution(null, null, null, null, lossSum, correct, samples);
  }

  /**
   * Adds {@code right} into this one, element by element, and returns this. Float addition is commutative, so the
   * result does not depend on which of the two is {@code this}; only which pairs are added does, and
   * {@link ContributionTree} fixes that.
   */
  Contribution add(Contribution right) {
    if (right.arrays != null) {
      if (arrays == null) {
        arrayNames = right.arrayNames;
        arrays = right.arrays;
      } else {
        if (!Arrays.equals(arrayNames, right.arrayNames) || arrays.length != right.arrays.length) {
          throw new IllegalStateException("partitions sent different arrays: " + Arrays.toString(arrayNames)
              + " and " + Arrays.toString(right.arrayNames) + "; the optimizer factory must make the same"
              + " optimizer every time");
        }
        for (int a = 0; a < arrays.length; a++) {
          float[] sum = arrays[a];
          float[] other = right.arrays[a];
          if (sum.length != other.length) {
            throw new IllegalStateException("partitions sent '" + arrayNames[a] + "' of " + sum.length + " and "
                + other.length + " values");
          }
          for (int i = 0; i < sum.length; i++) {
            sum[i] += other[i];
          }
        }
      }
    }
    if (scalars == null) {
      scalarNames = right.scalarNames;
      scalars = right.scalars;
    }
    lossSum += right.lossSum;
    correct += right.correct;
    samples += right.samples;
    return this;
  }
}
