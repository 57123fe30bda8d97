package io.nabla.runtime.kernel;

import io.nabla.Activation;
import org.jspecify.annotations.Nullable;

/**
 * Portable pure-Java kernels (Java 8, Android, no Vector API), shaped for HotSpot's superword vectoriser. Every
 * blocked product runs one core loop: a block of {@code b} is packed into a panel of {@code float[]} rows, one per
 * depth (transposed on the way for {@code NT}), a block of rows of {@code c} is copied into scratch rows, and the
 * innermost loop over {@code j} updates three scratch rows from three panel rows at once, indexing every array by
 * plain {@code j}:
 *
 * <pre>
 * c0[j] = fma(a02, b2[j], fma(a01, b1[j], fma(a00, b0[j], c0[j])));   c1[j] = ...;   c2[j] = ...
 * </pre>
 *
 * so each loaded {@code b} value feeds three rows and each {@code c} value is loaded and stored once per three
 * depths. {@code fma} is {@link MultiplyAdd#fma}: {@code Math.fma} on Java 17+ with FMA hardware, {@code a·b + c}
 * otherwise, in which case the loop updates one row (JDK 17's C2 vectorises no loop over several rows of
 * {@code a·b + c} chains). Three rows by three depths is the largest such loop it vectorises (four by three, two by
 * four or six rows are compiled to scalar code), and only when it is the one loop of its compilation: the loop
 * lives in {@link Scratch#update} (and its copy {@link Scratch#updateNarrow} for narrow blocks), methods kept above
 * HotSpot's 325-byte inlining limit for hot calls ({@code FreqInlineSize}) so that they are always compiled on their
 * own, never inlined into a caller with other loops.
 * Rows and depths that do not fill a group of three use a spare scratch row and a zero panel row.
 *
 * <p>Blocks of {@value #COLUMN_BLOCK} columns (a whole 784-wide row: the loop pays a fixed cost per call, the call,
 * its setup and the columns C2 runs one at a time before and after the vectors, so it should run long; the rows
 * start where one such column comes before the vectors and none after, {@link Scratch}) by
 * {@value #DEPTH_BLOCK} depths keep the panel in L2; as many rows as fit in about 19 KB (at most
 * {@value #MAX_ROWS}) keep the scratch rows in L1 while the three panel rows in use are read once per block of rows.
 * {@code NT} products of at most {@value #FEW_ROWS} rows (single-sample predict, batch-1 training) take dot
 * products instead of the transposing pack, split over the threads by columns; outer products (depth 1: batch-1
 * weight gradients) stream row by row, split by rows. At batch 1 each thread then reads and writes mostly the same
 * rows of a dense layer's weights and gradients in the forward, the backward and the optimizer's update (which
 * splits the flat buffer in ranges), so most of them stay in its core's cache. Every element of a blocked product's
 * {@code c} is the chain {@code c = fma(A(i, p), B(p, j), c)} for {@code p = 0 .. k-1} however the product is
 * blocked or split over threads (the padding adds {@code fma(0, 0, c)}); an outer product's is
 * {@code fma(A(i, 0), B(0, j), c) + 0}, the same bits; a few-rows product's is {@code c + Σ a·b}, a plain dot
 * product in depth order; a dense layer's forward starts from the bias and ends with the activation. So results are
 * bitwise identical for any thread count.
 * {@link ReferenceKernels} holds the naive loops every method is tested against; sums run in another order, so
 * results agree to rounding.
 */
public final class PortableKernels extends SplittingKernels {
  /** Columns of {@code c} per block: the MLP's 784-wide rows in one block, so that the vectorised loop runs long. */
  static final int COLUMN_BLOCK = 784;
  /** Depths per block, a multiple of three: a panel of 192 × 784 floats (600 KiB) stays in L2. */
  static final int DEPTH_BLOCK = 192;
  /** Scratch rows of {@code c} per block: at most this many, a multiple of three. */
  static final int MAX_ROWS = 18;
  /** Scratch rows per block times their width stay under this many floats (about 19 KB, in L1). */
  static final int ROW_FLOATS = 4800;
  /** Blocks narrower than this many columns run {@link Scratch#updateNarrow} instead of {@link Scratch#update}. */
  static final int NARROW = 192;

  /**
   * A tall narrow product is computed transposed ({@link #transposed}) from this depth: shallower, the two transposes
   * of {@code c} cost more than the longer loop saves ({@code NN 256 × 128 × 10} took 2.2× as long).
   */
  static final int TRANSPOSED_DEPTH = 32;
  /** Nor is a product whose {@code c} has more floats than this (4 MiB): its {@code cᵀ} would be kept as long. */
  static final int TRANSPOSED_SIZE = 1 << 20;

  /** {@code NT} products with at most this many rows take dot products instead of packing {@code Bᵀ}. */
  static final int FEW_ROWS = 4;

  /** Below this many multiply-adds a blocked product runs on the calling thread alone. */
  static final long PARALLEL_THRESHOLD = 1L << 20;
  /**
   * A few-rows {@code NT} product (batch-1 training, predict) splits its columns from this many multiply-adds: its
   * dot products are scalar, about 7 µs at this size on one core.
   */
  static final long FEW_ROWS_SPLIT = 1L << 14;
  /** An outer product (depth 1: the weight gradients at batch 1) splits its rows from this many elements. */
  static final long OUTER_SPLIT = 1L << 15;
  /**
   * An {@code NN} or {@code TN} product splits by rows from this many rows per thread, and so does an {@code NT}
   * product of fewer than {@code 2 · NARROW} columns ({@link #product}).
   */
  static final int ROWS_PER_THREAD = 32;
  /** Column boundaries of a split few-rows product are multiples of this (a 64-byte line of floats). */
  static final int FEW_ROWS_ALIGN = 16;

