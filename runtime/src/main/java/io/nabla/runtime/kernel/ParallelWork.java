package io.nabla.runtime.kernel;

import io.nabla.Activation;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;

/**
 * The work outside the products that a {@link Kernels} implementation splits over its threads: element-wise
 * activations and their derivatives, an add layer's sums, gradient accumulation and caller-defined element-wise
 * work (an optimizer's update, zeroing gradients) by contiguous ranges (boundaries multiples of {@value #ALIGN}
 * elements, so a vector loop sees the same vector and tail elements whatever the split); a dense layer's
 * activation backward by columns (each bias gradient summed whole by one thread); attention by (sample, head)
 * pairs, each pair on one thread with that thread's scratch; the convolution steps by sample (im2col, col2im, and
 * the epilogues, whose bias gradient is then summed from per-plane sums in sample order by the calling thread; by
 * filter when there are fewer samples than threads); pooling by (sample, channel) plane; layer norm by rows (its
 * γ/β gradients by features) and batch norm by channel. Every element,
 * pair or sum is computed by the same code in the same order whichever thread runs it, so results are bitwise
 * identical for any thread count. One instance per kernels instance; the call in flight is published to the
 * workers by the pool's volatile hand-off; nothing is allocated per call.
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
  private static final int RANGES = 12;
  private static final int ACTIVATION_BACKWARD = 13;
  private static final int ADD_FORWARD = 14;
  private static final int ACCUMULATE = 15;
  /** The convolution epilogues split by samples rather than filters ({@link #splitsBySample}). */
  private static final int TO_BATCH_SAMPLES = 16;
  private static final int TO_FILTER_SAMPLES = 17;
  /** {@link #forEachPart}: whole parts, each claimed by whichever thread is free. */
  private static final int PARTS = 18;
  /**
   * A dense layer's activation backward splits its columns at multiples of this many (a 64-byte line of floats):
   * its code is scalar and element-wise but for the bias sums, each summed whole by one thread, so any boundary
   * gives the same bits, and a 96-class output layer still splits (48 + 48 columns).
   */
  static final int COLUMN_ALIGN = 16;
  /** Memory-bound element-wise passes of the dense and add layers split from this many elements. */
  static final int DENSE_THRESHOLD = 1 << 16;
  /** Convolution and pooling steps split from this many elements written (≈ 10 µs on one core). */
  static final long CONV_THRESHOLD = 1L << 15;

  private final @Nullable WorkerPool pool;
  /**
   * {@link #forEachRange} cuts its range into this many chunks per thread, which the threads claim as they finish
   * one, so a core that runs slower (a busy hyperthread sibling, another program) takes fewer of them. Each part
   * first claims the chunks of its own share of the range, in order, and only then the others' ({@link #rangeNext}).
   */
  static final int RANGE_CHUNKS = 4;
  /**
   * For each part of the range in flight ({@link #forEachRange}), the next chunk of its share unclaimed: part
   * {@code p}'s share is chunks {@code [chunks·p/parts, chunks·(p+1)/parts)}. A part takes its own share first, then
   * the next parts' in turn. The calling thread runs part 0 and, on two threads, the one worker part 1 (unless it
   * wakes late, when the caller takes part 1 too), so at every step each core updates the same range of an
   * optimizer's buffers and finds it in its own cache; with three or more threads, parts 1.. go to whichever worker
   * claims first. Claimed from one counter for all, the chunks moved between the cores from step to step. The MLP
   * at batch 1 (its Adam step over 235,146 parameters is about two thirds of the step), two threads, an AVX-512 VM
   * (Intel family 6 model 207): one counter 6,580-7,130 samples/s against these shares 6,611-8,473 (four JVMs each,
   * alternating; suggestive, the ranges overlap); one counter 6,426 against static halves 7,545 (alternating windows
   * in one JVM, 16 pairs).
   */
  private final java.util.concurrent.atomic.AtomicInteger[] rangeNext;
  /** The next part of {@link #forEachPart} in flight unclaimed. */
  private final java.util.concurrent.atomic.AtomicInteger nextPart = new java.util.concurrent.atomic.AtomicInteger();
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
  private Kernels.@Nullable RangeTask rangeTask;
  private Kernels.@Nullable PartTask partTask;
  private float @Nullable [][] inputs;
  /** A convolution's bias-gradient plane sums, {@code (F, B)}, when its epilogue splits by samples; grown. */
  private float[] planeSums = new float[0];

  ParallelWork(@Nullable WorkerPool pool, AtomicBoolean busy) {
    this.pool = pool;
    this.busy = busy;
    this.rangeNext = new java.util.concurrent.atomic.AtomicInteger[pool == null ? 1 : pool.threads()];
    for (int i = 0; i < rangeNext.length; i++) {
      rangeNext[i] = new java.util.concurrent.atomic.AtomicInteger();
    }
  }

  /** {@code out[i] = act(z[i])} on {@code [from, to)}. */
  abstract void activateRange(float[] out, float[] z, int from, int to, Activation act, float slope);

  /** {@code dy[i] *= act'(z[i])} on {@code [from, to)}. */
  abstract void derivativeRange(float[] dy, float[] z, int from, int to, Activation act, float slope);

  /**
   * {@link Elementwise#activationBackwardColumns} on the columns {@code [from, to)}: an implementation may do it
   * faster, with the same bits (each bias gradient summed over the rows in order).
   */
  void activationBackwardRange(float[] dy, float[] y, int rows, int n, Activation act, float slope, float[] grads,
      int biasGradOff, int from, int to) {
    Elementwise.activationBackwardColumns(dy, y, rows, n, act, slope, grads, biasGradOff, from, to);
  }

  /** Activation backward splits from this many elements ({@code rows·n}). */
  int activationBackwardThreshold() {
    return DENSE_THRESHOLD;
  }

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

  /**
   * Split by samples when there are at least as many as threads, else by filters: by samples, each thread reads
   * and writes the columns of the products, and the planes of the pooling and im2col steps, that it handled
   * itself (they split by samples and positions too), so they are still in its own cache.
   */
  final void toBatchMajor(Conv2dGeometry g, float[] product, int batch, float[] params, int biasOff, Activation act,
      float slope, float[] out) {
    boolean samples = splitsBySample(batch);
    convolution(samples ? TO_BATCH_SAMPLES : TO_BATCH, g, samples ? batch : g.filters, batch,
        (long) batch * g.outputSize(), product, params, out, null, null, biasOff, act, slope);
  }

  /**
   * As {@link #toBatchMajor}: by samples, each thread keeps its planes' bias-gradient sums, which the calling
   * thread then adds for each filter in sample order ({@link Convolution#addPlaneSums}): the same sums, in the same
   * order, as one thread's.
   */
  final void toFilterMajor(Conv2dGeometry g, float[] dy, float[] y, int batch, Activation act, float slope,
      float[] dz, float[] grads, int biasOff) {
    boolean samples = splitsBySample(batch);
    convolution(samples ? TO_FILTER_SAMPLES : TO_FILTER, g, samples ? batch : g.filters, batch,
        (long) batch * g.outputSize(), dy, y, dz, grads, null, biasOff, act, slope);
  }

  /**
   * By samples also on one thread: the code of the split (one JIT profile for every thread count: a path seen only
   * once a second thread came would be deoptimised then, and run interpreted for a while).
   */
  private boolean splitsBySample(int batch) {
    return pool == null || batch >= pool.threads();
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
      boolean planes = kind == TO_FILTER_SAMPLES && offset >= 0;
      if (planes && planeSums.length < g.filters * batch) {
        planeSums = new float[g.filters * batch];
      }
      // Without a pool, from the threshold on, run() runs it as one part: the code two threads would run.
      if (units < 2 || size < CONV_THRESHOLD) {
        convolutionRange(kind, g, batch, x, y, z, w, indices, offset, act, slope, 0, units);
        if (planes) {
          Convolution.addPlaneSums(planeSums, g.filters, batch, w, offset);
        }
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
      if (planes) {
        Convolution.addPlaneSums(planeSums, g.filters, batch, w, offset);
      }
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

  /**
   * {@link Convolution#toBatchMajor} on filters {@code [f0, f1)} of samples {@code [b0, b1)}; the Vector API
   * kernels override it.
   */
  void toBatchMajorRange(Conv2dGeometry g, float[] product, int batch, float[] params, int biasOff, Activation act,
      float slope, float[] out, int f0, int f1, int b0, int b1) {
    Convolution.toBatchMajorBlock(g, product, batch, params, biasOff, act, slope, out, f0, f1, b0, b1);
  }

  /**
   * {@link Convolution#toFilterMajorBlock} on filters {@code [f0, f1)} of samples {@code [b0, b1)}; the Vector API
   * kernels override it.
   */
  void toFilterMajorRange(Conv2dGeometry g, float[] dy, float[] y, int batch, Activation act, float slope,
      float[] dz, float[] grads, int biasOff, float @Nullable [] planeSums, int f0, int f1, int b0, int b1) {
    Convolution.toFilterMajorBlock(g, dy, y, batch, act, slope, dz, grads, biasOff, planeSums, f0, f1, b0, b1);
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
        toBatchMajorRange(g, x, batch, y, offset, act, slope, z, from, to, 0, batch);
        return;
      case TO_FILTER:
        toFilterMajorRange(g, x, y, batch, act, slope, z, w, offset, null, from, to, 0, batch);
        return;
      case TO_BATCH_SAMPLES:
        toBatchMajorRange(g, x, batch, y, offset, act, slope, z, 0, g.filters, from, to);
        return;
      case TO_FILTER_SAMPLES:
        toFilterMajorRange(g, x, y, batch, act, slope, z, w, offset, offset >= 0 ? planeSums : null, 0, g.filters,
            from, to);
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

  // ---------------------------------------------------------------------------------------------------------
  // The dense and add layers' element-wise passes: activation backward with its bias gradient split by columns
  // (each column's sum whole on one thread, over the rows in order), the sums of an add layer and gradient
  // accumulation by ranges.

  final void activationBackward(float[] dy, float[] y, int rows, int n, Activation act, float slope,
      float[] grads, int biasGradOff) {
    ActivationFunctions.checkDerivativeFromOutput(act);
    enter();
    try {
      if (pool == null || (long) rows * n < activationBackwardThreshold() || n < 2 * COLUMN_ALIGN) {
        activationBackwardRange(dy, y, rows, n, act, slope, grads, biasGradOff, 0, n);
        return;
      }
      this.kind = ACTIVATION_BACKWARD;
      this.a = dy;
      this.b = y;
      this.c = grads;
      this.batch = rows;
      this.n = n;
      this.act = act;
      this.slope = slope;
      this.offset = biasGradOff;
      dispatch();
    } finally {
      busy.set(false);
    }
  }

  final void addForward(float[] out, float[][] inputs, int n, Activation act, float slope) {
    enter();
    try {
      if (pool == null || n < DENSE_THRESHOLD) {
        Elementwise.addForwardRange(out, inputs, 0, n, act, slope);
        return;
      }
      this.kind = ADD_FORWARD;
      this.a = out;
      this.inputs = inputs;
      this.n = n;
      this.act = act;
      this.slope = slope;
      dispatch();
    } finally {
      busy.set(false);
    }
  }

  final void accumulate(float[] dx, float[] dz, int n) {
    enter();
    try {
      if (pool == null || n < DENSE_THRESHOLD) {
        Elementwise.accumulateRange(dx, dz, 0, n);
        return;
      }
      this.kind = ACCUMULATE;
      this.a = dx;
      this.b = dz;
      this.n = n;
      dispatch();
    } finally {
      busy.set(false);
    }
  }

  // ---------------------------------------------------------------------------------------------------------
  // Caller-defined element-wise work (an optimizer's update, zeroing gradients), split as the activations.

  final void forEachRange(int n, int splitFrom, Kernels.RangeTask task) {
    if (n < 0) {
      throw new IllegalArgumentException("the range size must not be negative, got " + n);
    }
    if (n == 0) {
      return;
    }
    enter();
    try {
      if (pool == null || n < Math.max(splitFrom, 2 * ALIGN)) {
        task.run(0, n);
        return;
      }
      this.kind = RANGES;
      this.n = n;
      this.rangeTask = task;
      int parts = rangeNext.length;
      int chunks = rangeChunks(n);
      for (int part = 0; part < parts; part++) {
        rangeNext[part].set((int) ((long) chunks * part / parts));
      }
      dispatch();
    } finally {
      busy.set(false);
    }
  }

  /** The chunks {@link #forEachRange} cuts a range of {@code n} elements into, on all of the pool's threads. */
  private int rangeChunks(int n) {
    return Math.min((n + ALIGN - 1) / ALIGN, rangeNext.length * RANGE_CHUNKS);
  }

  /** Runs parts {@code 0..count-1} of {@code task}, each on whichever of the pool's threads claims it first. */
  final void forEachPart(int count, Kernels.PartTask task) {
    if (count < 0) {
      throw new IllegalArgumentException("the part count must not be negative, got " + count);
    }
    enter();
    try {
      if (pool == null || count < 2) {
        for (int p = 0; p < count; p++) {
          task.run(p);
        }
        return;
      }
      this.kind = PARTS;
      this.n = count;
      this.partTask = task;
      nextPart.set(0);
      dispatch();
    } finally {
      busy.set(false);
    }
  }

  private void enter() {
    claim(busy);
  }

  /**
   * Marks a kernels instance busy for one call, or refuses a second thread: shared by every splitter of one
   * instance (this class, {@link StepWork}, {@link RecurrentWork}), which hold the same flag.
   */
  static void claim(AtomicBoolean busy) {
    if (!busy.compareAndSet(false, true)) {
      throw new IllegalStateException("this Kernels instance is in use by another thread: one instance serves one"
          + " model on one thread at a time; give each model its own");
    }
  }

  private void dispatch() {
    try {
      if (pool == null) {
        run(0, 1);
      } else {
        pool.run(this);
      }
    } finally {
      a = null;
      b = null;
      c = null;
      d = null;
      indices = null;
      geometry = null;
      act = null;
      rangeTask = null;
      partTask = null;
      inputs = null;
    }
  }

  @Override
  public final void run(int part, int parts) {
    if (kind == PARTS) {
      for (int p = nextPart.getAndIncrement(); p < n; p = nextPart.getAndIncrement()) {
        partTask.run(p);
      }
    } else if (kind == TO_BATCH_SAMPLES || kind == TO_FILTER_SAMPLES) {
      int from = (int) ((long) n * part / parts);
      int to = (int) ((long) n * (part + 1) / parts);
      if (from < to) {
        convolutionRange(kind, geometry, batch, a, b, c, d, indices, offset, act, slope, from, to);
      }
    } else if (kind >= ACTIVATION_BACKWARD) {
      int align = kind == ACTIVATION_BACKWARD ? COLUMN_ALIGN : ALIGN;
      int chunks = (n + align - 1) / align;
      int from = (int) Math.min(n, (long) chunks * part / parts * align);
      int to = (int) Math.min(n, (long) chunks * (part + 1) / parts * align);
      if (from < to) {
        if (kind == ACTIVATION_BACKWARD) {
          activationBackwardRange(a, b, batch, n, act, slope, c, offset, from, to);
        } else if (kind == ADD_FORWARD) {
          Elementwise.addForwardRange(a, inputs, from, to, act, slope);
        } else {
          Elementwise.accumulateRange(a, b, from, to);
        }
      }
    } else if (kind == RANGES) {
      int blocks = (n + ALIGN - 1) / ALIGN;
      int chunks = rangeChunks(n);
      for (int i = 0; i < parts; i++) {
        int owner = (part + i) % parts;
        int end = (int) ((long) chunks * (owner + 1) / parts);
        java.util.concurrent.atomic.AtomicInteger next = rangeNext[owner];
        for (int chunk = next.getAndIncrement(); chunk < end; chunk = next.getAndIncrement()) {
          int from = (int) Math.min(n, (long) blocks * chunk / chunks * ALIGN);
          int to = (int) Math.min(n, (long) blocks * (chunk + 1) / chunks * ALIGN);
          if (from < to) {
            rangeTask.run(from, to);
          }
        }
      }
    } else if (kind == ACTIVATE || kind == DERIVATIVE) {
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
  // Layer and batch normalisation: layer norm's forward and input gradient by rows, its γ and β gradients (sums
  // over the rows) by features; batch norm by channel. Every row, feature or channel is computed whole by one
  // thread with the code of LayerNormKernels and NormalizationKernels in their order, so results are bitwise those
  // of the static methods for any thread count. A task of its own (NormTask), apart from the kinds above.

  /**
   * Layer norm splits from this many elements ({@code rows·n}): its row statistics are chains of dependent double
   * additions, ≈ 2.5 ns per element forward and 3.5 ns backward on one core (rows of 128, 2 cores, AVX-512 Xeon),
   * so this is ≈ 10-14 µs. Two spinning threads were already faster from 1024 elements (2.5 → 1.9 µs), but a
   * worker that has to be woken or shares its core costs tens of µs, as for the other thresholds.
   */
  static final int LAYER_NORM_THRESHOLD = 1 << 12;
  /**
   * Batch norm splits from this many elements ({@code B·C·S}) when it has two channels or more: ≈ 2 ns per element
   * forward with 784 positions, ≈ 9 ns with one (each channel a strided column), so ≥ 8 µs. Measured on two
   * spinning threads: ≈ 1.5× faster at 2048-4096 elements with one position, ≈ 1.75× at 12544 with 784.
   */
  static final int BATCH_NORM_THRESHOLD = 1 << 12;

  private final NormTask norm = new NormTask();

  final void layerNormForward(float[] y, float[] x, int rows, int n, float epsilon, float[] params, int weightOff,
      int biasOff, float[] mean, float[] rstd) {
    enter();
    try {
      if (pool == null || rows < 2 || (long) rows * n < LAYER_NORM_THRESHOLD) {
        LayerNormKernels.forward(y, x, rows, n, epsilon, params, weightOff, biasOff, mean, rstd);
        return;
      }
      NormTask t = norm;
      t.kind = NormTask.LAYER_FORWARD;
      t.rows = rows;
      t.n = n;
      t.epsilon = epsilon;
      t.out = y;
      t.x = x;
      t.params = params;
      t.weightOff = weightOff;
      t.biasOff = biasOff;
      t.mean = mean;
      t.rstd = rstd;
      t.dispatch();
    } finally {
      busy.set(false);
    }
  }

  final void layerNormBackward(float[] dy, float[] x, int rows, int n, float[] mean, float[] rstd, float[] params,
      int weightOff, float[] grads, int weightGradOff, int biasGradOff, float @Nullable [] dx) {
    enter();
    try {
      // The features' sums and the rows' dx are computed at once, so no output may be an input.
      boolean aliased = dx == dy || dx == x || grads == dy || grads == x || grads == dx;
      if (pool == null || aliased || (long) rows * n < LAYER_NORM_THRESHOLD) {
        LayerNormKernels.backward(dy, x, rows, n, mean, rstd, params, weightOff, grads, weightGradOff, biasGradOff,
            dx);
        return;
      }
      NormTask t = norm;
      t.ensureSums(pool.threads(), n);
      t.kind = NormTask.LAYER_BACKWARD;
      t.rows = rows;
      t.n = n;
      t.dy = dy;
      t.x = x;
      t.mean = mean;
      t.rstd = rstd;
      t.params = params;
      t.weightOff = weightOff;
      t.grads = grads;
      t.weightGradOff = weightGradOff;
      t.biasGradOff = biasGradOff;
      t.dx = dx;
      t.dispatch();
    } finally {
      busy.set(false);
    }
  }

  final void batchNormTraining(float[] x, int batch, int channels, int spatial, float[] params, int gammaOff,
      int betaOff, float[] state, int meanOff, int varOff, float momentum, float epsilon, float[] xhat,
      float[] invStd, Activation act, float slope, float[] out) {
    enter();
    try {
      if (!splitsBatchNorm(batch, channels, spatial)) {
        NormalizationKernels.batchNormTraining(x, batch, channels, spatial, params, gammaOff, betaOff, state,
            meanOff, varOff, momentum, epsilon, xhat, invStd, act, slope, out);
        return;
      }
      NormTask t = norm;
      t.kind = NormTask.BATCH_TRAINING;
      t.momentum = momentum;
      t.setBatchNorm(x, batch, channels, spatial, params, gammaOff, betaOff, state, meanOff, varOff, epsilon, xhat,
          invStd, act, slope, out);
      t.dispatch();
    } finally {
      busy.set(false);
    }
  }

  final void batchNormInference(float[] x, int batch, int channels, int spatial, float[] params, int gammaOff,
      int betaOff, float[] state, int meanOff, int varOff, float epsilon, float[] xhat, float[] invStd,
      Activation act, float slope, float[] out) {
    enter();
    try {
      if (!splitsBatchNorm(batch, channels, spatial)) {
        NormalizationKernels.batchNormInference(x, batch, channels, spatial, params, gammaOff, betaOff, state,
            meanOff, varOff, epsilon, xhat, invStd, act, slope, out);
        return;
      }
      NormTask t = norm;
      t.kind = NormTask.BATCH_INFERENCE;
      t.setBatchNorm(x, batch, channels, spatial, params, gammaOff, betaOff, state, meanOff, varOff, epsilon, xhat,
          invStd, act, slope, out);
      t.dispatch();
    } finally {
      busy.set(false);
    }
  }

  final void batchNormBackward(float[] dy, float[] y, Activation act, float slope, float[] xhat, float[] invStd,
      int batch, int channels, int spatial, float[] params, int gammaOff, float[] grads, int betaOff,
      boolean training, float @Nullable [] dx) {
    enter();
    try {
      if (!splitsBatchNorm(batch, channels, spatial)) {
        NormalizationKernels.batchNormBackward(dy, y, act, slope, xhat, invStd, batch, channels, spatial, params,
            gammaOff, grads, betaOff, training, dx);
        return;
      }
      // As the static method: GELU, SiLU and softmax are refused before anything is written.
      ActivationFunctions.checkDerivativeFromOutput(act);
      NormTask t = norm;
      t.kind = NormTask.BATCH_BACKWARD;
      t.dy = dy;
      t.y = y;
      t.grads = grads;
      t.training = training;
      t.dx = dx;
      t.setBatchNorm(null, batch, channels, spatial, params, gammaOff, betaOff, null, 0, 0, 0f, xhat, invStd, act,
          slope, null);
      t.dispatch();
    } finally {
      busy.set(false);
    }
  }

  private boolean splitsBatchNorm(int batch, int channels, int spatial) {
    return pool != null && channels >= 2 && (long) batch * channels * spatial >= BATCH_NORM_THRESHOLD;
  }

  /** The normalisation in flight, read by every worker (published by the pool's volatile hand-off). */
  private final class NormTask implements WorkerPool.Task {
    static final int LAYER_FORWARD = 0;
    static final int LAYER_BACKWARD = 1;
    static final int BATCH_TRAINING = 2;
    static final int BATCH_INFERENCE = 3;
    static final int BATCH_BACKWARD = 4;

    int kind;
    int rows;
    int n;
    int batch;
    int channels;
    int spatial;
    float epsilon;
    float momentum;
    float slope;
    boolean training;
    int weightOff;
    int biasOff;
    int weightGradOff;
    int biasGradOff;
    int meanOff;
    int varOff;
    float @Nullable [] x;
    float @Nullable [] y;
    float @Nullable [] dy;
    float @Nullable [] dx;
    float @Nullable [] out;
    float @Nullable [] params;
    float @Nullable [] grads;
    float @Nullable [] mean;
    float @Nullable [] rstd;
    float @Nullable [] state;
    float @Nullable [] xhat;
    float @Nullable [] invStd;
    @Nullable Activation act;
    /** Per thread: the running γ and β gradient sums of its features (layer norm backward). */
    float @Nullable [] @Nullable [] sums;

    void ensureSums(int threads, int n) {
      if (sums == null || sums.length < threads) {
        sums = new float[threads][];
      }
      for (int t = 0; t < threads; t++) {
        if (sums[t] == null || sums[t].length < 2 * n) {
          sums[t] = new float[2 * n];
        }
      }
    }

    void setBatchNorm(float @Nullable [] x, int batch, int channels, int spatial, float[] params, int gammaOff,
        int betaOff, float @Nullable [] state, int meanOff, int varOff, float epsilon, float[] xhat,
        float[] invStd, Activation act, float slope, float @Nullable [] out) {
      this.x = x;
      this.batch = batch;
      this.channels = channels;
      this.spatial = spatial;
      this.params = params;
      this.weightOff = gammaOff;
      this.biasOff = betaOff;
      this.state = state;
      this.meanOff = meanOff;
      this.varOff = varOff;
      this.epsilon = epsilon;
      this.xhat = xhat;
      this.invStd = invStd;
      this.act = act;
      this.slope = slope;
      this.out = out;
    }

    void dispatch() {
      try {
        pool.run(this);
      } finally {
        x = null;
        y = null;
        dy = null;
        dx = null;
        out = null;
        params = null;
        grads = null;
        mean = null;
        rstd = null;
        state = null;
        xhat = null;
        invStd = null;
        act = null;
      }
    }

    @Override
    public void run(int part, int parts) {
      switch (kind) {
        case LAYER_FORWARD: {
          int from = (int) ((long) rows * part / parts);
          int to = (int) ((long) rows * (part + 1) / parts);
          LayerNormKernels.forwardRows(out, x, n, epsilon, params, weightOff, biasOff, mean, rstd, from, to);
          return;
        }
        case LAYER_BACKWARD: {
          int from = (int) ((long) n * part / parts);
          int to = (int) ((long) n * (part + 1) / parts);
          if (from < to) {
            LayerNormKernels.parameterGradientColumns(dy, x, rows, n, mean, rstd, grads, weightGradOff, biasGradOff,
                sums[part], from, to);
          }
          if (dx != null) {
            LayerNormKernels.inputGradientRows(dy, x, n, mean, rstd, params, weightOff, dx,
                (int) ((long) rows * part / parts), (int) ((long) rows * (part + 1) / parts));
          }
          return;
        }
        default:
          break;
      }
      int from = (int) ((long) channels * part / parts);
      int to = (int) ((long) channels * (part + 1) / parts);
      if (from >= to) {
        return;
      }
      switch (kind) {
        case BATCH_TRAINING:
          NormalizationKernels.batchNormTrainingChannels(x, batch, channels, spatial, params, weightOff, biasOff,
              state, meanOff, varOff, momentum, epsilon, xhat, invStd, act, slope, out, from, to);
          return;
        case BATCH_INFERENCE:
          NormalizationKernels.batchNormInferenceChannels(x, batch, channels, spatial, params, weightOff, biasOff,
              state, meanOff, varOff, epsilon, xhat, invStd, act, slope, out, from, to);
          return;
        case BATCH_BACKWARD:
          NormalizationKernels.batchNormBackwardChannels(dy, y, act, slope, xhat, invStd, batch, channels, spatial,
              params, weightOff, grads, biasOff, training, dx, from, to);
          return;
        default:
          throw new IllegalStateException("kind " + kind);
      }
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
