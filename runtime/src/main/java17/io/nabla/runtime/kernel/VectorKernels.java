package io.nabla.runtime.kernel;

import io.nabla.Activation;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;
import org.jspecify.annotations.Nullable;

/**
 * Kernels on the Vector API ({@code jdk.incubator.vector}, JDK 17+), chosen by {@link Kernels#best}. Products
 * follow the BLIS layout: a block of {@code B} is packed into panels two vectors wide, interleaved depth by depth, a
 * block of {@code A} into panels of {@value #TILE_ROWS} rows, interleaved depth by depth or (8-row tiles, rows of
 * {@code A} contiguous in depth) stored row by row {@link #DEPTH_BLOCK} floats apart ({@link #rowPanels}), so that
 * the register-tiled core ({@link #tile}) reads them with constant strides (bounds checks hoisted) while a tile of
 * {@code c} stays in vector registers. Narrow {@code NT} products (at most {@value #NARROW_COLUMNS} columns: a
 * convolution's weight gradient over many positions, a dense layer of few units) take their own path
 * ({@link #narrowBlocks}): when the columns fit a vector and the rows of {@code A} are contiguous in depth, tiles of
 * eight rows by one vector ({@link #narrowTiles}); otherwise a panel's rows in a vector's lanes and one accumulator
 * per column.
 *
 * <p>Every element of {@code c} is the same chain {@code c = fma(A(i,p), B(p,j), c)} for {@code p = 0 .. k-1}
 * (from zero, or from {@code c} when accumulating), however the product is blocked, tiled or split over threads,
 * so results are bitwise identical for any thread count (and any vector width, except for {@code NT} products of
 * at most {@value #FEW_ROWS} rows, which sum lane by lane; see {@link #fewRows}). Deep products ({@link #DEEP}: a
 * convolution's weight gradient) are summed over a few fixed chunks of depths, the chunks' sums added in order
 * ({@link #deep}), each chunk that chain or, for {@code NT} ones with 32 vector registers, lane-wise dot products
 * whose lanes are added in a fixed order ({@link #dotBlocks}, so these depend on the vector width); products at
 * least twice as deep as wide (a dense layer of many inputs and fewer units) over two halves of their depth
 * ({@link #halves}), each half that chain: the chunks depend on the shape only, so these too are the same for any
 * thread count.
 * {@link ReferenceKernels} is the naive twin.
 */
@Java17Only
final class VectorKernels extends SplittingKernels {
  private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
  private static final int LANES = SPECIES.length();
  /**
   * Rows of a register tile: 8 rows × 2 vectors take 16 accumulators of AVX-512's (or NEON's) 32 registers; with
   * 256-bit vectors (AVX2, 16 registers) 4 rows, as 8 would spill.
   */
  static final int TILE_ROWS = LANES == 8 ? 4 : 8;
  static final int TILE_COLUMNS = 2 * LANES;
  /** Depths per block: a {@code B} panel of 256 × 32 floats (32 KiB) stays in L1 while the A panels stream. */
  static final int DEPTH_BLOCK = 256;
  /** Rows of {@code A} packed at once (128 KiB at 256 depths, in L2). */
  static final int ROW_BLOCK = 128;
  /** Columns of {@code B} packed at once (512 KiB at 256 depths, in L2). */
  static final int COLUMN_BLOCK = 512;
  /** Floats of a thread's {@code B} pack: a column block of panels at a depth block, with room for the edges. */
  static final int B_PACK = (COLUMN_BLOCK + TILE_COLUMNS) * (DEPTH_BLOCK + TILE_ROWS);
  /** Products with at most this many rows take the unpacked path. */
  static final int FEW_ROWS = 4;
  /**
   * From this many multiply-adds (about 60 µs on one core) a product with a large {@code C} splits by bands of
   * {@code C} like any other, rather than by rows for its memory traffic alone ({@link #MEMORY_SPLIT}), and a product
   * twice as deep as it is wide sums two halves of its depth ({@link #HALVES_SIDE}). Lowering it to 2^21 as a whole,
   * halves included, made the MLP at batch 64 train no faster on two threads (Intel AVX-512 VM, round 23: five
   * in-process A/B runs of 31 pairs, 0.78-1.03×).
   */
  static final long PARALLEL_THRESHOLD = 1L << 22;
  /**
   * Below this many multiply-adds (some 40 µs on one core) a product runs on the calling thread alone, unless its
   * memory traffic ({@link #MEMORY_SPLIT}) or its speed per multiply-add ({@link #slow}) say otherwise. At 2^22 the
   * MLP's second forward at batch 64 ({@code NT 64 × 128 × 256}, 2^21) ran whole, and the worker, idle longer than
   * it polls ({@link WorkerPool#SPIN_NANOS}), parked before the backward's first split. Split (by columns: halves
   * still need {@link #PARALLEL_THRESHOLD}), the MLP at batch 64 trained 1.60-1.69× faster on two threads than on
   * one in ten alternating pairs of JVMs, against 1.38-1.54×, its forward and backward both faster, its batch 256
   * unchanged (Zen 4 VM, round 24, {@code PhaseTimes}).
   */
  static final long SPLIT_FROM = 1L << 21;
  /**
   * A product that reads or writes this many floats of {@code B} (a one-row product) or {@code C} (a shallow one, such
   * as a weight gradient at batch 1) splits below {@link #SPLIT_FROM} (a large {@code C} by rows, below
   * {@link #PARALLEL_THRESHOLD}): its time goes in memory traffic, which two cores serve faster, each from its own
   * cache, as they do the optimizer's step. At 2^15 the MLP's second layer splits at batch 1 too (forward
   * {@code 1 × 128 × 256}, input gradient {@code 1 × 256 × 128}, weight gradient {@code 128 × 256 × 1}): two threads
   * at batch 1 on an AVX-512 VM (Intel family 6 model 207), fresh JVMs alternating, 8,033-8,140 samples/s at 2^16
   * against 8,169-9,319 at 2^15; 2^14 gave 8,444-8,712, no clear difference from 2^15.
   */
  static final long MEMORY_SPLIT = 1L << 15;
  /** Products of at most two row tiles split from this many multiply-adds ({@link #slow}). */
  static final long SLOW_SPLIT = 1L << 19;
  /** A product at most this deep splits by rows even where it would otherwise split by columns. */
  static final int SHALLOW = 8;
  /** Column boundaries of a split one-row product are multiples of this. */
  static final int ROW_VECTOR_ALIGN = 64;

  /**
   * Products with {@code B} stored transposed ({@code NT}) and at most this many columns take the narrow path
   * ({@link #narrowBlocks}): a register tile would waste most of its lanes. Its tiles are eight rows by one vector
   * of columns ({@link #narrowTiles}), or, for columns wider than a vector or {@code A} stored transposed, panels of
   * a preferred vector's lanes of rows: vectors of another shape (256-bit ones for 8-row panels) anywhere in this
   * class made C2 box the tiles' vectors, every product some 20 times slower.
   */
  static final int NARROW_COLUMNS = 12;
  /**
   * A narrow product splits by rows from this many multiply-adds, below {@link #SPLIT_FROM}: a
   * {@code 256 × 10 × 128} dense forward (2^18.3 of them) took 12-15 µs on one core of the Intel AVX-512 VM and
   * 8-12 µs on two in round 21 ({@link #narrowTiles}; {@code ProductScaling}, two runs); the older path's four
   * accumulator chains took 33-50 µs and 18-29.
   */
  static final long NARROW_SPLIT = 1L << 17;
  /** The rows of a narrow tile ({@link #narrowTile}): eight accumulator chains keep two FMA units busy. */
  static final int NARROW_ROWS = 8;
  /**
   * Whether narrow products whose columns fit a vector take {@link #narrowTiles} (the default) or the older path
   * (system property {@code nabla.vector.narrowTiles=false}), which 8-lane and 4-lane vectors still take for 9-12
   * columns; the runtime's build runs {@code BestKernelsTest} once more with it {@code false}, so that CI's AVX-512
   * machine tests that path too.
   */
  static final boolean NARROW_TILES = Boolean.parseBoolean(System.getProperty("nabla.vector.narrowTiles", "true"));

  /**
   * Products at least this deep whose rows and columns are both at most a sixteenth of their depth (a
   * convolution's weight gradient over every position of the batch, {@code 32 × 144 × 12544} for the small CNN at
   * batch 64) split their depth into {@link #DEEP_CHUNKS} fixed chunks: split by rows or columns, every thread
   * would pack the whole depth of the other operand (or, on the narrow path's panels of a vector's lanes of rows,
   * leave half of each vector empty).
   */
  static final int DEEP = 4096;
  /**
   * The depth chunks of a deep product: a number fixed by the shape alone (never by the thread count), so the
   * sum is the same for 1, 2 or 3 threads; six, claimed one at a time, keep two or three threads busy to the end
   * even when one core runs slower.
   */
  static final int DEEP_CHUNKS = 6;
  /**
   * Whether a deep {@code NT} product's chunks are dot products ({@link #dotBlocks}, 24 accumulators): with 32
   * vector registers (AVX-512, NEON), not with AVX2's 16.
   */
  static final boolean DEEP_DOTS = TILE_ROWS == 8;
  /**
   * Products at least twice as deep as they are tall and wide, with at least this many rows and columns and
   * {@link #PARALLEL_THRESHOLD} multiply-adds (the MLP's first layer forward at batch 256, {@code 256 × 256 × 784}),
   * are summed over two fixed halves of their depth ({@link #halves}), one per thread on two: split by rows or by
   * columns instead, each thread packs all of the deep operand ({@code B} or {@code A}), or the threads share one
   * pack of it across cores, while each half reads half of both and costs one pass over {@code C} to add. On the
   * Intel AVX-512 VM of rounds 18-23 (family 6 model 207, {@code ProductScaling}: alternating windows in one JVM, four
   * JVMs alternating) that product ran 1.67× and 1.89× faster on two threads than on one, against 1.39× and 1.46×
   * split by columns with {@code A} packed once; the MLP at batch 256 trained 4-5 % faster on two threads.
   */
  static final int HALVES_SIDE = 64;
  /**
   * A product split by columns packs {@code A} once, its row panels shared out over the threads, before the
   * threads compute their columns from that one pack ({@link #packSharedA}), when {@code A} has at least this many
   * floats; below it, each chunk of columns packs all of {@code A} itself, as the 1-thread path does, and saves a
   * hand-off, and the columns are cut finer only when {@code A} is at most {@link #SMALL_A} floats.
   */
  static final long SHARED_PACK = 1L << 15;
  /**
   * A product split by columns is cut into this many chunks per thread (at most one per column tile), each thread
   * claiming the next chunk when it finishes one: a core that runs slower than the other (a busy hyperthread
   * sibling on the host, another program) then takes fewer of them instead of holding the product up. On a
   * virtual machine whose two cores ran at 100 % and about 55 % of one core's rate, the MLP at batch 256 trained
   * 26-32 % faster on two threads with these chunks and {@link #SHARED_PACK} than with one half of the columns
   * per thread, each packing all of {@code A}. Rows split evenly over the threads
   * (cut finer, every chunk would pack all of {@code B} again: 4 chunks per thread took {@code 256 × 128 × 256}
   * from 366 to 430 µs).
   */
  static final int COLUMN_CHUNKS = 4;
  /**
   * A product split by columns whose {@code A} is not shared is cut into {@link #COLUMN_CHUNKS} chunks per thread
   * only when {@code A} has at most this many floats (16 KiB, a convolution's filters), so packing it once per
   * chunk costs little; otherwise into one chunk per thread.
   */
  static final long SMALL_A = SHARED_PACK / 8;

  /**
   * A dense layer's two backward products ({@link #denseBackward}) run one on each of two threads, each whole,
   * when each has at least this many multiply-adds (and neither is summed in depth chunks, deep or in halves, nor of
   * few rows), rather than each split
   * over both: a split product packs on each thread what the other packs too, and waits for the slower half. On a
   * Zen 1 VM ({@code ProductScaling}, batch 256), the MLP's middle layer ({@code 128 × 256 × 256} and
   * {@code 256 × 256 × 128}) took 495 µs side by side against 538 split (997 on one thread), its last layer 35 against
   * 50 (67).
   */
  static final long SIDE_BY_SIDE = 1L << 18;

  private final Workspace[] workspaces;
  private final WorkerPool pool;
  private final WorkerPool.Task parts;
  private final WorkerPool.Task rowVectorParts;
  private final WorkerPool.Task deepParts;
  private final WorkerPool.Task deepSums;
  private final WorkerPool.Task packAParts;
  private final WorkerPool.Task pairParts;
  /** The product in flight's {@code A} packed whole ({@link #packSharedA}); grown to the largest seen. */
  private float[] sharedAPack = new float[0];
  /** Whether the product in flight reads {@link #sharedAPack} (else each chunk packs its own {@code A}). */
  private boolean aPackedShared;
  /** The chunks the product in flight is cut into ({@link #runPart}), and the next one no thread has claimed. */
  private int chunks;
  private final java.util.concurrent.atomic.AtomicInteger nextChunk = new java.util.concurrent.atomic.AtomicInteger();
  /** A deep product's chunks after the first, {@code (chunks - 1) × m × n}, grown to the largest seen. */
  private float[] deepPartials = new float[0];
  /** The depths per chunk of the deep product in flight. */
  private int deepChunk;
  /**
   * The column bands each chunk of the deep product in flight is cut into: in {@link #halves}, one per two threads
   * (one on two or three threads, two on four).
   */
  private int deepBands;
  private final java.util.concurrent.atomic.AtomicBoolean busy = new java.util.concurrent.atomic.AtomicBoolean();

  /** The product in flight, read by every worker (published by the pool's volatile hand-off). */
  private Product shared;
  /** Activations and attention, split over the same threads. */
  private final ParallelWork work;

  VectorKernels(int threads) {
    this(threads, 0);
  }

