package io.nabla.runtime.kernel;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;

/**
 * The recurrences of the recurrent layers (every step of one direction: the recurrent product and the gate pass,
 * {@link Kernels#gruRecurrenceForward} and the like) split over a {@link SplittingKernels}' threads by samples. A
 * sample's recurrence depends on no other sample, so a thread runs every step on a piece, a contiguous range of
 * whole chunks of {@value RecurrentKernels#BIAS_CHUNK} samples ({@link #PIECES_PER_THREAD} pieces per thread,
 * claimed by whichever thread is free): its rows of each product
 * ({@link SplittingKernels#productRows}, each row bitwise that of the whole product) and
 * {@code RecurrentKernels.xxxSamples} on its samples (each value computed as by the single-threaded method, the
 * forward's gates with the kernels' {@link SplittingKernels#gateFunctions}, whose per-sample rows may run the same
 * operations in vectors), without waiting for the other threads between steps. Every buffer is row-major by
 * sample, so the threads write disjoint runs of whole rows.
 *
 * <p>A backward recurrence's bias gradients are summed in {@link RecurrentKernels#biasGradients}' fixed order: each
 * thread forms the sums of its pieces' chunks at every step as it goes, and the calling thread adds them all into the
 * gradients afterwards, step by step from the last and chunk by chunk, split over the threads by columns. So
 * results are bitwise identical for any thread count, and (backward always, forward with the exact gate functions
 * of the portable kernels) to the defaults of {@link Kernels} on the same products.
 *
 * <p>One instance per kernels instance, under its busy flag; the call in flight is published to the workers by the
 * pool's volatile hand-off; nothing is allocated per call once the chunk sums' buffer is large enough.
 */
final class RecurrentWork implements WorkerPool.Task {
  /**
   * A recurrence splits from this many values of gate pre-activations ({@code batch · G·H · time}): a few
   * microseconds of work, against one hand-over to the workers for the whole recurrence.
   */
  static final long THRESHOLD = 1L << 14;

  private static final int SIMPLE_FORWARD = 0;
  private static final int SIMPLE_BACKWARD = 1;
  private static final int GRU_FORWARD = 2;
  private static final int GRU_BACKWARD = 3;
  private static final int LSTM_FORWARD = 4;
  private static final int LSTM_BACKWARD = 5;

  private final SplittingKernels kernels;
  private final @Nullable WorkerPool pool;
  private final AtomicBoolean busy;

  /** The recurrence in flight: its kind and arguments ({@code cache}: GRU's newRecurrent, the LSTM's cells). */
  private int kind;
  private @Nullable RecurrentGeometry g;
  private int direction;
  private int batch;
  private float @Nullable [] projection;
  private float @Nullable [] recurrent;
  private float @Nullable [] params;
  private float @Nullable [] gates;
  private float @Nullable [] cache;
  private float @Nullable [] cellTanh;
  private float @Nullable [] hidden;
  private float @Nullable [] out;
  private float @Nullable [] dy;
  private float @Nullable [] stateGrad;
  private float @Nullable [] gateGrad;
  private float @Nullable [] grads;
  private int weightHhOff;
  private int biasIhOff;
  private int biasHhOff;
  /**
   * A backward recurrence's chunk sums: those of step {@code s} and chunk {@code i} at
   * {@code ((T - 1 - s)·chunks + i)·partialStride}.
   */
  private float[] partials = new float[0];
  private int partialStride;
  /** Set while the chunk sums of a backward recurrence are added into the bias gradients. */
  private boolean reducing;

  RecurrentWork(SplittingKernels kernels, @Nullable WorkerPool pool, AtomicBoolean busy) {
    this.kernels = kernels;
    this.pool = pool;
    this.busy = busy;
  }

  void simpleRnnForward(RecurrentGeometry g, int direction, int batch, float[] projection, float[] recurrent,
      float[] params, int weightHhOff, int biasIhOff, int biasHhOff, float[] hidden, float[] out) {
    enter();
    this.projection = projection;
    this.recurrent = recurrent;
    this.hidden = hidden;
    this.out = out;
    run(SIMPLE_FORWARD, g, direction, batch, params, weightHhOff, biasIhOff, biasHhOff);
  }

  void simpleRnnBackward(RecurrentGeometry g, int direction, int batch, float[] dy, float[] hidden,
      float[] stateGrad, float[] projectionGrad, float[] gateGrad, float[] params, int weightHhOff, float[] grads,
      int biasIhOff, int biasHhOff) {
    enter();
    this.dy = dy;
    this.hidden = hidden;
    this.stateGrad = stateGrad;
    this.projection = projectionGrad;
    this.gateGrad = gateGrad;
    this.grads = grads;
    run(SIMPLE_BACKWARD, g, direction, batch, params, weightHhOff, biasIhOff, biasHhOff);
  }

