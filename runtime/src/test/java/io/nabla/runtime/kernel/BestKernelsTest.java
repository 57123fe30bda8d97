package io.nabla.runtime.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nabla.Activation;
import io.nabla.runtime.Rng;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link Kernels#best} against {@link ReferenceKernels}: on {@code target/classes} these are the portable kernels,
 * in the runtime pom's {@code vector-kernels} run (the jar, {@code --add-modules jdk.incubator.vector}) the Vector
 * API kernels, which {@code nabla.test.bestKernels} makes sure of. Results agree with the reference to rounding
 * ({@code ‖best - reference‖₂ ≤ 1e-5 · ‖reference‖₂}), are bitwise identical for 1, 2 and 3 threads, and nothing
 * outside the output region is written.
 */
class BestKernelsTest {
  private static final float SENTINEL = 12345.678f;

  /**
   * m, n, k: few rows (m ≤ 4, unpacked), whole and cut tiles (8 × 32 on AVX-512), depth, row and column blocks
   * crossed (256, 128, 512), and products large enough to be split over threads by columns and by rows; one-row
   * products split by columns and shallow ones (a weight gradient at batch 1) split by rows for their memory
   * traffic ({@code VectorKernels.MEMORY_SPLIT}); outer products (depth 1) streamed by rows, with a scalar tail
   * ({@code 256 × 790}), and one split by columns into tiles on 3 threads ({@code 9 × 8000}), whose bits must be the
   * streamed ones; narrow products ({@code NT} of at most 12 columns, and of one column whichever the layout), whole
   * and cut row panels, on one thread and split by rows (also below the general threshold: {@code 256 × 10 × 128},
   * {@code 97 × 11 × 200}, {@code 33 × 12 × 400}, {@code VectorKernels.NARROW_SPLIT}); products split by rows with
   * cut panels ({@code 600 × 70 × 300}, {@code 203 × 45 × 700}) and by columns across column and depth blocks
   * ({@code 40 × 1100 × 600}), with {@code A} packed once and shared by the threads ({@code 130 × 400 × 700});
   * products at least twice as deep as wide summed over two halves of their depth ({@code 130 × 300 × 700});
   * deep products ({@code VectorKernels.DEEP}: depth at least 4096, rows and columns at
   * most a sixteenth of it) split by depth.
   */
  private static final int[][] SHAPES = {
      {1, 1, 1}, {1, 300, 300}, {2, 64, 1}, {3, 5, 7}, {4, 33, 17}, {4, 10, 784}, {5, 9, 40}, {8, 32, 256},
      {9, 31, 33}, {17, 33, 65}, {40, 3, 300}, {130, 70, 9}, {13, 600, 20}, {11, 40, 600}, {64, 256, 784},
      {300, 40, 400}, {40, 1000, 120}, {1, 256, 784}, {1, 1000, 70}, {1, 130, 600}, {256, 784, 1},
      {70, 1000, 5}, {256, 790, 1}, {9, 8000, 1}, {20, 33, 1}, {16, 9, 30000}, {37, 12, 20000}, {64, 10, 1568},
      {256, 10, 128}, {97, 11, 200}, {33, 12, 400}, {600, 70, 300}, {203, 45, 700}, {40, 1100, 600},
      {70, 1, 70000}, {33, 13, 500},
      // Split by columns with A packed once for every thread (VectorKernels.SHARED_PACK), rows cut short of a
      // panel and of a row block, three depth blocks; and with A just under the threshold.
      {130, 400, 700}, {43, 500, 760},
      // Two halves of the depth summed (VectorKernels.HALVES_SIDE): the shape above with fewer columns (split by
      // columns before), and one with cut column tiles.
      {130, 300, 700}, {64, 100, 2000},
      // Deep products (VectorKernels.DEEP): depth split in fixed chunks, the first into c, the others summed in
      // order; the small CNN's conv2 weight gradient at batch 64, a depth just at the threshold, chunks cut short,
      // narrow ones with rows not in whole vectors.
      {32, 144, 12544}, {33, 140, 4100}, {16, 9, 4096}, {17, 5, 9000}, {9, 12, 20011},
      // Split though below the threshold (VectorKernels.slow): a weight gradient of few units (2 row tiles), a
      // narrow product with a large A; split by rows for C's memory traffic alone (9 row tiles: uneven parts).
      {10, 1568, 64}, {13, 1200, 40}, {64, 1568, 10}, {72, 1000, 12}, {40, 7, 2000},
      // Just at VectorKernels.MEMORY_SPLIT (2^15 floats): the MLP's second layer at batch 1 (forward, input
      // gradient, weight gradient); and one float short of it (151 × 217 = 32,767).
      {1, 128, 256}, {1, 256, 128}, {128, 256, 1}, {1, 151, 217}, {217, 151, 1},
      // NT of 25 to 32 rows computed as its transpose on 16-lane vectors (VectorKernels.transposedBlocks): the
      // MLP's forwards at batch 32, columns past the last eight, split by columns; split by rows for C's memory
      // traffic (transposed on one thread, its row chunks in the tiles on two and three).
      {32, 256, 784}, {32, 128, 256}, {27, 45, 100}, {30, 1000, 300}, {32, 40, 2000}, {25, 13, 9},
      {27, 1300, 5}, {32, 2000, 8},
      // Just at VectorKernels.SPLIT_FROM (2^21 multiply-adds, split by columns): the MLP's second forward at batch
      // 64; one depth short of it (on the calling thread); between it and PARALLEL_THRESHOLD, split by columns, by
      // rows, and by columns with A packed once for all threads (by rows on three).
      {64, 128, 256}, {64, 128, 255}, {100, 130, 200}, {130, 100, 200}, {64, 64, 512}};