  /** How the product in flight is split ({@link #runPart}). */
  private static final int SPLIT_COLUMNS = 0;
  private static final int SPLIT_ROWS = 1;
  private static final int FEW_ROWS_COLUMNS = 2;
  private static final int OUTER_ROWS = 3;

  private final Scratch[] scratch;
  private final @Nullable WorkerPool pool;
  private final WorkerPool.Task parts;
  /** Activations and attention, split over the same threads. */
  private final ParallelWork work;
  /** Each thread's attention buffers. */
  private final AttentionPairs.Scratch[] attention;
  /** Set while a product runs: one instance serves one caller at a time, which this checks. */
  private final java.util.concurrent.atomic.AtomicBoolean busy = new java.util.concurrent.atomic.AtomicBoolean();

  /**
   * {@code cᵀ} of the product in flight when it is computed transposed ({@link #transposed}), grown as needed to at
   * most {@value #TRANSPOSED_SIZE} floats.
   */
  private float[] transposedC = new float[0];
  /** Products computed transposed so far (for tests). */
  int transposedProducts;

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
  private int gSplit;
  /** The epilogue of a dense layer's forward ({@link #product}). */
  private float @Nullable [] gBias;
  private int gBiasOff;
  private Activation gAct = Activation.IDENTITY;
  private float gSlope;

  /** Single-threaded kernels. */
  public PortableKernels() {
    this(1);
  }

  /**
   * Kernels that split every large product over {@code threads} threads: the caller's and {@code threads - 1}
   * daemon workers, parked between products and shared by every instance with this thread count. Each thread
   * computes its own columns of the output, or its own rows ({@link #product} says which) with the same summation
   * order, so results are bitwise identical for any thread count.
   */
  public PortableKernels(int threads) {
    this(threads, 0);
  }

  /** As {@link #PortableKernels(int)}, on the pool of lane {@code lane} ({@link WorkerPool#shared(int, int)}). */
  PortableKernels(int threads, int lane) {
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be at least 1, got " + threads);
    }
    scratch = new Scratch[threads];
    for (int t = 0; t < threads; t++) {
      scratch[t] = new Scratch();
    }
    pool = threads == 1 ? null : WorkerPool.shared(threads, lane);
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

  /** For tests: every thread's rows start at column {@code shift}, padded or not, and are never calibrated. */
  void fixShift(int shift, boolean pad) {
    for (Scratch s : scratch) {
      s.shift = shift;
      s.pad = pad;
      s.untilCalibration = Long.MAX_VALUE;
    }
  }

  /**
   * For tests: every thread calibrates before each panel it packs from now on; returns the calibrations each has
   * made so far.
   */
  int[] calibrateEachPanel() {
    int[] made = new int[scratch.length];
    for (int t = 0; t < scratch.length; t++) {
      made[t] = scratch[t].calibrations;
      scratch[t].calibrateEachPanel = true;
    }
    return made;
  }

