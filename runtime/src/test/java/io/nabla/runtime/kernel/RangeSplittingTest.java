package io.nabla.runtime.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link Kernels#forEachRange}: every element once, in aligned ranges, {@link ParallelWork#RANGE_CHUNKS} per thread
 * above the split size.
 */
class RangeSplittingTest {
  /** Records the ranges it is given (synchronised: ranges arrive from several threads). */
  private static final class Recorder implements Kernels.RangeTask {
    final List<int[]> ranges = Collections.synchronizedList(new ArrayList<int[]>());
    final int[] visits;

    Recorder(int n) {
      visits = new int[n];
    }

    @Override
    public void run(int from, int to) {
      ranges.add(new int[] {from, to});
      for (int i = from; i < to; i++) {
        visits[i]++; // ranges are disjoint, so no two threads write one element
      }
    }
  }

  private static Kernels[] kernels() {
    return new Kernels[] {new ReferenceKernels(), new PortableKernels(1), new PortableKernels(2),
        new PortableKernels(3), Kernels.best(2)};
  }

  private static int threadsOf(Kernels k) {
    return k instanceof PortableKernels ? ((PortableKernels) k).threads()
        : k instanceof ReferenceKernels ? 1 : 2;
  }

  @Test
  void everyElementIsVisitedOnceInAlignedRanges() {
    for (Kernels k : kernels()) {
      for (int n : new int[] {1, 63, 64, 127, 128, 1000, 16_383, 16_384, 100_003, 235_146}) {
        Recorder task = new Recorder(n);
        k.forEachRange(n, 1 << 14, task);
        for (int i = 0; i < n; i++) {
          assertEquals(1, task.visits[i], k + " n " + n + " element " + i);
        }
        int threads = threadsOf(k);
        int expectedRanges = n < (1 << 14) || threads == 1 ? 1
            : Math.min(threads * ParallelWork.RANGE_CHUNKS, (n + 63) / 64);
        assertEquals(expectedRanges, task.ranges.size(), k + " n " + n);
        for (int[] r : task.ranges) {
          assertTrue(r[0] < r[1], k + " empty range");
          assertTrue(r[0] % 64 == 0 && (r[1] % 64 == 0 || r[1] == n), k + " n " + n + " unaligned range");
        }
      }
    }
  }

  @Test
  void smallRangesStayOnTheCallingThread() {
    for (Kernels k : kernels()) {
      final Thread caller = Thread.currentThread();
      final boolean[] elsewhere = {false};
      k.forEachRange(10_000, 1 << 14, new Kernels.RangeTask() {
        @Override
        public void run(int from, int to) {
          elsewhere[0] |= Thread.currentThread() != caller;
        }
      });
      assertEquals(false, elsewhere[0], k.toString());
    }
  }

  @Test
  void anEmptyRangeRunsNothingAndANegativeOneIsRefused() {
    for (Kernels k : kernels()) {
      Recorder task = new Recorder(0);
      k.forEachRange(0, 0, task);
      assertEquals(0, task.ranges.size());
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> k.forEachRange(-1, 0, new Recorder(0)));
      assertTrue(e.getMessage().contains("-1"), e.getMessage());
    }
  }

  @Test
  void aFailingRangeIsRethrownAndTheKernelsStayUsable() {
    Kernels k = new PortableKernels(2);
    RuntimeException e = assertThrows(RuntimeException.class, () -> k.forEachRange(100_000, 0,
        new Kernels.RangeTask() {
          @Override
          public void run(int from, int to) {
            if (from > 0) {
              throw new IllegalStateException("range at " + from);
            }
          }
        }));
    assertTrue(e.getMessage().startsWith("range at"), e.getMessage());
    Recorder task = new Recorder(100_000);
    k.forEachRange(100_000, 0, task);
    assertEquals(2 * ParallelWork.RANGE_CHUNKS, task.ranges.size());
  }

  /**
   * Ranges are claimed, not dealt out: when the worker's ranges take 50 ms each and the caller's 5 ms, the caller
   * runs every range the worker has not claimed (with equal shares it would wait for the worker's half).
   */
  @Test
  void aSlowThreadRunsFewerRanges() {
    SlowWorker slow = new SlowWorker();
    new PortableKernels(2).forEachRange(100_000, 0, (from, to) -> slow.run());
    int ranges = 2 * ParallelWork.RANGE_CHUNKS;
    assertEquals(ranges, slow.total());
    assertTrue(slow.elsewhere() < ranges / 2, "the slow worker ran " + slow.elsewhere() + " of " + ranges);
  }

  /**
   * Each part takes its own share of the chunks first, so at every step the same thread updates the same range of
   * an optimizer's buffers: the caller (part 0) starts with chunks 0..3 in order, whatever the worker does. Each of
   * the caller's ranges takes 2 ms, time for the worker to wake and claim; the worker's first range waits until the
   * caller has run four, so that it cannot run out of its own share and take the caller's first. With one counter
   * for all, the caller ran chunks 0, 2, 3, 4.
   */
  @Test
  void theCallerRunsItsOwnShareFirstInOrder() throws InterruptedException {
    Kernels k = new PortableKernels(2);
    Thread caller = Thread.currentThread();
    java.util.concurrent.CountDownLatch callerRanges =
        new java.util.concurrent.CountDownLatch(ParallelWork.RANGE_CHUNKS);
    List<Integer> callerStarts = Collections.synchronizedList(new ArrayList<Integer>());
    boolean[] timedOut = {false};
    int n = 2 * ParallelWork.RANGE_CHUNKS * 1024;
    k.forEachRange(n, 0, (from, to) -> {
      if (Thread.currentThread() == caller) {
        callerStarts.add(from);
        try {
          Thread.sleep(2); // time for the worker to wake and claim a chunk
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        callerRanges.countDown();
      } else {
        try {
          timedOut[0] |= !callerRanges.await(10, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    });
    assertEquals(false, timedOut[0], "the caller did not run four ranges");
    int chunk = n / (2 * ParallelWork.RANGE_CHUNKS);
    for (int i = 0; i < ParallelWork.RANGE_CHUNKS; i++) {
      assertEquals(i * chunk, (int) callerStarts.get(i), "the caller's range " + i + " of " + callerStarts);
    }
  }
}
