package io.nabla.spark;

import java.util.PriorityQueue;

/**
 * Which rows of which partition make up each global batch, decided on the driver from the partition sizes alone.
 *
 * <p>An epoch is one pass over every example. Each partition shuffles its own rows (see {@link Block#order}); the
 * global order then interleaves the partitions in proportion to their sizes: row {@code k} of a partition of
 * {@code n} rows sits at position {@code (k + ½) / n} of the epoch, and the epoch visits rows by position (ties to
 * the lower partition). Step {@code s} takes the next {@code batchSize} rows of that order (the last step of an
 * epoch may take fewer), so every global batch holds exactly the examples one machine given the same order would
 * put in it, and every partition contributes its share: a contiguous run of its own shuffled rows.
 *
 * <p>The interleaving does not need the data, costs {@code O(batch · log partitions)} per step and nothing per
 * example, and is the same in every epoch and every run over the same partition sizes.
 */
final class BatchPlan {
  private final long[] sizes;
  private final long total;
  private final int batchSize;
  private final int[] next;
  private final PriorityQueue<Integer> queue;
  private long taken;

  BatchPlan(long[] partitionSizes, int batchSize) {
    if (batchSize < 1) {
      throw new IllegalArgumentException("batch size must be at least 1, got " + batchSize);
    }
    this.sizes = partitionSizes.clone();
    long sum = 0;
    for (long size : sizes) {
      if (size < 0 || size > Integer.MAX_VALUE) {
        throw new IllegalArgumentException("a partition of " + size + " examples");
      }
      sum += size;
    }
    this.total = sum;
    this.batchSize = batchSize;
    this.next = new int[sizes.length];
    this.queue = new PriorityQueue<>(Math.max(1, sizes.length), this::comparePositions);
    startEpoch();
  }

  /** Orders partitions by the position of their next row, {@code (2k + 1) / 2n}, exactly; ties: lower index. */
  private int comparePositions(Integer a, Integer b) {
    // (2ka + 1) / na < (2kb + 1) / nb  ⇔  (2ka + 1) · nb < (2kb + 1) · na; both products are below 2^63.
    long left = (2L * next[a] + 1) * sizes[b];
    long right = (2L * next[b] + 1) * sizes[a];
    return left != right ? Long.compare(left, right) : Integer.compare(a, b);
  }

  /** Rewinds to the first step of an epoch. */
  void startEpoch() {
    java.util.Arrays.fill(next, 0);
    queue.clear();
    for (int p = 0; p < sizes.length; p++) {
      if (sizes[p] > 0) {
        queue.add(p);
      }
    }
    taken = 0;
  }

  /** Examples per epoch. */
  long total() {
    return total;
  }

  int partitions() {
    return sizes.length;
  }

  /** Steps per epoch: {@code ceil(total / batchSize)}. */
  int stepsPerEpoch() {
    return (int) ((total + batchSize - 1) / batchSize);
  }

  /** Whether the epoch has steps left. */
  boolean hasNextStep() {
    return taken < total;
  }

  /**
   * The next step's shares: partition {@code p} contributes its shuffled rows {@code starts[p] ...
   * starts[p] + counts[p]}. Returns the step's batch size, {@code Σ counts}.
   */
  int nextStep(int[] starts, int[] counts) {
    System.arraycopy(next, 0, starts, 0, next.length);
    int batch = (int) Math.min(batchSize, total - taken);
    for (int i = 0; i < batch; i++) {
      int p = queue.poll();
      next[p]++;
      if (next[p] < sizes[p]) {
        queue.add(p);
      }
    }
    for (int p = 0; p < next.length; p++) {
      counts[p] = next[p] - starts[p];
    }
    taken += batch;
    return batch;
  }

  /**
   * An upper bound of any partition's share of a step, so executors can size their model once: a window of
   * {@code B} consecutive positions spans at most {@code (B + P) / N} of the epoch, which holds at most
   * {@code (B + P) · n / N + 1} rows of a partition of {@code n}.
   */
  int maxShare() {
    long bound = 1;
    for (long size : sizes) {
      long share = Math.min(Math.min(batchSize, size), (long) (batchSize + sizes.length) * size / Math.max(1, total) + 1);
      bound = Math.max(bound, share);
    }
    return (int) bound;
  }
}
