package io.nabla.spark;

import java.io.Serializable;
import java.util.BitSet;
import java.util.Map;
import java.util.TreeMap;

/**
 * The partitions' contributions summed in one fixed order, whatever order Spark hands them over in.
 *
 * <p>{@code treeAggregate} combines partial results as its tasks finish: on the driver in completion order, and in
 * its intermediate stages in shuffle-fetch order. Float sums in another order round differently, so runs with the
 * same seed would drift apart. This value therefore sums along a fixed binary tree over the partition indices:
 * leaf {@code p} is partition {@code p}, and a node is the sum of its two children, computed as soon as both are
 * present. Every node, the root included, is then the same sum of the same pairs in every run, so the result is
 * bitwise reproducible for a fixed partitioning, and it is a pairwise sum, more accurate than a running one.
 *
 * <p>It also proves each partition counted once: adding a partition twice (a retried task's result reaching the
 * sum beside the first attempt's) throws instead of counting it twice, and {@link #root()} refuses a sum that
 * lacks one.
 */
final class ContributionTree implements Serializable {
  private static final long serialVersionUID = 1L;

  private final int leaves;
  /** Complete subtrees not yet paired, by {@link #key(int, int)}. */
  private final TreeMap<Long, Contribution> nodes = new TreeMap<>();
  private final BitSet partitions = new BitSet();

  ContributionTree(int leaves) {
    if (leaves < 1) {
      throw new IllegalArgumentException("a sum over " + leaves + " partitions");
    }
    this.leaves = leaves;
  }

  /** Adds partition {@code partition}'s contribution; returns this (Spark's seqOp may reuse its first argument). */
  ContributionTree add(int partition, Contribution contribution) {
    if (partition < 0 || partition >= leaves) {
      throw new IllegalArgumentException("partition " + partition + " of a sum over " + leaves);
    }
    if (partitions.get(partition)) {
      throw new IllegalStateException("partition " + partition + " was summed twice");
    }
    partitions.set(partition);
    insert(0, partition, contribution);
    return this;
  }

  /** Adds every partition {@code other} holds; returns this. */
  ContributionTree merge(ContributionTree other) {
    if (other.leaves != leaves) {
      throw new IllegalArgumentException("sums over " + leaves + " and " + other.leaves + " partitions");
    }
    if (other.partitions.intersects(partitions)) {
      BitSet both = (BitSet) partitions.clone();
      both.and(other.partitions);
      throw new IllegalStateException("partitions " + both + " were summed twice");
    }
    partitions.or(other.partitions);
    for (Map.Entry<Long, Contribution> node : other.nodes.entrySet()) {
      long key = node.getKey();
      insert((int) (key >>> 32), (int) key, node.getValue());
    }
    return this;
  }

  /** Places a complete subtree, pairing it with its sibling, and that sum with its own, as far as they exist. */
  private void insert(int level, int index, Contribution value) {
    while (true) {
      int width = width(level);
      if (width == 1) {
        break;
      }
      int sibling = index ^ 1;
      if (sibling < width) {
        Contribution other = nodes.remove(key(level, sibling));
        if (other == null) {
          break;
        }
        // Always left plus right, so that the sum keeps the leftmost partition's scalars.
        value = (index & 1) == 0 ? value.add(other) : other.add(value);
      }
      // With no sibling (the last node of an odd level), the node moves up unchanged.
      level++;
      index >>= 1;
    }
    if (nodes.put(key(level, index), value) != null) {
      throw new IllegalStateException("node " + level + "/" + index + " of the sum was filled twice");
    }
  }

  /** The number of nodes at {@code level}: {@code ceil(leaves / 2^level)}. */
  private int width(int level) {
    return (int) (((long) leaves + (1L << level) - 1) >>> level);
  }

  private static long key(int level, int index) {
    return ((long) level << 32) | (index & 0xFFFFFFFFL);
  }

  /** How many partitions are in the sum so far. */
  int partitionsAdded() {
    return partitions.cardinality();
  }

  /**
   * The sum of every partition.
   *
   * @throws IllegalStateException naming the partitions missing, if any
   */
  Contribution root() {
    if (partitions.cardinality() != leaves) {
      BitSet missing = new BitSet();
      missing.set(0, leaves);
      missing.andNot(partitions);
      throw new IllegalStateException("the sum lacks partitions " + missing);
    }
    return nodes.firstEntry().getValue();
  }
}