  void gruForward(RecurrentGeometry g, int direction, int batch, float[] projection, float[] recurrent,
      float[] params, int weightHhOff, int biasIhOff, int biasHhOff, float[] gates, float[] newRecurrent,
      float[] hidden, float[] out) {
    enter();
    this.projection = projection;
    this.recurrent = recurrent;
    this.gates = gates;
    this.cache = newRecurrent;
    this.hidden = hidden;
    this.out = out;
    run(GRU_FORWARD, g, direction, batch, params, weightHhOff, biasIhOff, biasHhOff);
  }

  void gruBackward(RecurrentGeometry g, int direction, int batch, float[] dy, float[] gates, float[] newRecurrent,
      float[] hidden, float[] stateGrad, float[] projectionGrad, float[] params, int weightHhOff, float[] grads,
      int biasIhOff, int biasHhOff) {
    enter();
    this.dy = dy;
    this.gates = gates;
    this.gateGrad = gates;
    this.cache = newRecurrent;
    this.hidden = hidden;
    this.stateGrad = stateGrad;
    this.projection = projectionGrad;
    this.grads = grads;
    run(GRU_BACKWARD, g, direction, batch, params, weightHhOff, biasIhOff, biasHhOff);
  }

  void lstmForward(RecurrentGeometry g, int direction, int batch, float[] projection, float[] recurrent,
      float[] params, int weightHhOff, int biasIhOff, int biasHhOff, float[] gates, float[] cells, float[] cellTanh,
      float[] hidden, float[] out) {
    enter();
    this.projection = projection;
    this.recurrent = recurrent;
    this.gates = gates;
    this.cache = cells;
    this.cellTanh = cellTanh;
    this.hidden = hidden;
    this.out = out;
    run(LSTM_FORWARD, g, direction, batch, params, weightHhOff, biasIhOff, biasHhOff);
  }

  void lstmBackward(RecurrentGeometry g, int direction, int batch, float[] dy, float[] gates, float[] cells,
      float[] cellTanh, float[] stateGrad, float[] projectionGrad, float[] params, int weightHhOff, float[] grads,
      int biasIhOff, int biasHhOff) {
    enter();
    this.dy = dy;
    this.gates = gates;
    this.gateGrad = gates;
    this.cache = cells;
    this.cellTanh = cellTanh;
    this.stateGrad = stateGrad;
    this.projection = projectionGrad;
    this.grads = grads;
    run(LSTM_BACKWARD, g, direction, batch, params, weightHhOff, biasIhOff, biasHhOff);
  }

  private static boolean backward(int kind) {
    return kind == SIMPLE_BACKWARD || kind == GRU_BACKWARD || kind == LSTM_BACKWARD;
  }

  /**
   * The pieces per thread a recurrence's chunks are grouped into, each piece's samples run through every step by
   * the thread that claims it: a core that runs slower than the other (a busy hyperthread sibling on the host,
   * another program) then takes fewer of them instead of holding the recurrence up.
   */
  static final int PIECES_PER_THREAD = 2;

  /** The next piece of the recurrence in flight no thread has claimed. */
  private final java.util.concurrent.atomic.AtomicInteger nextPiece = new java.util.concurrent.atomic.AtomicInteger();

  private static int chunks(int batch) {
    return (batch + RecurrentKernels.BIAS_CHUNK - 1) / RecurrentKernels.BIAS_CHUNK;
  }

  private void enter() {
    ParallelWork.claim(busy);
  }

  /** Runs the recurrence whose arrays the caller has set (after {@link #enter}), then clears them and leaves. */
  private void run(int kind, RecurrentGeometry g, int direction, int batch, float[] params, int weightHhOff,
      int biasIhOff, int biasHhOff) {
    try {
      int chunks = chunks(batch);
      if (backward(kind)) {
        // Rows of the chunk sums a cache line apart, so that no two threads write one line.
        partialStride = RecurrentKernels.chunkSumWidth(g) + 16;
        long size = (long) g.time * chunks * partialStride;
        if (size > Integer.MAX_VALUE - 8) {
          throw new IllegalArgumentException("batch " + batch + " is too large for " + g);
        }
        if (partials.length < size) {
          partials = new float[(int) size];
        }
      }
      this.kind = kind;
      this.g = g;
      this.direction = direction;
      this.batch = batch;
      this.params = params;
      this.weightHhOff = weightHhOff;
      this.biasIhOff = biasIhOff;
      this.biasHhOff = biasHhOff;
      nextPiece.set(0);
      if (pool == null || chunks < 2 || (long) batch * g.gateWidth() * g.time < THRESHOLD) {
        run(0, 1);
        if (backward(kind)) {
          reducing = true;
          run(0, 1);
        }
      } else {
        pool.run(this);
        if (backward(kind)) {
          // Then the chunk sums into the bias gradients, split by columns.
          reducing = true;
          pool.run(this);
        }
      }
    } finally {
      reducing = false;
      clear();
      busy.set(false);
    }
  }

  private void clear() {
    g = null;
    projection = null;
    recurrent = null;
    params = null;
    gates = null;
    cache = null;
    cellTanh = null;
    hidden = null;
    out = null;
    dy = null;
    stateGrad = null;
    gateGrad = null;
    grads = null;
  }

