package io.nabla.runtime.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

/**
 * {@link WorkerPool}: every part of every task runs exactly once, whichever thread claims it (a worker, or the caller
 * once its own part is done), and a failing part is rethrown to the caller.
 */
class WorkerPoolTest {
  @Test
  void everyPartRunsOnceWhoeverClaimsIt() {
    for (int threads : new int[] {2, 3, 4}) {
      WorkerPool pool = WorkerPool.shared(threads);
      int runs = 20_000;
      AtomicIntegerArray counts = new AtomicIntegerArray(threads);
      for (int r = 0; r < runs; r++) {
        pool.run((part, parts) -> {
          assertEquals(threads, parts);
          counts.incrementAndGet(part);
        });
      }
      for (int part = 0; part < threads; part++) {
        assertEquals(runs, counts.get(part), threads + " threads, part " + part);
      }
    }
  }

  @Test
  void theCallerRunsAPartThatNoWorkerClaimedYet() throws InterruptedException {
    WorkerPool pool = WorkerPool.shared(2);
    Thread caller = Thread.currentThread();
    int callerTookPartOne = 0;
    for (int r = 0; r < 50; r++) {
      // Idle long enough for the worker to park: waking it takes tens of microseconds, claiming a part a few
      // nanoseconds, so with an instant part 0 the caller should take part 1 itself nearly every time.
      Thread.sleep(5);
      boolean[] byCaller = {false};
      pool.run((part, parts) -> {
        if (part == 1) {
          byCaller[0] = Thread.currentThread() == caller;
        }
      });
      if (byCaller[0]) {
        callerTookPartOne++;
      }
    }
    assertTrue(callerTookPartOne > 0, "the caller never ran a part a parked worker had not claimed");
  }

  @Test
  void aFailingPartIsRethrownAndThePoolStaysUsable() {
    WorkerPool pool = WorkerPool.shared(2);
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> pool.run((part, parts) -> {
      if (part == 1) {
        throw new IllegalStateException("part 1 failed");
      }
    }));
    assertEquals("part 1 failed", e.getMessage());
    AtomicIntegerArray counts = new AtomicIntegerArray(2);
    pool.run((part, parts) -> counts.incrementAndGet(part));
    assertEquals(1, counts.get(0));
    assertEquals(1, counts.get(1));
  }
}
