package io.nabla.runtime.kernel;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;

/**
 * The passes of a training step outside the layers' products and element-wise kernels that a
 * {@link SplittingKernels} splits over its threads: zeroing the gradient buffers, the softmax cross-entropy loss,
 * and the token embedding's forward and the positional embedding's forward and backward. Every output element is
 * computed by the code of {@link Arrays#fill}, {@link LossFunctions} and {@link EmbeddingKernels} in their order
 * whichever thread runs it:
 *
 * <ul>
 *   <li>zeroing, the positional forward and the positional {@code dx} by contiguous element ranges (boundaries
 *       multiples of {@value ParallelWork#ALIGN} elements);
 *   <li>the loss by rows, each row's gradient and loss term computed whole by one thread, the terms summed in row
 *       order by the caller once every part is done;
 *   <li>the embedding forward by rows, after the caller has checked every id; the position table's gradient by
 *       elements, each summed over the samples in increasing order by one thread.
 * </ul>
 *
 * The token embedding's backward stays on the caller: split by table rows or by features, each thread reads the
 * gradient rows the other thread has just written (the positional {@code dx} before it is split by ranges), and it
 * measured slower on two threads (0.16-0.19 ms against 0.13-0.15 ms on one, batch 32 of 64 tokens, width 128).
 * so results are bitwise those of the static methods for any thread count. Shares the pool and busy flag of its
 * kernels' {@link ParallelWork}; nothing is allocated per call (the loss terms' buffer grows to the largest batch
 * seen).
 */
final class StepWork implements WorkerPool.Task {
  /** Zeroing, the embeddings' copies and sums (memory-bound) split from this many elements. */
  static final int THRESHOLD = ParallelWork.DENSE_THRESHOLD;
  /**
   * The loss splits from this many logits: about 11 ns each on one core (an {@code exp} and a share of the row's
   * {@code log}), so 256 rows of 10 classes (28 µs) are worth a hand-off of a few microseconds; 32 rows are not.
   */
  static final int LOSS_THRESHOLD = 1 << 11;

  private static final int ZERO = 0;
  private static final int LOSS = 1;
  private static final int EMBED_FORWARD = 2;
  private static final int POSITIONAL_FORWARD = 3;
  private static final int POSITIONAL_BACKWARD = 4;

  private final @Nullable WorkerPool pool;
  private final AtomicBoolean busy;

  private int kind;
  private float @Nullable [] a;
  private float @Nullable [] b;
  private float @Nullable [] c;
  private float @Nullable [] d;
  private int @Nullable [] labels;
  private int n;
  private int rows;
  private int columns;
  private int offset;
  private int idsOff;
  private float inverseRows;
  private double[] losses = new double[0];

  StepWork(@Nullable WorkerPool pool, AtomicBoolean busy) {
    this.pool = pool;
    this.busy = busy;
  }

  void zero(float[] x, int n) {
    enter();
    try {
      if (pool == null || n < THRESHOLD) {
        Arrays.fill(x, 0, n, 0f);
        return;
      }
      // Arrays.fill's own range check, so a bad n throws as it does, before anything is written.
      Arrays.fill(x, n, n, 0f);
      this.kind = ZERO;
      this.a = x;
      this.n = n;
      dispatch();
    } finally {
      busy.set(false);
    }
  }

  float softmaxCrossEntropy(float[] z, int[] labels, int rows, int classes, float[] dz) {
    enter();
    try {
      if (pool == null || rows < 2 || (long) rows * classes < LOSS_THRESHOLD) {
        return LossFunctions.softmaxCrossEntropy(z, labels, rows, classes, dz);
      }
      if (losses.length < rows) {
        losses = new double[rows];
      }
      this.kind = LOSS;
      this.a = z;
      this.b = dz;
      this.labels = labels;
      this.rows = rows;
      this.columns = classes;
      this.inverseRows = 1f / rows;
      dispatch();
      double total = 0;
      for (int r = 0; r < rows; r++) {
        total += losses[r];
      }
      return (float) (total / rows);
    } finally {
      busy.set(false);
    }
  }

