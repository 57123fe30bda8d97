package io.nabla.runtime.kernel;

/**
 * Picks the fastest kernels this JVM can run, for {@link Kernels#best}. This is the Java 8 (and Android) version:
 * the portable kernels. The runtime jar is a multi-release jar; on Java 17+ its
 * {@code META-INF/versions/17} copy of this class takes over and picks the Vector API kernels when the
 * {@code jdk.incubator.vector} module is present.
 */
final class KernelChoice {
  private KernelChoice() {}

  static Kernels best(int threads) {
    return new PortableKernels(threads);
  }

  /** Why {@link #best} gives portable kernels, or {@code null} when it gives vector kernels. */
  static String portableReason() {
    return "the Vector API kernels need Java 17 or later and the multi-release runtime jar";
  }
}
