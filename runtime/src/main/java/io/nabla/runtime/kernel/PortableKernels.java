package io.nabla.runtime.kernel;

import io.nabla.Activation;
import org.jspecify.annotations.Nullable;

/**
 * Portable pure-Java kernels (Java 8, Android, no Vector API), shaped for HotSpot's superword vectoriser. Every
 * product runs one core loop: a block of {@code b} is packed into a panel of {@code float[]} rows (transposed
 * on the way for {@code NT}), four rows of {@code c} are copied into scratch rows, and the innermost loop over
 * {@code j} updates the four rows from three panel rows at once, indexing every array by plain {@code j}:
 *
 * <pre>
 * c0[j] += a00·b0[j] + a01·b1[j] + a02·b2[j];   c1[j] += a10·b0[j] + ...;   ... four rows
 * </pre>
 *
 * so each loaded {@code b} value feeds four rows and each {@code c} value is loaded and stored once per three
 * {@code k}. Blocks of {@value #COLUMN_BLOCK} columns by {@value #DEPTH_BLOCK} depths keep the panel in L2.
 * {@code NT} products of at most {@value #FEW_ROWS} rows (single-sample predict) take dot products instead of the
 * transposing pack. {@link ReferenceKernels} holds the naive loops every method is tested against; sums run in
 * another order, so results agree to rounding.
 */
public final class PortableKernels extends SplittingKernels {
  /** Columns of {@code c} per block: four scratch rows of this length stay in L1. */
  static final int COLUMN_BLOCK = 256;
  /** Depths per block, a multiple of three: a panel of 192 × 256 floats (192 KiB) stays in L2. */
  static final int DEPTH_BLOCK = 192;

  /** {@code NT} products with at most this many rows take dot products instead of packing {@code Bᵀ}. */
  static final int FEW_ROWS = 4;

  /** Below this many multiply-adds a product runs on the calling thread alone. */
  static final long PARALLEL_THRESHOLD = 1L << 20;

  private final Scratch[] scratch;
  private final @Nullable WorkerPool pool;
  private final WorkerPool.Task parts;
  /** Activations and attention, split over the same threads. */
  private final ParallelWork work;
  /** Each thread's attention buffers. */
  private final AttentionPairs.Scratch[] attention;
  /** Set while a product runs: one instance serves one caller at a time, which this checks. */
  private final java.util.concurrent.atomic.AtomicBoolean busy = new java.util.concurrent.atomic.AtomicBoolean();

  /** The operands of the product in flight, read by every worker (published by the pool's volatile hand-off). */
  private float @Nullable [] gc;
  private float @Nullable [] ga;
  private float @Nullable [] gb;
  private int gcOff;
  private int gaOff;
  private int gaRow;
  private int gaCol;
  private int gbOff;
  private boolean gbTransposed;
  private int gm;
  private int gn;
  private int gk;
  private boolean gAccumulate;
  private boolean gSplitRows;

  /** Single-threaded kernels. */
  public PortableKernels() {
    this(1);
  }

