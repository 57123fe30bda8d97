package io.nabla.runtime.kernel;

/**
 * Java 17+ version of the kernel choice (the runtime jar's {@code META-INF/versions/17}): the Vector API kernels
 * when the incubator module {@code jdk.incubator.vector} is in the boot layer, which {@code java} resolves only
 * when asked ({@code --add-modules jdk.incubator.vector}); otherwise the portable kernels, with a one-line notice
 * on standard error, once per JVM.
 */
@Java17Only
final class KernelChoice {
  private static final String MODULE = "jdk.incubator.vector";
  private static final boolean VECTOR = ModuleLayer.boot().findModule(MODULE).isPresent();
  private static final java.util.concurrent.atomic.AtomicBoolean NOTICE_SHOWN =
      new java.util.concurrent.atomic.AtomicBoolean();

  private KernelChoice() {}

  static Kernels best(int threads) {
    if (VECTOR) {
      return new VectorKernels(threads);
    }
    if (NOTICE_SHOWN.compareAndSet(false, true)) {
      System.err.println("nabla: portable kernels; run java with --add-modules " + MODULE
          + " for the faster Vector API kernels");
    }
    return new PortableKernels(threads);
  }

  static String portableReason() {
    return VECTOR ? null : "the module " + MODULE + " is not resolved (java --add-modules " + MODULE + ")";
  }
}