  @Test
  void bestIsTheExpectedImplementation() {
    String expected = System.getProperty("nabla.test.bestKernels");
    if (expected != null) {
      assertEquals(expected, Kernels.best().getClass().getSimpleName());
    }
  }

  static Stream<Arguments> products() {
    return everyLayout(SHAPES);
  }

  /** Each shape {@code {m, n, k}} as an NN, NT and TN product, overwriting and accumulating. */
  private static Stream<Arguments> everyLayout(int[][] shapes) {
    List<Arguments> cases = new ArrayList<>();
    for (int[] s : shapes) {
      for (String op : new String[] {"NN", "NT", "TN"}) {
        for (boolean accumulate : new boolean[] {false, true}) {
          cases.add(Arguments.of(op, s[0], s[1], s[2], accumulate));
        }
      }
    }
    return cases.stream();
  }

  @ParameterizedTest(name = "{0} m={1} n={2} k={3} acc={4}")
  @MethodSource("products")
  void productMatchesTheReferenceForEveryThreadCount(String op, int m, int n, int k, boolean accumulate) {
    Rng rng = new Rng(((op.hashCode() * 31L + m) * 31 + n) * 31 + k);
    int aOff = 3;
    int bOff = 5;
    int cOff = 7;
    float[] a = padded(rng, aOff, m * k);
    float[] b = padded(rng, bOff, k * n);
    float[] c0 = padded(rng, cOff, m * n);
    float[] expected = c0.clone();
    run(new ReferenceKernels(), op, expected, cOff, a, aOff, b, bOff, m, n, k, accumulate);
    float[] one = null;
    for (int threads = 1; threads <= 3; threads++) {
      float[] actual = c0.clone();
      run(Kernels.best(threads), op, actual, cOff, a, aOff, b, bOff, m, n, k, accumulate);
      assertClose(expected, actual, cOff, m * n);
      assertOutsideUntouched(c0, actual, cOff, m * n);
      if (one == null) {
        one = actual;
      } else {
        assertArrayEquals(one, actual, threads + " threads give other bits than 1");
      }
    }
    if (!accumulate) {
      float[] garbage = padded(new Rng(99), cOff, m * n);
      run(Kernels.best(), op, garbage, cOff, a, aOff, b, bOff, m, n, k, false);
      assertArrayEquals(Arrays.copyOfRange(one, cOff, cOff + m * n),
          Arrays.copyOfRange(garbage, cOff, cOff + m * n), "an overwrite must not depend on c's old contents");
    }
  }

