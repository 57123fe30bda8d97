package io.nabla.runtime.kernel;

import io.nabla.Activation;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;

/**
 * The work outside the products that a {@link Kernels} implementation splits over its threads: element-wise
 * activations and their derivatives by contiguous ranges (boundaries multiples of {@value #ALIGN} elements, so a
 * vector loop sees the same vector and tail elements whatever the split), attention by (sample, head) pairs, each
 * pair on one thread with that thread's scratch, the convolution steps by sample (im2col, col2im) or filter (the
 * epilogues, so each filter's bias gradient is summed whole by one thread), pooling by (sample, channel) plane. Every element or pair is computed by the same code whichever
 * thread runs it, so results are bitwise identical for any thread count. One instance per kernels instance; the
 * call in flight is published to the workers by the pool's volatile hand-off; nothing is allocated per call.
 */
abstract class ParallelWork implements WorkerPool.Task {
  /** Range boundaries are multiples of this many elements. */
  static final int ALIGN = 64;
  /** Element-wise work with an {@code exp} per element splits from this many elements (≈ 30 µs on one core). */
  static final int EXPENSIVE_THRESHOLD = 1 << 14;
  /** Cheap element-wise work (memory-bound) splits from this many elements. */
  static final int CHEAP_THRESHOLD = 1 << 18;
  /** Attention splits from this many multiply-adds of its score product ({@code pairs·T²·dh}). */
  static final long ATTENTION_THRESHOLD = 1L << 15;

  private static final int ACTIVATE = 0;
  private static final int DERIVATIVE = 1;
  private static final int FORWARD = 2;
  private static final int BACKWARD = 3;
  private static final int IM2COL = 4;
  private static final int COL2IM = 5;
  private static final int TO_BATCH = 6;
  private static final int TO_FILTER = 7;
  private static final int MAX_FORWARD = 8;
  private static final int MAX_BACKWARD = 9;
  private static final int AVERAGE_FORWARD = 10;
  private static final int AVERAGE_BACKWARD = 11;
  /** Convolution and pooling steps split from this many elements written (≈ 10 µs on one core). */
  static final long CONV_THRESHOLD = 1L << 15;

  private final @Nullable WorkerPool pool;
  private final AtomicBoolean busy;

  private int kind;
  private float @Nullable [] a;
  private float @Nullable [] b;
  private float @Nullable [] c;
  private float @Nullable [] d;
  private int n;
  private @Nullable Activation act;
  private float slope;
  private int time;
  private int dim;
  private int heads;
  private boolean causal;
  private @Nullable Conv2dGeometry geometry;
  private int @Nullable [] indices;
  private int batch;
  private int offset;

  ParallelWork(@Nullable WorkerPool pool, AtomicBoolean busy) {
    this.pool = pool;
    this.busy = busy;
  }

  /** {@code out[i] = act(z[i])} on {@code [from, to)}. */
  abstract void activateRange(float[] out, float[] z, int from, int to, Activation act, float slope);

  /** {@code dy[i] *= act'(z[i])} on {@code [from, to)}. */
  abstract void derivativeRange(float[] dy, float[] z, int from, int to, Activation act, float slope);

  /** Makes every thread's attention scratch large enough; runs on the calling thread before any part. */
  abstract void ensureAttentionScratch(int time, int dh);

  abstract void forwardPair(int thread, float[] attended, float[] probabilities, float[] qkv, int pair, int time,
      int dim, int heads, boolean causal);

  abstract void backwardPair(int thread, float[] dQkv, float[] dAttended, float[] probabilities, float[] qkv,
      int pair, int time, int dim, int heads, boolean causal);

  final void activate(float[] out, float[] z, int n, Activation act, float slope) {
    if (act == Activation.SOFTMAX) {
      throw new IllegalArgumentException(act + " is not an element-wise activation");
    }
    elementwise(ACTIVATE, out, z, n, act, slope);
  }

  final void multiplyDerivativeAtInput(float[] dy, float[] z, int n, Activation act, float slope) {
    if (act == Activation.SOFTMAX) {
      throw new IllegalArgumentException(act + " is not an element-wise activation");
    }
    elementwise(DERIVATIVE, dy, z, n, act, slope);
  }

  private void elementwise(int kind, float[] x, float[] z, int n, Activation act, float slope) {
    if (act == Activation.IDENTITY && kind == DERIVATIVE) {
      return;
    }
    int threshold = FastFunctions.expensive(act) ? EXPENSIVE_THRESHOLD : CHEAP_THRESHOLD;
    enter();
    try {
      if (pool == null || n < threshold) {
        if (kind == ACTIVATE) {
          activateRange(x, z, 0, n, act, slope);
        } else {
          derivativeRange(x, z, 0, n, act, slope);
        }
        return;
      }
      this.kind = kind;
      this.a = x;
      this.b = z;
      this.n = n;
      this.act = act;
      this.slope = slope;
      dispatch();
    } finally {
      busy.set(false);
    }
  }

