package io.nabla.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ContributionTreeTest {
  private static final int SIZE = 257;

  /** Partition {@code p}'s contribution: values of very different magnitudes, so sums depend on their order. */
  private static Contribution leaf(int p) {
    Random random = new Random(p * 7919L + 1);
    float[] values = new float[SIZE];
    for (int i = 0; i < SIZE; i++) {
      values[i] = (float) (random.nextGaussian() * Math.pow(10, random.nextInt(9) - 4));
    }
    return new Contribution(new String[] {"gradient"}, new float[][] {values}, new String[] {"step"},
        new double[] {p}, random.nextDouble(), p, p + 1);
  }

  /**
   * Sums the leaves as Spark might: in {@code groups} random groups (the partial sums of treeAggregate's tasks or
   * intermediate stages), each filled in a random order, then merged in a random order.
   */
  private static Contribution sumInRandomOrder(int leaves, int groups, Random random) {
    List<Integer> order = new ArrayList<>();
    for (int p = 0; p < leaves; p++) {
      order.add(p);
    }
    Collections.shuffle(order, random);
    List<ContributionTree> partials = new ArrayList<>();
    for (int g = 0; g < groups; g++) {
      partials.add(new ContributionTree(leaves));
    }
    for (int p : order) {
      partials.get(random.nextInt(groups)).add(p, leaf(p));
    }
    Collections.shuffle(partials, random);
    ContributionTree sum = new ContributionTree(leaves);
    for (ContributionTree partial : partials) {
      sum.merge(partial);
    }
    return sum.root();
  }

  @Test
  void theSumIsTheSameBitsWhateverTheOrder() {
    for (int leaves : new int[] {1, 2, 3, 7, 13, 64}) {
      Random random = new Random(leaves);
      Contribution first = sumInRandomOrder(leaves, 1, random);
      for (int trial = 0; trial < 30; trial++) {
        Contribution other = sumInRandomOrder(leaves, 1 + random.nextInt(5), random);
        assertArrayEquals(first.arrays[0], other.arrays[0], "leaves " + leaves + ", trial " + trial);
        assertEquals(first.lossSum, other.lossSum, 0.0);
        assertEquals((long) leaves * (leaves - 1) / 2, other.correct);
        assertEquals((long) leaves * (leaves + 1) / 2, other.samples);
        // The scalars are partition 0's, the leftmost.
        assertArrayEquals(new double[] {0}, other.scalars);
      }
    }
  }

  @Test
  void aRunningSumInAnotherOrderWouldDiffer() {
    // The reason for the tree: a plain running sum over 13 partitions depends on the order.
    int leaves = 13;
    float[] forward = new float[SIZE];
    float[] backward = new float[SIZE];
    for (int p = 0; p < leaves; p++) {
      float[] a = leaf(p).arrays[0];
      float[] b = leaf(leaves - 1 - p).arrays[0];
      for (int i = 0; i < SIZE; i++) {
        forward[i] += a[i];
        backward[i] += b[i];
      }
    }
    assertFalse(java.util.Arrays.equals(forward, backward));
  }

  @Test
  void theSumIsWithinRoundingOfTheExactOne() {
    int leaves = 13;
    Contribution sum = sumInRandomOrder(leaves, 3, new Random(1));
    for (int i = 0; i < SIZE; i++) {
      double exact = 0;
      double magnitude = 0;
      for (int p = 0; p < leaves; p++) {
        exact += leaf(p).arrays[0][i];
        magnitude += Math.abs(leaf(p).arrays[0][i]);
      }
      assertEquals(exact, sum.arrays[0][i], 1e-6 * magnitude);
    }
  }

  @Test
  void aPartitionSummedTwiceIsRefused() {
    ContributionTree tree = new ContributionTree(4);
    tree.add(1, leaf(1));
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> tree.add(1, leaf(1)));
    assertEquals("partition 1 was summed twice", e.getMessage());

    // A retried task's result reaching the sum beside the first attempt's, through a partial sum.
    ContributionTree a = new ContributionTree(4).add(0, leaf(0)).add(2, leaf(2));
    ContributionTree b = new ContributionTree(4).add(2, leaf(2)).add(3, leaf(3));
    e = assertThrows(IllegalStateException.class, () -> a.merge(b));
    assertEquals("partitions {2} were summed twice", e.getMessage());
  }

  @Test
  void anIncompleteSumNamesThePartitionsMissing() {
    ContributionTree tree = new ContributionTree(5).add(0, leaf(0)).add(3, leaf(3));
    IllegalStateException e = assertThrows(IllegalStateException.class, tree::root);
    assertEquals("the sum lacks partitions {1, 2, 4}", e.getMessage());
  }

  @Test
  void partitionsWithoutArraysAddNothing() {
    ContributionTree tree = new ContributionTree(3);
    tree.add(2, Contribution.counts(0, 0, 0));
    tree.add(0, Contribution.counts(0, 0, 0));
    tree.add(1, leaf(1));
    Contribution root = tree.root();
    assertArrayEquals(leaf(1).arrays[0], root.arrays[0]);
    assertArrayEquals(new double[] {1}, root.scalars);
    assertEquals(2, root.samples);
  }
}