  /**
   * Kernels that split every large product over {@code threads} threads: the caller's and {@code threads - 1}
   * daemon workers, parked between products and shared by every instance with this thread count. Each thread
   * computes its own columns of the output (rows, of a product at least twice as tall as wide) with the same
   * summation order, so results are bitwise identical for any thread count.
   */
  public PortableKernels(int threads) {
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be at least 1, got " + threads);
    }
    scratch = new Scratch[threads];
    for (int t = 0; t < threads; t++) {
      scratch[t] = new Scratch();
    }
    pool = threads == 1 ? null : WorkerPool.shared(threads);
    parts = new WorkerPool.Task() {
      @Override
      public void run(int part, int count) {
        runPart(part, count);
      }
    };
    attention = new AttentionPairs.Scratch[threads];
    for (int t = 0; t < threads; t++) {
      attention[t] = new AttentionPairs.Scratch();
    }
    work = new ParallelWork(pool, busy) {
      @Override
      void activateRange(float[] out, float[] z, int from, int to, Activation act, float slope) {
        FastFunctions.activate(out, z, from, to, act, slope);
      }

      @Override
      void derivativeRange(float[] dy, float[] z, int from, int to, Activation act, float slope) {
        FastFunctions.multiplyDerivativeAtInput(dy, z, from, to, act, slope);
      }

      @Override
      void ensureAttentionScratch(int time, int dh) {
        for (AttentionPairs.Scratch s : attention) {
          s.ensure(time, dh);
        }
      }

      @Override
      void forwardPair(int thread, float[] attended, float[] probabilities, float[] qkv, int pair, int time,
          int dim, int heads, boolean causal) {
        AttentionPairs.forward(attention[thread], attended, probabilities, qkv, pair, time, dim, heads, causal);
      }

      @Override
      void backwardPair(int thread, float[] dQkv, float[] dAttended, float[] probabilities, float[] qkv, int pair,
          int time, int dim, int heads, boolean causal) {
        AttentionPairs.backward(attention[thread], dQkv, dAttended, probabilities, qkv, pair, time, dim, heads,
            causal);
      }
    };
  }

  /** The number of threads a product may use. */
  public int threads() {
    return scratch.length;
  }
  @Override
  ParallelWork work() {
    return work;
  }


  @Override
  public void matmulNN(float[] c, int cOff, float[] a, int aOff, float[] b, int bOff, int m, int n, int k,
      boolean accumulate) {
    gemm(c, cOff, a, aOff, k, 1, b, bOff, false, m, n, k, accumulate);
  }

  @Override
  public void matmulNT(float[] c, int cOff, float[] a, int aOff, float[] b, int bOff, int m, int n, int k,
      boolean accumulate) {
    gemm(c, cOff, a, aOff, k, 1, b, bOff, true, m, n, k, accumulate);
  }

  @Override
  public void matmulTN(float[] c, int cOff, float[] a, int aOff, float[] b, int bOff, int m, int n, int k,
      boolean accumulate) {
    gemm(c, cOff, a, aOff, 1, m, b, bOff, false, m, n, k, accumulate);
  }

  /**
   * {@code c[m×n] (+)= A · B} where {@code A(i, p) = a[aOff + i·aRow + p·aCol]} and {@code B(p, j)} is
   * {@code b[bOff + p·n + j]}, or {@code b[bOff + j·k + p]} when {@code bTransposed}.
   */
  private void gemm(float[] c, int cOff, float[] a, int aOff, int aRow, int aCol, float[] b, int bOff,
      boolean bTransposed, int m, int n, int k, boolean accumulate) {
    if (!busy.compareAndSet(false, true)) {
      throw new IllegalStateException("this PortableKernels is in use by another thread: a Kernels instance serves"
          + " one model on one thread at a time; give each model its own (Kernels.portable(threads))");
    }
    try {
      product(c, cOff, a, aOff, aRow, aCol, b, bOff, bTransposed, m, n, k, accumulate);
    } finally {
      busy.set(false);
    }
  }

  private void product(float[] c, int cOff, float[] a, int aOff, int aRow, int aCol, float[] b, int bOff,
      boolean bTransposed, int m, int n, int k, boolean accumulate) {
    if (bTransposed && m <= FEW_ROWS) {
      fewRowsNT(c, cOff, a, aOff, b, bOff, m, n, k, accumulate);
      return;
    }
    // A product at least twice as tall as wide (the weight gradients of a recurrent layer, the input projection
    // over every step) is split by rows: each thread then packs all of b, rather than reading all of a.
    boolean splitRows = m >= 2L * n || n < 32;
    if (pool == null || (long) m * n * k < PARALLEL_THRESHOLD || (splitRows ? m < 8 : n < 32)) {
      gemmColumns(scratch[0], c, cOff, a, aOff, aRow, aCol, b, bOff, bTransposed, m, n, k, accumulate, 0, n);
      return;
    }
    gSplitRows = splitRows;
    gc = c;
    gcOff = cOff;
    ga = a;
    gaOff = aOff;
    gaRow = aRow;
    gaCol = aCol;
    gb = b;
    gbOff = bOff;
    gbTransposed = bTransposed;
    gm = m;
    gn = n;
    gk = k;
    gAccumulate = accumulate;
    try {
      pool.run(parts);
    } finally {
      gc = null;
      ga = null;
      gb = null;
    }
  }

  /**
   * {@code c (+)= a · bᵀ} for a few rows (single-sample predict, batch-1 training): transposing {@code b} into the
   * panel would cost more than the product (86 % of a single-sample forward), while rows of {@code a} and
   * {@code b} are both contiguous in {@code p}; four rows of {@code b} at a time share each load of {@code a}.
   */
  private static void fewRowsNT(float[] c, int cOff, float[] a, int aOff, float[] b, int bOff, int m, int n, int k,
      boolean accumulate) {
    for (int i = 0; i < m; i++) {
      int x = aOff + i * k;
      int out = cOff + i * n;
      int j = 0;
      for (; j + 4 <= n; j += 4) {
        int b0 = bOff + j * k;
        int b1 = b0 + k;
        int b2 = b1 + k;
        int b3 = b2 + k;
        float s0 = 0f;
        float s1 = 0f;
        float s2 = 0f;
        float s3 = 0f;
        for (int p = 0; p < k; p++) {
          float xp = a[x + p];
          s0 += xp * b[b0 + p];
          s1 += xp * b[b1 + p];
          s2 += xp * b[b2 + p];
          s3 += xp * b[b3 + p];
        }
        c[out + j] = accumulate ? c[out + j] + s0 : s0;
        c[out + j + 1] = accumulate ? c[out + j + 1] + s1 : s1;
        c[out + j + 2] = accumulate ? c[out + j + 2] + s2 : s2;
        c[out + j + 3] = accumulate ? c[out + j + 3] + s3 : s3;
      }
      for (; j < n; j++) {
        int row = bOff + j * k;
        float s = 0f;
        for (int p = 0; p < k; p++) {
          s += a[x + p] * b[row + p];
        }
        c[out + j] = accumulate ? c[out + j] + s : s;
      }
    }
  }

  /**
   * Part {@code part} of {@code parts} of the product in flight: a contiguous range of output columns, or of rows.
   */
  private void runPart(int part, int parts) {
    if (gSplitRows) {
      // Rows in multiples of four, the core loop's; each row is computed as in the whole product.
      int groups = (gm + 3) / 4;
      int from = Math.min(gm, (int) ((long) groups * part / parts) * 4);
      int to = Math.min(gm, (int) ((long) groups * (part + 1) / parts) * 4);
      if (from < to) {
        gemmColumns(scratch[part], gc, gcOff + from * gn, ga, gaOff + from * gaRow, gaRow, gaCol, gb, gbOff,
            gbTransposed, to - from, gn, gk, gAccumulate, 0, gn);
      }
      return;
    }
    // Ranges are multiples of 16 columns so that every thread's inner loops stay vector-sized.
    int chunks = (gn + 15) / 16;
    int from = Math.min(gn, (int) ((long) chunks * part / parts) * 16);
    int to = Math.min(gn, (int) ((long) chunks * (part + 1) / parts) * 16);
    if (from < to) {
      gemmColumns(scratch[part], gc, gcOff, ga, gaOff, gaRow, gaCol, gb, gbOff, gbTransposed, gm, gn, gk,
          gAccumulate, from, to);
    }
  }

  /** Columns {@code [jFrom, jTo)} of the product, with {@code s}'s scratch space. */
  private static void gemmColumns(Scratch s, float[] c, int cOff, float[] a, int aOff, int aRow, int aCol,
      float[] b, int bOff, boolean bTransposed, int m, int n, int k, boolean accumulate, int jFrom, int jTo) {
    for (int j0 = jFrom; j0 < jTo; j0 += COLUMN_BLOCK) {
      int width = Math.min(COLUMN_BLOCK, jTo - j0);
      if (k == 0 && !accumulate) {
        for (int i = 0; i < m; i++) {
          java.util.Arrays.fill(c, cOff + i * n + j0, cOff + i * n + j0 + width, 0f);
        }
      }
      for (int p0 = 0; p0 < k; p0 += DEPTH_BLOCK) {
        int depth = Math.min(DEPTH_BLOCK, k - p0);
        s.pack(b, bOff, bTransposed, n, k, p0, depth, j0, width);
        boolean add = accumulate || p0 > 0;
        int i = 0;
        for (; i + 4 <= m; i += 4) {
          s.fourRows(c, cOff, n, i, j0, width, a, aOff, aRow, aCol, p0, depth, add);
        }
        for (; i < m; i++) {
          s.oneRow(c, cOff, n, i, j0, width, a, aOff, aRow, aCol, p0, depth, add);
        }
      }
    }
  }

  /** One thread's panel of {@code b} and scratch rows of {@code c}. */
  private static final class Scratch {
    final float[][] panel = new float[DEPTH_BLOCK][COLUMN_BLOCK];
    final float[][] rows = new float[4][COLUMN_BLOCK];

  /** Copies {@code B(p0 .. p0+depth, j0 .. j0+width)} into the panel, one row per depth. */
    void pack(float[] b, int bOff, boolean transposed, int n, int k, int p0, int depth, int j0, int width) {
    for (int p = 0; p < depth; p++) {
      float[] row = panel[p];
      if (transposed) {
        int base = bOff + j0 * k + p0 + p;
        for (int j = 0; j < width; j++) {
          row[j] = b[base + j * k];
        }
      } else {
        System.arraycopy(b, bOff + (p0 + p) * n + j0, row, 0, width);
      }
    }
  }

    void fourRows(float[] c, int cOff, int n, int i, int j0, int width, float[] a, int aOff, int aRow,
      int aCol, int p0, int depth, boolean add) {
    float[] c0 = rows[0];
    float[] c1 = rows[1];
    float[] c2 = rows[2];
    float[] c3 = rows[3];
    int r0 = cOff + i * n + j0;
    load(c, r0, c0, width, add);
    load(c, r0 + n, c1, width, add);
    load(c, r0 + 2 * n, c2, width, add);
    load(c, r0 + 3 * n, c3, width, add);
    int a0 = aOff + i * aRow;
    int a1 = a0 + aRow;
    int a2 = a1 + aRow;
    int a3 = a2 + aRow;
    int p = 0;
    for (; p + 3 <= depth; p += 3) {
      int q = (p0 + p) * aCol;
      float x00 = a[a0 + q], x01 = a[a0 + q + aCol], x02 = a[a0 + q + 2 * aCol];
      float x10 = a[a1 + q], x11 = a[a1 + q + aCol], x12 = a[a1 + q + 2 * aCol];
      float x20 = a[a2 + q], x21 = a[a2 + q + aCol], x22 = a[a2 + q + 2 * aCol];
      float x30 = a[a3 + q], x31 = a[a3 + q + aCol], x32 = a[a3 + q + 2 * aCol];
      float[] b0 = panel[p];
      float[] b1 = panel[p + 1];
      float[] b2 = panel[p + 2];
      axpy3(c0, x00, b0, x01, b1, x02, b2, width);
      axpy3(c1, x10, b0, x11, b1, x12, b2, width);
      axpy3(c2, x20, b0, x21, b1, x22, b2, width);
      axpy3(c3, x30, b0, x31, b1, x32, b2, width);
    }
    for (; p < depth; p++) {
      int q = (p0 + p) * aCol;
      float x0 = a[a0 + q], x1 = a[a1 + q], x2 = a[a2 + q], x3 = a[a3 + q];
      float[] b0 = panel[p];
      axpy(c0, x0, b0, width);
      axpy(c1, x1, b0, width);
      axpy(c2, x2, b0, width);
      axpy(c3, x3, b0, width);
    }
    System.arraycopy(c0, 0, c, r0, width);
    System.arraycopy(c1, 0, c, r0 + n, width);
    System.arraycopy(c2, 0, c, r0 + 2 * n, width);
    System.arraycopy(c3, 0, c, r0 + 3 * n, width);
  }

    void oneRow(float[] c, int cOff, int n, int i, int j0, int width, float[] a, int aOff, int aRow,
      int aCol, int p0, int depth, boolean add) {
    float[] c0 = rows[0];
    int r0 = cOff + i * n + j0;
    load(c, r0, c0, width, add);
    int a0 = aOff + i * aRow;
    int p = 0;
    for (; p + 3 <= depth; p += 3) {
      int q = a0 + (p0 + p) * aCol;
      float x0 = a[q], x1 = a[q + aCol], x2 = a[q + 2 * aCol];
      axpy3(c0, x0, panel[p], x1, panel[p + 1], x2, panel[p + 2], width);
    }
    for (; p < depth; p++) {
      axpy(c0, a[a0 + (p0 + p) * aCol], panel[p], width);
    }
    System.arraycopy(c0, 0, c, r0, width);
  }

  }

  /**
   * {@code c[j] += x0·b0[j] + x1·b1[j] + x2·b2[j]}: one store stream and plain {@code j} indexing, the shape
   * HotSpot vectorises (a loop updating four rows at once was not vectorised by JDK 17's C2).
   */
  private static void axpy3(float[] c, float x0, float[] b0, float x1, float[] b1, float x2, float[] b2,
      int width) {
    for (int j = 0; j < width; j++) {
      c[j] += x0 * b0[j] + x1 * b1[j] + x2 * b2[j];
    }
  }

  /** {@code c[j] += x·b[j]}. */
  private static void axpy(float[] c, float x, float[] b, int width) {
    for (int j = 0; j < width; j++) {
      c[j] += x * b[j];
    }
  }

  private static void load(float[] c, int from, float[] row, int width, boolean add) {
    if (add) {
      System.arraycopy(c, from, row, 0, width);
    } else {
      java.util.Arrays.fill(row, 0, width, 0f);
    }
  }

  @Override
  public void denseForward(float[] out, float[] x, int xOff, float[] params, int weightOff, int biasOff,
      int rows, int in, int units, Activation act, float slope) {
    if (biasOff >= 0) {
      for (int r = 0; r < rows; r++) {
        System.arraycopy(params, biasOff, out, r * units, units);
      }
    }
    matmulNT(out, 0, x, xOff, params, weightOff, rows, units, in, biasOff >= 0);
    ActivationFunctions.apply(out, 0, rows * units, act, slope);
  }

  @Override
  public void activationBackward(float[] dy, float[] y, int rows, int n, Activation act, float slope,
      float[] grads, int biasGradOff) {
    Elementwise.activationBackward(dy, y, rows, n, act, slope, grads, biasGradOff);
  }

  @Override
  public void addForward(float[] out, float[][] inputs, int n, Activation act, float slope) {
    Elementwise.addForward(out, inputs, n, act, slope);
  }

  @Override
  public void accumulate(float[] dx, float[] dz, int n) {
    Elementwise.accumulate(dx, dz, n);
  }

  // ---------------------------------------------------------------------------------------------------------
  // Recurrences: one thread's rows of a product (SplittingKernels.productRows).

  @Override
  void productRows(int thread, boolean transposedB, float[] c, int cOff, float[] a, int aOff, float[] b, int bOff,
      int m, int n, int k, boolean accumulate, int fullRows, boolean samePackedB) {
    // The path product() takes for the whole product: the few-rows one sums otherwise.
    if (transposedB && fullRows <= FEW_ROWS) {
      fewRowsNT(c, cOff, a, aOff, b, bOff, m, n, k, accumulate);
      return;
    }
    gemmColumns(scratch[thread], c, cOff, a, aOff, k, 1, b, bOff, transposedB, m, n, k, accumulate, 0, n);
  }
}