  void embeddingForward(String layer, float[] out, float[] ids, int idsOff, int batch, int time, float[] params,
      int tableOff, int vocabulary, int dimension) {
    enter();
    try {
      int rows = batch * time;
      if (pool == null || rows < 2 || (long) rows * dimension < THRESHOLD) {
        EmbeddingKernels.embeddingForward(layer, out, ids, idsOff, batch, time, params, tableOff, vocabulary,
            dimension);
        return;
      }
      EmbeddingKernels.checkIds(layer, ids, idsOff, batch, time, vocabulary);
      this.kind = EMBED_FORWARD;
      this.a = out;
      this.b = ids;
      this.c = params;
      this.idsOff = idsOff;
      this.rows = rows;
      this.offset = tableOff;
      this.columns = dimension;
      dispatch();
    } finally {
      busy.set(false);
    }
  }

  void positionalForward(float[] out, float[] x, int batch, int time, int dimension, float[] params, int off) {
    enter();
    try {
      int n = time * dimension;
      if (pool == null || n == 0 || (long) batch * n < THRESHOLD) {
        EmbeddingKernels.positionalForward(out, x, batch, time, dimension, params, off);
        return;
      }
      this.kind = POSITIONAL_FORWARD;
      this.a = out;
      this.b = x;
      this.c = params;
      this.offset = off;
      this.columns = n;
      this.n = batch * n;
      dispatch();
    } finally {
      busy.set(false);
    }
  }

  void positionalBackward(float[] dOut, int batch, int time, int dimension, float[] grads, int off,
      float @Nullable [] dx) {
    enter();
    try {
      int n = time * dimension;
      // The table's sums read dOut while dx is written: split only when they are different arrays.
      if (pool == null || n < 2 || (long) batch * n < THRESHOLD || dx == dOut || grads == dOut || grads == dx) {
        EmbeddingKernels.positionalBackward(dOut, batch, time, dimension, grads, off, dx);
        return;
      }
      this.kind = POSITIONAL_BACKWARD;
      this.a = dOut;
      this.c = grads;
      this.d = dx;
      this.offset = off;
      this.rows = batch;
      this.columns = n;
      this.n = batch * n;
      dispatch();
    } finally {
      busy.set(false);
    }
  }

  private void enter() {
    ParallelWork.claim(busy);
  }

  private void dispatch() {
    try {
      pool.run(this);
    } finally {
      a = null;
      b = null;
      c = null;
      d = null;
      labels = null;
    }
  }

  /** Part {@code part} of {@code parts} of {@code [0, n)}, boundaries multiples of {@link ParallelWork#ALIGN}. */
  private static int alignedBound(int n, int part, int parts) {
    int chunks = (n + ParallelWork.ALIGN - 1) / ParallelWork.ALIGN;
    return (int) Math.min(n, (long) chunks * part / parts * ParallelWork.ALIGN);
  }

  private static int bound(int n, int part, int parts) {
    return (int) ((long) n * part / parts);
  }

  @Override
  public void run(int part, int parts) {
    switch (kind) {
      case ZERO: {
        int from = alignedBound(n, part, parts);
        int to = alignedBound(n, part + 1, parts);
        if (from < to) {
          Arrays.fill(a, from, to, 0f);
        }
        return;
      }
      case LOSS: {
        int to = bound(rows, part + 1, parts);
        for (int r = bound(rows, part, parts); r < to; r++) {
          losses[r] = LossFunctions.softmaxCrossEntropyRow(a, labels, r, columns, b, inverseRows);
        }
        return;
      }
      case EMBED_FORWARD:
        EmbeddingKernels.embeddingForwardRows(a, b, idsOff, c, offset, columns, bound(rows, part, parts),
            bound(rows, part + 1, parts));
        return;
      case POSITIONAL_FORWARD: {
        int from = alignedBound(n, part, parts);
        int to = alignedBound(n, part + 1, parts);
        if (from < to) {
          EmbeddingKernels.positionalForwardRange(a, b, columns, c, offset, from, to);
        }
        return;
      }
      case POSITIONAL_BACKWARD: {
        int from = bound(columns, part, parts);
        int to = bound(columns, part + 1, parts);
        if (from < to) {
          EmbeddingKernels.positionalGradientRange(a, rows, columns, c, offset, from, to);
        }
        if (d != null) {
          from = alignedBound(n, part, parts);
          to = alignedBound(n, part + 1, parts);
          if (from < to) {
            EmbeddingKernels.accumulateRange(d, a, from, to);
          }
        }
        return;
      }
      default:
        throw new IllegalStateException("kind " + kind);
    }
  }
}