  /**
   * Part {@code part} of {@code parts}: every step on the samples of each piece (a contiguous range of chunks) it
   * claims, with this part's scratch; or, while
   * {@link #reducing}, the chunk sums of every step, from the last, added into a range of the bias gradients.
   */
  @Override
  public void run(int part, int parts) {
    int chunks = chunks(batch);
    if (reducing) {
      int columns = g.gateWidth();
      int blocks = (columns + 15) / 16;
      int from = Math.min(columns, (int) ((long) blocks * part / parts) * 16);
      int to = Math.min(columns, (int) ((long) blocks * (part + 1) / parts) * 16);
      // GRU's b_hn takes dn ⊙ r, the fourth block of its sums, where b_in takes dn.
      int shared = g.cell == RecurrentGeometry.Cell.GRU ? Math.max(from, Math.min(to, 2 * g.units)) : to;
      for (int i = 0; i < g.time * chunks; i++) {
        int at = i * partialStride;
        kernels.addTo(grads, biasIhOff + from, partials, at + from, to - from);
        kernels.addTo(grads, biasHhOff + from, partials, at + from, shared - from);
        kernels.addTo(grads, biasHhOff + shared, partials, at + g.units + shared, to - shared);
      }
      return;
    }
    int pieces = parts == 1 ? 1 : Math.min(chunks, parts * PIECES_PER_THREAD);
    for (int piece = nextPiece.getAndIncrement(); piece < pieces; piece = nextPiece.getAndIncrement()) {
      int first = (int) ((long) chunks * piece / pieces);
      int last = (int) ((long) chunks * (piece + 1) / pieces);
      if (first == last) {
        continue;
      }
      int from = first * RecurrentKernels.BIAS_CHUNK;
      int to = Math.min(batch, last * RecurrentKernels.BIAS_CHUNK);
      if (backward(kind)) {
        backwardSteps(part, chunks, first, last, from, to);
      } else {
        forwardSteps(part, from, to);
      }
    }
  }

  private void forwardSteps(int thread, int from, int to) {
    RecurrentGeometry g = this.g;
    int h = g.units;
    int gw = g.gateWidth();
    for (int step = 0; step < g.time; step++) {
      if (step > 0) {
        kernels.productRows(thread, true, recurrent, from * gw, hidden,
            g.stateOffset(batch, direction, step - 1) + from * h, params, weightHhOff, to - from, gw, h, false, batch,
            step > 1);
      }
      switch (kind) {
        case SIMPLE_FORWARD:
          RecurrentKernels.simpleRnnForwardSamples(g, direction, step, batch, projection, recurrent, params,
              biasIhOff, biasHhOff, hidden, out, from, to, kernels.gateFunctions());
          break;
        case GRU_FORWARD:
          RecurrentKernels.gruForwardSamples(g, direction, step, batch, projection, recurrent, params, biasIhOff,
              biasHhOff, gates, cache, hidden, out, from, to, kernels.gateFunctions());
          break;
        case LSTM_FORWARD:
          RecurrentKernels.lstmForwardSamples(g, direction, step, batch, projection, recurrent, params, biasIhOff,
              biasHhOff, gates, cache, cellTanh, hidden, out, from, to, kernels.gateFunctions());
          break;
        default:
          throw new IllegalStateException("kind " + kind);
      }
    }
  }

  private void backwardSteps(int thread, int chunks, int first, int last, int from, int to) {
    RecurrentGeometry g = this.g;
    int h = g.units;
    int gw = g.gateWidth();
    Arrays.fill(stateGrad, from * h, to * h, 0f);
    if (kind == LSTM_BACKWARD) {
      Arrays.fill(stateGrad, (batch + from) * h, (batch + to) * h, 0f);
    }
    for (int step = g.time - 1; step >= 0; step--) {
      int sums = (g.time - 1 - step) * chunks * partialStride;
      Arrays.fill(partials, sums + first * partialStride, sums + last * partialStride, 0f);
      switch (kind) {
        case SIMPLE_BACKWARD:
          RecurrentKernels.simpleRnnBackwardSamples(g, direction, step, batch, dy, hidden, stateGrad, projection,
              gateGrad, from, to, partials, sums, partialStride);
          break;
        case GRU_BACKWARD:
          RecurrentKernels.gruBackwardSamples(g, direction, step, batch, dy, gates, cache, hidden, stateGrad,
              projection, from, to, partials, sums, partialStride, kernels.gateFunctions());
          break;
        case LSTM_BACKWARD:
          RecurrentKernels.lstmBackwardSamples(g, direction, step, batch, dy, gates, cache, cellTanh, stateGrad,
              projection, from, to, partials, sums, partialStride, kernels.gateFunctions());
          break;
        default:
          throw new IllegalStateException("kind " + kind);
      }
      if (step > 0) {
        kernels.productRows(thread, false, stateGrad, from * h, gateGrad,
            g.gateOffset(batch, direction, step) + from * gw, params, weightHhOff, to - from, h, gw, true, batch,
            step < g.time - 1);
      }
    }
  }
}
