package io.nabla.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BatchPlanTest {

  /** Every step of one epoch, as {starts, counts} per step. */
  private static List<int[][]> epoch(BatchPlan plan) {
    List<int[][]> steps = new ArrayList<>();
    plan.startEpoch();
    while (plan.hasNextStep()) {
      int[] starts = new int[plan.partitions()];
      int[] counts = new int[plan.partitions()];
      plan.nextStep(starts, counts);
      steps.add(new int[][] {starts, counts});
    }
    return steps;
  }

  @Test
  void anEpochTakesEveryExampleOnceInFullBatches() {
    Random random = new Random(3);
    for (int trial = 0; trial < 200; trial++) {
      int partitions = 1 + random.nextInt(9);
      long[] sizes = new long[partitions];
      long total = 0;
      for (int p = 0; p < partitions; p++) {
        sizes[p] = random.nextInt(4) == 0 ? 0 : random.nextInt(300);
        total += sizes[p];
      }
      if (total == 0) {
        continue;
      }
      int batch = 1 + random.nextInt(100);
      BatchPlan plan = new BatchPlan(sizes, batch);
      List<int[][]> steps = epoch(plan);
      assertEquals((total + batch - 1) / batch, steps.size());
      assertEquals(steps.size(), plan.stepsPerEpoch());
      long[] next = new long[partitions];
      for (int s = 0; s < steps.size(); s++) {
        int[] starts = steps.get(s)[0];
        int[] counts = steps.get(s)[1];
        int sum = 0;
        for (int p = 0; p < partitions; p++) {
          // Each partition's share is the next run of its rows, never more than the executors' models hold.
          assertEquals(next[p], starts[p], "trial " + trial + ", step " + s + ", partition " + p);
          assertTrue(counts[p] <= plan.maxShare(), "share " + counts[p] + " > " + plan.maxShare());
          next[p] += counts[p];
          sum += counts[p];
        }
        assertEquals(s < steps.size() - 1 ? batch : total - (long) batch * (steps.size() - 1), sum);
      }
      assertArrayEquals(sizes, next);
    }
  }

  @Test
  void sharesFollowThePartitionSizes() {
    // 300, 100 and 200 examples: batches of 60 take 30, 10 and 20.
    BatchPlan plan = new BatchPlan(new long[] {300, 100, 200}, 60);
    for (int[][] step : epoch(plan)) {
      assertArrayEquals(new int[] {30, 10, 20}, step[1]);
    }
    // Unequal remainders: each partition's running total stays within one row of its proportion.
    long[] sizes = {7, 5, 11};
    plan = new BatchPlan(sizes, 4);
    long taken = 0;
    long[] cumulative = new long[3];
    for (int[][] step : epoch(plan)) {
      for (int p = 0; p < 3; p++) {
        cumulative[p] += step[1][p];
        taken += step[1][p];
      }
      for (int p = 0; p < 3; p++) {
        double expected = (double) taken * sizes[p] / 23;
        assertTrue(Math.abs(cumulative[p] - expected) <= 1.0, "partition " + p + ": " + cumulative[p]
            + " of " + taken + ", expected about " + expected);
      }
    }
  }

  @Test
  void everyEpochIsPlannedTheSame() {
    BatchPlan plan = new BatchPlan(new long[] {13, 29, 8}, 7);
    List<int[][]> first = epoch(plan);
    List<int[][]> second = epoch(plan);
    assertEquals(first.size(), second.size());
    for (int s = 0; s < first.size(); s++) {
      assertArrayEquals(first.get(s)[0], second.get(s)[0]);
      assertArrayEquals(first.get(s)[1], second.get(s)[1]);
    }
  }
}