  final void attentionForward(float[] attended, float[] probabilities, float[] qkv, int batch, int time, int dim,
      int heads, boolean causal) {
    attention(FORWARD, attended, probabilities, qkv, null, batch, time, dim, heads, causal);
  }

  final void attentionBackward(float[] dQkv, float[] dAttended, float[] probabilities, float[] qkv, int batch,
      int time, int dim, int heads, boolean causal) {
    attention(BACKWARD, dQkv, dAttended, probabilities, qkv, batch, time, dim, heads, causal);
  }

  private void attention(int kind, float[] x, float[] y, float[] z, float @Nullable [] w, int batch, int time,
      int dim, int heads, boolean causal) {
    int dh = dim / heads;
    int pairs = batch * heads;
    enter();
    try {
      if (kind == BACKWARD && dh * heads != dim) {
        // Columns beyond the last head get no gradient; everything else is overwritten pair by pair.
        java.util.Arrays.fill(x, 0, batch * time * 3 * dim, 0f);
      }
      if (pairs == 0 || time == 0 || dh == 0) {
        return;
      }
      ensureAttentionScratch(time, dh);
      if (pool == null || pairs < 2 || (long) pairs * time * time * dh < ATTENTION_THRESHOLD) {
        pairs(kind, 0, x, y, z, w, 0, pairs, time, dim, heads, causal);
        return;
      }
      this.kind = kind;
      this.a = x;
      this.b = y;
      this.c = z;
      this.d = w;
      this.n = pairs;
      this.time = time;
      this.dim = dim;
      this.heads = heads;
      this.causal = causal;
      dispatch();
    } finally {
      busy.set(false);
    }
  }

  private void pairs(int kind, int thread, float[] x, float[] y, float[] z, float @Nullable [] w, int from, int to,
      int time, int dim, int heads, boolean causal) {
    for (int pair = from; pair < to; pair++) {
      if (kind == FORWARD) {
        forwardPair(thread, x, y, z, pair, time, dim, heads, causal);
      } else {
        backwardPair(thread, x, y, z, w, pair, time, dim, heads, causal);
      }
    }
  }

  // ---------------------------------------------------------------------------------------------------------
  // Convolution and pooling: the static steps of Convolution and Pooling, split by sample, filter or plane. Every
  // element is computed by the same code in the same order whichever thread runs it.

  final void im2col(Conv2dGeometry g, float[] x, int batch, float[] columns) {
    convolution(IM2COL, g, batch, batch, (long) batch * g.patchSize() * g.outputPlane(), x, columns, null, null,
        null, 0, null, 0f);
  }

  final void col2imAdd(Conv2dGeometry g, float[] columns, int batch, float[] dx) {
    convolution(COL2IM, g, batch, batch, (long) batch * g.patchSize() * g.outputPlane(), columns, dx, null, null,
        null, 0, null, 0f);
  }

  final void toBatchMajor(Conv2dGeometry g, float[] product, int batch, float[] params, int biasOff, Activation act,
      float slope, float[] out) {
    convolution(TO_BATCH, g, g.filters, batch, (long) batch * g.outputSize(), product, params, out, null, null,
        biasOff, act, slope);
  }

  final void toFilterMajor(Conv2dGeometry g, float[] dy, float[] y, int batch, Activation act, float slope,
      float[] dz, float[] grads, int biasOff) {
    convolution(TO_FILTER, g, g.filters, batch, (long) batch * g.outputSize(), dy, y, dz, grads, null, biasOff,
        act, slope);
  }

  final void maxPoolForward(Conv2dGeometry g, float[] x, int batch, float[] out, int[] argmax) {
    g.checkWindowFits();
    convolution(MAX_FORWARD, g, batch * g.channels, batch, (long) batch * g.inputSize(), x, out, null, null,
        argmax, 0, null, 0f);
  }

  final void maxPoolBackward(Conv2dGeometry g, float[] dy, int[] argmax, int batch, float[] dx) {
    convolution(MAX_BACKWARD, g, batch * g.channels, batch, (long) batch * g.outputSize(), dy, dx, null, null,
        argmax, 0, null, 0f);
  }

  final void averagePoolForward(Conv2dGeometry g, float[] x, int batch, float[] out) {
    g.checkWindowFits();
    convolution(AVERAGE_FORWARD, g, batch * g.channels, batch, (long) batch * g.inputSize(), x, out, null, null,
        null, 0, null, 0f);
  }

  final void averagePoolBackward(Conv2dGeometry g, float[] dy, int batch, float[] dx) {
    g.checkWindowFits();
    convolution(AVERAGE_BACKWARD, g, batch * g.channels, batch, (long) batch * g.inputSize(), dy, dx, null, null,
        null, 0, null, 0f);
  }

