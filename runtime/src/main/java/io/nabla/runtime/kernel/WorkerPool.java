package io.nabla.runtime.kernel;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.jspecify.annotations.Nullable;

/**
 * A fixed set of daemon threads that run one task at a time in {@code parts} parts: the caller runs part 0, and
 * every part after it goes to whichever thread claims it first — a worker, or the caller once its own part is done,
 * so a worker that the OS has not scheduled (another program holds its core) delays nothing: the caller runs its
 * part instead of waiting. Each part runs on one thread, so a task may give each part index scratch of its own;
 * tasks that cut their work finer claim chunks from a counter of their own inside their parts, and each chunk's
 * result depends only on the chunk, never on the thread or on which part claimed it, so results are the same
 * whoever runs it.
 * Workers are started once, poll for {@value #SPIN_NANOS} ns after a task and then park; handing a task over
 * allocates nothing, so a training step stays allocation-free. One pool per thread count is shared by every kernel
 * instance ({@link #shared}), so creating kernels never leaks threads; callers on different threads take turns.
 */
final class WorkerPool {
  /**
   * How long an idle worker polls for the next task before parking: the products of one training step come a
   * few microseconds apart, and waking a parked thread takes tens of microseconds, longer than a small product.
   */
  static final long SPIN_NANOS = 50_000;

  private static final java.util.Map<Integer, WorkerPool> SHARED = new java.util.HashMap<Integer, WorkerPool>();

  /** The pool of {@code threads} threads (the caller and {@code threads - 1} workers), started on first use. */
  static WorkerPool shared(int threads) {
    return shared(threads, 0);
  }

  /**
   * As {@link #shared(int)}, in lane {@code lane}: lane 0 is every kernels instance's, lane {@code p + 1} the
   * kernels of part {@code p} of data-parallel steps ({@link Kernels#forPart}), whose parts run at once, each
   * splitting its products over workers of its own.
   */
  static WorkerPool shared(int threads, int lane) {
    if (lane < 0 || lane >= LANES) {
      throw new IllegalArgumentException("lane " + lane + " is not in [0, " + LANES + ")");
    }
    synchronized (SHARED) {
      WorkerPool pool = SHARED.get(threads * LANES + lane);
      if (pool == null) {
        pool = new WorkerPool(threads, lane);
        SHARED.put(threads * LANES + lane, pool);
      }
      return pool;
    }
  }

  /** The number of lanes of pools per thread count. */
  static final int LANES = 16;

  /** Work split in parts; part {@code part} of {@code parts}. */
  interface Task {
    void run(int part, int parts);
  }

  private volatile @Nullable Task task;
  private final Thread[] workers;
  private final AtomicInteger pending = new AtomicInteger();
  /** The next unclaimed part of the task in flight. */
  private final AtomicInteger nextPart = new AtomicInteger();
  private volatile int generation;
  private volatile @Nullable Throwable failure;

  private WorkerPool(int threads, int lane) {
    this.workers = new Thread[threads - 1];
    for (int w = 0; w < workers.length; w++) {
      final int part = w + 1;
      Thread thread = new Thread(new Runnable() {
        @Override
        public void run() {
          work();
        }
      }, lane == 0 ? "nabla-kernels-" + part : "nabla-part" + (lane - 1) + "-kernels-" + part);
      thread.setDaemon(true);
      workers[w] = thread;
      thread.start();
    }
  }

  /** Runs every part of {@code task} and returns when all are done; rethrows a worker's failure. */
  synchronized void run(Task task) {
    this.task = task;
    int parts = workers.length + 1;
    pending.set(workers.length);
    nextPart.set(1);
    generation++;
    for (Thread worker : workers) {
      LockSupport.unpark(worker);
    }
    Throwable own = null;
    try {
      task.run(0, parts);
    } catch (Throwable t) {
      own = t;
    }
    for (int part = nextPart.getAndIncrement(); part < parts; part = nextPart.getAndIncrement()) {
      try {
        task.run(part, parts);
      } catch (Throwable t) {
        if (own == null) {
          own = t;
        }
      } finally {
        pending.decrementAndGet();
      }
    }
    int spins = 0;
    while (pending.get() != 0) {
      if (++spins > 1000) {
        Thread.yield();
      }
    }
    Throwable failed = own != null ? own : failure;
    failure = null;
    this.task = null;
    if (failed instanceof RuntimeException) {
      throw (RuntimeException) failed;
    }
    if (failed instanceof Error) {
      throw (Error) failed;
    }
  }

  private void work() {
    int seen = 0;
    while (true) {
      long parkAfter = System.nanoTime() + SPIN_NANOS;
      while (generation == seen) {
        if (System.nanoTime() - parkAfter > 0) {
          LockSupport.park(this);
        }
      }
      seen = generation;
      int parts = workers.length + 1;
      for (int claimed = nextPart.getAndIncrement(); claimed < parts; claimed = nextPart.getAndIncrement()) {
        try {
          task.run(claimed, parts);
        } catch (Throwable t) {
          failure = t;
        } finally {
          pending.decrementAndGet();
        }
      }
    }
  }

  /** The number of parts a task runs in: the caller's and one per worker. */
  int threads() {
    return workers.length + 1;
  }
}
