package io.nabla.runtime.kernel;

import io.nabla.Activation;

/**
 * The hot loops generated networks call. Matrices are row-major {@code float[]} with an offset; {@code m, n, k}
 * are the usual GEMM sizes. Every method either overwrites its output or, where {@code accumulate} is set or the
 * name says so, adds into it (backward passes accumulate, as gradients do when a layer feeds several others).
 *
 * <p>{@link ReferenceKernels} is the naive twin every optimised implementation is tested against. An
 * implementation may keep scratch space, so one instance serves one model on one thread at a time.
 */
public interface Kernels {

  /** {@code c[m×n] (+)= a[m×k] · b[k×n]}. */
  void matmulNN(float[] c, int cOff, float[] a, int aOff, float[] b, int bOff, int m, int n, int k,
      boolean accumulate);

  /** {@code c[m×n] (+)= a[m×k] · b[n×k]ᵀ}. */
  void matmulNT(float[] c, int cOff, float[] a, int aOff, float[] b, int bOff, int m, int n, int k,
      boolean accumulate);

  /** {@code c[m×n] (+)= a[k×m]ᵀ · b[k×n]}. */
  void matmulTN(float[] c, int cOff, float[] a, int aOff, float[] b, int bOff, int m, int n, int k,
      boolean accumulate);

  /**
   * Dense forward, fused: {@code out[r, j] = act(Σ_i x[r, i] · w[j, i] + bias[j])} for {@code rows} rows, with
   * {@code w} of shape {@code (units, in)} at {@code weightOff} in {@code params} and the bias at {@code biasOff}
   * ({@code -1}: no bias). The bias and activation are applied while the output row is hot in cache.
   */
  void denseForward(float[] out, float[] x, int xOff, float[] params, int weightOff, int biasOff, int rows,
      int in, int units, Activation act, float slope);

  /**
   * Activation backward, fused with the bias gradient: overwrites {@code dy} with
   * {@code dz = dy ⊙ act'(y)} (the derivative written as a function of the output {@code y}) and adds
   * {@code Σ_r dz[r, j]} into {@code grads[biasGradOff + j]} ({@code -1}: no bias). GELU and SiLU, whose
   * derivatives need the pre-activation, throw {@link IllegalArgumentException} before writing anything: a layer
   * using them keeps its pre-activation and calls {@link ActivationFunctions#multiplyDerivativeAtInput}.
   */
  void activationBackward(float[] dy, float[] y, int rows, int n, Activation act, float slope, float[] grads,
      int biasGradOff);

  /** {@code out[i] = act(Σ_s inputs[s][i])} for {@code i < n}. */
  void addForward(float[] out, float[][] inputs, int n, Activation act, float slope);

  /** {@code dx[i] += dz[i]} for {@code i < n}. */
  void accumulate(float[] dx, float[] dz, int n);

  /** A new instance of the default kernels: portable Java, no native code, no Vector API, one thread. */
  static Kernels portable() {
    return new PortableKernels();
  }

  /**
   * Portable kernels that split large products over {@code threads} threads, with results bitwise identical
   * to one thread's.
   */
  static Kernels portable(int threads) {
    return new PortableKernels(threads);
  }

  /** A new instance of the fastest kernels this JVM runs, on one thread: see {@link #best(int)}. */
  static Kernels best() {
    return best(1);
  }

  /**
   * A new instance of the fastest kernels this JVM runs, splitting large products over {@code threads} threads
   * (results bitwise identical for any thread count). On Java 17+ with the {@code jdk.incubator.vector} module
   * resolved ({@code java --add-modules jdk.incubator.vector}) these are the Vector API kernels, 2-4× faster than
   * the portable ones on large products; otherwise, and always on Java 8-16 and Android, the portable kernels
   * ({@link #portable(int)}). Without the module, Java 17+ prints a one-line notice to standard error, once. The
   * two sum in different orders, so their results agree to rounding, not bitwise.
   */
  static Kernels best(int threads) {
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be at least 1, got " + threads);
    }
    return KernelChoice.best(threads);
  }
}
