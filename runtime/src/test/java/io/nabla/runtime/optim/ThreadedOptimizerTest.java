package io.nabla.runtime.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nabla.runtime.ParameterTensor;
import io.nabla.runtime.Parameters;
import io.nabla.runtime.Rng;
import io.nabla.runtime.kernel.Kernels;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * The built-in optimizers split their update over the model's threads ({@link Parameters#forEachRange}): every
 * thread count gives the bits of the single-threaded update, with and without parameter groups (segments that
 * start inside the buffer).
 */
class ThreadedOptimizerTest {
  // Three tensors, two large enough to split, at offsets that are not multiples of 64.
  private static final int[][] TENSORS = {{0, 40_000}, {40_000, 37}, {40_037, 30_001}};
  private static final int SIZE = 70_038;

  private static List<ParameterTensor> tensors() {
    return Arrays.asList(
        new ParameterTensor("a", ParameterTensor.Kind.WEIGHT, 0, new int[] {200, 200},
            ParameterTensor.Init.ZEROS, 200, 200),
        new ParameterTensor("a", ParameterTensor.Kind.BIAS, 40_000, new int[] {37}, ParameterTensor.Init.ZEROS, 1, 37),
        new ParameterTensor("b", ParameterTensor.Kind.WEIGHT, 40_037, new int[] {30_001},
            ParameterTensor.Init.ZEROS, 1, 1));
  }

  private static float[] random(long seed, float scale) {
    Rng rng = new Rng(seed);
    float[] v = new float[SIZE];
    for (int i = 0; i < SIZE; i++) {
      v[i] = scale * (float) rng.nextGaussian();
    }
    return v;
  }

  private static Map<String, Supplier<Optimizer>> optimizers() {
    Map<String, Supplier<Optimizer>> all = new java.util.LinkedHashMap<>();
    all.put("Adam", () -> Adam.defaults());
    all.put("Adam amsgrad + L2", () -> Adam.builder().amsgrad(true).weightDecay(1e-2).build());
    all.put("AdamW groups", () -> AdamW.builder().group(ParameterGroup.biases().weightDecay(0))
        .group(ParameterGroup.layers("b").learningRate(3e-3)).build());
    all.put("SGD momentum nesterov", () -> Sgd.builder(0.05).momentum(0.9).nesterov(true).weightDecay(1e-3)
        .build());
    all.put("RMSprop centered momentum", () -> RmsProp.builder().centered(true).momentum(0.5).build());
    all.put("AdaGrad", () -> AdaGrad.builder().lrDecay(1e-3).build());
    return all;
  }

  /** Four steps with fresh gradients each; the values after them. */
  private static float[] train(Optimizer optimizer, Kernels kernels) {
    Parameters p = new Parameters(random(1, 1f), new float[SIZE], tensors(), kernels);
    for (int step = 0; step < 4; step++) {
      System.arraycopy(random(10 + step, 0.1f), 0, p.gradients(), 0, SIZE);
      optimizer.step(p);
    }
    return p.values();
  }

  @Test
  void everyThreadCountGivesTheSingleThreadedBits() {
    for (Map.Entry<String, Supplier<Optimizer>> e : optimizers().entrySet()) {
      float[] expected = train(e.getValue().get(), null);
      for (Kernels kernels : new Kernels[] {Kernels.portable(1), Kernels.portable(2), Kernels.portable(3),
          Kernels.best(2)}) {
        assertArrayEquals(expected, train(e.getValue().get(), kernels), e.getKey() + " on " + kernels);
      }
    }
  }

  /** As {@link #train}, each step through {@link Optimizer#stepAndZeroGradients}, which must leave every gradient 0. */
  private static float[] trainClearing(Optimizer optimizer, Kernels kernels) {
    Parameters p = new Parameters(random(1, 1f), new float[SIZE], tensors(), kernels);
    for (int step = 0; step < 4; step++) {
      System.arraycopy(random(10 + step, 0.1f), 0, p.gradients(), 0, SIZE);
      optimizer.stepAndZeroGradients(p);
      assertArrayEquals(new float[SIZE], p.gradients(), "gradients after step " + step);
    }
    return p.values();
  }

  @Test
  void steppingAndZeroingInOnePassGivesTheStepsBitsAndZeroGradients() {
    for (Map.Entry<String, Supplier<Optimizer>> e : optimizers().entrySet()) {
      float[] expected = train(e.getValue().get(), null);
      for (Kernels kernels : new Kernels[] {null, Kernels.portable(2), Kernels.portable(3), Kernels.best(2)}) {
        assertArrayEquals(expected, trainClearing(e.getValue().get(), kernels), e.getKey() + " on " + kernels);
      }
    }
    // A user-defined optimizer gets the default: its step, then every gradient zeroed.
    Optimizer halve = p -> {
      for (int i = 0; i < p.size(); i++) {
        p.values()[i] -= 0.5f * p.gradients()[i];
      }
    };
    float[] expected = train(halve, null);
    assertArrayEquals(expected, trainClearing(halve, Kernels.portable(2)));
  }

