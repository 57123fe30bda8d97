package io.nabla.benchmarks;

import io.nabla.runtime.kernel.Kernels;

/**
 * The kernels a benchmark runs on, by name: {@code portable} ({@link Kernels#portable(int)}, pure Java) or
 * {@code best} ({@link Kernels#best(int)}: the Vector API kernels when the JVM runs with
 * {@code --add-modules jdk.incubator.vector}, which the JMH benchmarks pass to their forks, otherwise portable).
 */
final class BenchKernels {
  /** What JMH forks add so that {@code best} can be the Vector API kernels. */
  static final String VECTOR_MODULE = "--add-modules=jdk.incubator.vector";

  private BenchKernels() {}

  static Kernels create(String name, int threads) {
    switch (name) {
      case "portable":
        return Kernels.portable(threads);
      case "best":
        return Kernels.best(threads);
      default:
        throw new IllegalArgumentException("kernels must be portable or best, got " + name);
    }
  }

  /** The implementation behind a name, e.g. {@code VectorKernels} for {@code best}. */
  static String describe(String name) {
    return create(name, 1).getClass().getSimpleName();
  }
}