  /**
   * Products whose every element is one chain of multiply-adds over the depths in order, from zero or from {@code c}
   * (more than four rows, depth 2 to 4095: the tiles of both kinds of kernels, the narrow {@code NT} products of at
   * most twelve columns and the transposed batch-32 forwards; edge tiles, depth blocks crossed, odd and even depths,
   * as the Vector API tiles' two-depth loops leave an odd last depth to the one-depth loop), on one thread, give that
   * chain's bits: a fused multiply-add ({@code Math.fma}) on the Vector API kernels, {@link MultiplyAdd#fma} on the
   * portable ones (unfused on Java 8 classes and where the JVM has no fused multiply-add). The runtime's build runs
   * this class on the Vector API kernels a second time with the 8-row tiles' loops for later JDKs
   * ({@code nabla.vector.jdk17Tiles=false}) and the narrow products' older path
   * ({@code nabla.vector.narrowTiles=false}).
   */
  @ParameterizedTest(name = "{0} m={1} n={2} k={3} acc={4}")
  @MethodSource("chains")
  void tiledProductsGiveTheBitsOfOneChainInDepthOrder(String op, int m, int n, int k, boolean accumulate)
      throws Throwable {
    float[][] abc = operands(new Rng(((op.hashCode() * 17L + m) * 17 + n) * 17 + k), m, n, k);
    float[] c = abc[2];
    float[] expected = chains(op, abc[0], abc[1], c, m, n, k, accumulate, k);
    run(Kernels.best(1), op, c, 3, abc[0], 1, abc[1], 2, m, n, k, accumulate);
    assertArrayEquals(expected, c);
  }

  /**
   * Products at least twice as deep as they are tall and wide, of 64 rows and columns or more and 2^22 multiply-adds
   * or more ({@code VectorKernels.HALVES_SIDE}), give on the Vector API kernels, on 1 to 4 threads, the bits of
   * two chains added: over the depths {@code [0, h)} from zero or from {@code c}, plus over {@code [h, k)} from zero,
   * {@code h = ⌈k/2⌉} rounded up to a multiple of 8; on the portable kernels, one chain. Just at the threshold, cut
   * tiles with an odd second half, and the MLP's first layer forward at batch 256.
   */
  @ParameterizedTest(name = "{0} m={1} n={2} k={3} acc={4}")
  @MethodSource("halves")
  void productsTwiceAsDeepAsWideSumTwoHalvesOfTheirDepth(String op, int m, int n, int k, boolean accumulate)
      throws Throwable {
    float[][] abc = operands(new Rng(((op.hashCode() * 13L + m) * 13 + n) * 13 + k), m, n, k);
    boolean vector = Kernels.best(1).getClass().getSimpleName().equals("VectorKernels");
    float[] expected = chains(op, abc[0], abc[1], abc[2], m, n, k, accumulate, vector ? ((k + 1) / 2 + 7) & ~7 : k);
    // Four threads cut each half's columns into two bands.
    for (int threads = 1; threads <= 4; threads++) {
      float[] actual = abc[2].clone();
      run(Kernels.best(threads), op, actual, 3, abc[0], 1, abc[1], 2, m, n, k, accumulate);
      assertArrayEquals(expected, actual, threads + " threads");
    }
  }

  /** Random {@code a} ({@code m·k} floats at offset 1), {@code b} ({@code k·n} at 2), {@code c} ({@code m·n} at 3). */
  private static float[][] operands(Rng rng, int m, int n, int k) {
    return new float[][] {padded(rng, 1, m * k), padded(rng, 2, k * n), padded(rng, 3, m * n)};
  }

