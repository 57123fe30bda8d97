package io.nabla.runtime.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Collections;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

/**
 * {@link Kernels#forEachPart} and {@link Kernels#forPart}: what a data-parallel training step runs its parts with.
 */
class PartSplittingTest {
  private static Kernels[] kernels() {
    return new Kernels[] {new ReferenceKernels(), new PortableKernels(1), new PortableKernels(2),
        new PortableKernels(3), Kernels.best(1), Kernels.best(2)};
  }

  @Test
  void everyPartRunsOnceForAnyCountAndThreads() {
    for (Kernels k : kernels()) {
      for (int count = 0; count <= 7; count++) {
        AtomicIntegerArray runs = new AtomicIntegerArray(Math.max(count, 1));
        k.forEachPart(count, runs::incrementAndGet);
        for (int p = 0; p < count; p++) {
          assertEquals(1, runs.get(p), k + ": part " + p + " of " + count);
        }
      }
    }
  }

  @Test
  void twoPartsRunSideBySideOnTwoThreads() throws InterruptedException {
    // Each part waits for the other: on one thread this would wait out the timeout.
    Kernels k = new PortableKernels(2);
    CountDownLatch both = new CountDownLatch(2);
    Set<String> threads = Collections.synchronizedSet(new HashSet<String>());
    boolean[] met = new boolean[2];
    k.forEachPart(2, p -> {
      threads.add(Thread.currentThread().getName());
      both.countDown();
      try {
        met[p] = both.await(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        throw new AssertionError(e);
      }
    });
    assertTrue(met[0] && met[1], "both parts were in flight at once");
    assertEquals(2, threads.size(), "on two threads: " + threads);
  }

  @Test
  void aPartsFailureReachesTheCallerAndTheKernelsStayUsable() {
    for (Kernels k : kernels()) {
      IllegalStateException e = assertThrows(IllegalStateException.class, () -> k.forEachPart(2, p -> {
        if (p == 1) {
          throw new IllegalStateException("part 1 failed");
        }
      }));
      assertEquals("part 1 failed", e.getMessage());
      AtomicIntegerArray runs = new AtomicIntegerArray(2);
      k.forEachPart(2, runs::incrementAndGet);
      assertEquals(1, runs.get(0) * runs.get(1), k + " after a failure");
    }
    assertThrows(IllegalArgumentException.class, () -> new PortableKernels(2).forEachPart(-1, p -> { }));
  }

  @Test
  void partKernelsAreNewInstancesOfTheSameKindOnHalfTheThreadsOnPoolsOfTheirOwn() {
    assertNull(new ReferenceKernels().forPart(0, 2), "the reference kernels make none: steps run whole");
    for (int threads : new int[] {1, 2, 3, 4, 5}) {
      PortableKernels k = new PortableKernels(threads);
      for (int p = 0; p < 2; p++) {
        Kernels part = k.forPart(p, 2);
        assertNotSame(k, part);
        assertSame(PortableKernels.class, part.getClass());
        assertEquals(Math.max(1, threads / 2), ((PortableKernels) part).threads(), threads + " threads, part " + p);
      }
    }
    Kernels best = Kernels.best(4);
    Kernels part = best.forPart(1, 2);
    assertSame(best.getClass(), part.getClass());
    assertTrue(!(part instanceof PortableKernels) || ((PortableKernels) part).threads() == 2, part.toString());
  }

  @Test
  void partsOfFourThreadsSplitTheirOwnWorkOnTheirOwnWorkersAtOnce() {
    // Two parts, each running a split range task on its own two-thread kernels: every element once.
    PortableKernels k = new PortableKernels(4);
    Kernels[] parts = {k.forPart(0, 2), k.forPart(1, 2)};
    int n = 1 << 16;
    AtomicIntegerArray visits = new AtomicIntegerArray(2 * n);
    k.forEachPart(2, p -> parts[p].forEachRange(n, 1, (from, to) -> {
      for (int i = from; i < to; i++) {
        visits.incrementAndGet(p * n + i);
      }
    }));
    for (int i = 0; i < 2 * n; i++) {
      assertEquals(1, visits.get(i), "element " + i);
    }
  }

  /** Parts are claimed, not dealt out: a worker whose parts take 50 ms (the caller's 5 ms) runs few of them. */
  @Test
  void aSlowThreadRunsFewerParts() {
    SlowWorker slow = new SlowWorker();
    new PortableKernels(2).forEachPart(8, part -> slow.run());
    assertEquals(8, slow.total());
    assertTrue(slow.elsewhere() < 4, "the slow worker ran " + slow.elsewhere() + " of 8 parts (equal shares: 4)");
  }
}
