package io.nabla.runtime.kernel;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * A piece of work that runs ten times slower off the thread that made this: 50 ms on a worker, 5 ms on the caller
 * (so a worker wakes and claims some). Counts the pieces each side ran: work that is claimed gives the slow worker
 * fewer than half of them, equal shares exactly half.
 */
final class SlowWorker {
  private final Thread caller = Thread.currentThread();
  private int onCaller;
  private final AtomicInteger elsewhere = new AtomicInteger();

  void run() {
    boolean slow = Thread.currentThread() != caller;
    if (slow) {
      elsewhere.incrementAndGet();
    } else {
      onCaller++;
    }
    try {
      Thread.sleep(slow ? 50 : 5);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Pieces run by the worker. */
  int elsewhere() {
    return elsewhere.get();
  }

  /** Pieces run in all. */
  int total() {
    return onCaller + elsewhere.get();
  }
}