  /**
   * {@code c} ({@code m × n} at offset 3) with each element {@code op}'s product of {@code a} (at 1) and {@code b} (at
   * 2) as one chain of multiply-adds over the depths {@code [0, half)}, from zero or from {@code c}, plus, when
   * {@code half < k}, a second chain over {@code [half, k)} from zero: fused ({@code Math.fma}) on the Vector API
   * kernels, {@link MultiplyAdd#fma} on the portable ones (unfused on Java 8 classes and where the JVM has no fused
   * multiply-add).
   */
  private static float[] chains(String op, float[] a, float[] b, float[] c, int m, int n, int k, boolean accumulate,
      int half) throws Throwable {
    boolean vector = Kernels.best(1).getClass().getSimpleName().equals("VectorKernels");
    // The Vector API's fma is fused on any JVM, FMA instructions or not: Math.fma, which Java 8 sources cannot name.
    MethodHandle fused = vector ? MethodHandles.lookup().findStatic(Math.class, "fma",
        MethodType.methodType(float.class, float.class, float.class, float.class)) : null;
    float[] expected = c.clone();
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        float first = accumulate ? c[3 + i * n + j] : 0f;
        float second = 0f;
        for (int p = 0; p < k; p++) {
          float x = op.equals("TN") ? a[1 + p * m + i] : a[1 + i * k + p];
          float y = op.equals("NT") ? b[2 + j * k + p] : b[2 + p * n + j];
          if (p < half) {
            first = fused != null ? (float) fused.invokeExact(x, y, first) : MultiplyAdd.fma(x, y, first);
          } else {
            second = fused != null ? (float) fused.invokeExact(x, y, second) : MultiplyAdd.fma(x, y, second);
          }
        }
        expected[3 + i * n + j] = half < k ? first + second : first;
      }
    }
    return expected;
  }

  static Stream<Arguments> halves() {
    return everyLayout(new int[][] {{64, 64, 1024}, {65, 70, 1001}, {100, 64, 700}, {256, 256, 784}});
  }

  static Stream<Arguments> chains() {
    int[][] shapes = {{8, 32, 2}, {9, 33, 3}, {17, 40, 7}, {5, 13, 9}, {32, 128, 256}, {32, 256, 784},
        {27, 45, 101}, {40, 100, 257}, {130, 70, 300}, {64, 784, 33}, {256, 40, 785},
        // At most twelve columns: the narrow NT path (VectorKernels.narrowTiles on 16 lanes), whole and cut row
        // panels and row blocks, depth blocks crossed, one column.
        {256, 10, 128}, {97, 11, 200}, {33, 12, 400}, {64, 10, 1568}, {40, 7, 2000}, {21, 1, 300}, {300, 3, 600}};
    return everyLayout(shapes);
  }

  /**
   * {@link Kernels#denseBackward} gives the bits of its two products called one after the other on one thread, on
   * 1, 2 and 3 threads, with and without the input gradient: shapes (rows, in, units) the Vector API kernels on two
   * threads run side by side ({@code VectorKernels.SIDE_BY_SIDE}: the MLP's middle and last layers at batch 256, the
   * small CNN's dense layer at batch 64, split and cut panels, a layer of one input whose two products take the
   * narrow path), and ones they leave to the two calls (few rows, below the threshold, deep, a weight gradient summed
   * in two halves of its depth: {@code 1024 × 128 × 128}).
   */
  @Test
  void denseBackwardGivesTheBitsOfItsTwoProducts() {
    int[][] shapes = {{256, 256, 128}, {256, 128, 10}, {64, 1568, 10}, {130, 300, 70}, {97, 45, 203},
        {33, 1100, 13}, {600, 1, 500}, {3, 300, 200}, {40, 33, 70}, {5, 64, 6}, {8000, 16, 8}, {1024, 128, 128}};
    for (int[] s : shapes) {
      int rows = s[0];
      int in = s[1];
      int units = s[2];
      Rng rng = new Rng(((rows * 31L) + in) * 31 + units);
      int off = 3;
      float[] dz = padded(rng, off, rows * units);
      float[] x = padded(rng, off, rows * in);
      float[] params = padded(rng, off, units * in);
      float[] grads0 = padded(rng, off, units * in);
      float[] dx0 = padded(rng, off, rows * in);
      float[] gradsExpected = grads0.clone();
      float[] dxExpected = dx0.clone();
      Kernels one = Kernels.best(1);
      one.matmulTN(gradsExpected, off, dz, off, x, off, units, in, rows, true);
      one.matmulNN(dxExpected, off, dz, off, params, off, rows, in, units, true);
      for (int threads = 1; threads <= 3; threads++) {
        String shape = rows + " x " + in + " x " + units + " on " + threads + " threads";
        Kernels kernels = Kernels.best(threads);
        float[] grads = grads0.clone();
        float[] dx = dx0.clone();
        kernels.denseBackward(grads, off, dz, off, x, off, dx, off, params, off, rows, in, units);
        assertArrayEquals(gradsExpected, grads, "weight gradient, " + shape);
        assertArrayEquals(dxExpected, dx, "input gradient, " + shape);
        float[] gradsOnly = grads0.clone();
        kernels.denseBackward(gradsOnly, off, dz, off, x, off, null, 0, params, off, rows, in, units);
        assertArrayEquals(gradsExpected, gradsOnly, "weight gradient without the input's, " + shape);
      }
    }
  }

  /**
   * An {@code NT} product gives the bits of the {@code NN} product with {@code B} transposed beforehand, on 1, 2
   * and 3 threads, where the Vector API kernels take the packed tiles for both (more than 4 rows and 12 columns,
   * not deep): the transposed pack must lay out the row-major copy's panels, panels cut by the edge, several depth
   * and column blocks, {@code A} packed once for a column split ({@code 130 × 400 × 700}) and a product summed in
   * two halves of its depth ({@code 130 × 300 × 700}) included (the columns past the edge are
   * discarded, so their padding is not seen here). On 16-lane vectors an {@code NT} product of 25 to 32 rows is
   * computed as its transpose ({@code VectorKernels.transposedBlocks}), its columns past the last eight in the tiles;
   * its bits must still be the tiles'. The portable kernels' transposing pack is held to the same.
   */
  @Test
  void transposedProductGivesTheBitsOfTheRowMajorOne() {
    int[][] shapes = {{5, 13, 7}, {9, 31, 33}, {17, 33, 65}, {32, 128, 256}, {33, 50, 300}, {32, 256, 784},
        {130, 400, 700}, {130, 300, 700}, {40, 1100, 600}, {27, 45, 100}, {30, 1000, 300}, {32, 40, 2000},
        {25, 13, 9}, {27, 1300, 5}, {32, 2000, 8}};
    for (int[] s : shapes) {
      int m = s[0];
      int n = s[1];
      int k = s[2];
      Rng rng = new Rng(17L * m + 3L * n + k);
      float[] a = padded(rng, 3, m * k);
      float[] w = padded(rng, 5, n * k);
      float[] wt = new float[2 + k * n];
      for (int j = 0; j < n; j++) {
        for (int p = 0; p < k; p++) {
          wt[2 + p * n + j] = w[5 + j * k + p];
        }
      }
      float[] c0 = padded(rng, 1, m * n);
      for (boolean accumulate : new boolean[] {false, true}) {
        for (int threads = 1; threads <= 3; threads++) {
          float[] transposed = c0.clone();
          float[] rowMajor = c0.clone();
          Kernels.best(threads).matmulNT(transposed, 1, a, 3, w, 5, m, n, k, accumulate);
          Kernels.best(threads).matmulNN(rowMajor, 1, a, 3, wt, 2, m, n, k, accumulate);
          assertArrayEquals(rowMajor, transposed, m + "x" + n + "x" + k + " accumulate " + accumulate + " threads "
              + threads);
        }
      }
    }
  }

  @Test
  void denseForwardMatchesTheReference() {
    for (int rows : new int[] {1, 3, 4, 5, 33}) {
      for (boolean bias : new boolean[] {true, false}) {
        int in = 70;
        int units = 37;
        Rng rng = new Rng(rows * 2 + (bias ? 1 : 0));
        float[] x = padded(rng, 5, rows * in);
        float[] params = padded(rng, 3, units * in + units);
        int biasOff = bias ? 3 + units * in : -1;
        float[] expected = new float[rows * units + 2];
        float[] actual = expected.clone();
        new ReferenceKernels().denseForward(expected, x, 5, params, 3, biasOff, rows, in, units, Activation.TANH, 0);
        Kernels.best().denseForward(actual, x, 5, params, 3, biasOff, rows, in, units, Activation.TANH, 0);
        assertClose(expected, actual, 0, rows * units);
        assertEquals(0f, actual[rows * units], "past the output");
      }
    }
  }

  /**
   * The dense forward with its bias and activation applied in the tiles (Vector API kernels: ReLU, leaky ReLU and
   * identity above 4 rows and 12 units) gives the bits of copying the bias, accumulating the product onto it and
   * activating after, on 1, 2 and 3 threads: edge tiles, several depth blocks (the activation only after the last),
   * several column blocks, products split by rows and by columns ({@code A} packed once: {@code 130 × 700 → 400}),
   * summed in two halves of their depth ({@code 256 × 784 → 256}, {@code 64 × 600 → 300}), split just at
   * {@code VectorKernels.SPLIT_FROM} (the MLP's second forward at batch 64, {@code 64 × 256 → 128}), and the shapes
   * that keep the separate passes (a deep one, {@code 64 × 8192 → 200}, among them).
   */
  @Test
  void denseForwardWithItsEpilogueInTheTilesMatchesTheSeparatePassesBitwise() {
    int[][] shapes = {{5, 2, 13}, {33, 70, 37}, {64, 600, 300}, {40, 300, 1100}, {256, 784, 256}, {9, 31, 600},
        {4, 50, 40}, {20, 1, 30}, {30, 40, 12}, {64, 8192, 200}, {32, 784, 256}, {29, 50, 45}, {130, 700, 400},
        {64, 256, 128}};
    Activation[] acts = {Activation.RELU, Activation.LEAKY_RELU, Activation.IDENTITY, Activation.TANH};
    for (int[] s : shapes) {
      int rows = s[0];
      int in = s[1];
      int units = s[2];
      for (Activation act : acts) {
        for (boolean bias : new boolean[] {true, false}) {
          Rng rng = new Rng(31L * rows + units + (bias ? 1 : 0));
          float[] x = padded(rng, 5, rows * in);
          float[] params = padded(rng, 3, units * in + units);
          int biasOff = bias ? 3 + units * in : -1;
          float slope = 0.1f;
          float[] expected = new float[rows * units + 2];
          if (bias) {
            for (int r = 0; r < rows; r++) {
              System.arraycopy(params, biasOff, expected, r * units, units);
            }
          }
          Kernels.best(1).matmulNT(expected, 0, x, 5, params, 3, rows, units, in, bias);
          ActivationFunctions.apply(expected, 0, rows * units, act, slope);
          for (int threads = 1; threads <= 3; threads++) {
            float[] actual = new float[rows * units + 2];
            Arrays.fill(actual, SENTINEL);
            Kernels.best(threads).denseForward(actual, x, 5, params, 3, biasOff, rows, in, units, act, slope);
            assertArrayEquals(Arrays.copyOf(expected, rows * units), Arrays.copyOf(actual, rows * units),
                rows + "x" + in + "->" + units + " " + act + " bias " + bias + " threads " + threads);
            assertEquals(SENTINEL, actual[rows * units], "past the output");
          }
        }
      }
    }
  }

  /** GELU and SiLU run in every implementation's fused dense and add forward; their output-form backward throws. */
  @Test
  void geluAndSiluForwardMatchTheReference() {
    for (Activation act : new Activation[] {Activation.GELU, Activation.SILU}) {
      int rows = 5;
      int in = 70;
      int units = 37;
      Rng rng = new Rng(act.ordinal());
      float[] x = padded(rng, 5, rows * in);
      float[] params = padded(rng, 3, units * in + units);
      float[] expected = new float[rows * units + 2];
      float[] actual = expected.clone();
      new ReferenceKernels().denseForward(expected, x, 5, params, 3, 3 + units * in, rows, in, units, act, 0);
      Kernels best = Kernels.best();
      best.denseForward(actual, x, 5, params, 3, 3 + units * in, rows, in, units, act, 0);
      assertClose(expected, actual, 0, rows * units);
      assertEquals(0f, actual[rows * units], "past the output");

      float[] sum = new float[rows * in];
      best.addForward(sum, new float[][] {x, x}, rows * in, act, 0);
      for (int i = 0; i < rows * in; i++) {
        float[] one = {x[i] + x[i]};
        ActivationFunctions.apply(one, 0, 1, act, 0);
        assertEquals(one[0], sum[i], 0f, act + " add at " + i);
      }
      float[] dy = actual.clone();
      IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
          () -> best.activationBackward(dy, expected, rows, units, act, 0, new float[units], 0));
      assertTrue(e.getMessage().contains("pre-activation"), e.getMessage());
      assertArrayEquals(actual, dy, "dy untouched");
    }
  }

  @Test
  void aKernelsInstanceServesManyShapesInTurn() {
    Kernels best = Kernels.best(2);
    Rng rng = new Rng(5);
    for (int[] s : new int[][] {{64, 256, 784}, {3, 5, 7}, {1, 300, 300}, {40, 1000, 120}, {9, 31, 33}}) {
      float[] a = padded(rng, 0, s[0] * s[2]);
      float[] b = padded(rng, 0, s[1] * s[2]);
      float[] expected = new float[s[0] * s[1]];
      float[] actual = new float[s[0] * s[1]];
      new ReferenceKernels().matmulNT(expected, 0, a, 0, b, 0, s[0], s[1], s[2], false);
      best.matmulNT(actual, 0, a, 0, b, 0, s[0], s[1], s[2], false);
      assertClose(expected, actual, 0, s[0] * s[1]);
    }
  }

  private static void run(Kernels kernels, String op, float[] c, int cOff, float[] a, int aOff, float[] b,
      int bOff, int m, int n, int k, boolean accumulate) {
    switch (op) {
      case "NN":
        kernels.matmulNN(c, cOff, a, aOff, b, bOff, m, n, k, accumulate);
        break;
      case "NT":
        kernels.matmulNT(c, cOff, a, aOff, b, bOff, m, n, k, accumulate);
        break;
      default:
        kernels.matmulTN(c, cOff, a, aOff, b, bOff, m, n, k, accumulate);
    }
  }

  private static float[] padded(Rng rng, int off, int len) {
    float[] v = new float[off + len + 3];
    Arrays.fill(v, SENTINEL);
    for (int i = 0; i < len; i++) {
      v[off + i] = 2 * rng.nextFloat() - 1;
    }
    return v;
  }

  private static void assertClose(float[] expected, float[] actual, int off, int len) {
    double diff = 0;
    double norm = 0;
    for (int i = off; i < off + len; i++) {
      assertTrue(Float.isFinite(actual[i]), "non-finite value at " + i);
      double d = (double) actual[i] - expected[i];
      diff += d * d;
      norm += (double) expected[i] * expected[i];
    }
    assertTrue(Math.sqrt(diff) <= 1e-5 * Math.sqrt(norm) + 1e-30,
        "‖best - reference‖ = " + Math.sqrt(diff) + " against ‖reference‖ = " + Math.sqrt(norm));
  }

  private static void assertOutsideUntouched(float[] before, float[] after, int off, int len) {
    for (int i = 0; i < before.length; i++) {
      if (i < off || i >= off + len) {
        assertEquals(before[i], after[i], 0f, "element " + i + " outside the written region changed");
      }
    }
  }
}
