package io.nabla.spark;

import io.nabla.runtime.Rng;
import java.io.Serializable;
import java.util.Arrays;
import java.util.Iterator;

/**
 * One partition's examples packed into flat arrays, checked once and cached on its executor for the whole run:
 * a step then gathers its rows straight into the model's batch buffers, as the single-machine trainer does.
 */
final class Block implements Serializable {
  private static final long serialVersionUID = 1L;

  final int partition;
  final int count;
  final int featureSize;
  final int targetsPerSample;
  final float[] features;
  /** {@code null} for targets. */
  final int[] labels;
  /** {@code null} for labels. */
  final float[] targets;

  /** The row order of {@link #orderEpoch}, recomputed when another epoch asks (not serialised). */
  private transient int[] order;
  private transient int orderEpoch;
  private transient long orderSeed;

  private Block(int partition, int count, DataShape shape, float[] features, int[] labels, float[] targets) {
    this.partition = partition;
    this.count = count;
    this.featureSize = shape.featureSize;
    this.targetsPerSample = shape.targetsPerSample;
    this.features = features;
    this.labels = labels;
    this.targets = targets;
  }

  /**
   * Packs {@code examples}, the whole of partition {@code partition}, checking each against {@code shape}.
   *
   * @throws IllegalArgumentException naming the partition and the example that does not fit, or if the partition
   *     holds more than one Java array can
   */
  static Block pack(int partition, Iterator<Example> examples, DataShape shape) {
    int width = shape.featureSize;
    int per = shape.targetsPerSample;
    float[] features = new float[16 * width];
    int[] labels = shape.labels ? new int[16 * per] : null;
    float[] targets = shape.labels ? null : new float[16 * per];
    int count = 0;
    while (examples.hasNext()) {
      Example example = examples.next();
      shape.check(example, DataShape.where(partition, count));
      if ((long) (count + 1) * Math.max(width, per) > Integer.MAX_VALUE - 8) {
        throw new IllegalArgumentException("partition " + partition + " holds more than " + count + " examples of "
            + width + " features, more than one Java array holds; split the data into more partitions");
      }
      if ((count + 1) * width > features.length) {
        features = Arrays.copyOf(features, grownRows(count, width) * width);
      }
      System.arraycopy(example.features(), 0, features, count * width, width);
      if (labels != null) {
        if ((count + 1) * per > labels.length) {
          labels = Arrays.copyOf(labels, grownRows(count, per) * per);
        }
        System.arraycopy(example.labels(), 0, labels, count * per, per);
      } else {
        if ((count + 1) * per > targets.length) {
          targets = Arrays.copyOf(targets, grownRows(count, per) * per);
        }
        System.arraycopy(example.targets(), 0, targets, count * per, per);
      }
      count++;
    }
    return new Block(partition, count, shape, Arrays.copyOf(features, count * width),
        labels == null ? null : Arrays.copyOf(labels, count * per),
        targets == null ? null : Arrays.copyOf(targets, count * per));
  }

  /** Room for twice {@code rows} rows of {@code width} values, as far as a Java array goes (at least one more). */
  private static int grownRows(int rows, int width) {
    long limit = (Integer.MAX_VALUE - 8L) / width;
    return (int) Math.max(rows + 1L, Math.min(2L * rows, limit));
  }

  /**
   * This partition's rows in the order of {@code epoch} (1-based): shuffled by a generator of its own, seeded from
   * the run's seed, the epoch and the partition index, so every attempt of a task (and every run with that seed)
   * sees the same order.
   */
  synchronized int[] order(long seed, int epoch) {
    if (order == null || orderEpoch != epoch || orderSeed != seed) {
      int[] rows = new int[count];
      for (int i = 0; i < count; i++) {
        rows[i] = i;
      }
      rowShuffler(seed, epoch, partition).shuffle(rows);
      order = rows;
      orderEpoch = epoch;
      orderSeed = seed;
    }
    return order;
  }

  /** The generator that shuffles partition {@code partition}'s rows in {@code epoch}. */
  static Rng rowShuffler(long seed, int epoch, int partition) {
    return Rng.forStream(seed, ((long) epoch << 32) | (partition & 0xFFFFFFFFL));
  }

  /** Copies rows {@code order[from ... from + n)} to the start of the batch buffers (either may be null). */
  void gather(int[] order, int from, int n, float[] batchFeatures, int[] batchLabels, float[] batchTargets) {
    for (int i = 0; i < n; i++) {
      int row = order[from + i];
      System.arraycopy(features, row * featureSize, batchFeatures, i * featureSize, featureSize);
      if (labels != null) {
        System.arraycopy(labels, row * targetsPerSample, batchLabels, i * targetsPerSample, targetsPerSample);
      } else {
        System.arraycopy(targets, row * targetsPerSample, batchTargets, i * targetsPerSample, targetsPerSample);
      }
    }
  }
}