  /** New portable kernels on {@code max(1, threads() / parts)} threads of part {@code part}'s own pool. */
  @Override
  public Kernels forPart(int part, int parts) {
    return new PortableKernels(Math.max(1, threads() / parts), part + 1);
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
      throw inUse();
    }
    try {
      product(c, cOff, a, aOff, aRow, aCol, b, bOff, bTransposed, m, n, k, accumulate, null, 0, Activation.IDENTITY,
          0f);
    } finally {
      busy.set(false);
    }
  }

  private static IllegalStateException inUse() {
    return new IllegalStateException("this PortableKernels is in use by another thread: a Kernels instance serves"
        + " one model on one thread at a time; give each model its own (Kernels.portable(threads))");
  }

  /**
   * The product, with an optional epilogue that only the blocked path ({@link #gemmColumns}) takes: each scratch row
   * starts from {@code bias[biasOff + j]} (when {@code bias} is not null) and is activated by {@code act} after
   * the last depth block (computed transposed, {@link #transposed}: each row of {@code cᵀ} starts from its bias and
   * the calling thread activates {@code c} at the end). {@link #denseForward} passes one only for products that take
   * that path (more than {@value #FEW_ROWS} rows, depth above 1); the few-rows and outer-product paths ignore it.
   * Few-rows {@code NT} products split by columns, outer products by rows; tall narrow ones are computed transposed
   * ({@link #transposes}); other blocked ones split by rows when at least twice as tall as wide, narrower than 32
   * columns, or with {@value #ROWS_PER_THREAD} rows per thread when {@code NN}, {@code TN} or {@code NT} of fewer
   * than {@code 2 · NARROW} columns, else by columns.
   */
  private void product(float[] c, int cOff, float[] a, int aOff, int aRow, int aCol, float[] b, int bOff,
      boolean bTransposed, int m, int n, int k, boolean accumulate, float @Nullable [] bias, int biasOff,
      Activation act, float slope) {
    int split;
    if (bTransposed && m <= FEW_ROWS) {
      if (pool == null || (long) m * n * k < FEW_ROWS_SPLIT || n < 2 * FEW_ROWS_ALIGN) {
        fewRowsNT(c, cOff, n, a, aOff, b, bOff, m, 0, n, k, accumulate);
        return;
      }
      split = FEW_ROWS_COLUMNS;
    } else if (k == 1) {
      if (pool == null || (long) m * n < OUTER_SPLIT || m < 2) {
        outerProductRows(scratch[0], c, cOff, a, aOff, aRow, b, bOff, n, accumulate, 0, m);
        return;
      }
      split = OUTER_ROWS;
    } else if (transposes(aRow, aCol, m, n, k)) {
      transposed(c, cOff, a, aOff, aRow, b, bOff, bTransposed, m, n, k, accumulate, bias, biasOff, act, slope);
      return;
    } else {
      // A product at least twice as tall as wide (the weight gradients of a recurrent layer, the input projection
      // over every step) is split by rows: each thread then packs all of b, rather than reading all of a. So is one
      // whose b packs by plain copies (NN, TN) once each thread gets 32 rows or more: its loops then run the whole
      // width, where split columns would halve them and pay their fixed cost twice as often. So is an NT product
      // with 32 rows per thread whose split columns would be narrower than NARROW, though each thread then transposes
      // all of b: on two threads NT 256 × 256 × 784 (a dense layer's forward) gained 1.14-1.25× split by columns,
      // 1.33-1.83× by rows (round 19; with more threads, measured on none, the columns stay narrow from 384).
      boolean splitRows = m >= 2L * n || n < 32
          || (m >= ROWS_PER_THREAD * scratch.length && (!bTransposed || n < 2 * NARROW));
      if (pool == null || (long) m * n * k < PARALLEL_THRESHOLD || (splitRows ? m < 8 : n < 32)) {
        gemmColumns(scratch[0], c, cOff, a, aOff, aRow, aCol, b, bOff, bTransposed, m, n, k, accumulate, 0, n,
            bias, biasOff, act, slope);
        return;
      }
      split = splitRows ? SPLIT_ROWS : SPLIT_COLUMNS;
      gBias = bias;
      gBiasOff = biasOff;
      gAct = act;
      gSlope = slope;
    }
    gSplit = split;
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
      gBias = null;
      gAct = Activation.IDENTITY;
    }
  }

  /**
   * Whether a blocked product computes {@code cᵀ} instead ({@link #transposed}): narrower than {@value #NARROW}
   * columns, at least twice as tall as wide, at least {@value #TRANSPOSED_DEPTH} deep, at most
   * {@value #TRANSPOSED_SIZE} floats of {@code c}, {@code A} in one of the two layouts the products use (rows
   * contiguous in depth, or depths contiguous in rows), and more than {@value #FEW_ROWS} columns, so that
   * {@code cᵀ} takes the same blocked path (whose sums are those of {@code c}'s).
   */
  private static boolean transposes(int aRow, int aCol, int m, int n, int k) {
    return n < NARROW && m >= 2L * n && n > FEW_ROWS && k >= TRANSPOSED_DEPTH && (long) m * n <= TRANSPOSED_SIZE
        && ((aCol == 1 && aRow == k) || (aRow == 1 && aCol == m));
  }

  /**
   * A tall narrow product as its transpose, {@code cᵀ (+)= Bᵀ · Aᵀ}, in {@link #transposedC}, then transposed into
   * {@code c}: the core loop then runs over {@code c}'s {@code m} rows rather than its {@code n} columns, and it pays a
   * fixed cost per call (the call, its setup, a column done before the vectors), so it runs faster the longer it is,
   * and C2 compiles it with longer vectors for longer rows: on the Intel AVX-512 VM of round 19, one thread, {@code NT
   * 256 × 128 × 256} (a dense layer's forward at batch 256) 1.33× and {@code NT 256 × 10 × 128} 3.25× in windows
   * alternating with the untransposed product (1.11× and 3.3× before the rows' shift). Each element is the same chain
   * of {@code fma} in the same depth order from the same start (the bias, {@code c}, or zero) as {@code c}'s own, the
   * multiply's operands swapped (exact products, so the same bits), and the activation is applied to {@code c}
   * afterwards, element by element as the scratch rows would: the same bits as the untransposed product. The product of
   * {@code cᵀ} is split over the threads as any other; the two transposes and the activation run on the calling thread.
   */
  private void transposed(float[] c, int cOff, float[] a, int aOff, int aRow, float[] b, int bOff,
      boolean bTransposed, int m, int n, int k, boolean accumulate, float @Nullable [] bias, int biasOff,
      Activation act, float slope) {
    transposedProducts++;
    int size = m * n;
    if (transposedC.length < size) {
      transposedC = new float[size];
    }
    float[] ct = transposedC;
    if (bias != null) {
      for (int j = 0; j < n; j++) {
        java.util.Arrays.fill(ct, j * m, j * m + m, bias[biasOff + j]);
      }
    } else if (accumulate) {
      transpose(c, cOff, m, n, ct, 0);
    }
    // Aᵀ's row j is B's column j; (Aᵀ)ᵀ = A packs as B does: transposed when A's rows are contiguous in depth.
    product(ct, 0, b, bOff, bTransposed ? k : 1, bTransposed ? 1 : n, a, aOff, aRow != 1, n, m, k,
        accumulate || bias != null, null, 0, Activation.IDENTITY, 0f);
    transpose(ct, 0, n, m, c, cOff);
    if (act != Activation.IDENTITY) {
      ActivationFunctions.apply(c, cOff, cOff + size, act, slope);
    }
  }

  /** {@code to[toOff + j·rows + i] = from[fromOff + i·columns + j]}: a {@code rows × columns} matrix transposed. */
  private static void transpose(float[] from, int fromOff, int rows, int columns, float[] to, int toOff) {
    for (int i0 = 0; i0 < rows; i0 += 16) {
      int i1 = Math.min(rows, i0 + 16);
      for (int j = 0; j < columns; j++) {
        int at = toOff + j * rows;
        for (int i = i0; i < i1; i++) {
          to[at + i] = from[fromOff + i * columns + j];
        }
      }
    }
  }

  /**
   * Rows {@code [iFrom, iTo)} of an outer product ({@code k = 1}; {@code B}'s one row is contiguous in every layout),
   * streamed row by row instead of packed: {@code c = fma(A(i, 0), b[j], c or 0) + 0}. The {@code + 0} is what the
   * blocked path's zero padding ({@code fma(0, 0, c)}) does to a {@code -0}, so both paths give the same bits. Each
   * row goes through a scratch row and {@code b} through a panel row, so that the loop indexes both by plain
   * {@code j} and C2 vectorises it (with offsets into {@code c} and {@code b} it stayed scalar: 256 × 784 took 90 µs
   * on one core, 32 µs this way).
   */
  private static void outerProductRows(Scratch s, float[] c, int cOff, float[] a, int aOff, int aRow, float[] b,
      int bOff, int n, boolean accumulate, int iFrom, int iTo) {
    float[] row = s.rows[0];
    for (int j0 = 0; j0 < n; j0 += COLUMN_BLOCK) {
      int width = Math.min(COLUMN_BLOCK, n - j0);
      System.arraycopy(b, bOff + j0, s.panel[0], 0, width);
      for (int i = iFrom; i < iTo; i++) {
        int at = cOff + i * n + j0;
        if (accumulate) {
          System.arraycopy(c, at, row, 0, width);
        } else {
          java.util.Arrays.fill(row, 0, width, 0f);
        }
        s.outer(a[aOff + i * aRow], width);
        System.arraycopy(row, 0, c, at, width);
      }
    }
  }

  /**
   * {@code c (+)= a · bᵀ} for a few rows (single-sample predict, batch-1 training): transposing {@code b} into the
   * panel would cost more than the product (86 % of a single-sample forward), while rows of {@code a} and
   * {@code b} are both contiguous in {@code p}; four rows of {@code b} at a time share each load of {@code a}.
   */
  private static void fewRowsNT(float[] c, int cOff, int ldc, float[] a, int aOff, float[] b, int bOff, int m,
      int jFrom, int jTo, int k, boolean accumulate) {
    for (int i = 0; i < m; i++) {
      int x = aOff + i * k;
      int out = cOff + i * ldc;
      int j = jFrom;
      for (; j + 4 <= jTo; j += 4) {
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
      for (; j < jTo; j++) {
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
   * Each element is computed by the same code whichever part holds it.
   */
  private void runPart(int part, int parts) {
    if (gSplit == FEW_ROWS_COLUMNS) {
      int chunks = (gn + FEW_ROWS_ALIGN - 1) / FEW_ROWS_ALIGN;
      int from = Math.min(gn, (int) ((long) chunks * part / parts) * FEW_ROWS_ALIGN);
      int to = Math.min(gn, (int) ((long) chunks * (part + 1) / parts) * FEW_ROWS_ALIGN);
      fewRowsNT(gc, gcOff, gn, ga, gaOff, gb, gbOff, gm, from, to, gk, gAccumulate);
      return;
    }
    if (gSplit == OUTER_ROWS) {
      outerProductRows(scratch[part], gc, gcOff, ga, gaOff, gaRow, gb, gbOff, gn, gAccumulate,
          (int) ((long) gm * part / parts), (int) ((long) gm * (part + 1) / parts));
      return;
    }
    if (gSplit == SPLIT_ROWS) {
      // Rows in multiples of three, the core loop's; each row is computed as in the whole product.
      int groups = (gm + 2) / 3;
      int from = Math.min(gm, (int) ((long) groups * part / parts) * 3);
      int to = Math.min(gm, (int) ((long) groups * (part + 1) / parts) * 3);
      if (from < to) {
        gemmColumns(scratch[part], gc, gcOff + from * gn, ga, gaOff + from * gaRow, gaRow, gaCol, gb, gbOff,
            gbTransposed, to - from, gn, gk, gAccumulate, 0, gn, gBias, gBiasOff, gAct, gSlope);
      }
      return;
    }
    // Ranges are multiples of 16 columns so that every thread's inner loops stay vector-sized.
    int chunks = (gn + 15) / 16;
    int from = Math.min(gn, (int) ((long) chunks * part / parts) * 16);
    int to = Math.min(gn, (int) ((long) chunks * (part + 1) / parts) * 16);
    if (from < to) {
      gemmColumns(scratch[part], gc, gcOff, ga, gaOff, gaRow, gaCol, gb, gbOff, gbTransposed, gm, gn, gk,
          gAccumulate, from, to, gBias, gBiasOff, gAct, gSlope);
    }
  }

  /**
   * Columns {@code [jFrom, jTo)} of the product, with {@code s}'s scratch space and {@link #product}'s epilogue
   * (skipped when {@code k = 0}: no depth block runs).
   */
  private static void gemmColumns(Scratch s, float[] c, int cOff, float[] a, int aOff, int aRow, int aCol,
      float[] b, int bOff, boolean bTransposed, int m, int n, int k, boolean accumulate, int jFrom, int jTo,
      float @Nullable [] bias, int biasOff, Activation act, float slope) {
    for (int j0 = jFrom; j0 < jTo; j0 += COLUMN_BLOCK) {
      int width = Math.min(COLUMN_BLOCK, jTo - j0);
      if (k == 0 && !accumulate) {
        for (int i = 0; i < m; i++) {
          java.util.Arrays.fill(c, cOff + i * n + j0, cOff + i * n + j0 + width, 0f);
        }
      }
      int rows = Math.min(MAX_ROWS, ROW_FLOATS / width);
      rows = Math.max(3, rows - rows % 3);
      for (int p0 = 0; p0 < k; p0 += DEPTH_BLOCK) {
        int depth = Math.min(DEPTH_BLOCK, k - p0);
        if (s.untilCalibration <= 0 || s.calibrateEachPanel) {
          s.calibrate(width);
        }
        if (bTransposed) {
          s.packTransposed(b, bOff, k, p0, depth, j0, width);
        } else {
          s.pack(b, bOff, n, p0, depth, j0, width);
        }
        boolean add = accumulate || p0 > 0;
        int biasAt = p0 == 0 && bias != null ? biasOff + j0 : -1;
        Activation last = p0 + depth == k ? act : Activation.IDENTITY;
        for (int i = 0; i < m; i += rows) {
          s.rowBlock(c, cOff + i * n + j0, n, Math.min(rows, m - i), width, a, aOff + i * aRow + p0 * aCol, aRow,
              aCol, depth, add, bias, biasAt, last, slope);
        }
      }
    }
  }

  /**
   * One thread's panel of {@code b} and scratch rows of {@code c}, each row a {@code float[]} of
   * {@value #ROW_LENGTH} floats whose block {@code [shift, shift + width)} holds the block's columns.
   *
   * <p><b>Why the shift.</b> C2 runs a vectorised loop as three: a scalar pre-loop of 1 to 16 iterations (always at
   * least one) that ends where the first row stored to ({@code c0}) is aligned to a vector, the vector loop, and a
   * scalar post-loop for what is left. At 256 columns those two scalar loops took about as long as the vectors: the
   * loop ran 1.5× faster when it started one column before a 64-byte boundary of {@code c0} (one scalar iteration
   * before) and ran a multiple of 16 columns after it (none after), which {@link #padded} arranges by computing up to
   * 15 columns more, on zeros, that are never written back. Java does not say where an array lies, but every row here
   * has the same length, a multiple of 64 bytes with HotSpot's 16-byte array header (compressed class pointers), so
   * rows allocated together are equally aligned, and stay so when the collector copies them one after another (as G1
   * did in a probe, through six collections); so one {@link #shift} serves every row, and {@link #calibrate} finds it
   * by timing the loop at each of the 16 starts (and without padding), now and then, since the collector may move the
   * rows. Elsewhere (another header, another compiler, rows the collector scattered) the calibration finds less or
   * nothing to gain, which costs speed only. The results do not depend on it: a column computed by the scalar loops
   * gets the same correctly rounded {@code fma} as in a vector lane.
   */
  private static final class Scratch {
    /** Floats per row: 784 columns, up to 15 before and 15 after them, and a multiple of 64 bytes with a header. */
    static final int ROW_LENGTH = 828;
    /** Update calls (three rows each with a fused multiply-add) before the first calibration: C2 has compiled the
     * loop by then. */
    static final long FIRST_CALIBRATION = 1L << 14;
    /** Calibrations come four times rarer each time, to at most once per this many update calls (seconds). */
    static final long MAX_CALIBRATION_INTERVAL = 1L << 26;
    /** Calls of the loop per timing, and rounds of timings (three: {@link #medianRatio} takes the middle one). */
    static final int CALIBRATION_CALLS = 8;
    static final int CALIBRATION_ROUNDS = 3;

    final float[][] panel = new float[DEPTH_BLOCK][ROW_LENGTH];
    final float[][] rows = new float[MAX_ROWS][ROW_LENGTH];
    /** The scratch row of a missing row: its products are discarded. */
    final float[] spare = new float[ROW_LENGTH];
    /** Stays zero: the panel row of a missing depth. */
    final float[] zeros = new float[ROW_LENGTH];
    /** Where the columns start in every row, 0 to 15. */
    int shift;
    /** Whether blocks run to {@link #padded} columns (else to their width). */
    boolean pad;
    /** Update calls until the next {@link #calibrate}, and the interval after it. */
    long untilCalibration = FIRST_CALIBRATION;
    long calibrationInterval = FIRST_CALIBRATION;
    /** Options a calibration times: the 16 shifts padded, then shift 0 unpadded. */
    static final int OPTIONS = 17;
    /** Each round's time of each option over the current setting's, in a calibration. */
    final float[] ratios = new float[CALIBRATION_ROUNDS * OPTIONS];
    /** Calibrations made, and whether to calibrate before every panel (for tests). */
    int calibrations;
    boolean calibrateEachPanel;

    /** The columns the loop runs for a block of {@code width}: one, then a multiple of 16, when padding. */
    int padded(int width) {
      return pad ? paddedColumns(width) : width;
    }

    /** One column, then {@code width - 1} rounded up to a multiple of 16 (one for a width of one). */
    static int paddedColumns(int width) {
      return 1 + (width + 14) / 16 * 16;
    }

    /**
     * Times the loop on the first three scratch and panel rows, zeroed (their contents are dead: {@link #gemmColumns}
     * calls this before it packs a panel), at each start {@code 0..15} padded and at start 0 unpadded, each option
     * right after the current setting, so that both run at the same speed of a machine whose speed drifts (the host's
     * other load, a compilation, the other thread): each option's time over the current setting's, in each of
     * {@value #CALIBRATION_ROUNDS} rounds. Keeps the option whose median ratio is lowest, if under 0.95. (Taking each
     * option's fastest time instead, one calibration of a worker picked the unpadded loop, timed at the end of each
     * round while the early options had all run slow, over a shift about 1.3× faster.)
     */
    void calibrate(int width) {
      for (int r = 0; r < 3; r++) {
        java.util.Arrays.fill(rows[r], 0f);
        java.util.Arrays.fill(panel[r], 0f);
      }
      int current = pad ? shift : 16;
      for (int round = 0; round < CALIBRATION_ROUNDS; round++) {
        for (int option = 0; option < OPTIONS; option++) {
          long base = time(current, width);
          ratios[round * OPTIONS + option] = (float) time(option, width) / Math.max(1L, base);
        }
      }
      int best = current;
      float bestRatio = 0.95f;
      for (int option = 0; option < OPTIONS; option++) {
        float ratio = medianRatio(option);
        if (ratio < bestRatio) {
          best = option;
          bestRatio = ratio;
        }
      }
      pad = best < 16;
      shift = best < 16 ? best : 0;
      calibrations++;
      calibrationInterval = Math.min(MAX_CALIBRATION_INTERVAL, calibrationInterval * 4);
      untilCalibration = calibrationInterval;
    }

    /** Nanoseconds of {@value #CALIBRATION_CALLS} calls of the loop with option {@code option} ({@link #calibrate}). */
    private long time(int option, int width) {
      int from = option < 16 ? option : 0;
      int to = option < 16 ? from + paddedColumns(width) : width;
      long start = System.nanoTime();
      for (int call = 0; call < CALIBRATION_CALLS; call++) {
        if (width < NARROW) {
          updateNarrow(0, 3, 0, 3, zeros, 0, 1, 1, from, to);
        } else {
          update(0, 3, 0, 3, zeros, 0, 1, 1, from, to);
        }
      }
      return System.nanoTime() - start;
    }

    /** The median over the rounds of option {@code option}'s ratio (three rounds: the middle one). */
    private float medianRatio(int option) {
      float a = ratios[option];
      float b = ratios[OPTIONS + option];
      float c = ratios[2 * OPTIONS + option];
      return Math.max(Math.min(a, b), Math.min(Math.max(a, b), c));
    }

    /** Copies {@code B(p0 .. p0+depth, j0 .. j0+width)} into the panel, one row per depth. */
    void pack(float[] b, int bOff, int n, int p0, int depth, int j0, int width) {
      int s = shift;
      int end = s + padded(width);
      for (int p = 0; p < depth; p++) {
        System.arraycopy(b, bOff + (p0 + p) * n + j0, panel[p], s, width);
        java.util.Arrays.fill(panel[p], s + width, end, 0f);
      }
    }

    /**
     * The same from {@code bᵀ}: {@code panel[p][j] = b[bOff + (j0 + j)·k + p0 + p]}, eight depths per pass over
     * the columns, so that each row of {@code b} is read eight contiguous floats at a time.
     */
    void packTransposed(float[] b, int bOff, int k, int p0, int depth, int j0, int width) {
      float[][] panel = this.panel;
      int from = bOff + j0 * k + p0;
      int s = shift;
      int end = s + width;
      int p = 0;
      for (; p + 8 <= depth; p += 8) {
        float[] r0 = panel[p];
        float[] r1 = panel[p + 1];
        float[] r2 = panel[p + 2];
        float[] r3 = panel[p + 3];
        float[] r4 = panel[p + 4];
        float[] r5 = panel[p + 5];
        float[] r6 = panel[p + 6];
        float[] r7 = panel[p + 7];
        int src = from + p;
        for (int j = s; j < end; j++, src += k) {
          r0[j] = b[src];
          r1[j] = b[src + 1];
          r2[j] = b[src + 2];
          r3[j] = b[src + 3];
          r4[j] = b[src + 4];
          r5[j] = b[src + 5];
          r6[j] = b[src + 6];
          r7[j] = b[src + 7];
        }
      }
      for (; p < depth; p++) {
        float[] row = panel[p];
        int src = from + p;
        for (int j = s; j < end; j++, src += k) {
          row[j] = b[src];
        }
      }
      int padEnd = s + padded(width);
      for (p = 0; p < depth; p++) {
        java.util.Arrays.fill(panel[p], end, padEnd, 0f);
      }
    }

    /**
     * {@code count} rows of {@code c} from {@code c[from]} (row stride {@code n}, {@code width} columns) (+)= their
     * rows of A, {@code A(r, p) = a[x + r·aRow + p·aCol]}, times the panel's {@code depth} rows: the rows are
     * copied into scratch rows (or zeroed, or set to {@code bias[biasAt ..]} when {@code biasAt ≥ 0}), updated three
     * depths at a time, three rows at a time (one without a fused multiply-add), activated by {@code act} (identity
     * but after a dense layer's last depth block), and copied back.
     */
    void rowBlock(float[] c, int from, int n, int count, int width, float[] a, int x, int aRow, int aCol,
        int depth, boolean add, float @Nullable [] bias, int biasAt, Activation act, float slope) {
      untilCalibration -= (long) ((count + 2) / 3) * ((depth + 2) / 3);
      int s = shift;
      int end = s + padded(width);
      for (int r = 0; r < count; r++) {
        if (biasAt >= 0) {
          System.arraycopy(bias, biasAt, rows[r], s, width);
        } else if (add) {
          System.arraycopy(c, from + r * n, rows[r], s, width);
        } else {
          java.util.Arrays.fill(rows[r], s, s + width, 0f);
        }
        java.util.Arrays.fill(rows[r], s + width, end, 0f);
      }
      int step = MultiplyAdd.fused() ? 3 : 1;
      for (int p = 0; p < depth; p += 3) {
        for (int r = 0; r < count; r += step) {
          if (width < NARROW) {
            updateNarrow(r, count - r, p, depth - p, a, x + r * aRow + p * aCol, aRow, aCol, s, end);
          } else {
            update(r, count - r, p, depth - p, a, x + r * aRow + p * aCol, aRow, aCol, s, end);
          }
        }
      }
      for (int r = 0; r < count; r++) {
        if (act != Activation.IDENTITY) {
          ActivationFunctions.apply(rows[r], s, s + width, act, slope);
        }
        System.arraycopy(rows[r], s, c, from + r * n, width);
      }
    }

    /** Scratch row 0 {@code = fma(ai, panel row 0, scratch row 0) + 0} on {@code [0, width)}: an outer product. */
    void outer(float ai, int width) {
      float[] c0 = rows[0];
      float[] b0 = panel[0];
      for (int j = 0; j < width; j++) {
        c0[j] = MultiplyAdd.fma(ai, b0[j], c0[j]) + 0f;
      }
    }

    /**
     * Scratch rows {@code r, r+1, r+2} += A's values at {@code a[x + i·aRow + g·aCol]} times panel rows {@code p, p+1,
     * p+2}, on columns {@code [from, to)} of the rows: the one vectorised loop. A row past {@code rowsLeft} is the
     * spare row (its products are discarded), a depth past {@code depthLeft} the zero row with multiplier 0 ({@code
     * fma(0, 0, c) = c}). Without a fused multiply-add only row {@code r} is updated: C2 vectorises no loop over
     * several rows of {@code a·b + c} chains, and the JIT folds the branch on the constant {@link MultiplyAdd#fused()}
     * away, so each JVM compiles one of the two loops.
     *
     * <p>Keep this method's bytecode above 325 bytes (it is about 480): C2 then compiles it on its own, where it
     * vectorises the loop, rather than inlining it into {@link #rowBlock}, where JDK 17 left the loop scalar (four
     * times slower) after some sequences of product shapes. PortableKernelsTest checks the size of both copies.
     */
    void update(int r, int rowsLeft, int p, int depthLeft, float[] a, int x, int aRow, int aCol, int from,
        int to) {
      float[][] rows = this.rows;
      float[][] panel = this.panel;
      float[] c0 = rows[r];
      float[] b0 = panel[p];
      float[] b1 = depthLeft > 1 ? panel[p + 1] : zeros;
      float[] b2 = depthLeft > 2 ? panel[p + 2] : zeros;
      float a00 = a[x];
      float a01 = depthLeft > 1 ? a[x + aCol] : 0f;
      float a02 = depthLeft > 2 ? a[x + 2 * aCol] : 0f;
      if (!MultiplyAdd.fused()) {
        for (int j = from; j < to; j++) {
          c0[j] = MultiplyAdd.fma(a02, b2[j], MultiplyAdd.fma(a01, b1[j], MultiplyAdd.fma(a00, b0[j], c0[j])));
        }
        return;
      }
      float[] c1 = rowsLeft > 1 ? rows[r + 1] : spare;
      float[] c2 = rowsLeft > 2 ? rows[r + 2] : spare;
      int y = rowsLeft > 1 ? x + aRow : x;
      int z = rowsLeft > 2 ? y + aRow : x;
      float a10 = a[y];
      float a11 = depthLeft > 1 ? a[y + aCol] : 0f;
      float a12 = depthLeft > 2 ? a[y + 2 * aCol] : 0f;
      float a20 = a[z];
      float a21 = depthLeft > 1 ? a[z + aCol] : 0f;
      float a22 = depthLeft > 2 ? a[z + 2 * aCol] : 0f;
      for (int j = from; j < to; j++) {
        float v0 = b0[j];
        float v1 = b1[j];
        float v2 = b2[j];
        c0[j] = MultiplyAdd.fma(a02, v2, MultiplyAdd.fma(a01, v1, MultiplyAdd.fma(a00, v0, c0[j])));
        c1[j] = MultiplyAdd.fma(a12, v2, MultiplyAdd.fma(a11, v1, MultiplyAdd.fma(a10, v0, c1[j])));
        c2[j] = MultiplyAdd.fma(a22, v2, MultiplyAdd.fma(a21, v1, MultiplyAdd.fma(a20, v0, c2[j])));
      }
    }

    /**
     * {@link #update} for rows narrower than {@value PortableKernels#NARROW} columns: the same code in a method of its
     * own, because C2 unrolls a loop and sizes its vectors from the trip counts profiled for its method. Serving 784-
     * and 128-column rows, one method was compiled for the wide ones (16-lane vectors, two per iteration) and ran
     * 128-column products about 20 % slower than this copy compiled for them (8-lane vectors, fewer columns left to
     * scalar code before and after the vectors).
     */
    void updateNarrow(int r, int rowsLeft, int p, int depthLeft, float[] a, int x, int aRow, int aCol, int from,
        int to) {
      float[][] rows = this.rows;
      float[][] panel = this.panel;
      float[] c0 = rows[r];
      float[] b0 = panel[p];
      float[] b1 = depthLeft > 1 ? panel[p + 1] : zeros;
      float[] b2 = depthLeft > 2 ? panel[p + 2] : zeros;
      float a00 = a[x];
      float a01 = depthLeft > 1 ? a[x + aCol] : 0f;
      float a02 = depthLeft > 2 ? a[x + 2 * aCol] : 0f;
      if (!MultiplyAdd.fused()) {
        for (int j = from; j < to; j++) {
          c0[j] = MultiplyAdd.fma(a02, b2[j], MultiplyAdd.fma(a01, b1[j], MultiplyAdd.fma(a00, b0[j], c0[j])));
        }
        return;
      }
      float[] c1 = rowsLeft > 1 ? rows[r + 1] : spare;
      float[] c2 = rowsLeft > 2 ? rows[r + 2] : spare;
      int y = rowsLeft > 1 ? x + aRow : x;
      int z = rowsLeft > 2 ? y + aRow : x;
      float a10 = a[y];
      float a11 = depthLeft > 1 ? a[y + aCol] : 0f;
      float a12 = depthLeft > 2 ? a[y + 2 * aCol] : 0f;
      float a20 = a[z];
      float a21 = depthLeft > 1 ? a[z + aCol] : 0f;
      float a22 = depthLeft > 2 ? a[z + 2 * aCol] : 0f;
      for (int j = from; j < to; j++) {
        float v0 = b0[j];
        float v1 = b1[j];
        float v2 = b2[j];
        c0[j] = MultiplyAdd.fma(a02, v2, MultiplyAdd.fma(a01, v1, MultiplyAdd.fma(a00, v0, c0[j])));
        c1[j] = MultiplyAdd.fma(a12, v2, MultiplyAdd.fma(a11, v1, MultiplyAdd.fma(a10, v0, c1[j])));
        c2[j] = MultiplyAdd.fma(a22, v2, MultiplyAdd.fma(a21, v1, MultiplyAdd.fma(a20, v0, c2[j])));
      }
    }
  }

  /**
   * Blocked products (more than {@value #FEW_ROWS} rows, depth above 1) with an element-wise activation start each
   * scratch row from the bias and activate it before it is written back, on whichever thread computes it (computed
   * transposed, {@link #transposed}: each row of {@code cᵀ} starts from its bias, and the calling thread activates
   * the output); the bits are those of the bias copy, the accumulating product and the activation pass that few rows
   * and depth 1 still take. Softmax is not element-wise: it takes those passes and fails in the last, as before.
   */
  @Override
  public void denseForward(float[] out, float[] x, int xOff, float[] params, int weightOff, int biasOff,
      int rows, int in, int units, Activation act, float slope) {
    if (rows > FEW_ROWS && in > 1 && act != Activation.SOFTMAX) {
      if (!busy.compareAndSet(false, true)) {
        throw inUse();
      }
      try {
        product(out, 0, x, xOff, in, 1, params, weightOff, true, rows, units, in, false,
            biasOff >= 0 ? params : null, biasOff, act, slope);
      } finally {
        busy.set(false);
      }
      return;
    }
    if (biasOff >= 0) {
      for (int r = 0; r < rows; r++) {
        System.arraycopy(params, biasOff, out, r * units, units);
      }
    }
    matmulNT(out, 0, x, xOff, params, weightOff, rows, units, in, biasOff >= 0);
    ActivationFunctions.apply(out, 0, rows * units, act, slope);
  }

  // ---------------------------------------------------------------------------------------------------------
  // Recurrences: one thread's rows of a product (SplittingKernels.productRows).

  @Override
  void productRows(int thread, boolean transposedB, float[] c, int cOff, float[] a, int aOff, float[] b, int bOff,
      int m, int n, int k, boolean accumulate, int fullRows, boolean samePackedB) {
    // The path product() takes for the whole product: the few-rows one sums otherwise.
    if (transposedB && fullRows <= FEW_ROWS) {
      fewRowsNT(c, cOff, n, a, aOff, b, bOff, m, 0, n, k, accumulate);
      return;
    }
    if (k == 1) {
      outerProductRows(scratch[thread], c, cOff, a, aOff, k, b, bOff, n, accumulate, 0, m);
      return;
    }
    gemmColumns(scratch[thread], c, cOff, a, aOff, k, 1, b, bOff, transposedB, m, n, k, accumulate, 0, n, null, 0,
        Activation.IDENTITY, 0f);
  }
}
