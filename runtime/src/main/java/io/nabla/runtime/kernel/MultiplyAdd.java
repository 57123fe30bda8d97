package io.nabla.runtime.kernel;

/**
 * The multiply-add of {@link PortableKernels}' products. This is the Java 8 (and Android) version:
 * {@code a · b + c} with two roundings, as {@code Math.fma} is Java 9+. The runtime jar is a multi-release jar; on
 * Java 17+ its {@code META-INF/versions/17} copy of this class takes over and fuses the two with {@code Math.fma}
 * when the CPU has FMA instructions. Either way the JIT inlines {@link #fma} into the products' loops.
 */
final class MultiplyAdd {
  private MultiplyAdd() {}

  /** {@code a · b + c}. */
  static float fma(float a, float b, float c) {
    return a * b + c;
  }

  /** Whether {@link #fma} rounds once ({@code Math.fma}); here never. A method, not a constant javac would copy. */
  static boolean fused() {
    return false;
  }
}
