package io.nabla.spark;

import io.nabla.runtime.Model;
import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The models an executor JVM keeps between tasks, so that a step does not rebuild (and re-initialise) the network:
 * one pool per run and batch size, a model per concurrently running task. A model is not thread-safe, so a task
 * borrows one and gives it back when it succeeded; after a failure it is dropped, whatever state it was left in.
 * Only the pools of the last few runs are kept, so a long-lived executor does not accumulate them.
 */
final class ExecutorModels {
  private static final int RUNS_KEPT = 8;

  private static final Map<String, ArrayDeque<Worker>> POOLS =
      new LinkedHashMap<String, ArrayDeque<Worker>>(16, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, ArrayDeque<Worker>> eldest) {
          return size() > RUNS_KEPT;
        }
      };

  private ExecutorModels() {}

  /**
   * A worker of pool {@code key} (a run and a batch size), made by {@code factory} if the pool is empty.
   *
   * @throws IllegalStateException if the factory returns a model whose parameter count differs from
   *     {@code parameterCount} or whose {@code maxBatch} is below {@code maxBatch}
   */
  static Worker borrow(String key, ModelFactory factory, DataShape shape, int maxBatch, int parameterCount) {
    synchronized (POOLS) {
      ArrayDeque<Worker> pool = POOLS.get(key);
      if (pool != null && !pool.isEmpty()) {
        return pool.pop();
      }
    }
    Model model = factory.create(maxBatch);
    if (model == null) {
      throw new IllegalStateException("the model factory returned null");
    }
    if (model.parameters().size() != parameterCount || model.maxBatch() < maxBatch) {
      throw new IllegalStateException("the model factory made " + model.name() + " with "
          + model.parameters().size() + " parameters and maxBatch " + model.maxBatch() + ", but the run needs "
          + parameterCount + " parameters and maxBatch " + maxBatch + "; it must make the driver's network with"
          + " the maxBatch it is given");
    }
    return new Worker(model, shape);
  }

  /** Returns a worker borrowed from pool {@code key}, after a task that succeeded. */
  static void giveBack(String key, Worker worker) {
    synchronized (POOLS) {
      ArrayDeque<Worker> pool = POOLS.get(key);
      if (pool == null) {
        pool = new ArrayDeque<>();
        POOLS.put(key, pool);
      }
      pool.push(worker);
    }
  }
}