  private void convolution(int kind, Conv2dGeometry g, int units, int batch, long size, float[] x, float[] y,
      float @Nullable [] z, float @Nullable [] w, int @Nullable [] indices, int offset, @Nullable Activation act,
      float slope) {
    enter();
    try {
      if (pool == null || units < 2 || size < CONV_THRESHOLD) {
        convolutionRange(kind, g, batch, x, y, z, w, indices, offset, act, slope, 0, units);
        return;
      }
      this.kind = kind;
      this.geometry = g;
      this.n = units;
      this.batch = batch;
      this.a = x;
      this.b = y;
      this.c = z;
      this.d = w;
      this.indices = indices;
      this.offset = offset;
      this.act = act;
      this.slope = slope;
      dispatch();
    } finally {
      busy.set(false);
    }
  }

  /**
   * {@link Pooling#maxForward} on the planes {@code [from, to)}; the Vector API kernels override it with a vector
   * loop for the 2×2 stride-2 window that picks the same elements.
   */
  void maxPoolRange(Conv2dGeometry g, float[] x, float[] out, int[] argmax, int from, int to) {
    Pooling.maxForwardPlanes(g, x, out, argmax, from, to);
  }

  /** {@link Convolution#col2imAdd} on samples {@code [from, to)}; the Vector API kernels override it. */
  void col2imAddRange(Conv2dGeometry g, float[] columns, int batch, float[] dx, int from, int to) {
    Convolution.col2imAddSamples(g, columns, batch, dx, from, to);
  }

  /** {@link Convolution#toBatchMajor} on filters {@code [from, to)}; the Vector API kernels override it. */
  void toBatchMajorRange(Conv2dGeometry g, float[] product, int batch, float[] params, int biasOff, Activation act,
      float slope, float[] out, int from, int to) {
    Convolution.toBatchMajorFilters(g, product, batch, params, biasOff, act, slope, out, from, to);
  }

  /** {@link Convolution#toFilterMajor} on filters {@code [from, to)}; the Vector API kernels override it. */
  void toFilterMajorRange(Conv2dGeometry g, float[] dy, float[] y, int batch, Activation act, float slope,
      float[] dz, float[] grads, int biasOff, int from, int to) {
    Convolution.toFilterMajorFilters(g, dy, y, batch, act, slope, dz, grads, biasOff, from, to);
  }

  private void convolutionRange(int kind, Conv2dGeometry g, int batch, float[] x, float[] y,
      float @Nullable [] z, float @Nullable [] w, int @Nullable [] indices, int offset, @Nullable Activation act,
      float slope, int from, int to) {
    switch (kind) {
      case IM2COL:
        Convolution.im2colSamples(g, x, batch, y, from, to);
        return;
      case COL2IM:
        col2imAddRange(g, x, batch, y, from, to);
        return;
      case TO_BATCH:
        toBatchMajorRange(g, x, batch, y, offset, act, slope, z, from, to);
        return;
      case TO_FILTER:
        toFilterMajorRange(g, x, y, batch, act, slope, z, w, offset, from, to);
        return;
      case MAX_FORWARD:
        maxPoolRange(g, x, y, indices, from, to);
        return;
      case MAX_BACKWARD:
        Pooling.maxBackwardPlanes(g, x, indices, y, from, to);
        return;
      case AVERAGE_FORWARD:
        Pooling.averageForwardPlanes(g, x, y, from, to);
        return;
      case AVERAGE_BACKWARD:
        Pooling.averageBackwardPlanes(g, x, y, from, to);
        return;
      default:
        throw new IllegalStateException("kind " + kind);
    }
  }

  private void enter() {
    if (!busy.compareAndSet(false, true)) {
      throw new IllegalStateException("this Kernels instance is in use by another thread: one instance serves one"
          + " model on one thread at a time; give each model its own");
    }
  }

  private void dispatch() {
    try {
      pool.run(this);
    } finally {
      a = null;
      b = null;
      c = null;
      d = null;
      indices = null;
      geometry = null;
      act = null;
    }
  }

  @Override
  public final void run(int part, int parts) {
    if (kind == ACTIVATE || kind == DERIVATIVE) {
      int chunks = (n + ALIGN - 1) / ALIGN;
      int from = (int) Math.min(n, (long) chunks * part / parts * ALIGN);
      int to = (int) Math.min(n, (long) chunks * (part + 1) / parts * ALIGN);
      if (from < to) {
        if (kind == ACTIVATE) {
          activateRange(a, b, from, to, act, slope);
        } else {
          derivativeRange(a, b, from, to, act, slope);
        }
      }
    } else if (kind >= IM2COL) {
      int from = (int) ((long) n * part / parts);
      int to = (int) ((long) n * (part + 1) / parts);
      if (from < to) {
        convolutionRange(kind, geometry, batch, a, b, c, d, indices, offset, act, slope, from, to);
      }
    } else {
      int from = (int) ((long) n * part / parts);
      int to = (int) ((long) n * (part + 1) / parts);
      pairs(kind, part, a, b, c, d, from, to, time, dim, heads, causal);
    }
  }

  // ---------------------------------------------------------------------------------------------------------
  // Recurrences (RecurrentWork) split over the same pool, under the same busy flag.

  final @Nullable WorkerPool pool() {
    return pool;
  }

  final AtomicBoolean busy() {
    return busy;
  }
}