  @Test
  void theUpdateIsSplitOverTheModelsThreads() {
    Parameters p = new Parameters(new float[SIZE], new float[SIZE], tensors(), Kernels.portable(2));
    List<int[]> ranges = java.util.Collections.synchronizedList(new ArrayList<int[]>());
    p.forEachRange(40_037, SIZE, 1 << 14, (from, to) -> {
      ranges.add(new int[] {from, to});
    });
    // Four ranges per thread, each claimed by whichever thread is free (the caller takes what no worker claimed).
    assertEquals(8, ranges.size());
    int covered = 0;
    for (int[] r : ranges) {
      assertTrue(r[0] >= 40_037 && r[1] <= SIZE && (r[0] - 40_037) % 64 == 0, Arrays.toString(r));
      covered += r[1] - r[0];
    }
    assertEquals(SIZE - 40_037, covered);
  }

  @Test
  void aRangeOutsideTheParametersIsRefused() {
    Parameters p = new Parameters(new float[10], new float[10], tensors().subList(0, 0));
    IndexOutOfBoundsException e =
        assertThrows(IndexOutOfBoundsException.class, () -> p.forEachRange(5, 11, 0, (from, to) -> { }));
    assertTrue(e.getMessage().contains("[5, 11)") && e.getMessage().contains("10 parameters"), e.getMessage());
  }

  /**
   * The boundaries of the ranges {@link Parameters#forEachRange} runs {@code [from, to)} in on the calling thread,
   * for tensors spanning {@code [starts[t], ends[t])}: {@code from}, then each range's end.
   */
  private static int[] ranges(int from, int to, int[] starts, int[] ends, int splitFrom) {
    int size = to;
    List<ParameterTensor> tensors = new ArrayList<>();
    for (int t = 0; t < starts.length; t++) {
      size = Math.max(size, ends[t]);
      tensors.add(new ParameterTensor("t" + t, ParameterTensor.Kind.WEIGHT, starts[t],
          new int[] {ends[t] - starts[t]}, ParameterTensor.Init.ZEROS, 1, 1));
    }
    Parameters p = new Parameters(new float[size], new float[size], tensors);
    List<Integer> bounds = new ArrayList<>();
    bounds.add(from);
    p.forEachRange(from, to, splitFrom, (a, b) -> {
      assertEquals(bounds.get(bounds.size() - 1), a, "ranges must be consecutive");
      assertTrue(a < b, "empty range [" + a + ", " + b + ")");
      bounds.add(b);
    });
    return bounds.stream().mapToInt(Integer::intValue).toArray();
  }

  @Test
  void eachLargeTensorUpdatesAsARangeOfItsOwn() {
    int[] starts = {0, 40_000, 40_037};
    int[] ends = {40_000, 40_037, 70_038};
    int split = GroupedOptimizer.SPLIT_FROM;
    assertArrayEquals(new int[] {0, 40_000, 40_037, 70_038}, ranges(0, SIZE, starts, ends, split));
    // A segment that starts inside the first tensor: what is left of it (20,000) is still large.
    assertArrayEquals(new int[] {20_000, 40_000, 40_037, 70_038}, ranges(20_000, SIZE, starts, ends, split));
    // A segment that ends inside a large tensor; a tensor entirely before the segment.
    assertArrayEquals(new int[] {0, 40_000, 50_000}, ranges(0, 50_000, starts, ends, split));
    assertArrayEquals(new int[] {40_037, 70_038}, ranges(40_037, SIZE, starts, ends, split));
    // A split size of 0 (always split) still runs no empty range.
    assertArrayEquals(new int[] {0, 40_000, 40_037, 70_038}, ranges(0, SIZE, starts, ends, 0));
    // Too little of the first tensor: it joins the small ones up to the next large tensor.
    assertArrayEquals(new int[] {39_000, 40_037, 70_038}, ranges(39_000, SIZE, starts, ends, split));
    // Small tensors only, no tensors, an empty segment: one range, or none.
    assertArrayEquals(new int[] {0, 70_038}, ranges(0, SIZE, starts, ends, 50_000));
    assertArrayEquals(new int[] {5, 90}, ranges(5, 90, new int[0], new int[0], 1));
    assertArrayEquals(new int[] {7}, ranges(7, 7, starts, ends, 1));
    // A tensor that overlaps the large one before it counts as small; a gap before a tensor stays with the small ones.
    assertArrayEquals(new int[] {0, 100, 150, 250, 300}, ranges(0, 300, new int[] {0, 50, 150},
        new int[] {100, 300, 250}, 50));
    assertArrayEquals(new int[] {0, 10, 300}, ranges(0, 300, new int[] {10}, new int[] {300}, 50));
    // Tensors listed out of order are taken by offset.
    assertArrayEquals(new int[] {0, 40_000, 40_037, 70_038}, ranges(0, SIZE, new int[] {40_037, 0, 40_000},
        new int[] {70_038, 40_000, 40_037}, split));
  }
}
