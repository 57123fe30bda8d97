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

  /**
   * A dense layer's two backward products, which do not depend on each other: the weight gradient
   * {@code grads[weightGradOff..] += dzᵀ · x} ({@code units × in}, summed over {@code rows}) and, when {@code dx} is
   * not null, the input gradient {@code dx[dxOff..] += dz · W} ({@code rows × in}), with {@code W} of shape
   * {@code (units, in)} at {@code weightOff} in {@code params}. Each result has the bits of the
   * {@link #matmulTN} and {@link #matmulNN} calls this default makes, one after the other; the Vector API kernels on
   * two threads may run one product on each thread instead of splitting each over both, so {@code dx} must not
   * overlap {@code grads}, {@code dz} or {@code x}.
   */
  default void denseBackward(float[] grads, int weightGradOff, float[] dz, int dzOff, float[] x, int xOff,
      float @org.jspecify.annotations.Nullable [] dx, int dxOff, float[] params, int weightOff, int rows, int in,
      int units) {
    matmulTN(grads, weightGradOff, dz, dzOff, x, xOff, units, in, rows, true);
    if (dx != null) {
      matmulNN(dx, dxOff, dz, dzOff, params, weightOff, rows, in, units, true);
    }
  }

  /** {@code out[i] = act(Σ_s inputs[s][i])} for {@code i < n}. */
  void addForward(float[] out, float[][] inputs, int n, Activation act, float slope);

  /** {@code dx[i] += dz[i]} for {@code i < n}. */
  void accumulate(float[] dx, float[] dz, int n);

  /**
   * {@code out[i] = act(z[i])} for {@code i < n}, leaving {@code z} unchanged (a layer that keeps its
   * pre-activation for backward, as GELU and SiLU need); {@code out} may be {@code z}. Softmax is not element-wise
   * and throws {@link IllegalArgumentException}.
   *
   * <p>This default is {@link ActivationFunctions#applyTo} (exact double GELU and SiLU, one thread).
   * {@link PortableKernels} and the Vector API kernels override it with fast float versions (GELU and GELU'
   * within {@code 2e-7·max(1, |x|)} of the definitions, as PyTorch's CPU kernel; SiLU within a few ulps),
   * split over their threads above a size threshold, bitwise identical for any thread count.
   */
  default void activate(float[] out, float[] z, int n, Activation act, float slope) {
    ActivationFunctions.applyTo(out, z, n, act, slope);
  }

  /**
   * {@code dy[i] *= act'(z[i])} for {@code i < n}, the derivative at the pre-activation {@code z} (every
   * element-wise activation; GELU and SiLU need this form). This default is
   * {@link ActivationFunctions#multiplyDerivativeAtInput}; implementations override it as {@link #activate}.
   */
  default void multiplyDerivativeAtInput(float[] dy, float[] z, int n, Activation act, float slope) {
    ActivationFunctions.multiplyDerivativeAtInput(dy, z, 0, n, act, slope);
  }

  /**
   * Multi-head attention forward, as {@link AttentionKernels#forward} (layouts, masking and results there): writes
   * {@code probabilities} (B, H, T, T) and {@code attended} (B·T, D) from {@code qkv} (B·T, 3D). This default is
   * that single-threaded method; {@link PortableKernels} and the Vector API kernels split the (sample, head) pairs
   * over their threads, each pair computed by the same code on any thread (bitwise identical for any thread
   * count), with a fast float {@code exp}.
   */
  default void attentionForward(float[] attended, float[] probabilities, float[] qkv, int batch, int time, int dim,
      int heads, boolean causal) {
    AttentionKernels.forward(attended, probabilities, qkv, batch, time, dim, heads, causal);
  }

  /**
   * Multi-head attention backward, as {@link AttentionKernels#backward}: overwrites {@code dQkv} (B·T, 3D).
   * {@code scratch} holds at least {@link AttentionKernels#scratchSize}{@code (time)} floats; implementations that
   * split the work over threads keep their own per-thread scratch and may ignore it.
   */
  default void attentionBackward(float[] dQkv, float[] dAttended, float[] probabilities, float[] qkv, int batch,
      int time, int dim, int heads, boolean causal, float[] scratch) {
    AttentionKernels.backward(dQkv, dAttended, probabilities, qkv, batch, time, dim, heads, causal, scratch);
  }

  /**
   * {@link Convolution#im2col}. This default is that single-threaded method; {@link PortableKernels} and the Vector
   * API kernels split the samples over their threads (each sample's columns written by the same code, so bitwise
   * identical for any thread count), as they do every convolution and pooling step below.
   */
  default void im2col(Conv2dGeometry g, float[] x, int batch, float[] columns) {
    Convolution.im2col(g, x, batch, columns);
  }

  /** {@link Convolution#col2imAdd}; split by sample as {@link #im2col}. */
  default void col2imAdd(Conv2dGeometry g, float[] columns, int batch, float[] dx) {
    Convolution.col2imAdd(g, columns, batch, dx);
  }

  /**
   * {@link Convolution#toBatchMajor} (the forward epilogue); implementations split the samples over threads (the
   * filters when there are fewer samples than threads).
   */
  default void toBatchMajor(Conv2dGeometry g, float[] product, int batch, float[] params, int biasOff,
      Activation act, float slope, float[] out) {
    Convolution.toBatchMajor(g, product, batch, params, biasOff, act, slope, out);
  }

  /**
   * {@link Convolution#toFilterMajor} (the backward prologue and bias gradient); implementations split the samples
   * over threads (the filters when there are fewer samples than threads), each filter's bias gradient the sum of
   * its planes' sums in the fixed order of the static method.
   */
  default void toFilterMajor(Conv2dGeometry g, float[] dy, float[] y, int batch, Activation act, float slope,
      float[] dz, float[] grads, int biasOff) {
    Convolution.toFilterMajor(g, dy, y, batch, act, slope, dz, grads, biasOff);
  }

  /** {@link Pooling#maxForward}; implementations split the (sample, channel) planes over threads. */
  default void maxPoolForward(Conv2dGeometry g, float[] x, int batch, float[] out, int[] argmax) {
    Pooling.maxForward(g, x, batch, out, argmax);
  }

  /** {@link Pooling#maxBackward}; split by plane as {@link #maxPoolForward}. */
  default void maxPoolBackward(Conv2dGeometry g, float[] dy, int[] argmax, int batch, float[] dx) {
    Pooling.maxBackward(g, dy, argmax, batch, dx);
  }

  /** {@link Pooling#averageForward}; split by plane as {@link #maxPoolForward}. */
  default void averagePoolForward(Conv2dGeometry g, float[] x, int batch, float[] out) {
    Pooling.averageForward(g, x, batch, out);
  }

  /** {@link Pooling#averageBackward}; split by plane as {@link #maxPoolForward}. */
  default void averagePoolBackward(Conv2dGeometry g, float[] dy, int batch, float[] dx) {
    Pooling.averageBackward(g, dy, batch, dx);
  }

  /**
   * Element-wise work on a range of a flat buffer, for {@link #forEachRange}: updates the elements
   * {@code [from, to)} and nothing outside them, each element's result independent of the range boundaries.
   */
  interface RangeTask {
    void run(int from, int to);
  }

  /**
   * Runs {@code task} over {@code [0, n)}: in one call on this thread, or, when {@code n >= splitFrom} and this
   * instance has several threads, in contiguous ranges (a few per thread, claimed by whichever thread is free),
   * boundaries multiples of 64 elements (so a vector loop sees the same vector and tail elements whatever the
   * split). For element-wise work such as an
   * optimizer's update or zeroing gradients, whose result is then bitwise identical for any thread count. Nothing
   * is allocated. This default runs {@code task.run(0, n)}.
   *
   * @throws IllegalArgumentException if {@code n} is negative
   */
  default void forEachRange(int n, int splitFrom, RangeTask task) {
    if (n < 0) {
      throw new IllegalArgumentException("the range size must not be negative, got " + n);
    }
    if (n > 0) {
      task.run(0, n);
    }
  }

  /** One of {@code count} independent pieces of work, for {@link #forEachPart}. */
  interface PartTask {
    void run(int part);
  }

  /**
   * Runs {@code task.run(p)} once for every {@code p < count} and returns when all are done: side by side on this
   * instance's threads when it has several (each part run by whichever thread claims it first, so a slower core
   * runs fewer), else one after the other. A data-parallel training step runs its
   * parts this way, each on its own {@link #forPart} kernels; the parts must not call this instance.
   * Nothing is allocated. This default runs the parts in order.
   */
  default void forEachPart(int count, PartTask task) {
    if (count < 0) {
      throw new IllegalArgumentException("the part count must not be negative, got " + count);
    }
    for (int p = 0; p < count; p++) {
      task.run(p);
    }
  }

  /**
   * A new instance of these kernels for part {@code part} of {@code parts} of a data-parallel training step, which
   * runs in one of this instance's threads ({@link #forEachPart}) beside the other parts: on
   * {@code max(1, threads / parts)} threads, the extra ones workers of that part's own (shared by every instance
   * made for that part with that thread count), and every result bitwise that of this instance (as any thread
   * count's is). {@code null} when there is none, and the steps of a model on these kernels then run whole. The
   * portable and Vector API kernels return one; this default and {@link ReferenceKernels} do not.
   */
  default @org.jspecify.annotations.Nullable Kernels forPart(int part, int parts) {
    return null;
  }

  /**
   * {@code x[i] = 0} for {@code i < n}: a backward pass's gradient buffers, cleared before its layers add into
   * them. This default is {@link java.util.Arrays#fill(float[], int, int, float)} on this thread; the portable and
   * Vector API kernels split large buffers over their threads.
   */
  default void zero(float[] x, int n) {
    java.util.Arrays.fill(x, 0, n, 0f);
  }

  /**
   * {@link LossFunctions#softmaxCrossEntropy}, which this default calls. The portable and Vector API kernels split
   * the rows over their threads above a size threshold, each row's gradient and loss term computed by the same
   * code, and the loss terms summed in row order on the calling thread: bitwise identical for any thread count.
   */
  default float softmaxCrossEntropy(float[] z, int[] labels, int rows, int classes, float[] dz) {
    return LossFunctions.softmaxCrossEntropy(z, labels, rows, classes, dz);
  }

  /**
   * {@link EmbeddingKernels#embeddingForward}, which this default calls: every id is checked, on the calling
   * thread, before anything is written. The portable and Vector API kernels then split the rows' copies over their
   * threads above a size threshold.
   */
  default void embeddingForward(String layer, float[] out, float[] ids, int idsOff, int batch, int time,
      float[] params, int tableOff, int vocabulary, int dimension) {
    EmbeddingKernels.embeddingForward(layer, out, ids, idsOff, batch, time, params, tableOff, vocabulary,
        dimension);
  }

  /**
   * {@link EmbeddingKernels#embeddingBackward}, which this default calls; the portable and Vector API kernels
   * run it on the calling thread too (split, each thread would read gradient rows the other has just written).
   */
  default void embeddingBackward(float[] dOut, float[] ids, int idsOff, int rows, float[] grads, int tableOff,
      int dimension) {
    EmbeddingKernels.embeddingBackward(dOut, ids, idsOff, rows, grads, tableOff, dimension);
  }

  /**
   * {@link EmbeddingKernels#positionalForward}, which this default calls; split by contiguous element ranges in
   * the portable and Vector API kernels above a size threshold.
   */
  default void positionalForward(float[] out, float[] x, int batch, int time, int dimension, float[] params,
      int off) {
    EmbeddingKernels.positionalForward(out, x, batch, time, dimension, params, off);
  }

  /**
   * {@link EmbeddingKernels#positionalBackward}, which this default calls. The portable and Vector API kernels
   * split the position table's elements (each summed over the samples in order by one thread) and {@code dx}'s
   * element ranges over their threads above a size threshold.
   */
  default void positionalBackward(float[] dOut, int batch, int time, int dimension, float[] grads, int off,
      float @org.jspecify.annotations.Nullable [] dx) {
    EmbeddingKernels.positionalBackward(dOut, batch, time, dimension, grads, off, dx);
  }

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

  // ---------------------------------------------------------------------------------------------------------
  // Layer and batch normalisation. Each default is the static method of LayerNormKernels or
  // NormalizationKernels; PortableKernels and the Vector API kernels split the work over their threads above a
  // size threshold (ParallelWork), every row, feature or channel computed whole by one thread with the same code
  // in the same order, so their results are bitwise those of the static method for any thread count.

  /**
   * {@link LayerNormKernels#forward}. Implementations split the rows over their threads (each row's mean, 1/σ and
   * output are independent).
   */
  default void layerNormForward(float[] y, float[] x, int rows, int n, float epsilon, float[] params, int weightOff,
      int biasOff, float[] mean, float[] rstd) {
    LayerNormKernels.forward(y, x, rows, n, epsilon, params, weightOff, biasOff, mean, rstd);
  }

  /**
   * {@link LayerNormKernels#backward}. Implementations split {@code dx} by rows and the {@code γ} and {@code β}
   * gradients, sums over the rows, by features, each feature's sums taken by one thread in increasing row order as
   * in the static method. When {@code dx} is {@code dy} or {@code x}, or {@code grads} is {@code dy} or {@code x},
   * they run the static method on the calling thread.
   */
  default void layerNormBackward(float[] dy, float[] x, int rows, int n, float[] mean, float[] rstd, float[] params,
      int weightOff, float[] grads, int weightGradOff, int biasGradOff,
      float @org.jspecify.annotations.Nullable [] dx) {
    LayerNormKernels.backward(dy, x, rows, n, mean, rstd, params, weightOff, grads, weightGradOff, biasGradOff, dx);
  }

  /**
   * {@link NormalizationKernels#batchNormTraining}. Implementations split the channels over their threads, each
   * channel's statistics, running statistics, output and activation computed by one thread.
   */
  default void batchNormTraining(float[] x, int batch, int channels, int spatial, float[] params, int gammaOff,
      int betaOff, float[] state, int meanOff, int varOff, float momentum, float epsilon, float[] xhat,
      float[] invStd, Activation act, float slope, float[] out) {
    NormalizationKernels.batchNormTraining(x, batch, channels, spatial, params, gammaOff, betaOff, state, meanOff,
        varOff, momentum, epsilon, xhat, invStd, act, slope, out);
  }

  /** {@link NormalizationKernels#batchNormInference}; split by channel as {@link #batchNormTraining}. */
  default void batchNormInference(float[] x, int batch, int channels, int spatial, float[] params, int gammaOff,
      int betaOff, float[] state, int meanOff, int varOff, float epsilon, float[] xhat, float[] invStd,
      Activation act, float slope, float[] out) {
    NormalizationKernels.batchNormInference(x, batch, channels, spatial, params, gammaOff, betaOff, state, meanOff,
        varOff, epsilon, xhat, invStd, act, slope, out);
  }

  /**
   * {@link NormalizationKernels#batchNormBackward}; split by channel as {@link #batchNormTraining}, each channel's
   * {@code dz}, gradient sums and input gradient computed by one thread.
   */
  default void batchNormBackward(float[] dy, float[] y, Activation act, float slope, float[] xhat, float[] invStd,
      int batch, int channels, int spatial, float[] params, int gammaOff, float[] grads, int betaOff,
      boolean training, float @org.jspecify.annotations.Nullable [] dx) {
    NormalizationKernels.batchNormBackward(dy, y, act, slope, xhat, invStd, batch, channels, spatial, params,
        gammaOff, grads, betaOff, training, dx);
  }

  // ---------------------------------------------------------------------------------------------------------
  // Recurrences: every step of one direction of @SimpleRnn, @Gru or @Lstm, forward or backward (RecurrentKernels).

  /**
   * Every step of one direction of a {@code @SimpleRnn} forward, after the input projection: for each step,
   * {@code recurrent = h_{s-1} · W_hhᵀ} (from the step-0 state of zero: no product at step 0) then
   * {@link RecurrentKernels#simpleRnnForward}. {@code W_hh} is at {@code weightHhOff} in {@code params}.
   *
   * <p>This default runs exactly that on this instance's products. {@link PortableKernels} and the Vector API kernels
   * split the samples over their threads in chunks of {@value RecurrentKernels#BIAS_CHUNK}: a sample's recurrence
   * depends on no other sample, so each thread runs every step on its own samples, without waiting for the others
   * between steps, each row of a product computed by the same code as in the whole product and each value of a
   * step by the static method's arithmetic with the instance's gate functions (the exact ones on the portable
   * kernels; float vector ones on the Vector API kernels, see {@link GateFunctions}), so bitwise identical for any
   * thread count, as they do every recurrence below.
   */
  default void simpleRnnRecurrenceForward(RecurrentGeometry g, int direction, int batch, float[] projection,
      float[] recurrent, float[] params, int weightHhOff, int biasIhOff, int biasHhOff, float[] hidden,
      float[] out) {
    for (int step = 0; step < g.time; step++) {
      if (step > 0) {
        matmulNT(recurrent, 0, hidden, g.stateOffset(batch, direction, step - 1), params, weightHhOff, batch,
            g.gateWidth(), g.units, false);
      }
      RecurrentKernels.simpleRnnForward(g, direction, step, batch, projection, recurrent, params, biasIhOff,
          biasHhOff, hidden, out);
    }
  }

  /**
   * Every step of one direction of a {@code @SimpleRnn} backward, before the weight gradients: {@code dh = 0}
   * ({@code stateGrad}), then for each step from the last {@link RecurrentKernels#simpleRnnBackward} and, but at
   * step 0, {@code dh += dZ_s · W_hh}. Split as {@link #simpleRnnRecurrenceForward}; each bias gradient is summed
   * in the fixed order of {@link RecurrentKernels#biasGradients}, step by step from the last.
   */
  default void simpleRnnRecurrenceBackward(RecurrentGeometry g, int direction, int batch, float[] dy,
      float[] hidden, float[] stateGrad, float[] projectionGrad, float[] gateGrad, float[] params, int weightHhOff,
      float[] grads, int biasIhOff, int biasHhOff) {
    java.util.Arrays.fill(stateGrad, 0, batch * g.units, 0f);
    for (int step = g.time - 1; step >= 0; step--) {
      RecurrentKernels.simpleRnnBackward(g, direction, step, batch, dy, hidden, stateGrad, projectionGrad, gateGrad,
          grads, biasIhOff, biasHhOff);
      if (step > 0) {
        matmulNN(stateGrad, 0, gateGrad, g.gateOffset(batch, direction, step), params, weightHhOff, batch, g.units,
            g.gateWidth(), true);
      }
    }
  }

  /** {@link #simpleRnnRecurrenceForward} for {@code @Gru}: {@link RecurrentKernels#gruForward} at each step. */
  default void gruRecurrenceForward(RecurrentGeometry g, int direction, int batch, float[] projection,
      float[] recurrent, float[] params, int weightHhOff, int biasIhOff, int biasHhOff, float[] gates,
      float[] newRecurrent, float[] hidden, float[] out) {
    for (int step = 0; step < g.time; step++) {
      if (step > 0) {
        matmulNT(recurrent, 0, hidden, g.stateOffset(batch, direction, step - 1), params, weightHhOff, batch,
            g.gateWidth(), g.units, false);
      }
      RecurrentKernels.gruForward(g, direction, step, batch, projection, recurrent, params, biasIhOff, biasHhOff,
          gates, newRecurrent, hidden, out);
    }
  }

  /** {@link #simpleRnnRecurrenceBackward} for {@code @Gru}: {@link RecurrentKernels#gruBackward} at each step. */
  default void gruRecurrenceBackward(RecurrentGeometry g, int direction, int batch, float[] dy, float[] gates,
      float[] newRecurrent, float[] hidden, float[] stateGrad, float[] projectionGrad, float[] params,
      int weightHhOff, float[] grads, int biasIhOff, int biasHhOff) {
    java.util.Arrays.fill(stateGrad, 0, batch * g.units, 0f);
    for (int step = g.time - 1; step >= 0; step--) {
      RecurrentKernels.gruBackward(g, direction, step, batch, dy, gates, newRecurrent, hidden, stateGrad,
          projectionGrad, grads, biasIhOff, biasHhOff);
      if (step > 0) {
        matmulNN(stateGrad, 0, gates, g.gateOffset(batch, direction, step), params, weightHhOff, batch, g.units,
            g.gateWidth(), true);
      }
    }
  }

  /** {@link #simpleRnnRecurrenceForward} for {@code @Lstm}: {@link RecurrentKernels#lstmForward} at each step. */
  default void lstmRecurrenceForward(RecurrentGeometry g, int direction, int batch, float[] projection,
      float[] recurrent, float[] params, int weightHhOff, int biasIhOff, int biasHhOff, float[] gates, float[] cells,
      float[] cellTanh, float[] hidden, float[] out) {
    for (int step = 0; step < g.time; step++) {
      if (step > 0) {
        matmulNT(recurrent, 0, hidden, g.stateOffset(batch, direction, step - 1), params, weightHhOff, batch,
            g.gateWidth(), g.units, false);
      }
      RecurrentKernels.lstmForward(g, direction, step, batch, projection, recurrent, params, biasIhOff, biasHhOff,
          gates, cells, cellTanh, hidden, out);
    }
  }

  /**
   * {@link #simpleRnnRecurrenceBackward} for {@code @Lstm}: {@code dh = dc = 0} (both halves of {@code stateGrad}),
   * then {@link RecurrentKernels#lstmBackward} at each step.
   */
  default void lstmRecurrenceBackward(RecurrentGeometry g, int direction, int batch, float[] dy, float[] gates,
      float[] cells, float[] cellTanh, float[] stateGrad, float[] projectionGrad, float[] params, int weightHhOff,
      float[] grads, int biasIhOff, int biasHhOff) {
    java.util.Arrays.fill(stateGrad, 0, 2 * batch * g.units, 0f);
    for (int step = g.time - 1; step >= 0; step--) {
      RecurrentKernels.lstmBackward(g, direction, step, batch, dy, gates, cells, cellTanh, stateGrad, projectionGrad,
          grads, biasIhOff, biasHhOff);
      if (step > 0) {
        matmulNN(stateGrad, 0, gates, g.gateOffset(batch, direction, step), params, weightHhOff, batch, g.units,
            g.gateWidth(), true);
      }
    }
  }
}