  /** As {@link #VectorKernels(int)}, on the pool of lane {@code lane} ({@link WorkerPool#shared(int, int)}). */
  VectorKernels(int threads, int lane) {
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be at least 1, got " + threads);
    }
    workspaces = new Workspace[threads];
    for (int t = 0; t < threads; t++) {
      workspaces[t] = new Workspace();
    }
    pool = threads == 1 ? null : WorkerPool.shared(threads, lane);
    parts = (part, count) -> runPart(part, count);
    rowVectorParts = (part, count) -> runRowVectorPart(part, count);
    deepParts = (part, count) -> runDeepPart(part, count);
    deepSums = (part, count) -> sumDeepPart(part, count);
    packAParts = (part, count) -> packSharedA(part, count);
    pairParts = (part, count) -> runPairPart(part);
    work = new ParallelWork(pool, busy) {
      @Override
      void activateRange(float[] out, float[] z, int from, int to, Activation act, float slope) {
        VectorKernels.activateRange(out, z, from, to, act, slope);
      }

      @Override
      void derivativeRange(float[] dy, float[] z, int from, int to, Activation act, float slope) {
        VectorKernels.derivativeRange(dy, z, from, to, act, slope);
      }

      /**
       * In vectors, a 256 × 256 activation backward takes about 10 µs on one core; split by columns, every row's
       * cache line at the boundary goes back and forth between the cores, and two threads took four times as long.
       */
      @Override
      int activationBackwardThreshold() {
        return CHEAP_THRESHOLD;
      }

      @Override
      void activationBackwardRange(float[] dy, float[] y, int rows, int n, Activation act, float slope,
          float[] grads, int biasGradOff, int from, int to) {
        VectorKernels.activationBackwardColumns(dy, y, rows, n, act, slope, grads, biasGradOff, from, to);
      }

      @Override
      void col2imAddRange(Conv2dGeometry g, float[] columns, int batch, float[] dx, int from, int to) {
        Convolution.col2imAddSamples(g, columns, batch, dx, from, to, VectorKernels::addSpan);
      }

      @Override
      void toBatchMajorRange(Conv2dGeometry g, float[] product, int batch, float[] params, int biasOff,
          Activation act, float slope, float[] out, int f0, int f1, int b0, int b1) {
        if (act == Activation.RELU || act == Activation.IDENTITY) {
          VectorKernels.toBatchMajor(g, product, batch, params, biasOff, act, out, f0, f1, b0, b1);
        } else {
          Convolution.toBatchMajorBlock(g, product, batch, params, biasOff, act, slope, out, f0, f1, b0, b1);
        }
      }

      @Override
      void toFilterMajorRange(Conv2dGeometry g, float[] dy, float[] y, int batch, Activation act, float slope,
          float[] dz, float[] grads, int biasOff, float @org.jspecify.annotations.Nullable [] planeSums, int f0,
          int f1, int b0, int b1) {
        if (act == Activation.RELU) {
          VectorKernels.toFilterMajorRelu(g, dy, y, batch, dz, grads, biasOff, planeSums, f0, f1, b0, b1);
        } else {
          Convolution.toFilterMajorBlock(g, dy, y, batch, act, slope, dz, grads, biasOff, planeSums, f0, f1, b0,
              b1);
        }
      }

      @Override
      void maxPoolRange(Conv2dGeometry g, float[] x, float[] out, int[] argmax, int from, int to) {
        if (Pooling.isPlain2x2(g)) {
          VectorKernels.maxPool2x2(g, x, out, argmax, from, to);
        } else {
          Pooling.maxForwardPlanes(g, x, out, argmax, from, to);
        }
      }

      @Override
      void ensureAttentionScratch(int time, int dh) {
        for (Workspace w : workspaces) {
          w.attention.ensure(time, dh);
        }
      }

      @Override
      void forwardPair(int thread, float[] attended, float[] probabilities, float[] qkv, int pair, int time,
          int dim, int heads, boolean causal) {
        VectorKernels.forwardPair(workspaces[thread].attention, attended, probabilities, qkv, pair, time, dim,
            heads, causal);
      }

      @Override
      void backwardPair(int thread, float[] dQkv, float[] dAttended, float[] probabilities, float[] qkv, int pair,
          int time, int dim, int heads, boolean causal) {
        VectorKernels.backwardPair(workspaces[thread].attention, dQkv, dAttended, probabilities, qkv, pair, time,
            dim, heads, causal);
      }
    };
  }

  /** The number of threads a product may use. */
  int threads() {
    return workspaces.length;
  }

  /** New Vector API kernels on {@code max(1, threads() / parts)} threads of part {@code part}'s own pool. */
  @Override
  public Kernels forPart(int part, int parts) {
    return new VectorKernels(Math.max(1, threads() / parts), part + 1);
  }
  @Override
  ParallelWork work() {
    return work;
  }

  @Override
  public String toString() {
    return "VectorKernels(" + SPECIES.vectorBitSize() + "-bit vectors, " + threads() + " thread"
        + (threads() == 1 ? "" : "s") + ")";
  }

  @Override
  public void matmulNN(float[] c, int cOff, float[] a, int aOff, float[] b, int bOff, int m, int n, int k,
      boolean accumulate) {
    gemm(c, cOff, a, aOff, k, 1, b, bOff, n, 1, m, n, k, accumulate);
  }

  @Override
  public void matmulNT(float[] c, int cOff, float[] a, int aOff, float[] b, int bOff, int m, int n, int k,
      boolean accumulate) {
    gemm(c, cOff, a, aOff, k, 1, b, bOff, 1, k, m, n, k, accumulate);
  }

  @Override
  public void matmulTN(float[] c, int cOff, float[] a, int aOff, float[] b, int bOff, int m, int n, int k,
      boolean accumulate) {
    gemm(c, cOff, a, aOff, 1, m, b, bOff, n, 1, m, n, k, accumulate);
  }

  /**
   * On two threads, the weight gradient on this thread and the input gradient on the worker (or both here, one
   * after the other, if the worker has not claimed its part by then), each computed whole as one thread computes
   * it, so the bits are those of {@link #matmulTN} and {@link #matmulNN} on any number of threads.
   */
  @Override
  public void denseBackward(float[] grads, int weightGradOff, float[] dz, int dzOff, float[] x, int xOff,
      float @Nullable [] dx, int dxOff, float[] params, int weightOff, int rows, int in, int units) {
    if (dx == null || pool == null || pool.threads() != 2 || !runsAlone(units, in, rows)
        || !runsAlone(rows, in, units)) {
      super.denseBackward(grads, weightGradOff, dz, dzOff, x, xOff, dx, dxOff, params, weightOff, rows, in, units);
      return;
    }
    ParallelWork.claim(busy);
    try {
      // As matmulTN and matmulNN set their products.
      workspaces[0].product.set(grads, weightGradOff, dz, dzOff, 1, units, x, xOff, in, 1, units, in, rows, true);
      workspaces[1].product.set(dx, dxOff, dz, dzOff, units, 1, params, weightOff, in, 1, rows, in, units, true);
      pool.run(pairParts);
    } finally {
      busy.set(false);
    }
  }

  /** Whether {@link #denseBackward} may run an {@code m × n × k} product whole on one of two threads. */
  private static boolean runsAlone(int m, int n, int k) {
    return m > FEW_ROWS && n > 0 && k > 0 && deepChunk(m, n, k) == 0 && (long) m * n * k >= SIDE_BY_SIDE;
  }

  /** Part {@code part} of {@link #denseBackward}'s pair: the product set in that part's workspace, whole. */
  private void runPairPart(int part) {
    Workspace w = workspaces[part];
    alone(w, w.product);
  }

  /**
   * {@code p} on the calling thread with {@code w}'s packing space, as {@link #gemm} computes it on one thread (for a
   * product of more than {@link #FEW_ROWS} rows not summed in depth chunks, with no epilogue): the small path, or the
   * split's single chunk.
   */
  private static void alone(Workspace w, Product p) {
    if (narrow(p) && (unsplit(p) || !splitsColumns(p, 1))) {
      narrowBlocks(w, p, 0, p.m, 0, p.n);
    } else {
      blocks(w, p, 0, p.m, 0, p.n);
    }
  }

  /**
   * {@code c[m×n] (+)= A · B} with {@code A(i, p) = a[aOff + i·aRow + p·aDepth]} and
   * {@code B(p, j) = b[bOff + p·bDepth + j·bColumn]}; {@code c} is row-major.
   */
  private void gemm(float[] c, int cOff, float[] a, int aOff, int aRow, int aDepth, float[] b, int bOff,
      int bDepth, int bColumn, int m, int n, int k, boolean accumulate) {
    gemm(c, cOff, a, aOff, aRow, aDepth, b, bOff, bDepth, bColumn, m, n, k, accumulate, null, -1,
        Activation.IDENTITY, 0f);
  }

  /**
   * {@link #gemm}, then {@code c = act(c + bias)} applied by the tiles as each finishes, for a product
   * {@link #fusesEpilogue} admits (it takes the tiles whatever the split; summed in {@link #halves}, the bias starts
   * the first half and the activation follows the sum).
   */
  private void gemm(float[] c, int cOff, float[] a, int aOff, int aRow, int aDepth, float[] b, int bOff,
      int bDepth, int bColumn, int m, int n, int k, boolean accumulate, float @Nullable [] bias, int biasOff,
      Activation act, float slope) {
    ParallelWork.claim(busy);
    try {
      Product p = workspaces[0].product.set(c, cOff, a, aOff, aRow, aDepth, b, bOff, bDepth, bColumn, m, n, k,
          accumulate).epilogue(bias, biasOff, act, slope);
      if (m == 0 || n == 0) {
        return;
      }
      if (k == 0) {
        if (!accumulate) {
          for (int i = 0; i < m; i++) {
            java.util.Arrays.fill(c, cOff + i * n, cOff + i * n + n, 0f);
          }
        }
        return;
      }
      if (m <= FEW_ROWS) {
        if (m == 1 && pool != null && (long) n * k >= MEMORY_SPLIT && n >= 2 * ROW_VECTOR_ALIGN) {
          shared = p;
          try {
            pool.run(rowVectorParts);
          } finally {
            shared = null;
          }
        } else {
          fewRows(p, workspaces[0].lanes);
        }
        return;
      }
      int chunk = deepChunk(m, n, k);
      if (chunk > 0) {
        deep(p, chunk);
        return;
      }
      if (unsplit(p)) {
        if (narrow(p)) {
          narrowBlocks(workspaces[0], p, 0, m, 0, n);
        } else {
          blocks(workspaces[0], p, 0, m, 0, n);
        }
        return;
      }
      shared = p;
      try {
        // One thread runs the split's code as its only part: the JIT compiles what two threads will run.
        if (pool == null) {
          chunks = 1;
          nextChunk.set(0);
          runPart(0, 1);
        } else {
          chunks = chunkCount(p, pool.threads());
          nextChunk.set(0);
          aPackedShared = sharesA(p, pool.threads());
          if (aPackedShared) {
            int size = (int) sharedASize(p);
            if (sharedAPack.length < size) {
              sharedAPack = new float[size];
            }
            pool.run(packAParts);
          }
          pool.run(parts);
        }
      } finally {
        shared = null;
        aPackedShared = false;
      }
    } finally {
      busy.set(false);
    }
  }

  /**
   * Part {@code part} of {@code count}: the chunks of {@link #chunks} this thread claims, each a band of whole tiles
   * computed with this part's workspace (a tile's bits do not depend on its band). The bands run across the dimension
   * whose operand is the cheaper to pack twice: splitting the rows makes every thread pack all of {@code B}; splitting
   * the columns would make every thread pack all of {@code A}, which is why a large one is packed once beforehand,
   * shared ({@link #packSharedA}), and the columns cut finer ({@link #COLUMN_CHUNKS}). A product split for its memory
   * traffic alone ({@link #MEMORY_SPLIT}: a large {@code C}, fewer than {@link #PARALLEL_THRESHOLD} multiply-adds, such
   * as the input gradient of a dense layer of few units) splits by rows, one chunk per thread, whenever each thread
   * gets two row tiles or more: each chunk of {@code C} is then one contiguous range, as the element-wise passes around
   * it (zeroing, accumulating) split it.
   */
  private void runPart(int part, int count) {
    Product p = shared;
    int rowTiles = (p.m + TILE_ROWS - 1) / TILE_ROWS;
    int columnTiles = (p.n + TILE_COLUMNS - 1) / TILE_COLUMNS;
    boolean columns = splitsColumns(p, count);
    Workspace w = workspaces[part];
    int all = chunks;
    for (int chunk = nextChunk.getAndIncrement(); chunk < all; chunk = nextChunk.getAndIncrement()) {
      if (columns) {
        int from = Math.min(p.n, (int) ((long) columnTiles * chunk / all) * TILE_COLUMNS);
        int to = Math.min(p.n, (int) ((long) columnTiles * (chunk + 1) / all) * TILE_COLUMNS);
        if (from < to) {
          if (aPackedShared) {
            blocks(w, p, 0, p.m, from, to, false, sharedAPack);
          } else {
            blocks(w, p, 0, p.m, from, to);
          }
        }
      } else {
        int from = Math.min(p.m, (int) ((long) rowTiles * chunk / all) * TILE_ROWS);
        int to = Math.min(p.m, (int) ((long) rowTiles * (chunk + 1) / all) * TILE_ROWS);
        if (from < to) {
          if (narrow(p)) {
            narrowBlocks(w, p, from, to, 0, p.n);
          } else {
            blocks(w, p, from, to, 0, p.n);
          }
        }
      }
    }
  }

  /** The chunks {@link #runPart} cuts {@code p} into for {@code threads} threads. */
  private static int chunkCount(Product p, int threads) {
    if (!splitsColumns(p, threads)) {
      return threads;
    }
    long aSize = (long) p.m * p.k;
    if (!sharesA(p, threads) && aSize > SMALL_A) {
      return threads;
    }
    int columnTiles = (p.n + TILE_COLUMNS - 1) / TILE_COLUMNS;
    return Math.max(threads, Math.min(columnTiles, threads * COLUMN_CHUNKS));
  }

  /** Whether {@code p}, split over {@code threads} threads, packs its {@code A} once for all ({@link #packSharedA}). */
  private static boolean sharesA(Product p, int threads) {
    long size = sharedASize(p);
    return threads > 1 && splitsColumns(p, threads) && (long) p.m * p.k >= SHARED_PACK
        && size <= Integer.MAX_VALUE - 8;
  }

  /** Whether {@link #runPart} splits {@code p} over {@code count} threads by columns (else by rows). */
  private static boolean splitsColumns(Product p, int count) {
    int rowTiles = (p.m + TILE_ROWS - 1) / TILE_ROWS;
    int columnTiles = (p.n + TILE_COLUMNS - 1) / TILE_COLUMNS;
    boolean memoryOnly = (long) p.m * p.n * p.k < PARALLEL_THRESHOLD && (long) p.m * p.n >= MEMORY_SPLIT
        && rowTiles >= 2 * count;
    return columnTiles >= count && (p.m <= p.n || rowTiles < count) && !(p.k <= SHALLOW && rowTiles >= count)
        && !memoryOnly;
  }

  /** {@code m} rounded up to whole row tiles. */
  private static int paddedRows(int m) {
    return (m + TILE_ROWS - 1) / TILE_ROWS * TILE_ROWS;
  }

  /**
   * Whether {@link #packA} stores the row panels of {@code p}'s {@code A} row by row, each row
   * {@link #DEPTH_BLOCK} floats after the last, for {@link #tile8RowPanel}: rows contiguous in depth ({@code NN},
   * {@code NT}) with 8-row tiles (16-lane vectors, and 4-lane ones, where it was not measured). Each row is then one
   * copy; interleaving eight rows depth by depth, as {@link #tile8}'s panels are, took one scalar load and store per
   * element, about a seventh of {@code NT 256 × 128 × 256} on the Intel AVX-512 VM of round 18 ({@code perf}), where
   * the row panels made the {@code NN} and {@code NT} products 1.01-1.11× faster in paired windows (RESULTS.md,
   * round 18). {@code TN} keeps the interleaved panels: there the eight values of a depth are contiguous already.
   */
  private static boolean rowPanels(Product p) {
    return TILE_ROWS == 8 && p.aDepth == 1;
  }

  /**
   * Where {@link #sharedAPack} holds the panel of rows from {@code ic} at the depth block from {@code pc}
   * ({@code kc} depths), {@code rows} the padded rows of all of {@code A}: each depth block holds every row panel.
   */
  private static int sharedAOffset(Product p, int rows, int pc, int ic, int kc) {
    return rowPanels(p) ? (pc / depthStep(p.k) * rows + ic) * DEPTH_BLOCK : pc * rows + ic * kc;
  }

  /**
   * The floats of {@link #sharedAPack} for all of {@code p}'s {@code A}, at every depth block: with row panels each
   * row takes {@link #DEPTH_BLOCK} floats per depth block however shallow the product (a product of depth 16 takes
   * 16 times its {@code A}).
   */
  private static long sharedASize(Product p) {
    long rows = paddedRows(p.m);
    return rowPanels(p) ? (long) ((p.k + DEPTH_BLOCK - 1) / DEPTH_BLOCK) * rows * DEPTH_BLOCK : rows * p.k;
  }

  /**
   * The depths per depth block of a product of depth {@code k}: even blocks of at most {@link #DEPTH_BLOCK}
   * (a row panel's stride, {@link #rowPanels}), 784 = 4 × 196 (not 3 × 256 + 16).
   */
  private static int depthStep(int k) {
    int depthBlocks = (k + DEPTH_BLOCK - 1) / DEPTH_BLOCK;
    return (k + depthBlocks - 1) / depthBlocks;
  }

  /**
   * Part {@code part} of {@code count} of packing the whole {@code A} of the product in flight into
   * {@link #sharedAPack}: a range of its row panels, at every depth block, where {@link #sharedAOffset} puts them
   * (interleaved: the block of depths from {@code pc}, {@code kc} of them, at {@code pc · paddedRows(m)}, and in it
   * the panel of rows from {@code r} at {@code r · kc}; row panels: each block {@code paddedRows(m)} rows of
   * {@link #DEPTH_BLOCK} floats): each {@link #ROW_BLOCK} rows of a block are where {@link #packA} would put them,
   * offset. Every
   * thread packing all of {@code A} for its own columns doubled that work on two threads (800 KiB read and written
   * per thread for a dense layer of 784 inputs at batch 256), and it does not scale: it is memory traffic.
   */
  private void packSharedA(int part, int count) {
    Product p = shared;
    int rowTiles = (p.m + TILE_ROWS - 1) / TILE_ROWS;
    int from = Math.min(p.m, (int) ((long) rowTiles * part / count) * TILE_ROWS);
    int to = Math.min(p.m, (int) ((long) rowTiles * (part + 1) / count) * TILE_ROWS);
    if (from >= to) {
      return;
    }
    int rows = paddedRows(p.m);
    int depthStep = depthStep(p.k);
    for (int pc = 0; pc < p.k; pc += depthStep) {
      int kc = Math.min(depthStep, p.k - pc);
      packA(sharedAPack, sharedAOffset(p, rows, pc, from, kc), p, from, to - from, pc, kc);
    }
  }

  /**
   * Part {@code part} of {@code count} of a one-row product: a range of columns, boundaries multiples of
   * {@value #ROW_VECTOR_ALIGN}, computed by the few-rows path on a view of those columns. Each column's sum is the
   * same whatever range holds it (one row: the view's row stride does not matter).
   */
  private void runRowVectorPart(int part, int count) {
    Product p = shared;
    int chunks = (p.n + ROW_VECTOR_ALIGN - 1) / ROW_VECTOR_ALIGN;
    int from = Math.min(p.n, (int) ((long) chunks * part / count) * ROW_VECTOR_ALIGN);
    int to = Math.min(p.n, (int) ((long) chunks * (part + 1) / count) * ROW_VECTOR_ALIGN);
    if (from < to) {
      Workspace w = workspaces[part];
      Product columns = w.columns.set(p.c, p.cOff + from, p.a, p.aOff, p.aRow, p.aDepth, p.b,
          p.bOff + from * p.bColumn, p.bDepth, p.bColumn, 1, to - from, p.k, p.accumulate);
      fewRows(columns, w.lanes);
    }
  }

  /**
   * The depths per chunk of a product of {@code m} rows (of the whole product) summed in chunks of its depth, or 0
   * for one that is not: for a deep one ({@link #DEEP}) {@code k / DEEP_CHUNKS} rounded up to a multiple of 64, for
   * one summed in {@link #halves} {@code k / 2} rounded up to a multiple of 8.
   */
  static int deepChunk(int m, int n, int k) {
    if (isDeep(m, n, k)) {
      return ((k + DEEP_CHUNKS - 1) / DEEP_CHUNKS + 63) & ~63;
    }
    if (halves(m, n, k)) {
      return ((k + 1) / 2 + 7) & ~7;
    }
    return 0;
  }

  /** Whether an {@code m × n × k} product is deep ({@link #DEEP}): {@link #DEEP_CHUNKS} chunks. */
  private static boolean isDeep(int m, int n, int k) {
    return k >= DEEP && m <= k / 16 && n <= k / 16;
  }

  /**
   * Whether an {@code m × n × k} product that is not deep sums two halves of its depth ({@link #HALVES_SIDE}): the
   * second from {@code ⌈k/2⌉} rounded up to a multiple of 8, each half computed by the tiles.
   */
  static boolean halves(int m, int n, int k) {
    return !isDeep(m, n, k) && m >= HALVES_SIDE && n >= HALVES_SIDE && k >= 2L * Math.max(m, n)
        && (long) m * n * k >= PARALLEL_THRESHOLD;
  }

  /**
   * A product summed in chunks of its depth (deep, or in {@link #halves}): the first chunk of depths computed into
   * {@code c} as any product ({@code c = fma(A(i,p), B(p,j), c)} over its depths, from zero, from {@code c} or from
   * the bias), each later chunk {@code j} from zero into a partial sum {@code P_j}, then {@code c += P_1},
   * {@code c += P_2}, ... in chunk order, and the activation of a fused epilogue last. Chunks are split over the
   * threads (each computed by one of them, or, in halves on four threads or more, each chunk's columns cut into
   * bands), and so are the sums, by rows, once {@code C} has {@link #MEMORY_SPLIT} floats: every element's
   * sums are the same whoever adds them, so the bits depend on the shape only.
   */
  private void deep(Product p, int chunk) {
    int chunks = (p.k + chunk - 1) / chunk;
    int size = p.m * p.n;
    long partials = (long) (chunks - 1) * size;
    if (partials > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("product " + p.m + " x " + p.n + " x " + p.k
          + " is too large to split by depth: its partial sums would need " + partials + " floats");
    }
    if (deepPartials.length < partials) {
      deepPartials = new float[(int) partials];
    }
    shared = p;
    deepChunk = chunk;
    int columnTiles = (p.n + TILE_COLUMNS - 1) / TILE_COLUMNS;
    deepBands = pool == null || !halves(p.m, p.n, p.k) ? 1
        : Math.max(1, Math.min(columnTiles, pool.threads() / chunks));
    nextChunk.set(0);
    try {
      // One thread runs the very code of the split (the same branches: a JIT that had only seen another path
      // would deoptimise, and run the Vector API interpreted, the first time a second thread came).
      if (pool == null) {
        runDeepPart(0, 1);
      } else {
        pool.run(deepParts);
      }
      if (pool != null && size >= MEMORY_SPLIT) {
        pool.run(deepSums);
      } else {
        sumDeepPart(0, 1);
      }
    } finally {
      shared = null;
    }
  }

  /**
   * Part {@code part} of {@code count} of a deep product: the chunks (or, in bands, a chunk's columns) this thread
   * claims first, each into its own partial sum, so a core that runs slower (a busy sibling, another program) takes
   * fewer of a deep product's six chunks (the two halves on two threads are one each, whatever the cores' speed).
   */
  private void runDeepPart(int part, int count) {
    Product p = shared;
    int chunk = deepChunk;
    int chunks = (p.k + chunk - 1) / chunk;
    int bands = deepBands;
    int columnTiles = (p.n + TILE_COLUMNS - 1) / TILE_COLUMNS;
    boolean tiles = halves(p.m, p.n, p.k);
    for (int item = nextChunk.getAndIncrement(); item < chunks * bands; item = nextChunk.getAndIncrement()) {
      int j = item % chunks;
      int band = item / chunks;
      int from = Math.min(p.n, (int) ((long) columnTiles * band / bands) * TILE_COLUMNS);
      int to = Math.min(p.n, (int) ((long) columnTiles * (band + 1) / bands) * TILE_COLUMNS);
      deepChunks(workspaces[part], p, chunk, j, j + 1, from, to, tiles, deepPartials, false);
    }
  }

  /**
   * Part {@code part} of {@code count} of a deep product's sums: rows of {@code c} (m × n contiguous), each element
   * {@code c + P_1 + P_2 + ...} in chunk order, then the fused epilogue's activation.
   */
  private void sumDeepPart(int part, int count) {
    Product p = shared;
    int chunks = (p.k + deepChunk - 1) / deepChunk;
    int size = p.m * p.n;
    int from = (int) ((long) p.m * part / count) * p.n;
    int to = (int) ((long) p.m * (part + 1) / count) * p.n;
    if (from >= to) {
      return;
    }
    for (int j = 1; j < chunks; j++) {
      addSpan(p.c, p.cOff + from, deepPartials, (j - 1) * size + from, to - from);
    }
    if (p.act != Activation.IDENTITY) {
      // ReLU or leaky ReLU: fusesEpilogue admits no other.
      activateTile(p.c, p.cOff + from, p.n, (to - from) / p.n, p.n, p.act, p.slope);
    }
  }

  /**
   * Chunks {@code [from, to)} of deep product {@code p}, columns {@code [j0, j1)}: the first into {@code c} (from the
   * bias of a fused epilogue, the activation left to the sums), chunk {@code j > 0} into {@code partials} at
   * {@code (j - 1)·m·n}, or, with {@code addNow}, into {@code partials} at 0 and then added to {@code c} at once (one
   * thread running every chunk in order: the same sums, in the same order). {@code tiles}: the chunks take the
   * tiles (halves), else a deep {@code NT} product's take dot products where {@link #DEEP_DOTS} says.
   */
  private static void deepChunks(Workspace w, Product p, int chunk, int from, int to, int j0, int j1,
      boolean tiles, float[] partials, boolean addNow) {
    int size = p.m * p.n;
    boolean narrow = narrow(p);
    boolean dots = !tiles && DEEP_DOTS && p.aDepth == 1 && p.bDepth == 1;
    for (int j = from; j < to; j++) {
      int pc = j * chunk;
      int kc = Math.min(chunk, p.k - pc);
      Product q = j == 0
          ? w.depth.set(p.c, p.cOff, p.a, p.aOff, p.aRow, p.aDepth, p.b, p.bOff, p.bDepth, p.bColumn, p.m, p.n, kc,
              p.accumulate).epilogue(p.bias, p.biasOff, Activation.IDENTITY, 0f)
          : w.depth.set(partials, addNow ? 0 : (j - 1) * size, p.a, p.aOff + pc * p.aDepth, p.aRow, p.aDepth, p.b,
              p.bOff + pc * p.bDepth, p.bDepth, p.bColumn, p.m, p.n, kc, false);
      if (dots) {
        dotBlocks(q, w.lanes);
      } else if (narrow) {
        narrowBlocks(w, q, 0, p.m, j0, j1);
      } else {
        blocks(w, q, 0, p.m, j0, j1, false, null);
      }
      if (addNow && j > 0) {
        addSpan(p.c, p.cOff, partials, 0, size);
      }
    }
  }

  /**
   * A chunk of a deep {@code NT} product (both operands' rows contiguous in depth) as dot products, nothing packed:
   * 4 rows of {@code A} by 6 rows of {@code B} at a time in 24 accumulators, each the lanes' partial sums of one
   * element, then summed lane by lane in a fixed order ({@link #finish}); {@code c = Σ} or, accumulating,
   * {@code c + Σ}. Packing {@code B} transposed for the tiles took as long as the tiles' multiply-adds.
   */
  private static void dotBlocks(Product q, float[] lanes) {
    int i = 0;
    for (; i + 4 <= q.m; i += 4) {
      int j = 0;
      for (; j + 6 <= q.n; j += 6) {
        dot4x6(q, i, j, lanes);
      }
      for (; j < q.n; j++) {
        dot4x1(q, i, j, lanes);
      }
    }
    for (; i < q.m; i++) {
      for (int j = 0; j < q.n; j++) {
        dot1x1(q, i, j, lanes);
      }
    }
  }

  private static void dot4x6(Product q, int i, int j, float[] t) {
    float[] a = q.a;
    float[] b = q.b;
    int lda = q.aRow;
    int ldb = q.bColumn;
    int k = q.k;
    int a0 = q.aOff + i * lda;
    int a1 = a0 + lda;
    int a2 = a1 + lda;
    int a3 = a2 + lda;
    int b0 = q.bOff + j * ldb;
    int b1 = b0 + ldb;
    int b2 = b1 + ldb;
    int b3 = b2 + ldb;
    int b4 = b3 + ldb;
    int b5 = b4 + ldb;
    FloatVector c00 = FloatVector.zero(SPECIES);
    FloatVector c01 = c00;
    FloatVector c02 = c00;
    FloatVector c03 = c00;
    FloatVector c04 = c00;
    FloatVector c05 = c00;
    FloatVector c10 = c00;
    FloatVector c11 = c00;
    FloatVector c12 = c00;
    FloatVector c13 = c00;
    FloatVector c14 = c00;
    FloatVector c15 = c00;
    FloatVector c20 = c00;
    FloatVector c21 = c00;
    FloatVector c22 = c00;
    FloatVector c23 = c00;
    FloatVector c24 = c00;
    FloatVector c25 = c00;
    FloatVector c30 = c00;
    FloatVector c31 = c00;
    FloatVector c32 = c00;
    FloatVector c33 = c00;
    FloatVector c34 = c00;
    FloatVector c35 = c00;
    int end = SPECIES.loopBound(k);
    for (int p = 0; p < end; p += LANES) {
      FloatVector x0 = FloatVector.fromArray(SPECIES, a, a0 + p);
      FloatVector x1 = FloatVector.fromArray(SPECIES, a, a1 + p);
      FloatVector x2 = FloatVector.fromArray(SPECIES, a, a2 + p);
      FloatVector x3 = FloatVector.fromArray(SPECIES, a, a3 + p);
      FloatVector y = FloatVector.fromArray(SPECIES, b, b0 + p);
      c00 = x0.fma(y, c00);
      c10 = x1.fma(y, c10);
      c20 = x2.fma(y, c20);
      c30 = x3.fma(y, c30);
      y = FloatVector.fromArray(SPECIES, b, b1 + p);
      c01 = x0.fma(y, c01);
      c11 = x1.fma(y, c11);
      c21 = x2.fma(y, c21);
      c31 = x3.fma(y, c31);
      y = FloatVector.fromArray(SPECIES, b, b2 + p);
      c02 = x0.fma(y, c02);
      c12 = x1.fma(y, c12);
      c22 = x2.fma(y, c22);
      c32 = x3.fma(y, c32);
      y = FloatVector.fromArray(SPECIES, b, b3 + p);
      c03 = x0.fma(y, c03);
      c13 = x1.fma(y, c13);
      c23 = x2.fma(y, c23);
      c33 = x3.fma(y, c33);
      y = FloatVector.fromArray(SPECIES, b, b4 + p);
      c04 = x0.fma(y, c04);
      c14 = x1.fma(y, c14);
      c24 = x2.fma(y, c24);
      c34 = x3.fma(y, c34);
      y = FloatVector.fromArray(SPECIES, b, b5 + p);
      c05 = x0.fma(y, c05);
      c15 = x1.fma(y, c15);
      c25 = x2.fma(y, c25);
      c35 = x3.fma(y, c35);
    }
    // No vector leaves this method (one passed to another would be boxed if not inlined): all 24 go to t first.
    c00.intoArray(t, 0);
    c01.intoArray(t, LANES);
    c02.intoArray(t, 2 * LANES);
    c03.intoArray(t, 3 * LANES);
    c04.intoArray(t, 4 * LANES);
    c05.intoArray(t, 5 * LANES);
    c10.intoArray(t, 6 * LANES);
    c11.intoArray(t, 7 * LANES);
    c12.intoArray(t, 8 * LANES);
    c13.intoArray(t, 9 * LANES);
    c14.intoArray(t, 10 * LANES);
    c15.intoArray(t, 11 * LANES);
    c20.intoArray(t, 12 * LANES);
    c21.intoArray(t, 13 * LANES);
    c22.intoArray(t, 14 * LANES);
    c23.intoArray(t, 15 * LANES);
    c24.intoArray(t, 16 * LANES);
    c25.intoArray(t, 17 * LANES);
    c30.intoArray(t, 18 * LANES);
    c31.intoArray(t, 19 * LANES);
    c32.intoArray(t, 20 * LANES);
    c33.intoArray(t, 21 * LANES);
    c34.intoArray(t, 22 * LANES);
    c35.intoArray(t, 23 * LANES);
    float[] c = q.c;
    for (int r = 0; r < 4; r++) {
      int aAt = a0 + r * lda;
      int out = q.cOff + (i + r) * q.n + j;
      for (int s = 0; s < 6; s++) {
        c[out + s] = dotFinish(t, (6 * r + s) * LANES, a, aAt, b, b0 + s * ldb, end, k, q.accumulate, c[out + s]);
      }
    }
  }

  private static void dot4x1(Product q, int i, int j, float[] t) {
    float[] a = q.a;
    float[] b = q.b;
    int lda = q.aRow;
    int k = q.k;
    int a0 = q.aOff + i * lda;
    int a1 = a0 + lda;
    int a2 = a1 + lda;
    int a3 = a2 + lda;
    int b0 = q.bOff + j * q.bColumn;
    FloatVector c0 = FloatVector.zero(SPECIES);
    FloatVector c1 = c0;
    FloatVector c2 = c0;
    FloatVector c3 = c0;
    int end = SPECIES.loopBound(k);
    for (int p = 0; p < end; p += LANES) {
      FloatVector y = FloatVector.fromArray(SPECIES, b, b0 + p);
      c0 = FloatVector.fromArray(SPECIES, a, a0 + p).fma(y, c0);
      c1 = FloatVector.fromArray(SPECIES, a, a1 + p).fma(y, c1);
      c2 = FloatVector.fromArray(SPECIES, a, a2 + p).fma(y, c2);
      c3 = FloatVector.fromArray(SPECIES, a, a3 + p).fma(y, c3);
    }
    c0.intoArray(t, 0);
    c1.intoArray(t, LANES);
    c2.intoArray(t, 2 * LANES);
    c3.intoArray(t, 3 * LANES);
    float[] c = q.c;
    for (int r = 0; r < 4; r++) {
      int out = q.cOff + (i + r) * q.n + j;
      c[out] = dotFinish(t, r * LANES, a, a0 + r * lda, b, b0, end, k, q.accumulate, c[out]);
    }
  }

  private static void dot1x1(Product q, int i, int j, float[] t) {
    float[] a = q.a;
    float[] b = q.b;
    int k = q.k;
    int a0 = q.aOff + i * q.aRow;
    int b0 = q.bOff + j * q.bColumn;
    FloatVector c0 = FloatVector.zero(SPECIES);
    int end = SPECIES.loopBound(k);
    for (int p = 0; p < end; p += LANES) {
      c0 = FloatVector.fromArray(SPECIES, a, a0 + p).fma(FloatVector.fromArray(SPECIES, b, b0 + p), c0);
    }
    c0.intoArray(t, 0);
    int out = q.cOff + i * q.n + j;
    q.c[out] = dotFinish(t, 0, a, a0, b, b0, end, k, q.accumulate, q.c[out]);
  }

  /**
   * One element of {@link #dotBlocks}: the lanes {@code t[at .. at+LANES)} summed in order, the depths past the
   * last whole vector fused in in order, then {@code c +} that when accumulating.
   */
  private static float dotFinish(float[] t, int at, float[] a, int aAt, float[] b, int bAt, int from, int k,
      boolean accumulate, float c) {
    float s = t[at];
    for (int l = at + 1; l < at + LANES; l++) {
      s += t[l];
    }
    for (int p = from; p < k; p++) {
      s = Math.fma(a[aAt + p], b[bAt + p], s);
    }
    return accumulate ? c + s : s;
  }

  /** Rows {@code [i0, i1)} × columns {@code [j0, j1)} of the product, with {@code w}'s packing space. */
  private static void blocks(Workspace w, Product p, int i0, int i1, int j0, int j1) {
    if (transposes(p, i1 - i0)) {
      transposedBlocks(w, p, i0, i1, j0, j1);
      return;
    }
    if (p.k == 1 && p.bColumn == 1 && j0 == 0 && j1 == p.n) {
      outerProductRows(p, i0, i1);
      return;
    }
    blocks(w, p, i0, i1, j0, j1, false, null);
  }

  /**
   * Whether {@code p}, below {@link #SPLIT_FROM}, takes long enough per multiply-add to split anyway: a
   * narrow product of two row tiles or more whose {@code A} has {@link #MEMORY_SPLIT} floats or more (the small
   * CNN's dense layer forward, {@code 64 × 10 × 1568}: 121 µs on one core when {@code A} was transposed into panels,
   * before {@link #narrowTiles}), or of two vectors' lanes of rows or more from {@link #NARROW_SPLIT} multiply-adds
   * (a {@code 256 × 10 × 128} dense forward still gained 1.22-1.52× on two threads with {@link #narrowTiles}, round
   * 21); or one of at most two row
   * tiles (a dense layer's weight gradient of few units, {@code 10 × 1568 × 64}: 55 µs, most of its tiles rows of
   * padding) from {@link #SLOW_SPLIT} multiply-adds. These splits also keep the workers polling between the
   * products of a step rather than parked.
   */
  private static boolean slow(Product p) {
    if (narrow(p)) {
      return (long) p.m * p.k >= MEMORY_SPLIT && p.m >= 2 * TILE_ROWS
          || (long) p.m * p.n * p.k >= NARROW_SPLIT && p.m >= 2 * LANES;
    }
    return p.m <= 2 * TILE_ROWS && (long) p.m * p.n * p.k >= SLOW_SPLIT;
  }

  /**
   * Whether {@link #gemm} computes {@code p} (of more than {@link #FEW_ROWS} rows, not deep) on the calling thread
   * whatever the threads: fewer than {@link #SPLIT_FROM} multiply-adds, a small {@code C}, and not {@link #slow}.
   */
  private static boolean unsplit(Product p) {
    return (long) p.m * p.n * p.k < SPLIT_FROM && (long) p.m * p.n < MEMORY_SPLIT && !slow(p);
  }

  /** Whether {@code p} takes the narrow path ({@link #narrowBlocks}). */
  private static boolean narrow(Product p) {
    return p.bDepth == 1 && p.n <= NARROW_COLUMNS;
  }

  /**
   * {@link #blocks} for a narrow {@code NT} product (a weight gradient of few outputs over many positions, a dense
   * layer of few units): {@link #narrowTiles} when the columns fit a vector and {@code A}'s rows are contiguous in
   * depth; otherwise {@code A} packed in panels of a vector's lanes of rows, one vector per depth holding a panel's
   * rows, {@code B} read where it is, each depth's value of a column broadcast, an accumulator per column. Each
   * element is the same chain {@code fma(A(i,p), B(p,j), c)} over {@code p} in order as in the tiles.
   */
  private static void narrowBlocks(Workspace w, Product p, int i0, int i1, int j0, int j1) {
    if (NARROW_TILES && p.aDepth == 1 && p.n <= LANES && j0 == 0 && j1 == p.n) {
      narrowTiles(w, p, i0, i1);
      return;
    }
    int depthStep = depthStep(p.k);
    for (int pc = 0; pc < p.k; pc += depthStep) {
      int kc = Math.min(depthStep, p.k - pc);
      boolean load = p.accumulate || pc > 0;
      for (int ic = i0; ic < i1; ic += ROW_BLOCK) {
        int mc = Math.min(ROW_BLOCK, i1 - ic);
        packRows(w.aPack, p, ic, mc, pc, kc);
        for (int ir = 0; ir < mc; ir += LANES) {
          int height = Math.min(LANES, mc - ir);
          int cRow = p.cOff + (ic + ir) * p.n;
          int j = j0;
          for (; j + 4 <= j1; j += 4) {
            narrow4(w.aPack, ir * kc, p.b, p.bOff + pc + j * p.bColumn, p.bColumn, kc, p.c, cRow + j, p.n, height,
                load, w.edge);
          }
          for (; j < j1; j++) {
            narrow1(w.aPack, ir * kc, p.b, p.bOff + pc + j * p.bColumn, kc, p.c, cRow + j, p.n, height, load,
                w.edge);
          }
        }
      }
    }
  }

  /**
   * {@link #narrowBlocks} for rows {@code [i0, i1)} and every column, at most a vector's lanes of them, with
   * {@code A}'s rows contiguous in depth (a dense layer's forward of few units): tiles of {@value #NARROW_ROWS} rows
   * by one vector ({@link #narrowTile}), {@code A} read where it is, {@code B}'s columns packed depth by depth into
   * one vector each ({@link #packTransposedPanel}). The
   * older path (still taken by wider or {@code TN}-stored products) packs {@code A} transposed, one scalar store per
   * element, and runs four accumulator chains per panel. On the Intel AVX-512 VM in round 21 (paired windows on one
   * core) this path ran a {@code 256 × 10 × 128} dense forward 3.0× as fast as the older one on JDK 17 (2.09× with
   * {@code A} packed in row panels, 1.20× more with {@code c} copied in one piece, 1.19× more with {@code A} read in
   * place) and 3.1× on JDK 25, {@code 64 × 10 × 1568} 2.2× and 2.5×; 8-lane and 4-lane vectors were not measured.
   * Each element's chain is the same {@code fma(A(i,p), B(p,j), c)} over {@code p} in order, so the bits are those of
   * the older path, which the system property {@code nabla.vector.narrowTiles=false} restores ({@link #NARROW_TILES}).
   */
  private static void narrowTiles(Workspace w, Product p, int i0, int i1) {
    int depthStep = depthStep(p.k);
    for (int pc = 0; pc < p.k; pc += depthStep) {
      int kc = Math.min(depthStep, p.k - pc);
      boolean load = p.accumulate || pc > 0;
      packTransposedPanel(w.bPack, 0, LANES, p.b, p.bOff + pc, p.bColumn, kc, p.n);
      for (int i = i0; i < i1; i += NARROW_ROWS) {
        narrowTile(p.a, p.aOff + i * p.aRow + pc, p.aRow, w.bPack, kc, p.c, p.cOff + i * p.n,
            Math.min(NARROW_ROWS, i1 - i), p.n, load, w.edge);
      }
    }
  }

  /**
   * A panel of {@code panelWidth} columns of a transposed {@code B}, depth by depth:
   * {@code pack[base + p·panelWidth + j] = b[start + j·stride + p]} for {@code p < kc}, {@code j < width}, zero for
   * the columns past {@code width}. Each row of {@code b} (a column of {@code B}) is read along its depths and
   * stored down its lane of the panel, one store per depth; on a Zen 1 core this ran at 0.47-0.53 ns per element,
   * interleaving eight rows per depth at 0.79.
   */
  private static void packTransposedPanel(float[] pack, int base, int panelWidth, float[] b, int start, int stride,
      int kc, int width) {
    for (int j = 0; j < panelWidth; j++) {
      int d = base + j;
      if (j < width) {
        int s = start + j * stride;
        for (int p = 0; p < kc; p++) {
          pack[d + p * panelWidth] = b[s + p];
        }
      } else {
        for (int p = 0; p < kc; p++) {
          pack[d + p * panelWidth] = 0f;
        }
      }
    }
  }

  /**
   * {@code c[height × width] (+)= A · B} for {@code height ≤ 8} rows of {@code A} from {@code a[aAt]}, a row every
   * {@code aRow} floats (rows past {@code height} read the last row again, and are not stored), and {@code B} packed
   * one vector per depth: one accumulator per row. The rows of {@code c} are whole rows, at most a vector wide and so
   * contiguous: they are copied through {@code t} in one piece.
   */
  private static void narrowTile(float[] a, int aAt, int aRow, float[] bPack, int kc, float[] c, int cAt,
      int height, int width, boolean load, float[] t) {
    int o1 = Math.min(1, height - 1) * aRow;
    int o2 = Math.min(2, height - 1) * aRow;
    int o3 = Math.min(3, height - 1) * aRow;
    int o4 = Math.min(4, height - 1) * aRow;
    int o5 = Math.min(5, height - 1) * aRow;
    int o6 = Math.min(6, height - 1) * aRow;
    int o7 = Math.min(7, height - 1) * aRow;
    FloatVector c0, c1, c2, c3, c4, c5, c6, c7;
    if (load) {
      System.arraycopy(c, cAt, t, 0, height * width);
      c0 = FloatVector.fromArray(SPECIES, t, 0);
      c1 = FloatVector.fromArray(SPECIES, t, width);
      c2 = FloatVector.fromArray(SPECIES, t, 2 * width);
      c3 = FloatVector.fromArray(SPECIES, t, 3 * width);
      c4 = FloatVector.fromArray(SPECIES, t, 4 * width);
      c5 = FloatVector.fromArray(SPECIES, t, 5 * width);
      c6 = FloatVector.fromArray(SPECIES, t, 6 * width);
      c7 = FloatVector.fromArray(SPECIES, t, 7 * width);
    } else {
      FloatVector z = FloatVector.zero(SPECIES);
      c0 = z; c1 = z; c2 = z; c3 = z; c4 = z; c5 = z; c6 = z; c7 = z;
    }
    for (int p = 0; p < kc; p++) {
      FloatVector b = FloatVector.fromArray(SPECIES, bPack, p * LANES);
      int x = aAt + p;
      c0 = FloatVector.broadcast(SPECIES, a[x]).fma(b, c0);
      c1 = FloatVector.broadcast(SPECIES, a[x + o1]).fma(b, c1);
      c2 = FloatVector.broadcast(SPECIES, a[x + o2]).fma(b, c2);
      c3 = FloatVector.broadcast(SPECIES, a[x + o3]).fma(b, c3);
      c4 = FloatVector.broadcast(SPECIES, a[x + o4]).fma(b, c4);
      c5 = FloatVector.broadcast(SPECIES, a[x + o5]).fma(b, c5);
      c6 = FloatVector.broadcast(SPECIES, a[x + o6]).fma(b, c6);
      c7 = FloatVector.broadcast(SPECIES, a[x + o7]).fma(b, c7);
    }
    // Each row's vector stored one row after the last: its lanes past the row are overwritten by the next (loaded,
    // they held the next row's values, whose sums are never stored).
    c0.intoArray(t, 0);
    c1.intoArray(t, width);
    c2.intoArray(t, 2 * width);
    c3.intoArray(t, 3 * width);
    c4.intoArray(t, 4 * width);
    c5.intoArray(t, 5 * width);
    c6.intoArray(t, 6 * width);
    c7.intoArray(t, 7 * width);
    System.arraycopy(t, 0, c, cAt, height * width);
  }

  /**
   * Packs {@code A(ic .. ic+mc, pc .. pc+kc)} into panels of {@code lanes} rows, each stored depth by depth
   * ({@code pack[panel·kc·lanes + p·lanes + r]}); rows past the edge are zero.
   */
  private static void packRows(float[] pack, Product q, int ic, int mc, int pc, int kc) {
    float[] a = q.a;
    for (int ir = 0; ir < mc; ir += LANES) {
      int base = ir * kc;
      int height = Math.min(LANES, mc - ir);
      for (int r = 0; r < LANES; r++) {
        if (r < height) {
          int s = q.aOff + (ic + ir + r) * q.aRow + pc * q.aDepth;
          for (int p = 0; p < kc; p++) {
            pack[base + p * LANES + r] = a[s + p * q.aDepth];
          }
        } else {
          for (int p = 0; p < kc; p++) {
            pack[base + p * LANES + r] = 0f;
          }
        }
      }
    }
  }

  /** Four columns of a narrow product for one row panel: {@code c[height × 4] (+)= panel · B}. */
  private static void narrow4(float[] aPack, int aAt, float[] b, int bAt, int ldb, int kc, float[] c, int cAt,
      int ldc, int height, boolean load, float[] t) {
    for (int r = 0; r < LANES; r++) {
      boolean in = load && r < height;
      int at = cAt + r * ldc;
      t[r] = in ? c[at] : 0f;
      t[LANES + r] = in ? c[at + 1] : 0f;
      t[2 * LANES + r] = in ? c[at + 2] : 0f;
      t[3 * LANES + r] = in ? c[at + 3] : 0f;
    }
    FloatVector c0 = FloatVector.fromArray(SPECIES, t, 0);
    FloatVector c1 = FloatVector.fromArray(SPECIES, t, LANES);
    FloatVector c2 = FloatVector.fromArray(SPECIES, t, 2 * LANES);
    FloatVector c3 = FloatVector.fromArray(SPECIES, t, 3 * LANES);
    int b0 = bAt;
    int b1 = b0 + ldb;
    int b2 = b1 + ldb;
    int b3 = b2 + ldb;
    for (int p = 0; p < kc; p++) {
      FloatVector v = FloatVector.fromArray(SPECIES, aPack, aAt + p * LANES);
      c0 = v.fma(FloatVector.broadcast(SPECIES, b[b0 + p]), c0);
      c1 = v.fma(FloatVector.broadcast(SPECIES, b[b1 + p]), c1);
      c2 = v.fma(FloatVector.broadcast(SPECIES, b[b2 + p]), c2);
      c3 = v.fma(FloatVector.broadcast(SPECIES, b[b3 + p]), c3);
    }
    c0.intoArray(t, 0);
    c1.intoArray(t, LANES);
    c2.intoArray(t, 2 * LANES);
    c3.intoArray(t, 3 * LANES);
    for (int r = 0; r < height; r++) {
      int at = cAt + r * ldc;
      c[at] = t[r];
      c[at + 1] = t[LANES + r];
      c[at + 2] = t[2 * LANES + r];
      c[at + 3] = t[3 * LANES + r];
    }
  }

  /** One column of a narrow product for one row panel. */
  private static void narrow1(float[] aPack, int aAt, float[] b, int bAt, int kc, float[] c, int cAt, int ldc,
      int height, boolean load, float[] t) {
    for (int r = 0; r < LANES; r++) {
      t[r] = load && r < height ? c[cAt + r * ldc] : 0f;
    }
    FloatVector c0 = FloatVector.fromArray(SPECIES, t, 0);
    for (int p = 0; p < kc; p++) {
      c0 = FloatVector.fromArray(SPECIES, aPack, aAt + p * LANES).fma(FloatVector.broadcast(SPECIES, b[bAt + p]),
          c0);
    }
    c0.intoArray(t, 0);
    for (int r = 0; r < height; r++) {
      c[cAt + r * ldc] = t[r];
    }
  }

  /**
   * Rows {@code [i0, i1)} of a product of depth one with rows of {@code B} contiguous (a weight gradient at batch
   * 1, {@code dW (+)= dzᵀ · x}: an outer product) streamed row by row: each vector of {@code c} is loaded, takes
   * its one fused multiply-add and is stored, as in {@link #tile} (so the bits are the tiles'), but along whole
   * rows, which the hardware prefetches, rather than eight rows of 32 columns at a time, and with no packing.
   * Measured for {@code 256 × 784 × 1}: 26 → 18 µs on one core, 30 → 10.5 µs on two (the tiled split did not
   * scale). Deeper products keep the tiles: a loop over the depths per vector was 2-3× slower than them.
   */
  private static void outerProductRows(Product p, int i0, int i1) {
    float[] c = p.c;
    float[] b = p.b;
    int n = p.n;
    int vectorEnd = n - n % LANES;
    boolean accumulate = p.accumulate;
    for (int i = i0; i < i1; i++) {
      int row = p.cOff + i * n;
      float scalar = p.a[p.aOff + i * p.aRow];
      FloatVector av = FloatVector.broadcast(SPECIES, scalar);
      int j = 0;
      for (; j < vectorEnd; j += LANES) {
        FloatVector acc = accumulate ? FloatVector.fromArray(SPECIES, c, row + j) : FloatVector.zero(SPECIES);
        av.fma(FloatVector.fromArray(SPECIES, b, p.bOff + j), acc).intoArray(c, row + j);
      }
      for (; j < n; j++) {
        c[row + j] = Math.fma(scalar, b[p.bOff + j], accumulate ? c[row + j] : 0f);
      }
    }
  }


  /**
   * {@link #blocks}; with {@code packedB}, {@code w.bPack} already holds {@code B} packed, by {@code w}'s previous
   * product, when {@code B} is a single block ({@code j1 - j0 ≤ COLUMN_BLOCK}, {@code k ≤ DEPTH_BLOCK}); with
   * {@code packedA}, all of {@code A} is packed there already, as {@link #packSharedA} lays it out.
   */
  private static void blocks(Workspace w, Product p, int i0, int i1, int j0, int j1, boolean packedB,
      float @Nullable [] packedA) {
    int depthBlocks = (p.k + DEPTH_BLOCK - 1) / DEPTH_BLOCK;
    boolean packed = packedB && depthBlocks == 1 && j1 - j0 <= COLUMN_BLOCK;
    int depthStep = depthStep(p.k);
    int rows = paddedRows(p.m);
    boolean rowPanels = rowPanels(p);
    for (int jc = j0; jc < j1; jc += COLUMN_BLOCK) {
      int nc = Math.min(COLUMN_BLOCK, j1 - jc);
      for (int pc = 0; pc < p.k; pc += depthStep) {
        int kc = Math.min(depthStep, p.k - pc);
        boolean load = p.accumulate || pc > 0;
        boolean last = pc + kc == p.k;
        if (!packed) {
          packB(w.bPack, w.gather, p, pc, kc, jc, nc);
        }
        for (int ic = i0; ic < i1; ic += ROW_BLOCK) {
          int mc = Math.min(ROW_BLOCK, i1 - ic);
          float[] aPack = w.aPack;
          int aBlock = 0;
          if (packedA == null) {
            packA(aPack, 0, p, ic, mc, pc, kc);
          } else {
            aPack = packedA;
            aBlock = sharedAOffset(p, rows, pc, ic, kc);
          }
          for (int jr = 0; jr < nc; jr += TILE_COLUMNS) {
            int width = Math.min(TILE_COLUMNS, nc - jr);
            int bPanel = jr * kc;
            for (int ir = 0; ir < mc; ir += TILE_ROWS) {
              int height = Math.min(TILE_ROWS, mc - ir);
              int aPanel = aBlock + ir * (rowPanels ? DEPTH_BLOCK : kc);
              int cAt = p.cOff + (ic + ir) * p.n + jc + jr;
              boolean loadTile = load;
              if (pc == 0 && p.bias != null) {
                biasTile(p.bias, p.biasOff + jc + jr, p.c, cAt, p.n, height, width);
                loadTile = true;
              }
              if (height == TILE_ROWS && width == TILE_COLUMNS) {
                tile(aPack, aPanel, rowPanels, w.bPack, bPanel, kc, p.c, cAt, p.n, loadTile);
              } else {
                edgeTile(w, aPack, aPanel, rowPanels, bPanel, kc, p.c, cAt, p.n, height, width, loadTile);
              }
              if (last && p.act != Activation.IDENTITY) {
                activateTile(p.c, cAt, p.n, height, width, p.act, p.slope);
              }
            }
          }
        }
      }
    }
  }

  /**
   * Whether {@code rows} rows of {@code p} take {@link #transposedBlocks}: an {@code NT} product (both operands'
   * rows contiguous in depth) on 16-lane vectors, the rows more than three quarters of {@link #TILE_COLUMNS} and at
   * most that many (the forward of a dense layer at batch 25 to 32), {@code A} fitting the {@code B} pack at every
   * depth. On a Zen 4 core ({@code × 256 × 784}, tiles against transposed, GFLOP/s): fewer rows leave a transposed
   * tile's lanes empty (16 rows: 47 against 39), more fill a second panel no faster or slower (40 rows: 70 against
   * 49; 64: 78 against 77; 128: 89 against 77). Other vector sizes keep the tiles: with 8 lanes (AVX2) the batch-32
   * forwards ran at 86-198 % of OpenBLAS already, and 4 lanes (NEON) were not measured.
   */
  private static boolean transposes(Product p, int rows) {
    return LANES == 16 && p.aDepth == 1 && p.bDepth == 1 && rows > TILE_COLUMNS * 3 / 4 && rows <= TILE_COLUMNS
        && p.n >= TILE_ROWS && (long) TILE_COLUMNS * p.k <= B_PACK;
  }

  /**
   * Rows {@code [i0, i1)} (at most {@link #TILE_COLUMNS} of them) × columns {@code [j0, j1)} of an {@code NT}
   * product, computed as its transpose {@code Cᵀ = B·Aᵀ}: those rows of {@code A} packed once, transposed, into one
   * panel of {@code TILE_COLUMNS} lanes at every depth ({@link #packB}, as {@code B} would be:
   * {@code TILE_COLUMNS·k} floats), and {@code B}'s rows, the weights of a dense layer, read where they are, eight
   * at a time ({@link #tile8Rows}); each tile of {@code Cᵀ} (eight columns of {@code C} by its rows) is written back
   * transposed. The tiles would instead pack all of {@code B} transposed ({@code n·k} floats, the whole weight
   * matrix) for these few rows: on a Zen 4 core ({@code MatmulCpuTime}) {@code 32 × 256 × 784} took 64 GFLOP/s
   * that way and 76 this way, {@code 32 × 128 × 256} 58 and 70. Each element is the same chain
   * {@code fma(A(i,p), B(p,j), c)} over {@code p} in order, from the bias, from {@code c} or from zero, as in the
   * tiles ({@code fma} multiplies its first two operands either way round), so the bits are the tiles'. Columns
   * past the last group of eight take the tiles.
   */
  private static void transposedBlocks(Workspace w, Product p, int i0, int i1, int j0, int j1) {
    int rows = i1 - i0;
    // A's rows as packB's B (packB reads only its b, offsets and strides; the rest is a placeholder).
    Product at = w.transposed.set(p.c, 0, p.a, 0, 0, 0, p.a, p.aOff + i0 * p.aRow, 1, p.aRow, 0, rows, p.k, false);
    packB(w.bPack, w.gather, at, 0, p.k, 0, rows);
    int full = j0 + (j1 - j0) / TILE_ROWS * TILE_ROWS;
    // t[r·TILE_COLUMNS + i]: C(i0 + i, j + r), a tile of Cᵀ.
    float[] t = w.edge;
    for (int j = j0; j < full; j += TILE_ROWS) {
      int cAt = p.cOff + i0 * p.n + j;
      boolean load = p.accumulate || p.bias != null;
      if (p.bias != null) {
        for (int r = 0; r < TILE_ROWS; r++) {
          java.util.Arrays.fill(t, r * TILE_COLUMNS, (r + 1) * TILE_COLUMNS, p.bias[p.biasOff + j + r]);
        }
      } else if (p.accumulate) {
        for (int i = 0; i < rows; i++) {
          for (int r = 0; r < TILE_ROWS; r++) {
            t[r * TILE_COLUMNS + i] = p.c[cAt + i * p.n + r];
          }
        }
      }
      tile8Rows(p.b, p.bOff + j * p.bColumn, p.bColumn, w.bPack, p.k, t, load);
      if (p.act != Activation.IDENTITY) {
        activateTile(t, 0, TILE_COLUMNS, TILE_ROWS, TILE_COLUMNS, p.act, p.slope);
      }
      for (int i = 0; i < rows; i++) {
        for (int r = 0; r < TILE_ROWS; r++) {
          p.c[cAt + i * p.n + r] = t[r * TILE_COLUMNS + i];
        }
      }
    }
    if (full < j1) {
      blocks(w, p, i0, i1, full, j1, false, null);
    }
  }

  /**
   * {@link #tile8} for {@link #transposedBlocks}: {@code t[8 × TILE_COLUMNS] (+)= rows · bPack} over {@code kc}
   * depths, its eight rows read where they are ({@code rows[at + r·ld + p]}, each contiguous in depth), not from a
   * pack. A copy of {@link #tile8}'s loop rather than one tile with strides for both: that loop's register
   * allocation is fragile ({@link #JDK17_TILES}). One depth per pass on every JDK: on JDK 17.0.15 two compiled to 153
   * instructions per pass (the eight row offsets and their bounds checks twice), one to 53 per depth (JDK 25: 141
   * and 42), and the batch-32 forwards ({@code NT 32 × 256 × 784}, {@code NT 32 × 128 × 256}) ran 1.09-1.12× faster
   * on JDK 17, 1.09-1.18× on JDK 25 (paired windows, round 20).
   */
  private static void tile8Rows(float[] rows, int at, int ld, float[] bPack, int kc, float[] t, boolean load) {
    FloatVector c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51, c60, c61, c70, c71;
    if (load) {
      c00 = FloatVector.fromArray(SPECIES, t, 0);
      c01 = FloatVector.fromArray(SPECIES, t, LANES);
      c10 = FloatVector.fromArray(SPECIES, t, 1 * TILE_COLUMNS);
      c11 = FloatVector.fromArray(SPECIES, t, 1 * TILE_COLUMNS + LANES);
      c20 = FloatVector.fromArray(SPECIES, t, 2 * TILE_COLUMNS);
      c21 = FloatVector.fromArray(SPECIES, t, 2 * TILE_COLUMNS + LANES);
      c30 = FloatVector.fromArray(SPECIES, t, 3 * TILE_COLUMNS);
      c31 = FloatVector.fromArray(SPECIES, t, 3 * TILE_COLUMNS + LANES);
      c40 = FloatVector.fromArray(SPECIES, t, 4 * TILE_COLUMNS);
      c41 = FloatVector.fromArray(SPECIES, t, 4 * TILE_COLUMNS + LANES);
      c50 = FloatVector.fromArray(SPECIES, t, 5 * TILE_COLUMNS);
      c51 = FloatVector.fromArray(SPECIES, t, 5 * TILE_COLUMNS + LANES);
      c60 = FloatVector.fromArray(SPECIES, t, 6 * TILE_COLUMNS);
      c61 = FloatVector.fromArray(SPECIES, t, 6 * TILE_COLUMNS + LANES);
      c70 = FloatVector.fromArray(SPECIES, t, 7 * TILE_COLUMNS);
      c71 = FloatVector.fromArray(SPECIES, t, 7 * TILE_COLUMNS + LANES);
    } else {
      FloatVector z = FloatVector.zero(SPECIES);
      c00 = z; c01 = z; c10 = z; c11 = z; c20 = z; c21 = z; c30 = z; c31 = z;
      c40 = z; c41 = z; c50 = z; c51 = z; c60 = z; c61 = z; c70 = z; c71 = z;
    }
    int r0 = at;
    int r1 = r0 + ld;
    int r2 = r1 + ld;
    int r3 = r2 + ld;
    int r4 = r3 + ld;
    int r5 = r4 + ld;
    int r6 = r5 + ld;
    int r7 = r6 + ld;
    for (int p = 0; p < kc; p++) {
      int y = p * TILE_COLUMNS;
      FloatVector b0 = FloatVector.fromArray(SPECIES, bPack, y);
      FloatVector b1 = FloatVector.fromArray(SPECIES, bPack, y + LANES);
      FloatVector v = FloatVector.broadcast(SPECIES, rows[r0 + p]);
      c00 = v.fma(b0, c00);
      c01 = v.fma(b1, c01);
      v = FloatVector.broadcast(SPECIES, rows[r1 + p]);
      c10 = v.fma(b0, c10);
      c11 = v.fma(b1, c11);
      v = FloatVector.broadcast(SPECIES, rows[r2 + p]);
      c20 = v.fma(b0, c20);
      c21 = v.fma(b1, c21);
      v = FloatVector.broadcast(SPECIES, rows[r3 + p]);
      c30 = v.fma(b0, c30);
      c31 = v.fma(b1, c31);
      v = FloatVector.broadcast(SPECIES, rows[r4 + p]);
      c40 = v.fma(b0, c40);
      c41 = v.fma(b1, c41);
      v = FloatVector.broadcast(SPECIES, rows[r5 + p]);
      c50 = v.fma(b0, c50);
      c51 = v.fma(b1, c51);
      v = FloatVector.broadcast(SPECIES, rows[r6 + p]);
      c60 = v.fma(b0, c60);
      c61 = v.fma(b1, c61);
      v = FloatVector.broadcast(SPECIES, rows[r7 + p]);
      c70 = v.fma(b0, c70);
      c71 = v.fma(b1, c71);
    }
    c00.intoArray(t, 0);
    c01.intoArray(t, LANES);
    c10.intoArray(t, 1 * TILE_COLUMNS);
    c11.intoArray(t, 1 * TILE_COLUMNS + LANES);
    c20.intoArray(t, 2 * TILE_COLUMNS);
    c21.intoArray(t, 2 * TILE_COLUMNS + LANES);
    c30.intoArray(t, 3 * TILE_COLUMNS);
    c31.intoArray(t, 3 * TILE_COLUMNS + LANES);
    c40.intoArray(t, 4 * TILE_COLUMNS);
    c41.intoArray(t, 4 * TILE_COLUMNS + LANES);
    c50.intoArray(t, 5 * TILE_COLUMNS);
    c51.intoArray(t, 5 * TILE_COLUMNS + LANES);
    c60.intoArray(t, 6 * TILE_COLUMNS);
    c61.intoArray(t, 6 * TILE_COLUMNS + LANES);
    c70.intoArray(t, 7 * TILE_COLUMNS);
    c71.intoArray(t, 7 * TILE_COLUMNS + LANES);
  }

  /** A tile cut by the edge of {@code c}: computed whole in scratch space, its valid part copied. */
  private static void edgeTile(Workspace w, float[] aPack, int aPanel, boolean rowPanel, int bPanel, int kc,
      float[] c, int cAt, int ldc, int height, int width, boolean load) {
    float[] t = w.edge;
    if (load) {
      for (int r = 0; r < height; r++) {
        System.arraycopy(c, cAt + r * ldc, t, r * TILE_COLUMNS, width);
      }
    }
    tile(aPack, aPanel, rowPanel, w.bPack, bPanel, kc, t, 0, TILE_COLUMNS, load);
    for (int r = 0; r < height; r++) {
      System.arraycopy(t, r * TILE_COLUMNS, c, cAt + r * ldc, width);
    }
  }

  /**
   * Packs {@code A(ic .. ic+mc, pc .. pc+kc)} into panels of {@value #TILE_ROWS} rows, each stored depth by
   * depth ({@code pack[panel·kc·8 + p·8 + r]}), or row by row when {@link #rowPanels}
   * ({@code pack[panel·8·DEPTH_BLOCK + r·DEPTH_BLOCK + p]}, each row one copy); rows past the edge are zero.
   */
  private static void packA(float[] pack, int packOff, Product q, int ic, int mc, int pc, int kc) {
    float[] a = q.a;
    if (rowPanels(q)) {
      for (int ir = 0; ir < mc; ir += TILE_ROWS) {
        int height = Math.min(TILE_ROWS, mc - ir);
        int start = q.aOff + (ic + ir) * q.aRow + pc;
        for (int r = 0; r < TILE_ROWS; r++) {
          int to = packOff + (ir + r) * DEPTH_BLOCK;
          if (r < height) {
            System.arraycopy(a, start + r * q.aRow, pack, to, kc);
          } else {
            java.util.Arrays.fill(pack, to, to + kc, 0f);
          }
        }
      }
      return;
    }
    for (int ir = 0; ir < mc; ir += TILE_ROWS) {
      int base = packOff + ir * kc;
      int height = Math.min(TILE_ROWS, mc - ir);
      int start = q.aOff + (ic + ir) * q.aRow + pc * q.aDepth;
      if (height == 4 && TILE_ROWS == 4 && q.aDepth == 1) {
        int r = q.aRow;
        int s0 = start, s1 = s0 + r, s2 = s1 + r, s3 = s2 + r;
        for (int p = 0; p < kc; p++) {
          int d = base + p * 4;
          pack[d] = a[s0 + p];
          pack[d + 1] = a[s1 + p];
          pack[d + 2] = a[s2 + p];
          pack[d + 3] = a[s3 + p];
        }
      } else if (height == TILE_ROWS && q.aRow == 1) {
        // A stored transposed (TN): the eight values of a depth are contiguous already.
        for (int p = 0; p < kc; p++) {
          System.arraycopy(a, start + p * q.aDepth, pack, base + p * TILE_ROWS, TILE_ROWS);
        }
      } else {
        for (int p = 0; p < kc; p++) {
          int d = base + p * TILE_ROWS;
          int s = start + p * q.aDepth;
          for (int r = 0; r < TILE_ROWS; r++) {
            pack[d + r] = r < height ? a[s + r * q.aRow] : 0f;
          }
        }
      }
    }
  }

  /**
   * Packs {@code B(pc .. pc+kc, jc .. jc+nc)} into panels of {@code 2·lanes} columns, each stored depth by depth
   * ({@code pack[panel·kc·W + p·W + j]}); columns past the edge are zero. {@code gather}: scratch of
   * {@link #TILE_COLUMNS} offsets for the gathers of a transposed {@code B}.
   */
  private static void packB(float[] pack, int[] gather, Product q, int pc, int kc, int jc, int nc) {
    float[] b = q.b;
    boolean gathering = LANES == 16 && q.bDepth == 1;
    if (gathering) {
      for (int j = 0; j < TILE_COLUMNS; j++) {
        gather[j] = j * q.bColumn;
      }
    }
    for (int jr = 0; jr < nc; jr += TILE_COLUMNS) {
      int base = jr * kc;
      int width = Math.min(TILE_COLUMNS, nc - jr);
      int start = q.bOff + pc * q.bDepth + (jc + jr) * q.bColumn;
      boolean gathers = gathering && width == TILE_COLUMNS;
      if (width == TILE_COLUMNS && q.bColumn == 1) {
        // Row-major B (NN, TN): a copy, two vectors per depth.
        for (int p = 0; p < kc; p++) {
          int s = start + p * q.bDepth;
          int d = base + p * TILE_COLUMNS;
          FloatVector.fromArray(SPECIES, b, s).intoArray(pack, d);
          FloatVector.fromArray(SPECIES, b, s + LANES).intoArray(pack, d + LANES);
        }
      } else if (gathers) {
        // B stored transposed (NT), a whole panel, 16 lanes: a gather of a vector's lanes of columns at each depth
        // (the panel's TILE_COLUMNS lines stay in L1 across depths). On the Intel AVX-512 VM in round 21 (paired
        // windows, one core) this ran NT 256 × 256 × 784 1.07-1.11× and NT 32 × 256 × 784 1.34-1.39× as fast as the
        // scalar stores below (JDK 17 and 25), NT 32 × 128 × 256 1.08×. Not on 8 or 4 lanes: gathers are slow on
        // some AVX2 cores (microcoded on Zen 1 and 2) and C2 has no NEON gather; neither was measured.
        for (int p = 0; p < kc; p++) {
          int d = base + p * TILE_COLUMNS;
          FloatVector.fromArray(SPECIES, b, start + p, gather, 0).intoArray(pack, d);
          FloatVector.fromArray(SPECIES, b, start + p, gather, LANES).intoArray(pack, d + LANES);
        }
      } else if (q.bDepth == 1) {
        // B stored transposed (NT), an edge panel or not 16 lanes.
        packTransposedPanel(pack, base, TILE_COLUMNS, b, start, q.bColumn, kc, width);
      } else {
        for (int p = 0; p < kc; p++) {
          int d = base + p * TILE_COLUMNS;
          int s = start + p * q.bDepth;
          for (int j = 0; j < TILE_COLUMNS; j++) {
            pack[d + j] = j < width ? b[s + j * q.bColumn] : 0f;
          }
        }
      }
    }
  }

  /**
   * The register-tiled core: {@code c[TILE_ROWS × 2·lanes] (+)= aPanel · bPanel} over {@code kc} depths, the tile
   * held in accumulators; per depth two vector loads of {@code B}, a broadcast of {@code A} per row and two FMAs
   * per row. {@code rowPanel}: the panel of {@code A} is stored row by row ({@link #rowPanels}).
   */
  private static void tile(float[] aPack, int aAt, boolean rowPanel, float[] bPack, int bAt, int kc, float[] c,
      int cAt, int ldc, boolean load) {
    if (TILE_ROWS == 4) {
      tile4(aPack, aAt, bPack, bAt, kc, c, cAt, ldc, load);
    } else if (rowPanel) {
      tile8RowPanel(aPack, aAt, bPack, bAt, kc, c, cAt, ldc, load);
    } else {
      tile8(aPack, aAt, bPack, bAt, kc, c, cAt, ldc, load);
    }
  }

  /** {@link #tile} for 4 rows (256-bit vectors): 8 accumulators. */
  private static void tile4(float[] aPack, int aAt, float[] bPack, int bAt, int kc, float[] c, int cAt, int ldc,
      boolean load) {
    FloatVector c00, c01, c10, c11, c20, c21, c30, c31;
    if (load) {
      int at = cAt;
      c00 = FloatVector.fromArray(SPECIES, c, at);
      c01 = FloatVector.fromArray(SPECIES, c, at + LANES);
      at += ldc;
      c10 = FloatVector.fromArray(SPECIES, c, at);
      c11 = FloatVector.fromArray(SPECIES, c, at + LANES);
      at += ldc;
      c20 = FloatVector.fromArray(SPECIES, c, at);
      c21 = FloatVector.fromArray(SPECIES, c, at + LANES);
      at += ldc;
      c30 = FloatVector.fromArray(SPECIES, c, at);
      c31 = FloatVector.fromArray(SPECIES, c, at + LANES);
    } else {
      FloatVector z = FloatVector.zero(SPECIES);
      c00 = z; c01 = z; c10 = z; c11 = z; c20 = z; c21 = z; c30 = z; c31 = z;
    }
    for (int p = 0; p < kc; p++) {
      int y = bAt + p * TILE_COLUMNS;
      FloatVector b0 = FloatVector.fromArray(SPECIES, bPack, y);
      FloatVector b1 = FloatVector.fromArray(SPECIES, bPack, y + LANES);
      int x = aAt + p * 4;
      FloatVector v = FloatVector.broadcast(SPECIES, aPack[x]);
      c00 = v.fma(b0, c00);
      c01 = v.fma(b1, c01);
      v = FloatVector.broadcast(SPECIES, aPack[x + 1]);
      c10 = v.fma(b0, c10);
      c11 = v.fma(b1, c11);
      v = FloatVector.broadcast(SPECIES, aPack[x + 2]);
      c20 = v.fma(b0, c20);
      c21 = v.fma(b1, c21);
      v = FloatVector.broadcast(SPECIES, aPack[x + 3]);
      c30 = v.fma(b0, c30);
      c31 = v.fma(b1, c31);
    }
    int at = cAt;
    c00.intoArray(c, at);
    c01.intoArray(c, at + LANES);
    at += ldc;
    c10.intoArray(c, at);
    c11.intoArray(c, at + LANES);
    at += ldc;
    c20.intoArray(c, at);
    c21.intoArray(c, at + LANES);
    at += ldc;
    c30.intoArray(c, at);
    c31.intoArray(c, at + LANES);
  }

  /**
   * Whether the 8-row tiles take the loops measured fastest on JDK 17 ({@link #tile8} one depth per pass,
   * {@link #tile8RowPanel} two) or those measured fastest on JDK 25 (the other way round); the JIT folds the loop not
   * taken away. C2's register allocation of these loops depends on the JDK and on the JVM's history. On the Intel
   * AVX-512 VM (family 6 model 207) in round 20, JDK 17.0.15 compiled {@code tile8} at two depths per pass with 12
   * vector register moves per pass in 8 JVMs of 10 (93 instructions per two depths), at one with none in 10 of 10
   * (40 per depth; round 14 had seen the opposite, half of the one-depth JVMs moving {@code bPack} back every depth),
   * and the {@code TN} products ran 1.01-1.04× faster with one; {@code tile8RowPanel}'s last compilation had no moves
   * in 10 of 10 with two, and one ran {@code NT 256 × 256 × 784} at 0.96×. On JDK 25, one depth per pass ran the
   * {@code TN} products at 0.93-0.98× (two compiled without moves: 74 instructions, one 34) and the row-panel
   * products ({@code NT 256 × 256 × 784}, {@code NN 256 × 256 × 128}) at 1.09-1.20× (paired windows). The system
   * property {@code nabla.vector.jdk17Tiles} (true or false) overrides the choice, so that the runtime's build tests
   * all four loops on JDK 17 (BestKernelsTest once more with false).
   */
  static final boolean JDK17_TILES = Boolean.parseBoolean(
      System.getProperty("nabla.vector.jdk17Tiles", String.valueOf(Runtime.version().feature() <= 17)));

  /**
   * {@link #tile} for 8 rows: 16 accumulators, one depth per pass on JDK 17, two (then one for an odd last depth)
   * after it ({@link #JDK17_TILES}); each element's chain runs depth by depth either way.
   */
  private static void tile8(float[] aPack, int aAt, float[] bPack, int bAt, int kc, float[] c, int cAt, int ldc,
      boolean load) {
    FloatVector c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51, c60, c61, c70, c71;
    if (load) {
      int at = cAt;
      c00 = FloatVector.fromArray(SPECIES, c, at);
      c01 = FloatVector.fromArray(SPECIES, c, at + LANES);
      at += ldc;
      c10 = FloatVector.fromArray(SPECIES, c, at);
      c11 = FloatVector.fromArray(SPECIES, c, at + LANES);
      at += ldc;
      c20 = FloatVector.fromArray(SPECIES, c, at);
      c21 = FloatVector.fromArray(SPECIES, c, at + LANES);
      at += ldc;
      c30 = FloatVector.fromArray(SPECIES, c, at);
      c31 = FloatVector.fromArray(SPECIES, c, at + LANES);
      at += ldc;
      c40 = FloatVector.fromArray(SPECIES, c, at);
      c41 = FloatVector.fromArray(SPECIES, c, at + LANES);
      at += ldc;
      c50 = FloatVector.fromArray(SPECIES, c, at);
      c51 = FloatVector.fromArray(SPECIES, c, at + LANES);
      at += ldc;
      c60 = FloatVector.fromArray(SPECIES, c, at);
      c61 = FloatVector.fromArray(SPECIES, c, at + LANES);
      at += ldc;
      c70 = FloatVector.fromArray(SPECIES, c, at);
      c71 = FloatVector.fromArray(SPECIES, c, at + LANES);
    } else {
      FloatVector z = FloatVector.zero(SPECIES);
      c00 = z; c01 = z; c10 = z; c11 = z; c20 = z; c21 = z; c30 = z; c31 = z;
      c40 = z; c41 = z; c50 = z; c51 = z; c60 = z; c61 = z; c70 = z; c71 = z;
    }
    int p = 0;
    for (; !JDK17_TILES && p + 1 < kc; p += 2) {
      {
        int y = bAt + p * TILE_COLUMNS;
        FloatVector b0 = FloatVector.fromArray(SPECIES, bPack, y);
        FloatVector b1 = FloatVector.fromArray(SPECIES, bPack, y + LANES);
        int x = aAt + p * 8;
        FloatVector v = FloatVector.broadcast(SPECIES, aPack[x]);
        c00 = v.fma(b0, c00);
        c01 = v.fma(b1, c01);
        v = FloatVector.broadcast(SPECIES, aPack[x + 1]);
        c10 = v.fma(b0, c10);
        c11 = v.fma(b1, c11);
        v = FloatVector.broadcast(SPECIES, aPack[x + 2]);
        c20 = v.fma(b0, c20);
        c21 = v.fma(b1, c21);
        v = FloatVector.broadcast(SPECIES, aPack[x + 3]);
        c30 = v.fma(b0, c30);
        c31 = v.fma(b1, c31);
        v = FloatVector.broadcast(SPECIES, aPack[x + 4]);
        c40 = v.fma(b0, c40);
        c41 = v.fma(b1, c41);
        v = FloatVector.broadcast(SPECIES, aPack[x + 5]);
        c50 = v.fma(b0, c50);
        c51 = v.fma(b1, c51);
        v = FloatVector.broadcast(SPECIES, aPack[x + 6]);
        c60 = v.fma(b0, c60);
        c61 = v.fma(b1, c61);
        v = FloatVector.broadcast(SPECIES, aPack[x + 7]);
        c70 = v.fma(b0, c70);
        c71 = v.fma(b1, c71);
      }
      {
        int y = bAt + (p + 1) * TILE_COLUMNS;
        FloatVector b0 = FloatVector.fromArray(SPECIES, bPack, y);
        FloatVector b1 = FloatVector.fromArray(SPECIES, bPack, y + LANES);
        int x = aAt + (p + 1) * 8;
        FloatVector v = FloatVector.broadcast(SPECIES, aPack[x]);
        c00 = v.fma(b0, c00);
        c01 = v.fma(b1, c01);
        v = FloatVector.broadcast(SPECIES, aPack[x + 1]);
        c10 = v.fma(b0, c10);
        c11 = v.fma(b1, c11);
        v = FloatVector.broadcast(SPECIES, aPack[x + 2]);
        c20 = v.fma(b0, c20);
        c21 = v.fma(b1, c21);
        v = FloatVector.broadcast(SPECIES, aPack[x + 3]);
        c30 = v.fma(b0, c30);
        c31 = v.fma(b1, c31);
        v = FloatVector.broadcast(SPECIES, aPack[x + 4]);
        c40 = v.fma(b0, c40);
        c41 = v.fma(b1, c41);
        v = FloatVector.broadcast(SPECIES, aPack[x + 5]);
        c50 = v.fma(b0, c50);
        c51 = v.fma(b1, c51);
        v = FloatVector.broadcast(SPECIES, aPack[x + 6]);
        c60 = v.fma(b0, c60);
        c61 = v.fma(b1, c61);
        v = FloatVector.broadcast(SPECIES, aPack[x + 7]);
        c70 = v.fma(b0, c70);
        c71 = v.fma(b1, c71);
      }
    }
    for (; p < kc; p++) {
      int y = bAt + p * TILE_COLUMNS;
      FloatVector b0 = FloatVector.fromArray(SPECIES, bPack, y);
      FloatVector b1 = FloatVector.fromArray(SPECIES, bPack, y + LANES);
      int x = aAt + p * 8;
      FloatVector v = FloatVector.broadcast(SPECIES, aPack[x]);
      c00 = v.fma(b0, c00);
      c01 = v.fma(b1, c01);
      v = FloatVector.broadcast(SPECIES, aPack[x + 1]);
      c10 = v.fma(b0, c10);
      c11 = v.fma(b1, c11);
      v = FloatVector.broadcast(SPECIES, aPack[x + 2]);
      c20 = v.fma(b0, c20);
      c21 = v.fma(b1, c21);
      v = FloatVector.broadcast(SPECIES, aPack[x + 3]);
      c30 = v.fma(b0, c30);
      c31 = v.fma(b1, c31);
      v = FloatVector.broadcast(SPECIES, aPack[x + 4]);
      c40 = v.fma(b0, c40);
      c41 = v.fma(b1, c41);
      v = FloatVector.broadcast(SPECIES, aPack[x + 5]);
      c50 = v.fma(b0, c50);
      c51 = v.fma(b1, c51);
      v = FloatVector.broadcast(SPECIES, aPack[x + 6]);
      c60 = v.fma(b0, c60);
      c61 = v.fma(b1, c61);
      v = FloatVector.broadcast(SPECIES, aPack[x + 7]);
      c70 = v.fma(b0, c70);
      c71 = v.fma(b1, c71);
    }
    int at = cAt;
    c00.intoArray(c, at);
    c01.intoArray(c, at + LANES);
    at += ldc;
    c10.intoArray(c, at);
    c11.intoArray(c, at + LANES);
    at += ldc;
    c20.intoArray(c, at);
    c21.intoArray(c, at + LANES);
    at += ldc;
    c30.intoArray(c, at);
    c31.intoArray(c, at + LANES);
    at += ldc;
    c40.intoArray(c, at);
    c41.intoArray(c, at + LANES);
    at += ldc;
    c50.intoArray(c, at);
    c51.intoArray(c, at + LANES);
    at += ldc;
    c60.intoArray(c, at);
    c61.intoArray(c, at + LANES);
    at += ldc;
    c70.intoArray(c, at);
    c71.intoArray(c, at + LANES);
  }

  /**
   * {@link #tile8} on a row panel ({@link #rowPanels}): row {@code r}'s value at depth {@code p} is
   * {@code aPack[aAt + r·DEPTH_BLOCK + p]}. A copy of {@link #tile8}'s loop whose row offsets are constants, as
   * there: with the rows' stride as an argument (or rows read where they are in {@code A}) C2 kept a bounds check
   * per row and depth and spilled the offsets, and the products ran at 0.7× (round 18). Two depths per pass (then
   * one for an odd last depth) on JDK 17, one after it ({@link #JDK17_TILES}).
   */
  private static void tile8RowPanel(float[] aPack, int aAt, float[] bPack, int bAt, int kc, float[] c, int cAt, int ldc,
      boolean load) {
    FloatVector c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51, c60, c61, c70, c71;
    if (load) {
      int at = cAt;
      c00 = FloatVector.fromArray(SPECIES, c, at);
      c01 = FloatVector.fromArray(SPECIES, c, at + LANES);
      at += ldc;
      c10 = FloatVector.fromArray(SPECIES, c, at);
      c11 = FloatVector.fromArray(SPECIES, c, at + LANES);
      at += ldc;
      c20 = FloatVector.fromArray(SPECIES, c, at);
      c21 = FloatVector.fromArray(SPECIES, c, at + LANES);
      at += ldc;
      c30 = FloatVector.fromArray(SPECIES, c, at);
      c31 = FloatVector.fromArray(SPECIES, c, at + LANES);
      at += ldc;
      c40 = FloatVector.fromArray(SPECIES, c, at);
      c41 = FloatVector.fromArray(SPECIES, c, at + LANES);
      at += ldc;
      c50 = FloatVector.fromArray(SPECIES, c, at);
      c51 = FloatVector.fromArray(SPECIES, c, at + LANES);
      at += ldc;
      c60 = FloatVector.fromArray(SPECIES, c, at);
      c61 = FloatVector.fromArray(SPECIES, c, at + LANES);
      at += ldc;
      c70 = FloatVector.fromArray(SPECIES, c, at);
      c71 = FloatVector.fromArray(SPECIES, c, at + LANES);
    } else {
      FloatVector z = FloatVector.zero(SPECIES);
      c00 = z; c01 = z; c10 = z; c11 = z; c20 = z; c21 = z; c30 = z; c31 = z;
      c40 = z; c41 = z; c50 = z; c51 = z; c60 = z; c61 = z; c70 = z; c71 = z;
    }
    int p = 0;
    for (; JDK17_TILES && p + 1 < kc; p += 2) {
      {
        int y = bAt + p * TILE_COLUMNS;
        FloatVector b0 = FloatVector.fromArray(SPECIES, bPack, y);
        FloatVector b1 = FloatVector.fromArray(SPECIES, bPack, y + LANES);
        int x = aAt + p;
        FloatVector v = FloatVector.broadcast(SPECIES, aPack[x]);
        c00 = v.fma(b0, c00);
        c01 = v.fma(b1, c01);
        v = FloatVector.broadcast(SPECIES, aPack[x + 1 * DEPTH_BLOCK]);
        c10 = v.fma(b0, c10);
        c11 = v.fma(b1, c11);
        v = FloatVector.broadcast(SPECIES, aPack[x + 2 * DEPTH_BLOCK]);
        c20 = v.fma(b0, c20);
        c21 = v.fma(b1, c21);
        v = FloatVector.broadcast(SPECIES, aPack[x + 3 * DEPTH_BLOCK]);
        c30 = v.fma(b0, c30);
        c31 = v.fma(b1, c31);
        v = FloatVector.broadcast(SPECIES, aPack[x + 4 * DEPTH_BLOCK]);
        c40 = v.fma(b0, c40);
        c41 = v.fma(b1, c41);
        v = FloatVector.broadcast(SPECIES, aPack[x + 5 * DEPTH_BLOCK]);
        c50 = v.fma(b0, c50);
        c51 = v.fma(b1, c51);
        v = FloatVector.broadcast(SPECIES, aPack[x + 6 * DEPTH_BLOCK]);
        c60 = v.fma(b0, c60);
        c61 = v.fma(b1, c61);
        v = FloatVector.broadcast(SPECIES, aPack[x + 7 * DEPTH_BLOCK]);
        c70 = v.fma(b0, c70);
        c71 = v.fma(b1, c71);
      }
      {
        int y = bAt + (p + 1) * TILE_COLUMNS;
        FloatVector b0 = FloatVector.fromArray(SPECIES, bPack, y);
        FloatVector b1 = FloatVector.fromArray(SPECIES, bPack, y + LANES);
        int x = aAt + p + 1;
        FloatVector v = FloatVector.broadcast(SPECIES, aPack[x]);
        c00 = v.fma(b0, c00);
        c01 = v.fma(b1, c01);
        v = FloatVector.broadcast(SPECIES, aPack[x + 1 * DEPTH_BLOCK]);
        c10 = v.fma(b0, c10);
        c11 = v.fma(b1, c11);
        v = FloatVector.broadcast(SPECIES, aPack[x + 2 * DEPTH_BLOCK]);
        c20 = v.fma(b0, c20);
        c21 = v.fma(b1, c21);
        v = FloatVector.broadcast(SPECIES, aPack[x + 3 * DEPTH_BLOCK]);
        c30 = v.fma(b0, c30);
        c31 = v.fma(b1, c31);
        v = FloatVector.broadcast(SPECIES, aPack[x + 4 * DEPTH_BLOCK]);
        c40 = v.fma(b0, c40);
        c41 = v.fma(b1, c41);
        v = FloatVector.broadcast(SPECIES, aPack[x + 5 * DEPTH_BLOCK]);
        c50 = v.fma(b0, c50);
        c51 = v.fma(b1, c51);
        v = FloatVector.broadcast(SPECIES, aPack[x + 6 * DEPTH_BLOCK]);
        c60 = v.fma(b0, c60);
        c61 = v.fma(b1, c61);
        v = FloatVector.broadcast(SPECIES, aPack[x + 7 * DEPTH_BLOCK]);
        c70 = v.fma(b0, c70);
        c71 = v.fma(b1, c71);
      }
    }
    for (; p < kc; p++) {
      int y = bAt + p * TILE_COLUMNS;
      FloatVector b0 = FloatVector.fromArray(SPECIES, bPack, y);
      FloatVector b1 = FloatVector.fromArray(SPECIES, bPack, y + LANES);
      int x = aAt + p;
      FloatVector v = FloatVector.broadcast(SPECIES, aPack[x]);
      c00 = v.fma(b0, c00);
      c01 = v.fma(b1, c01);
      v = FloatVector.broadcast(SPECIES, aPack[x + 1 * DEPTH_BLOCK]);
      c10 = v.fma(b0, c10);
      c11 = v.fma(b1, c11);
      v = FloatVector.broadcast(SPECIES, aPack[x + 2 * DEPTH_BLOCK]);
      c20 = v.fma(b0, c20);
      c21 = v.fma(b1, c21);
      v = FloatVector.broadcast(SPECIES, aPack[x + 3 * DEPTH_BLOCK]);
      c30 = v.fma(b0, c30);
      c31 = v.fma(b1, c31);
      v = FloatVector.broadcast(SPECIES, aPack[x + 4 * DEPTH_BLOCK]);
      c40 = v.fma(b0, c40);
      c41 = v.fma(b1, c41);
      v = FloatVector.broadcast(SPECIES, aPack[x + 5 * DEPTH_BLOCK]);
      c50 = v.fma(b0, c50);
      c51 = v.fma(b1, c51);
      v = FloatVector.broadcast(SPECIES, aPack[x + 6 * DEPTH_BLOCK]);
      c60 = v.fma(b0, c60);
      c61 = v.fma(b1, c61);
      v = FloatVector.broadcast(SPECIES, aPack[x + 7 * DEPTH_BLOCK]);
      c70 = v.fma(b0, c70);
      c71 = v.fma(b1, c71);
    }
    int at = cAt;
    c00.intoArray(c, at);
    c01.intoArray(c, at + LANES);
    at += ldc;
    c10.intoArray(c, at);
    c11.intoArray(c, at + LANES);
    at += ldc;
    c20.intoArray(c, at);
    c21.intoArray(c, at + LANES);
    at += ldc;
    c30.intoArray(c, at);
    c31.intoArray(c, at + LANES);
    at += ldc;
    c40.intoArray(c, at);
    c41.intoArray(c, at + LANES);
    at += ldc;
    c50.intoArray(c, at);
    c51.intoArray(c, at + LANES);
    at += ldc;
    c60.intoArray(c, at);
    c61.intoArray(c, at + LANES);
    at += ldc;
    c70.intoArray(c, at);
    c71.intoArray(c, at + LANES);
  }

  /**
   * Products of at most {@value #FEW_ROWS} rows (single-sample predict, batch-1 training), where packing {@code B}
   * would cost as much as the product: {@code NN} and {@code TN} add {@code A(i,p)·B(p,:)} row by row of
   * {@code B} (the same FMA chain as the tiles); {@code NT} takes dot products of {@code A}'s rows with
   * {@code B}'s rows, contiguous both, four rows of {@code B} at a time.
   */
  private static void fewRows(Product q, float[] lanes) {
    if (q.bColumn == 1) {
      fewRowsAxpy(q);
    } else {
      fewRowsDot(q, lanes);
    }
  }

  private static void fewRowsAxpy(Product q) {
    float[] a = q.a;
    float[] b = q.b;
    float[] c = q.c;
    int n = q.n;
    int vectorEnd = SPECIES.loopBound(n);
    for (int i = 0; i < q.m; i++) {
      int row = q.cOff + i * n;
      if (!q.accumulate) {
        java.util.Arrays.fill(c, row, row + n, 0f);
      }
      for (int p = 0; p < q.k; p++) {
        float x = a[q.aOff + i * q.aRow + p * q.aDepth];
        FloatVector xv = FloatVector.broadcast(SPECIES, x);
        int bRow = q.bOff + p * q.bDepth;
        int j = 0;
        for (; j < vectorEnd; j += LANES) {
          FloatVector cv = FloatVector.fromArray(SPECIES, c, row + j);
          xv.fma(FloatVector.fromArray(SPECIES, b, bRow + j), cv).intoArray(c, row + j);
        }
        for (; j < n; j++) {
          c[row + j] = Math.fma(x, b[bRow + j], c[row + j]);
        }
      }
    }
  }

  /**
   * {@code NT} with few rows: {@code c(i, j) (+)= Σ_p a(i, p)·b(j, p)} as lane-wise partial sums over {@code p}
   * (lane {@code l} takes {@code p ≡ l mod lanes}), added up lane by lane in a fixed order, then the remainder.
   */
  private static void fewRowsDot(Product q, float[] lanes) {
    float[] a = q.a;
    float[] b = q.b;
    float[] c = q.c;
    int k = q.k;
    int vectorEnd = SPECIES.loopBound(k);
    for (int i = 0; i < q.m; i++) {
      int aRow = q.aOff + i * k;
      int j = 0;
      for (; j + 4 <= q.n; j += 4) {
        int b0 = q.bOff + j * k;
        int b1 = b0 + k;
        int b2 = b1 + k;
        int b3 = b2 + k;
        FloatVector s0 = FloatVector.zero(SPECIES);
        FloatVector s1 = s0;
        FloatVector s2 = s0;
        FloatVector s3 = s0;
        for (int p = 0; p < vectorEnd; p += LANES) {
          FloatVector x = FloatVector.fromArray(SPECIES, a, aRow + p);
          s0 = x.fma(FloatVector.fromArray(SPECIES, b, b0 + p), s0);
          s1 = x.fma(FloatVector.fromArray(SPECIES, b, b1 + p), s1);
          s2 = x.fma(FloatVector.fromArray(SPECIES, b, b2 + p), s2);
          s3 = x.fma(FloatVector.fromArray(SPECIES, b, b3 + p), s3);
        }
        // No vector leaves this method: one passed to another would be boxed (allocated) if not inlined.
        s0.intoArray(lanes, 0);
        s1.intoArray(lanes, LANES);
        s2.intoArray(lanes, 2 * LANES);
        s3.intoArray(lanes, 3 * LANES);
        int out = q.cOff + i * q.n + j;
        c[out] = finish(lanes, 0, a, aRow, b, b0, vectorEnd, k, q.accumulate ? c[out] : 0f);
        c[out + 1] = finish(lanes, LANES, a, aRow, b, b1, vectorEnd, k, q.accumulate ? c[out + 1] : 0f);
        c[out + 2] = finish(lanes, 2 * LANES, a, aRow, b, b2, vectorEnd, k, q.accumulate ? c[out + 2] : 0f);
        c[out + 3] = finish(lanes, 3 * LANES, a, aRow, b, b3, vectorEnd, k, q.accumulate ? c[out + 3] : 0f);
      }
      for (; j < q.n; j++) {
        int bRow = q.bOff + j * k;
        FloatVector s = FloatVector.zero(SPECIES);
        for (int p = 0; p < vectorEnd; p += LANES) {
          s = FloatVector.fromArray(SPECIES, a, aRow + p).fma(FloatVector.fromArray(SPECIES, b, bRow + p), s);
        }
        s.intoArray(lanes, 0);
        int out = q.cOff + i * q.n + j;
        c[out] = finish(lanes, 0, a, aRow, b, bRow, vectorEnd, k, q.accumulate ? c[out] : 0f);
      }
    }
  }

  /**
   * {@code start + Σ lanes[at .. at+LANES) + Σ_{p ≥ from} a·b}, in a fixed order: the Vector API's own lane
   * reduction may add in another order when compiled than when interpreted, and the result must not depend on
   * that.
   */
  private static float finish(float[] lanes, int at, float[] a, int aRow, float[] b, int bRow, int from, int k,
      float start) {
    float s = 0f;
    for (int l = at; l < at + LANES; l++) {
      s += lanes[l];
    }
    for (int p = from; p < k; p++) {
      s = Math.fma(a[aRow + p], b[bRow + p], s);
    }
    return start + s;
  }

  /**
   * The bias and the activation go into the product's tiles ({@link #blocks}) where the product takes them:
   * identity, ReLU and leaky ReLU, depth above one, more than {@value #FEW_ROWS} rows and more than
   * {@value #NARROW_COLUMNS} units, not a deep product ({@link #DEEP}; in {@link #halves}, the bias starts the first
   * half and the activation follows the sum). Otherwise the bias is copied into each
   * row first, the product accumulates onto it and the activation is a pass of its own. Either way each output is
   * {@code act(fma chain from the bias)}, the same bits.
   */
  @Override
  public void denseForward(float[] out, float[] x, int xOff, float[] params, int weightOff, int biasOff,
      int rows, int in, int units, Activation act, float slope) {
    if (fusesEpilogue(rows, in, units, act)) {
      gemm(out, 0, x, xOff, in, 1, params, weightOff, 1, in, rows, units, in, false, biasOff >= 0 ? params : null,
          biasOff, act, slope);
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

  /** Whether a dense forward of this shape and activation takes its bias and activation in the tiles. */
  static boolean fusesEpilogue(int rows, int in, int units, Activation act) {
    return rows > FEW_ROWS && in > 1 && units > NARROW_COLUMNS && !isDeep(rows, units, in)
        && (act == Activation.IDENTITY || act == Activation.RELU || act == Activation.LEAKY_RELU);
  }

  /**
   * Starts the rows of a tile from the bias (the product then accumulates onto it, as onto a copied bias):
   * {@code c[r, j] = bias[j]} for {@code height} rows of {@code width} columns.
   */
  private static void biasTile(float[] bias, int biasAt, float[] c, int cAt, int ldc, int height, int width) {
    for (int r = 0; r < height; r++) {
      System.arraycopy(bias, biasAt, c, cAt + r * ldc, width);
    }
  }

  /**
   * The activation over a finished tile, while it is in L1: ReLU as {@code Math.max(x, 0)} and leaky ReLU as
   * {@code x > 0 ? x : slope·x}, lane by lane as {@link ActivationFunctions#apply} does element by element.
   */
  private static void activateTile(float[] c, int cAt, int ldc, int height, int width, Activation act,
      float slope) {
    int vectorEnd = width - width % LANES;
    for (int r = 0; r < height; r++) {
      int row = cAt + r * ldc;
      int j = 0;
      if (act == Activation.RELU) {
        for (; j < vectorEnd; j += LANES) {
          FloatVector.fromArray(SPECIES, c, row + j).max(0f).intoArray(c, row + j);
        }
        for (; j < width; j++) {
          c[row + j] = Math.max(c[row + j], 0f);
        }
      } else {
        for (; j < vectorEnd; j += LANES) {
          FloatVector v = FloatVector.fromArray(SPECIES, c, row + j);
          v.mul(slope).blend(v, v.compare(VectorOperators.GT, 0f)).intoArray(c, row + j);
        }
        for (; j < width; j++) {
          float v = c[row + j];
          c[row + j] = v > 0f ? v : slope * v;
        }
      }
    }
  }

  /** The operands of one product, as {@link #gemm} describes them. */
  private static final class Product {
    float[] c;
    int cOff;
    float[] a;
    int aOff;
    int aRow;
    int aDepth;
    float[] b;
    int bOff;
    int bDepth;
    int bColumn;
    int m;
    int n;
    int k;
    boolean accumulate;
    /** The dense forward's epilogue ({@link #denseForward}): bias ({@code null}: none) and activation. */
    float @Nullable [] bias;
    int biasOff;
    Activation act = Activation.IDENTITY;
    float slope;

    Product set(float[] c, int cOff, float[] a, int aOff, int aRow, int aDepth, float[] b, int bOff, int bDepth,
        int bColumn, int m, int n, int k, boolean accumulate) {
      this.c = c;
      this.cOff = cOff;
      this.a = a;
      this.aOff = aOff;
      this.aRow = aRow;
      this.aDepth = aDepth;
      this.b = b;
      this.bOff = bOff;
      this.bDepth = bDepth;
      this.bColumn = bColumn;
      this.m = m;
      this.n = n;
      this.k = k;
      this.accumulate = accumulate;
      this.bias = null;
      this.act = Activation.IDENTITY;
      return this;
    }

    /** Sets the epilogue the tiles apply ({@link #fusesEpilogue}). */
    Product epilogue(float @Nullable [] bias, int biasOff, Activation act, float slope) {
      this.bias = bias;
      this.biasOff = biasOff;
      this.act = act;
      this.slope = slope;
      return this;
    }
  }

  /** One thread's packed panels and edge tile. */
  private static final class Workspace {
    final float[] aPack = new float[ROW_BLOCK * (DEPTH_BLOCK + TILE_ROWS)];
    final float[] bPack = new float[B_PACK];
    /** The offsets of a panel's columns in {@code b} for {@link #packB}'s gathers. */
    final int[] gather = new int[TILE_COLUMNS];
    /** An edge tile's copy ({@link #edgeTile}), or a narrow tile's rows ({@link #narrowTile}). */
    final float[] edge = new float[Math.max(TILE_ROWS * TILE_COLUMNS, NARROW_ROWS * LANES)];
    /** Lane sums: 4 by the few-rows path, 24 by {@link #dotBlocks}. */
    final float[] lanes = new float[24 * LANES];
    final Product product = new Product();
    /** A split one-row product's columns ({@link #runRowVectorPart}). */
    final Product columns = new Product();
    /** One chunk of a deep product ({@link #deepChunks}). */
    final Product depth = new Product();
    /** {@code A} as the {@code B} of {@link #transposedBlocks}. */
    final Product transposed = new Product();
    /** A deep product's partial sum when one thread runs every chunk, grown to the largest seen. */
    float[] deepScratch = new float[0];
    final AttentionScratch attention = new AttentionScratch();

    float[] ensureDeepScratch(int size) {
      if (deepScratch.length < size) {
        deepScratch = new float[size];
      }
      return deepScratch;
    }
  }

  /** One thread's attention buffers, grown to the largest shape seen. */
  private static final class AttentionScratch {
    /** {@code K_h} or {@code V_h} transposed, {@code (dh, tp)} with {@code tp} = T rounded up to whole vectors. */
    float[] transposed = new float[0];
    /** {@code dS}, {@code (T, tp)}. */
    float[] ds = new float[0];
    float[] row = new float[0];
    final float[] lanes = new float[LANES];

    void ensure(int time, int dh) {
      int tp = padded(time);
      if (transposed.length < dh * tp) {
        transposed = new float[dh * tp];
      }
      if (ds.length < time * tp) {
        ds = new float[time * tp];
      }
      if (row.length < tp) {
        row = new float[tp];
      }
    }
  }

  private static int padded(int time) {
    return (time + LANES - 1) / LANES * LANES;
  }

  // ---- Activations: FastFunctions' formulas on vectors, with FMA. Each tail element goes through a scalar twin
  // of the same operations (Math.fma where the vector code fuses), so an element's bits do not depend on whether
  // a vector or the tail computed it. ----

  /** {@code e^x} lane-wise: {@link FastFunctions#exp}'s reduction and polynomial, fused. */
  private static FloatVector exp(FloatVector x) {
    VectorMask<Float> under = x.compare(VectorOperators.LT, FastFunctions.EXP_UNDERFLOW);
    x = x.min(FastFunctions.EXP_CLAMP).max(FastFunctions.EXP_UNDERFLOW);
    FloatVector t = x.fma(FastFunctions.LOG2E, FastFunctions.ROUND);
    FloatVector kf = t.sub(FastFunctions.ROUND);
    IntVector k = t.reinterpretAsInts().sub(FastFunctions.ROUND_BITS);
    FloatVector r = kf.fma(FloatVector.broadcast(SPECIES, -FastFunctions.LN2_HI), x);
    r = kf.fma(FloatVector.broadcast(SPECIES, -FastFunctions.LN2_LO), r);
    FloatVector p = r.fma(FastFunctions.P0, FastFunctions.P1);
    p = p.fma(r, FloatVector.broadcast(SPECIES, FastFunctions.P2));
    p = p.fma(r, FloatVector.broadcast(SPECIES, FastFunctions.P3));
    p = p.fma(r, FloatVector.broadcast(SPECIES, FastFunctions.P4));
    p = p.fma(r, FloatVector.broadcast(SPECIES, FastFunctions.P5));
    p = p.fma(r.mul(r), r).add(1f);
    IntVector half = k.lanewise(VectorOperators.ASHR, 1);
    FloatVector s1 = half.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
    FloatVector s2 = k.sub(half).add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
    return p.mul(s1).mul(s2).blend(0f, under);
  }

  /** The scalar twin of {@link #exp(FloatVector)}. */
  static float exp(float x) {
    boolean under = x < FastFunctions.EXP_UNDERFLOW;
    x = Math.max(Math.min(x, FastFunctions.EXP_CLAMP), FastFunctions.EXP_UNDERFLOW);
    float t = Math.fma(x, FastFunctions.LOG2E, FastFunctions.ROUND);
    float kf = t - FastFunctions.ROUND;
    int k = Float.floatToRawIntBits(t) - FastFunctions.ROUND_BITS;
    float r = Math.fma(kf, -FastFunctions.LN2_HI, x);
    r = Math.fma(kf, -FastFunctions.LN2_LO, r);
    float p = Math.fma(r, FastFunctions.P0, FastFunctions.P1);
    p = Math.fma(p, r, FastFunctions.P2);
    p = Math.fma(p, r, FastFunctions.P3);
    p = Math.fma(p, r, FastFunctions.P4);
    p = Math.fma(p, r, FastFunctions.P5);
    p = Math.fma(p, r * r, r) + 1f;
    int half = k >> 1;
    float e = p * Float.intBitsToFloat((half + 127) << 23) * Float.intBitsToFloat((k - half + 127) << 23);
    return under ? 0f : e;
  }

  /** {@code Φ(−|x|) = erfc(|x|/√2)/2} given {@code e = e^(−x²/2)} (Abramowitz–Stegun 7.1.26). */
  private static FloatVector lowerTail(FloatVector x, FloatVector e) {
    FloatVector a = x.abs().mul(FastFunctions.SQRT_HALF);
    FloatVector t = FloatVector.broadcast(SPECIES, 1f).div(a.fma(FastFunctions.ERF_P, 1f));
    FloatVector p = t.fma(FastFunctions.ERF_A5, FastFunctions.ERF_A4);
    p = p.fma(t, FloatVector.broadcast(SPECIES, FastFunctions.ERF_A3));
    p = p.fma(t, FloatVector.broadcast(SPECIES, FastFunctions.ERF_A2));
    p = p.fma(t, FloatVector.broadcast(SPECIES, FastFunctions.ERF_A1));
    return p.mul(t).mul(e).mul(0.5f);
  }

  private static float lowerTail(float x, float e) {
    float a = Math.abs(x) * FastFunctions.SQRT_HALF;
    float t = 1f / Math.fma(a, FastFunctions.ERF_P, 1f);
    float p = Math.fma(t, FastFunctions.ERF_A5, FastFunctions.ERF_A4);
    p = Math.fma(p, t, FastFunctions.ERF_A3);
    p = Math.fma(p, t, FastFunctions.ERF_A2);
    p = Math.fma(p, t, FastFunctions.ERF_A1);
    return p * t * e * 0.5f;
  }

  static float gelu(float x) {
    float half = lowerTail(x, exp(x * x * -0.5f));
    return x * (x > 0f ? 1f - half : half);
  }

  static float geluDerivative(float x) {
    float e = exp(x * x * -0.5f);
    float half = lowerTail(x, e);
    return Math.fma(x, e * FastFunctions.INV_SQRT_2PI, x > 0f ? 1f - half : half);
  }

  static float silu(float x) {
    return x / (1f + exp(-x));
  }

  /** {@code σ(x) = 1/(1 + e^-x)} from {@link #exp(float)}: SiLU's derivative and the gates' scalar tail. */
  static float sigmoid(float x) {
    return 1f / (1f + exp(-x));
  }

  static float siluDerivative(float x) {
    float s = sigmoid(x);
    return s * Math.fma(x, 1f - s, 1f);
  }

  /** {@code out[i] = act(z[i])} on {@code [from, to)}: GELU and SiLU on vectors, the others as the portable path. */
  static void activateRange(float[] out, float[] z, int from, int to, Activation act, float slope) {
    if (act != Activation.GELU && act != Activation.SILU) {
      FastFunctions.activate(out, z, from, to, act, slope);
      return;
    }
    int end = from + SPECIES.loopBound(to - from);
    int i = from;
    if (act == Activation.GELU) {
      for (; i < end; i += LANES) {
        FloatVector x = FloatVector.fromArray(SPECIES, z, i);
        FloatVector half = lowerTail(x, exp(x.mul(x).mul(-0.5f)));
        VectorMask<Float> positive = x.compare(VectorOperators.GT, 0f);
        x.mul(half.blend(FloatVector.broadcast(SPECIES, 1f).sub(half), positive)).intoArray(out, i);
      }
      for (; i < to; i++) {
        out[i] = gelu(z[i]);
      }
    } else {
      for (; i < end; i += LANES) {
        FloatVector x = FloatVector.fromArray(SPECIES, z, i);
        x.div(exp(x.neg()).add(1f)).intoArray(out, i);
      }
      for (; i < to; i++) {
        out[i] = silu(z[i]);
      }
    }
  }

  /** {@code dy[i] *= act'(z[i])} on {@code [from, to)}. */
  static void derivativeRange(float[] dy, float[] z, int from, int to, Activation act, float slope) {
    if (act != Activation.GELU && act != Activation.SILU) {
      FastFunctions.multiplyDerivativeAtInput(dy, z, from, to, act, slope);
      return;
    }
    int end = from + SPECIES.loopBound(to - from);
    int i = from;
    if (act == Activation.GELU) {
      for (; i < end; i += LANES) {
        FloatVector x = FloatVector.fromArray(SPECIES, z, i);
        FloatVector e = exp(x.mul(x).mul(-0.5f));
        FloatVector half = lowerTail(x, e);
        VectorMask<Float> positive = x.compare(VectorOperators.GT, 0f);
        FloatVector cdf = half.blend(FloatVector.broadcast(SPECIES, 1f).sub(half), positive);
        FloatVector derivative = x.fma(e.mul(FastFunctions.INV_SQRT_2PI), cdf);
        FloatVector.fromArray(SPECIES, dy, i).mul(derivative).intoArray(dy, i);
      }
      for (; i < to; i++) {
        dy[i] *= geluDerivative(z[i]);
      }
    } else {
      for (; i < end; i += LANES) {
        FloatVector x = FloatVector.fromArray(SPECIES, z, i);
        FloatVector one = FloatVector.broadcast(SPECIES, 1f);
        FloatVector s = one.div(exp(x.neg()).add(1f));
        FloatVector derivative = s.mul(x.fma(one.sub(s), one));
        FloatVector.fromArray(SPECIES, dy, i).mul(derivative).intoArray(dy, i);
      }
      for (; i < to; i++) {
        dy[i] *= siluDerivative(z[i]);
      }
    }
  }

  // ---- Attention, one (sample, head) pair at a time: AttentionPairs' algorithm on vectors. Scores and dP are
  // rows of a product with a transposed K_h or V_h (vectors along s, broadcasts along dh); P·V, dQ, dV and dK are
  // weighted sums of rows of length dh (vectors along dh, accumulators in registers, one store per output row).
  // Every sum is an FMA chain in a fixed order; the softmax's sum and rowsum(dP ⊙ P) add their lanes in order. ----

  /** {@code out[i·tp + s] = qkv[(first + s)·width + col + i]}. */
  private static void transpose(float[] out, int tp, float[] qkv, int first, int width, int col, int time, int dh) {
    for (int s = 0; s < time; s++) {
      int from = (first + s) * width + col;
      for (int i = 0; i < dh; i++) {
        out[i * tp + s] = qkv[from + i];
      }
    }
  }

  /**
   * {@code row[s] = Σ_i x[xOff + i]·xt[i·tp + s]} (FMA chain in increasing i) for s below {@code end} rounded up to
   * whole vectors (the lanes past {@code end} are to be ignored).
   */
  private static void rowTimesTransposed(float[] row, float[] x, int xOff, float[] xt, int tp, int dh, int end) {
    int columns = padded(end);
    int s = 0;
    for (; s + 4 * LANES <= columns; s += 4 * LANES) {
      FloatVector a0 = FloatVector.zero(SPECIES);
      FloatVector a1 = a0;
      FloatVector a2 = a0;
      FloatVector a3 = a0;
      for (int i = 0; i < dh; i++) {
        FloatVector xi = FloatVector.broadcast(SPECIES, x[xOff + i]);
        int base = i * tp + s;
        a0 = xi.fma(FloatVector.fromArray(SPECIES, xt, base), a0);
        a1 = xi.fma(FloatVector.fromArray(SPECIES, xt, base + LANES), a1);
        a2 = xi.fma(FloatVector.fromArray(SPECIES, xt, base + 2 * LANES), a2);
        a3 = xi.fma(FloatVector.fromArray(SPECIES, xt, base + 3 * LANES), a3);
      }
      a0.intoArray(row, s);
      a1.intoArray(row, s + LANES);
      a2.intoArray(row, s + 2 * LANES);
      a3.intoArray(row, s + 3 * LANES);
    }
    for (; s + 2 * LANES <= columns; s += 2 * LANES) {
      FloatVector a0 = FloatVector.zero(SPECIES);
      FloatVector a1 = a0;
      for (int i = 0; i < dh; i++) {
        FloatVector xi = FloatVector.broadcast(SPECIES, x[xOff + i]);
        int base = i * tp + s;
        a0 = xi.fma(FloatVector.fromArray(SPECIES, xt, base), a0);
        a1 = xi.fma(FloatVector.fromArray(SPECIES, xt, base + LANES), a1);
      }
      a0.intoArray(row, s);
      a1.intoArray(row, s + LANES);
    }
    for (; s < columns; s += LANES) {
      FloatVector a0 = FloatVector.zero(SPECIES);
      for (int i = 0; i < dh; i++) {
        a0 = FloatVector.broadcast(SPECIES, x[xOff + i]).fma(FloatVector.fromArray(SPECIES, xt, i * tp + s), a0);
      }
      a0.intoArray(row, s);
    }
  }

  /**
   * {@code out[o + i] = Σ_j w[wOff + j·wStride]·x[xOff + j·xStride + i]} for {@code i < dh}, an FMA chain over
   * {@code j} in {@code [from, to)} in increasing order.
   */
  private static void weightedRows(float[] out, int o, float[] w, int wOff, int wStride, float[] x, int xOff,
      int xStride, int from, int to, int dh) {
    int i = 0;
    for (; i + 4 * LANES <= dh; i += 4 * LANES) {
      FloatVector a0 = FloatVector.zero(SPECIES);
      FloatVector a1 = a0;
      FloatVector a2 = a0;
      FloatVector a3 = a0;
      for (int j = from; j < to; j++) {
        FloatVector wj = FloatVector.broadcast(SPECIES, w[wOff + j * wStride]);
        int xj = xOff + j * xStride + i;
        a0 = wj.fma(FloatVector.fromArray(SPECIES, x, xj), a0);
        a1 = wj.fma(FloatVector.fromArray(SPECIES, x, xj + LANES), a1);
        a2 = wj.fma(FloatVector.fromArray(SPECIES, x, xj + 2 * LANES), a2);
        a3 = wj.fma(FloatVector.fromArray(SPECIES, x, xj + 3 * LANES), a3);
      }
      a0.intoArray(out, o + i);
      a1.intoArray(out, o + i + LANES);
      a2.intoArray(out, o + i + 2 * LANES);
      a3.intoArray(out, o + i + 3 * LANES);
    }
    for (; i + 2 * LANES <= dh; i += 2 * LANES) {
      FloatVector a0 = FloatVector.zero(SPECIES);
      FloatVector a1 = a0;
      for (int j = from; j < to; j++) {
        FloatVector wj = FloatVector.broadcast(SPECIES, w[wOff + j * wStride]);
        int xj = xOff + j * xStride + i;
        a0 = wj.fma(FloatVector.fromArray(SPECIES, x, xj), a0);
        a1 = wj.fma(FloatVector.fromArray(SPECIES, x, xj + LANES), a1);
      }
      a0.intoArray(out, o + i);
      a1.intoArray(out, o + i + LANES);
    }
    for (; i + LANES <= dh; i += LANES) {
      FloatVector a0 = FloatVector.zero(SPECIES);
      for (int j = from; j < to; j++) {
        a0 = FloatVector.broadcast(SPECIES, w[wOff + j * wStride])
            .fma(FloatVector.fromArray(SPECIES, x, xOff + j * xStride + i), a0);
      }
      a0.intoArray(out, o + i);
    }
    for (; i < dh; i++) {
      float a = 0f;
      for (int j = from; j < to; j++) {
        a = Math.fma(w[wOff + j * wStride], x[xOff + j * xStride + i], a);
      }
      out[o + i] = a;
    }
  }

  static void forwardPair(AttentionScratch w, float[] attended, float[] probabilities, float[] qkv, int pair,
      int time, int dim, int heads, boolean causal) {
    int b = pair / heads;
    int h = pair % heads;
    int dh = dim / heads;
    int width = 3 * dim;
    float scale = (float) (1.0 / Math.sqrt(dh));
    int rows = b * time;
    int qCol = h * dh;
    int tp = padded(time);
    float[] kt = w.transposed;
    transpose(kt, tp, qkv, rows, width, dim + qCol, time, dh);
    int pBase = pair * time * time;
    float[] row = w.row;
    float[] lanes = w.lanes;
    for (int t = 0; t < time; t++) {
      int end = causal ? t + 1 : time;
      int columns = padded(end);
      rowTimesTransposed(row, qkv, (rows + t) * width + qCol, kt, tp, dh, end);
      for (int s = end; s < columns; s++) {
        row[s] = Float.NEGATIVE_INFINITY;
      }
      FloatVector most = FloatVector.broadcast(SPECIES, Float.NEGATIVE_INFINITY);
      for (int s = 0; s < columns; s += LANES) {
        FloatVector v = FloatVector.fromArray(SPECIES, row, s).mul(scale);
        v.intoArray(row, s);
        most = most.max(v);
      }
      float max = most.reduceLanes(VectorOperators.MAX);
      FloatVector sum = FloatVector.zero(SPECIES);
      for (int s = 0; s < columns; s += LANES) {
        FloatVector e = exp(FloatVector.fromArray(SPECIES, row, s).sub(max));
        e.intoArray(row, s);
        sum = sum.add(e);
      }
      sum.intoArray(lanes, 0);
      double total = 0;
      for (int l = 0; l < LANES; l++) {
        total += lanes[l];
      }
      float inverse = (float) (1.0 / total);
      int p = pBase + t * time;
      int full = SPECIES.loopBound(end);
      int s = 0;
      for (; s < full; s += LANES) {
        FloatVector.fromArray(SPECIES, row, s).mul(inverse).intoArray(probabilities, p + s);
      }
      for (; s < end; s++) {
        probabilities[p + s] = row[s] * inverse;
      }
      java.util.Arrays.fill(probabilities, p + end, p + time, 0f);
      weightedRows(attended, (rows + t) * dim + qCol, probabilities, p, 1, qkv, rows * width + 2 * dim + qCol,
          width, 0, end, dh);
    }
  }

  static void backwardPair(AttentionScratch w, float[] dQkv, float[] dAttended, float[] probabilities,
      float[] qkv, int pair, int time, int dim, int heads, boolean causal) {
    int b = pair / heads;
    int h = pair % heads;
    int dh = dim / heads;
    int width = 3 * dim;
    float scale = (float) (1.0 / Math.sqrt(dh));
    int rows = b * time;
    int qCol = h * dh;
    int kCol = dim + qCol;
    int vCol = 2 * dim + qCol;
    int tp = padded(time);
    float[] vt = w.transposed;
    transpose(vt, tp, qkv, rows, width, vCol, time, dh);
    int pBase = pair * time * time;
    float[] ds = w.ds;
    float[] row = w.row;
    float[] lanes = w.lanes;
    for (int t = 0; t < time; t++) {
      int end = causal ? t + 1 : time;
      int p = pBase + t * time;
      int d = t * tp;
      // dP[t, s] = dA_t · v_s.
      rowTimesTransposed(row, dAttended, (rows + t) * dim + qCol, vt, tp, dh, end);
      int full = SPECIES.loopBound(end);
      FloatVector acc = FloatVector.zero(SPECIES);
      for (int s = 0; s < full; s += LANES) {
        acc = FloatVector.fromArray(SPECIES, row, s).fma(FloatVector.fromArray(SPECIES, probabilities, p + s), acc);
      }
      acc.intoArray(lanes, 0);
      double dot = 0;
      for (int l = 0; l < LANES; l++) {
        dot += lanes[l];
      }
      for (int s = full; s < end; s++) {
        dot += (double) row[s] * probabilities[p + s];
      }
      float rowDot = (float) dot;
      int s = 0;
      for (; s < full; s += LANES) {
        FloatVector.fromArray(SPECIES, probabilities, p + s)
            .mul(FloatVector.fromArray(SPECIES, row, s).sub(rowDot)).mul(scale).intoArray(ds, d + s);
      }
      for (; s < end; s++) {
        ds[d + s] = probabilities[p + s] * (row[s] - rowDot) * scale;
      }
      // dq_t = Σ_s dS[t, s]·k_s.
      weightedRows(dQkv, (rows + t) * width + qCol, ds, d, 1, qkv, rows * width + kCol, width, 0, end, dh);
    }
    for (int s = 0; s < time; s++) {
      int from = causal ? s : 0;
      int out = (rows + s) * width;
      // dv_s = Σ_t P[t, s]·dA_t and dk_s = Σ_t dS[t, s]·q_t over the rows t that see s.
      weightedRows(dQkv, out + vCol, probabilities, pBase + s, time, dAttended, rows * dim + qCol, dim, from, time,
          dh);
      weightedRows(dQkv, out + kCol, ds, s, tp, qkv, rows * width + qCol, width, from, time, dh);
    }
  }

  // ---------------------------------------------------------------------------------------------------------
  // 2×2 stride-2 max pooling.

  private static final VectorSpecies<Integer> INT_SPECIES = VectorSpecies.of(int.class, SPECIES.vectorShape());
  /**
   * Even and odd lanes of two consecutive vectors: each vector rearranged by these, the first half of the lanes
   * taken from the first vector and the second half from the second ({@link #SECOND_HALF}).
   */
  private static final VectorShuffle<Integer> EVEN_LANES = VectorShuffle.fromOp(INT_SPECIES, i -> (2 * i) % LANES);
  private static final VectorShuffle<Integer> ODD_LANES = VectorShuffle.fromOp(INT_SPECIES,
      i -> (2 * i + 1) % LANES);
  private static final VectorMask<Integer> SECOND_HALF = VectorMask.fromLong(INT_SPECIES,
      (LANES == 64 ? -1L : (1L << LANES) - 1) & ~((1L << (LANES / 2)) - 1));
  /** {@code 2·lane}: each output's first input column, relative to the first. */
  private static final IntVector TWICE_LANE = IntVector.zero(INT_SPECIES).addIndex(2);
  /**
   * A window's offsets in its top row, 0 and 1, as constants: made per call, one of them was boxed on every call
   * (80 bytes, JDK 17).
   */
  private static final IntVector ZERO_INTS = IntVector.zero(INT_SPECIES);
  private static final IntVector ONE_INTS = IntVector.broadcast(INT_SPECIES, 1);

  /**
   * Whether {@code v}, later in window order, replaces {@code best}: larger, or the first NaN (lane-wise, on the
   * floats whose bits these are).
   */
  private static VectorMask<Integer> takes(IntVector v, IntVector best) {
    FloatVector fv = v.reinterpretAsFloats();
    FloatVector fb = best.reinterpretAsFloats();
    return fv.compare(VectorOperators.LE, fb).not().and(fb.compare(VectorOperators.EQ, fb)).cast(INT_SPECIES);
  }

  private static IntVector bits(float[] x, int at) {
    return FloatVector.fromArray(SPECIES, x, at).reinterpretAsInts();
  }

  /**
   * {@link Pooling#maxForward} for the 2×2 stride-2 window without padding, {@code LANES} outputs at a time: the
   * top and bottom rows' pairs deinterleaved into even and odd lanes, then the tournament of
   * {@link Pooling#maxForward2x2}'s scalar twin (each row's pair, then the rows), each later candidate winning only
   * when it is larger or the first NaN, so the same element as the scan in window order. Rows narrower than a
   * vector (or not a multiple of it) end with a whole vector spilling into the following rows of the range, which
   * are rewritten in their turn; only the range's last row ends in scalar. Values move as int bits, so a NaN's
   * payload is kept exactly.
   */
  static void maxPool2x2(Conv2dGeometry g, float[] x, float[] out, int[] argmax, int from, int to) {
    int width = g.width;
    int inPlane = g.height * width;
    int outW = g.outWidth;
    int outPlane = g.outputPlane();
    int end = to * outPlane;
    for (int bc = from; bc < to; bc++) {
      int base = bc * inPlane;
      for (int oh = 0; oh < g.outHeight; oh++) {
        int top = base + 2 * oh * width;
        int o = bc * outPlane + oh * outW;
        int ow = 0;
        while (ow < outW) {
          int t = top + 2 * ow;
          if (ow + LANES > outW) {
            // The row's end: a whole vector whose last lanes spill into the next rows, written again when their
            // turn comes; when the range ends here, or the reads would pass the input's end, in scalar.
            if (o + ow + LANES > end || t + width + 2 * LANES > x.length) {
              break;
            }
          }
          int u = t + width;
          IntVector t0 = bits(x, t);
          IntVector t1 = bits(x, t + LANES);
          IntVector u0 = bits(x, u);
          IntVector u1 = bits(x, u + LANES);
          IntVector a = t0.rearrange(EVEN_LANES).blend(t1.rearrange(EVEN_LANES), SECOND_HALF);
          IntVector b = t0.rearrange(ODD_LANES).blend(t1.rearrange(ODD_LANES), SECOND_HALF);
          IntVector c = u0.rearrange(EVEN_LANES).blend(u1.rearrange(EVEN_LANES), SECOND_HALF);
          IntVector d = u0.rearrange(ODD_LANES).blend(u1.rearrange(ODD_LANES), SECOND_HALF);
          VectorMask<Integer> topTakes = takes(b, a);
          VectorMask<Integer> bottomTakes = takes(d, c);
          IntVector first = a.blend(b, topTakes);
          IntVector firstAt = ZERO_INTS.blend(ONE_INTS, topTakes);
          IntVector second = c.blend(d, bottomTakes);
          IntVector secondAt = ZERO_INTS.blend(ONE_INTS, bottomTakes).add(width);
          VectorMask<Integer> secondTakes = takes(second, first);
          first.blend(second, secondTakes).reinterpretAsFloats().intoArray(out, o + ow);
          TWICE_LANE.add(t).add(firstAt.blend(secondAt, secondTakes)).intoArray(argmax, o + ow);
          ow += LANES;
        }
        for (; ow < outW; ow++) {
          int at = top + 2 * ow;
          int under = at + width;
          int where = at;
          float best = x[at];
          for (int k = 1; k < 4; k++) {
            int i = k == 1 ? at + 1 : k == 2 ? under : under + 1;
            float v = x[i];
            if (!(v <= best) && best == best) {
              best = v;
              where = i;
            }
          }
          out[o + ow] = best;
          argmax[o + ow] = where;
        }
      }
    }
  }

  // ---------------------------------------------------------------------------------------------------------
  // Convolution epilogues: the same values as Convolution's scalar loops (MAX is Math.max; a select is exact).

  /** {@link Convolution#toBatchMajor} for ReLU or identity, filters {@code [f0, f1)} of samples {@code [b0, b1)}. */
  static void toBatchMajor(Conv2dGeometry g, float[] product, int batch, float[] params, int biasOff,
      Activation act, float[] out, int f0, int f1, int b0, int b1) {
    int plane = g.outputPlane();
    int rowLength = batch * plane;
    int vectorEnd = SPECIES.loopBound(plane);
    boolean relu = act == Activation.RELU;
    FloatVector zero = FloatVector.zero(SPECIES);
    for (int f = f0; f < f1; f++) {
      float bias = biasOff < 0 ? 0f : params[biasOff + f];
      FloatVector biasV = FloatVector.broadcast(SPECIES, bias);
      for (int b = b0; b < b1; b++) {
        int src = f * rowLength + b * plane;
        int dst = (b * g.filters + f) * plane;
        int p = 0;
        for (; p < vectorEnd; p += LANES) {
          FloatVector v = FloatVector.fromArray(SPECIES, product, src + p).add(biasV);
          (relu ? v.max(zero) : v).intoArray(out, dst + p);
        }
        for (; p < plane; p++) {
          float v = product[src + p] + bias;
          out[dst + p] = relu ? Math.max(v, 0f) : v;
        }
      }
    }
  }

  /**
   * {@link Convolution#toFilterMajorBlock} for ReLU, filters {@code [f0, f1)} of samples {@code [b0, b1)}: the
   * selection in vectors, each plane's bias-gradient sum in the same loop, one vector of partial sums (then
   * {@link #laneSum}, then the last values in order) where {@link Convolution#planeSum}'s four scalar chains of
   * additions took about a third of this step's time on the small CNN's planes. A rounding-level change: the only
   * convolution step whose bits differ from the static method's (they still do not depend on the thread count).
   */
  static void toFilterMajorRelu(Conv2dGeometry g, float[] dy, float[] y, int batch, float[] dz, float[] grads,
      int biasOff, float @org.jspecify.annotations.Nullable [] planeSums, int f0, int f1, int b0, int b1) {
    int plane = g.outputPlane();
    int rowLength = batch * plane;
    int vectorEnd = SPECIES.loopBound(plane);
    FloatVector zero = FloatVector.zero(SPECIES);
    for (int f = f0; f < f1; f++) {
      float sum = 0f;
      for (int b = b0; b < b1; b++) {
        int src = (b * g.filters + f) * plane;
        int dst = f * rowLength + b * plane;
        int p = 0;
        FloatVector partial = zero;
        for (; p < vectorEnd; p += LANES) {
          VectorMask<Float> positive = FloatVector.fromArray(SPECIES, y, src + p).compare(VectorOperators.GT, 0f);
          FloatVector v = zero.blend(FloatVector.fromArray(SPECIES, dy, src + p), positive);
          v.intoArray(dy, src + p);
          v.intoArray(dz, dst + p);
          partial = partial.add(v);
        }
        float s = laneSum(partial);
        for (; p < plane; p++) {
          float v = y[src + p] > 0f ? dy[src + p] : 0f;
          dy[src + p] = v;
          dz[dst + p] = v;
          s += v;
        }
        if (biasOff >= 0) {
          if (planeSums != null) {
            planeSums[f * batch + b] = s;
          } else {
            sum += s;
          }
        }
      }
      if (biasOff >= 0 && planeSums == null) {
        grads[biasOff + f] += sum;
      }
    }
  }

  /**
   * The lanes of {@code v} added in lane order, each lane read with a constant index (an index C2 does not see as
   * a constant would box the vector on JDK 17). Not {@code reduceLanes}, whose order the Vector API leaves open.
   */
  private static float laneSum(FloatVector v) {
    float s = v.lane(0) + v.lane(1);
    if (LANES > 2) {
      s += v.lane(2);
      s += v.lane(3);
    }
    if (LANES > 4) {
      s += v.lane(4);
      s += v.lane(5);
      s += v.lane(6);
      s += v.lane(7);
    }
    if (LANES > 8) {
      s += v.lane(8);
      s += v.lane(9);
      s += v.lane(10);
      s += v.lane(11);
      s += v.lane(12);
      s += v.lane(13);
      s += v.lane(14);
      s += v.lane(15);
    }
    for (int l = 16; l < LANES; l++) {
      // Wider than AVX-512 (SVE): correct, if slower.
      s += v.lane(l);
    }
    return s;
  }

  /**
   * {@link Elementwise#activationBackwardColumns} for ReLU and identity: the selection in vectors (as
   * {@link #toFilterMajorRelu}); four vectors of columns at a time down all the rows, their bias gradients held in
   * registers, so each column's gradient is the scalar loop's chain of additions over the rows in order. Down the
   * columns rather than along the rows: two threads on neighbouring column ranges meet at the cache lines they
   * share once, the first thread at its end and the second at its start, rather than at every row.
   */
  static void activationBackwardColumns(float[] dy, float[] y, int rows, int n, Activation act, float slope,
      float[] grads, int biasGradOff, int from, int to) {
    boolean relu = act == Activation.RELU;
    boolean bias = biasGradOff >= 0;
    if (!relu && act != Activation.IDENTITY || !relu && !bias) {
      Elementwise.activationBackwardColumns(dy, y, rows, n, act, slope, grads, biasGradOff, from, to);
      return;
    }
    int j = from;
    for (; j + 4 * LANES <= to; j += 4 * LANES) {
      FloatVector s0 = biasSum(grads, biasGradOff + j, bias);
      FloatVector s1 = biasSum(grads, biasGradOff + j + LANES, bias);
      FloatVector s2 = biasSum(grads, biasGradOff + j + 2 * LANES, bias);
      FloatVector s3 = biasSum(grads, biasGradOff + j + 3 * LANES, bias);
      for (int at = j, end = j + rows * n; at < end; at += n) {
        FloatVector d0 = FloatVector.fromArray(SPECIES, dy, at);
        FloatVector d1 = FloatVector.fromArray(SPECIES, dy, at + LANES);
        FloatVector d2 = FloatVector.fromArray(SPECIES, dy, at + 2 * LANES);
        FloatVector d3 = FloatVector.fromArray(SPECIES, dy, at + 3 * LANES);
        if (relu) {
          d0 = whereYPositive(d0, y, at);
          d1 = whereYPositive(d1, y, at + LANES);
          d2 = whereYPositive(d2, y, at + 2 * LANES);
          d3 = whereYPositive(d3, y, at + 3 * LANES);
          d0.intoArray(dy, at);
          d1.intoArray(dy, at + LANES);
          d2.intoArray(dy, at + 2 * LANES);
          d3.intoArray(dy, at + 3 * LANES);
        }
        s0 = s0.add(d0);
        s1 = s1.add(d1);
        s2 = s2.add(d2);
        s3 = s3.add(d3);
      }
      if (bias) {
        s0.intoArray(grads, biasGradOff + j);
        s1.intoArray(grads, biasGradOff + j + LANES);
        s2.intoArray(grads, biasGradOff + j + 2 * LANES);
        s3.intoArray(grads, biasGradOff + j + 3 * LANES);
      }
    }
    for (; j + LANES <= to; j += LANES) {
      FloatVector s0 = biasSum(grads, biasGradOff + j, bias);
      for (int at = j, end = j + rows * n; at < end; at += n) {
        FloatVector d0 = FloatVector.fromArray(SPECIES, dy, at);
        if (relu) {
          d0 = whereYPositive(d0, y, at);
          d0.intoArray(dy, at);
        }
        s0 = s0.add(d0);
      }
      if (bias) {
        s0.intoArray(grads, biasGradOff + j);
      }
    }
    for (; j < to; j++) {
      float sum = bias ? grads[biasGradOff + j] : 0f;
      for (int at = j, end = j + rows * n; at < end; at += n) {
        float d = dy[at];
        if (relu) {
          d = y[at] > 0f ? d : 0f;
          dy[at] = d;
        }
        sum += d;
      }
      if (bias) {
        grads[biasGradOff + j] = sum;
      }
    }
  }

  /**
   * A bias gradient's running sums from {@code grads[at..]}, or zero without a bias. The zero vector is made where
   * it is used, never held in a variable across the loops: one held there was boxed once per call by JDK 17's C2
   * (80 bytes per dense layer's backward, in a JVM that trained one MLP at batch 32 or 256 from its start).
   */
  private static FloatVector biasSum(float[] grads, int at, boolean bias) {
    return bias ? FloatVector.fromArray(SPECIES, grads, at) : FloatVector.zero(SPECIES);
  }

  /** {@code d} where {@code y[at..]} is positive, else 0 (ReLU's derivative), with a zero made here, as above. */
  private static FloatVector whereYPositive(FloatVector d, float[] y, int at) {
    return FloatVector.zero(SPECIES).blend(d, FloatVector.fromArray(SPECIES, y, at).compare(VectorOperators.GT, 0f));
  }

  /** {@code dx[d + k] += columns[s + k]} for {@code k < n} ({@link Convolution.SpanAdd}). */
  static void addSpan(float[] dx, int d, float[] columns, int s, int n) {
    int k = 0;
    for (int end = SPECIES.loopBound(n); k < end; k += LANES) {
      FloatVector.fromArray(SPECIES, dx, d + k).add(FloatVector.fromArray(SPECIES, columns, s + k))
          .intoArray(dx, d + k);
    }
    for (; k < n; k++) {
      dx[d + k] += columns[s + k];
    }
  }

  // ---------------------------------------------------------------------------------------------------------
  // Recurrences: one thread's rows of a product (SplittingKernels.productRows).

  @Override
  void productRows(int thread, boolean transposedB, float[] c, int cOff, float[] a, int aOff, float[] b, int bOff,
      int m, int n, int k, boolean accumulate, int fullRows, boolean samePackedB) {
    Workspace w = workspaces[thread];
    Product p = w.product.set(c, cOff, a, aOff, k, 1, b, bOff, transposedB ? 1 : n, transposedB ? k : 1, m, n, k,
        accumulate);
    if (m == 0 || n == 0) {
      return;
    }
    if (k == 0) {
      if (!accumulate) {
        java.util.Arrays.fill(c, cOff, cOff + m * n, 0f);
      }
      return;
    }
    // The path gemm takes for the whole product: the few-rows one sums otherwise.
    if (fullRows <= FEW_ROWS) {
      fewRows(p, w.lanes);
      return;
    }
    int chunk = deepChunk(fullRows, n, k);
    if (chunk > 0) {
      deepChunks(w, p, chunk, 0, (k + chunk - 1) / chunk, 0, n, halves(fullRows, n, k), w.ensureDeepScratch(m * n),
          true);
      return;
    }
    blocks(w, p, 0, m, 0, n, samePackedB, null);
  }

  /**
   * The recurrent gates in float from {@link #exp(FloatVector)}, a vector at a time (a GRU of 128 units at batch 64
   * spent two thirds of its training step in {@code Math.exp} one value at a time): {@code σ(x) = 1/(1 + e^-x)};
   * {@code tanh(x) = ±(1 - e)/(1 + e)}, {@code e = e^(-2|x|)}, for {@code |x| ≥ 0.625}, Cephes' odd series below
   * (where {@code 1 - e} would cancel), and {@code x} itself where {@code |x| < 2^-12} (as
   * {@link RecurrentKernels#tanh}). Measured over half a million values ({@code GateFunctionsTest}): sigmoid within
   * 2 ulps of the exact version, tanh within 1 ulp; the last values of a span that fill no vector
   * take the scalar twins, the same operations on one lane.
   */
  static final GateFunctions VECTOR_GATES = new GateFunctions() {
    @Override
    void sigmoid(float[] x, int from, int to) {
      int end = from + SPECIES.loopBound(to - from);
      int i = from;
      for (; i < end; i += LANES) {
        FloatVector v = FloatVector.fromArray(SPECIES, x, i);
        FloatVector.broadcast(SPECIES, 1f).div(exp(v.neg()).add(1f)).intoArray(x, i);
      }
      for (; i < to; i++) {
        x[i] = VectorKernels.sigmoid(x[i]);
      }
    }

    @Override
    void tanh(float[] x, int from, int to) {
      int end = from + SPECIES.loopBound(to - from);
      int i = from;
      for (; i < end; i += LANES) {
        FloatVector v = FloatVector.fromArray(SPECIES, x, i);
        FloatVector a = v.abs();
        FloatVector e = exp(a.mul(-2f));
        FloatVector t = FloatVector.broadcast(SPECIES, 1f).sub(e).div(e.add(1f));
        t = t.blend(t.neg(), v.compare(VectorOperators.LT, 0f));
        FloatVector s = v.mul(v);
        FloatVector p = s.fma(TANH_C4, TANH_C3);
        p = p.fma(s, FloatVector.broadcast(SPECIES, TANH_C2));
        p = p.fma(s, FloatVector.broadcast(SPECIES, TANH_C1));
        p = p.fma(s, FloatVector.broadcast(SPECIES, TANH_C0));
        t = t.blend(p.mul(s).fma(v, v), a.compare(VectorOperators.LT, TANH_SERIES));
        t.blend(v, a.compare(VectorOperators.LT, 0x1p-12f)).intoArray(x, i);
      }
      for (; i < to; i++) {
        x[i] = gateTanh(x[i]);
      }
    }

    /**
     * {@link RecurrentKernels#gruForwardRow} a vector of units at a time, each lane the scalar loop's float
     * operations in its order (so the same bits; the first step, without a recurrent part, in a loop of its own);
     * a missing previous state reads zeros, as the scalar loop's {@code 0f}.
     */
    @Override
    void gruForwardRow(int h, float[] projection, int p, float[] recurrent, int r, boolean first, float[] params,
        int biasIhOff, int biasHhOff, float[] gates, int q, float[] newRecurrent, int s, float[] hidden, int prev,
        float[] out, int o) {
      int end = SPECIES.loopBound(h);
      int j = 0;
      if (first) {
        for (; j < end; j += LANES) {
          FloatVector.fromArray(SPECIES, projection, p + j).add(FloatVector.fromArray(SPECIES, params, biasIhOff + j))
              .add(FloatVector.fromArray(SPECIES, params, biasHhOff + j)).intoArray(gates, q + j);
          FloatVector.fromArray(SPECIES, projection, p + h + j)
              .add(FloatVector.fromArray(SPECIES, params, biasIhOff + h + j))
              .add(FloatVector.fromArray(SPECIES, params, biasHhOff + h + j)).intoArray(gates, q + h + j);
          FloatVector.fromArray(SPECIES, params, biasHhOff + 2 * h + j).intoArray(newRecurrent, s + j);
        }
      } else {
        for (; j < end; j += LANES) {
          FloatVector.fromArray(SPECIES, projection, p + j).add(FloatVector.fromArray(SPECIES, params, biasIhOff + j))
              .add(FloatVector.fromArray(SPECIES, params, biasHhOff + j))
              .add(FloatVector.fromArray(SPECIES, recurrent, r + j)).intoArray(gates, q + j);
          FloatVector.fromArray(SPECIES, projection, p + h + j)
              .add(FloatVector.fromArray(SPECIES, params, biasIhOff + h + j))
              .add(FloatVector.fromArray(SPECIES, params, biasHhOff + h + j))
              .add(FloatVector.fromArray(SPECIES, recurrent, r + h + j)).intoArray(gates, q + h + j);
          FloatVector.fromArray(SPECIES, params, biasHhOff + 2 * h + j)
              .add(FloatVector.fromArray(SPECIES, recurrent, r + 2 * h + j)).intoArray(newRecurrent, s + j);
        }
      }
      RecurrentKernels.gruSums(j, h, projection, p, recurrent, r, first, params, biasIhOff, biasHhOff, gates, q,
          newRecurrent, s);
      sigmoid(gates, q, q + 2 * h);
      j = 0;
      for (; j < end; j += LANES) {
        FloatVector.fromArray(SPECIES, projection, p + 2 * h + j)
            .add(FloatVector.fromArray(SPECIES, params, biasIhOff + 2 * h + j))
            .add(FloatVector.fromArray(SPECIES, gates, q + j).mul(FloatVector.fromArray(SPECIES, newRecurrent, s + j)))
            .intoArray(gates, q + 2 * h + j);
      }
      RecurrentKernels.gruCandidate(j, h, projection, p, params, biasIhOff, gates, q, newRecurrent, s);
      tanh(gates, q + 2 * h, q + 3 * h);
      float[] hiddenOrZeros = first ? rowZeros(h) : hidden;
      int hiddenAt = first ? 0 : prev;
      j = 0;
      for (; j < end; j += LANES) {
        FloatVector n = FloatVector.fromArray(SPECIES, gates, q + 2 * h + j);
        FloatVector y = n.add(FloatVector.fromArray(SPECIES, gates, q + h + j)
            .mul(FloatVector.fromArray(SPECIES, hiddenOrZeros, hiddenAt + j).sub(n)));
        y.intoArray(hidden, s + j);
        if (o >= 0) {
          y.intoArray(out, o + j);
        }
      }
      RecurrentKernels.gruState(j, h, first, gates, q, hidden, prev, s, out, o);
    }

    /** {@link RecurrentKernels#lstmForwardRow} a vector of units at a time, as {@link #gruForwardRow}. */
    @Override
    void lstmForwardRow(int h, float[] projection, int p, float[] recurrent, int r, boolean first, float[] params,
        int biasIhOff, int biasHhOff, float[] gates, int q, float[] cells, float[] cellTanh, int s, float[] hidden,
        int prev, float[] out, int o) {
      int end = SPECIES.loopBound(h);
      int j = 0;
      if (first) {
        for (; j < end; j += LANES) {
          for (int k = 0; k < 4; k++) {
            FloatVector.fromArray(SPECIES, projection, p + k * h + j)
                .add(FloatVector.fromArray(SPECIES, params, biasIhOff + k * h + j))
                .add(FloatVector.fromArray(SPECIES, params, biasHhOff + k * h + j)).intoArray(gates, q + k * h + j);
          }
        }
      } else {
        for (; j < end; j += LANES) {
          for (int k = 0; k < 4; k++) {
            FloatVector.fromArray(SPECIES, projection, p + k * h + j)
                .add(FloatVector.fromArray(SPECIES, params, biasIhOff + k * h + j))
                .add(FloatVector.fromArray(SPECIES, params, biasHhOff + k * h + j))
                .add(FloatVector.fromArray(SPECIES, recurrent, r + k * h + j)).intoArray(gates, q + k * h + j);
          }
        }
      }
      RecurrentKernels.lstmSums(j, h, projection, p, recurrent, r, first, params, biasIhOff, biasHhOff, gates, q);
      sigmoid(gates, q, q + 2 * h);
      tanh(gates, q + 2 * h, q + 3 * h);
      sigmoid(gates, q + 3 * h, q + 4 * h);
      float[] cellsOrZeros = first ? rowZeros(h) : cells;
      int cellsAt = first ? 0 : prev;
      j = 0;
      for (; j < end; j += LANES) {
        FloatVector c = FloatVector.fromArray(SPECIES, gates, q + h + j)
            .mul(FloatVector.fromArray(SPECIES, cellsOrZeros, cellsAt + j))
            .add(FloatVector.fromArray(SPECIES, gates, q + j)
                .mul(FloatVector.fromArray(SPECIES, gates, q + 2 * h + j)));
        c.intoArray(cells, s + j);
        c.intoArray(cellTanh, s + j);
      }
      RecurrentKernels.lstmCell(j, h, first, gates, q, cells, cellTanh, s, prev);
      tanh(cellTanh, s, s + h);
      j = 0;
      for (; j < end; j += LANES) {
        FloatVector y = FloatVector.fromArray(SPECIES, gates, q + 3 * h + j)
            .mul(FloatVector.fromArray(SPECIES, cellTanh, s + j));
        y.intoArray(hidden, s + j);
        if (o >= 0) {
          y.intoArray(out, o + j);
        }
      }
      RecurrentKernels.lstmState(j, h, gates, q, cellTanh, hidden, s, out, o);
    }

    /** {@link RecurrentKernels#lstmBackwardRow} a vector of units at a time, as {@link #gruBackwardRow}. */
    @Override
    void lstmBackwardRow(int h, float[] dy, int o, float[] gates, int q, float[] cells, float[] cellTanh, int s,
        int prev, float[] stateGrad, int sh, int sc, float[] projectionGrad, int p,
        float @org.jspecify.annotations.Nullable [] partials, int pc) {
      if (partials == null) {
        super.lstmBackwardRow(h, dy, o, gates, q, cells, cellTanh, s, prev, stateGrad, sh, sc, projectionGrad, p,
            null, pc);
        return;
      }
      float[] dyOrZeros = o >= 0 ? dy : rowZeros(h);
      int dyAt = o >= 0 ? o : 0;
      float[] cellsOrZeros = prev >= 0 ? cells : rowZeros(h);
      int cellsAt = prev >= 0 ? prev : 0;
      FloatVector zero = FloatVector.zero(SPECIES);
      int end = SPECIES.loopBound(h);
      int j = 0;
      for (; j < end; j += LANES) {
        FloatVector one = FloatVector.broadcast(SPECIES, 1f);
        FloatVector dh = FloatVector.fromArray(SPECIES, stateGrad, sh + j)
            .add(FloatVector.fromArray(SPECIES, dyOrZeros, dyAt + j));
        FloatVector in = FloatVector.fromArray(SPECIES, gates, q + j);
        FloatVector forget = FloatVector.fromArray(SPECIES, gates, q + h + j);
        FloatVector candidate = FloatVector.fromArray(SPECIES, gates, q + 2 * h + j);
        FloatVector output = FloatVector.fromArray(SPECIES, gates, q + 3 * h + j);
        FloatVector tc = FloatVector.fromArray(SPECIES, cellTanh, s + j);
        FloatVector cPrev = FloatVector.fromArray(SPECIES, cellsOrZeros, cellsAt + j);
        FloatVector dc = FloatVector.fromArray(SPECIES, stateGrad, sc + j)
            .add(dh.mul(output).mul(one.sub(tc.mul(tc))));
        FloatVector di = dc.mul(candidate).mul(in).mul(one.sub(in));
        FloatVector df = dc.mul(cPrev).mul(forget).mul(one.sub(forget));
        FloatVector dg = dc.mul(in).mul(one.sub(candidate.mul(candidate)));
        FloatVector dout = dh.mul(tc).mul(output).mul(one.sub(output));
        di.intoArray(projectionGrad, p + j);
        df.intoArray(projectionGrad, p + h + j);
        dg.intoArray(projectionGrad, p + 2 * h + j);
        dout.intoArray(projectionGrad, p + 3 * h + j);
        di.intoArray(gates, q + j);
        df.intoArray(gates, q + h + j);
        dg.intoArray(gates, q + 2 * h + j);
        dout.intoArray(gates, q + 3 * h + j);
        FloatVector.fromArray(SPECIES, partials, pc + j).add(di).intoArray(partials, pc + j);
        FloatVector.fromArray(SPECIES, partials, pc + h + j).add(df).intoArray(partials, pc + h + j);
        FloatVector.fromArray(SPECIES, partials, pc + 2 * h + j).add(dg).intoArray(partials, pc + 2 * h + j);
        FloatVector.fromArray(SPECIES, partials, pc + 3 * h + j).add(dout).intoArray(partials, pc + 3 * h + j);
        zero.intoArray(stateGrad, sh + j);
        dc.mul(forget).intoArray(stateGrad, sc + j);
      }
      if (j < h) {
        RecurrentKernels.lstmBackwardRow(j, h, dy, o, gates, q, cells, cellTanh, s, prev, stateGrad, sh, sc,
            projectionGrad, p, partials, pc);
      }
    }

    /**
     * {@link RecurrentKernels#gruBackwardRow} a vector of units at a time, each lane the scalar loop's float
     * operations in its order (so the same bits); a missing {@code dy} or previous state reads zeros, as the scalar
     * loop adds and subtracts {@code 0f}; without chunk sums (no caller passes none), the scalar loop.
     */
    @Override
    void gruBackwardRow(int h, float[] dy, int o, float[] gates, int q, float[] newRecurrent, int s,
        float[] hidden, int prev, float[] stateGrad, int sg, float[] projectionGrad, int p,
        float @org.jspecify.annotations.Nullable [] partials, int pc) {
      if (partials == null) {
        super.gruBackwardRow(h, dy, o, gates, q, newRecurrent, s, hidden, prev, stateGrad, sg, projectionGrad, p,
            null, pc);
        return;
      }
      float[] dyOrZeros = o >= 0 ? dy : rowZeros(h);
      int dyAt = o >= 0 ? o : 0;
      float[] hiddenOrZeros = prev >= 0 ? hidden : rowZeros(h);
      int hiddenAt = prev >= 0 ? prev : 0;
      int end = SPECIES.loopBound(h);
      int j = 0;
      for (; j < end; j += LANES) {
        FloatVector dh = FloatVector.fromArray(SPECIES, stateGrad, sg + j)
            .add(FloatVector.fromArray(SPECIES, dyOrZeros, dyAt + j));
        FloatVector reset = FloatVector.fromArray(SPECIES, gates, q + j);
        FloatVector update = FloatVector.fromArray(SPECIES, gates, q + h + j);
        FloatVector n = FloatVector.fromArray(SPECIES, gates, q + 2 * h + j);
        FloatVector hPrev = FloatVector.fromArray(SPECIES, hiddenOrZeros, hiddenAt + j);
        FloatVector one = FloatVector.broadcast(SPECIES, 1f);
        FloatVector dn = dh.mul(one.sub(update)).mul(one.sub(n.mul(n)));
        FloatVector dz = dh.mul(hPrev.sub(n)).mul(update).mul(one.sub(update));
        FloatVector dr = dn.mul(FloatVector.fromArray(SPECIES, newRecurrent, s + j)).mul(reset)
            .mul(one.sub(reset));
        FloatVector dhn = dn.mul(reset);
        dr.intoArray(projectionGrad, p + j);
        dz.intoArray(projectionGrad, p + h + j);
        dn.intoArray(projectionGrad, p + 2 * h + j);
        dr.intoArray(gates, q + j);
        dz.intoArray(gates, q + h + j);
        dhn.intoArray(gates, q + 2 * h + j);
        FloatVector.fromArray(SPECIES, partials, pc + j).add(dr).intoArray(partials, pc + j);
        FloatVector.fromArray(SPECIES, partials, pc + h + j).add(dz).intoArray(partials, pc + h + j);
        FloatVector.fromArray(SPECIES, partials, pc + 2 * h + j).add(dn).intoArray(partials, pc + 2 * h + j);
        FloatVector.fromArray(SPECIES, partials, pc + 3 * h + j).add(dhn).intoArray(partials, pc + 3 * h + j);
        dh.mul(update).intoArray(stateGrad, sg + j);
      }
      if (j < h) {
        // The last units, one at a time: the scalar loop on views starting at unit j.
        RecurrentKernels.gruBackwardRow(j, h, dy, o, gates, q, newRecurrent, s, hidden, prev, stateGrad, sg,
            projectionGrad, p, partials, pc);
      }
    }
  };

  /** Zeros standing for a missing {@code dy}, previous state or cell in {@link #VECTOR_GATES}' rows; grown. */
  private static volatile float[] rowZeros = new float[0];

  private static float[] rowZeros(int n) {
    float[] z = rowZeros;
    if (z.length < n) {
      z = new float[n];
      rowZeros = z;
    }
    return z;
  }

  /** Below this {@code |x|} the gates' tanh is Cephes' odd series (where {@code 1 - e^(-2|x|)} would cancel). */
  static final float TANH_SERIES = 0.625f;
  /** Cephes' {@code tanhf}: {@code tanh x ≈ x + x³·(C0 + C1·x² + … + C4·x⁸)} for {@code |x| < 0.625}. */
  static final float TANH_C0 = -3.33332819422e-1f;
  static final float TANH_C1 = 1.33314422036e-1f;
  static final float TANH_C2 = -5.37397155531e-2f;
  static final float TANH_C3 = 2.06390887954e-2f;
  static final float TANH_C4 = -5.70498872745e-3f;

  /** The scalar twin of {@link #VECTOR_GATES}' tanh. */
  static float gateTanh(float x) {
    float a = Math.abs(x);
    if (a < 0x1p-12f) {
      return x;
    }
    if (a < TANH_SERIES) {
      float s = x * x;
      float p = Math.fma(s, TANH_C4, TANH_C3);
      p = Math.fma(p, s, TANH_C2);
      p = Math.fma(p, s, TANH_C1);
      p = Math.fma(p, s, TANH_C0);
      return Math.fma(p * s, x, x);
    }
    float e = exp(a * -2f);
    float t = (1f - e) / (e + 1f);
    return x < 0f ? -t : t;
  }

  @Override
  GateFunctions gateFunctions() {
    return VECTOR_GATES;
  }

  @Override
  void addTo(float[] dst, int dstOff, float[] src, int srcOff, int n) {
    addSpan(dst, dstOff, src, srcOff, n);
  }
}
