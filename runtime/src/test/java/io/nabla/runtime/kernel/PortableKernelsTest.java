package io.nabla.runtime.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nabla.Activation;
import io.nabla.runtime.Rng;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Checks every {@link Kernels} method of {@link PortableKernels} against {@link ReferenceKernels} on seeded random
 * data. The two sum in different orders (and the portable kernels skip zero multipliers, start dense outputs from
 * the bias, transpose into scratch space), so results agree to rounding only: the tolerance is
 * {@code ‖portable - reference‖₂ ≤ 1e-5 · ‖reference‖₂} (plus 1e-30 for all-zero results). Every output array is
 * larger than the region written and filled with a sentinel, so a write outside the region is caught too.
 */
class PortableKernelsTest {
  private static final double REL_TOL = 1e-5;
  private static final float SENTINEL = 12345.678f;

  /**
   * m, n, k: the degenerate 1×1×1, odd sizes, thin shapes, shapes crossing depth blocks (192), one crossing a
   * column block (784) with more rows than a block of scratch rows holds (at most 18), no size of it a multiple of
   * three, and a tall narrow one computed transposed.
   */
  private static final int[][] SHAPES = {
      {1, 1, 1}, {3, 5, 7}, {33, 17, 65}, {2, 64, 1}, {1, 9, 40}, {40, 3, 33}, {65, 1, 2}, {7, 7, 7},
      {6, 300, 400}, {9, 257, 193}, {20, 1000, 197}, {70, 9, 33}};

  /** Fraction of entries set to zero in the multiplier operands. */
  private static final double[] SPARSITY = {0.0, 0.5, 0.95, 1.0};

  static Stream<Arguments> matmulCases() {
    List<Arguments> cases = new ArrayList<>();
    int[][] offsets = {{0, 0, 0}, {3, 5, 7}};
    for (int[] shape : SHAPES) {
      for (double sparsity : SPARSITY) {
        for (boolean accumulate : new boolean[] {false, true}) {
          for (int[] off : offsets) {
            cases.add(Arguments.of(shape[0], shape[1], shape[2], sparsity, accumulate, off[0], off[1], off[2]));
          }
        }
      }
    }
    return cases.stream();
  }

  private interface Matmul {
    void run(Kernels k, float[] c, int cOff, float[] a, int aOff, float[] b, int bOff, int m, int n, int kk,
        boolean accumulate);
  }

  @ParameterizedTest(name = "NN m={0} n={1} k={2} zeros={3} acc={4} off=({5},{6},{7})")
  @MethodSource("matmulCases")
  void matmulNN(int m, int n, int k, double sparsity, boolean accumulate, int cOff, int aOff, int bOff) {
    checkMatmul((kk, c, co, a, ao, b, bo, mm, nn, kd, acc) -> kk.matmulNN(c, co, a, ao, b, bo, mm, nn, kd, acc),
        m, n, k, sparsity, accumulate, cOff, aOff, bOff, seed(1, m, n, k));
  }

  @ParameterizedTest(name = "NT m={0} n={1} k={2} zeros={3} acc={4} off=({5},{6},{7})")
  @MethodSource("matmulCases")
  void matmulNT(int m, int n, int k, double sparsity, boolean accumulate, int cOff, int aOff, int bOff) {
    checkMatmul((kk, c, co, a, ao, b, bo, mm, nn, kd, acc) -> kk.matmulNT(c, co, a, ao, b, bo, mm, nn, kd, acc),
        m, n, k, sparsity, accumulate, cOff, aOff, bOff, seed(2, m, n, k));
  }

  @ParameterizedTest(name = "TN m={0} n={1} k={2} zeros={3} acc={4} off=({5},{6},{7})")
  @MethodSource("matmulCases")
  void matmulTN(int m, int n, int k, double sparsity, boolean accumulate, int cOff, int aOff, int bOff) {
    checkMatmul((kk, c, co, a, ao, b, bo, mm, nn, kd, acc) -> kk.matmulTN(c, co, a, ao, b, bo, mm, nn, kd, acc),
        m, n, k, sparsity, accumulate, cOff, aOff, bOff, seed(3, m, n, k));
  }

  private void checkMatmul(Matmul op, int m, int n, int k, double sparsity, boolean accumulate, int cOff,
      int aOff, int bOff, long seed) {
    Rng rng = new Rng(seed);
    // Zeros in both operands: the portable kernels skip zero multipliers of either layout.
    float[] a = padded(rng, aOff, m * k, sparsity);
    float[] b = padded(rng, bOff, k * n, sparsity);
    float[] c0 = padded(rng, cOff, m * n, 0.0);
    float[] aCopy = a.clone();
    float[] bCopy = b.clone();

    float[] expected = c0.clone();
    op.run(new ReferenceKernels(), expected, cOff, a, aOff, b, bOff, m, n, k, accumulate);
    float[] actual = c0.clone();
    op.run(new PortableKernels(), actual, cOff, a, aOff, b, bOff, m, n, k, accumulate);

    assertArrayEquals(aCopy, a, "a must not be modified");
    assertArrayEquals(bCopy, b, "b must not be modified");
    assertRegionClose(expected, actual, cOff, m * n);
    assertOutsideUntouched(c0, actual, cOff, m * n);
    if (!accumulate) {
      // The old contents of c must not leak into an overwrite: same result from a c full of garbage.
      float[] other = padded(new Rng(seed + 99), cOff, m * n, 0.0);
      op.run(new PortableKernels(), other, cOff, a, aOff, b, bOff, m, n, k, false);
      assertArrayEquals(Arrays.copyOfRange(actual, cOff, cOff + m * n),
          Arrays.copyOfRange(other, cOff, cOff + m * n), "overwrite must not depend on c's old contents");
    }
  }

  /**
   * The products' vectorised loop must stay in methods of over 325 bytes of bytecode (HotSpot's
   * {@code FreqInlineSize}), so that C2 compiles it on its own: inlined into its caller it was left scalar, four
   * times slower, after some sequences of product shapes (see {@link PortableKernels}).
   */
  @Test
  void theVectorisedLoopIsTooLargeToInline() throws IOException {
    for (String method : new String[] {"update", "updateNarrow"}) {
      int length = bytecodeLength("PortableKernels$Scratch.class", method);
      assertTrue(length > 325, "Scratch." + method + " has " + length + " bytes of bytecode");
    }
  }

  /** The length of the code of the method {@code name} in the class file {@code file} next to this class. */
  private static int bytecodeLength(String file, String name) throws IOException {
    InputStream stream = PortableKernels.class.getResourceAsStream(file);
    assertNotNull(stream, file);
    try (DataInputStream in = new DataInputStream(new BufferedInputStream(stream))) {
      in.readInt(); // magic
      in.readInt(); // minor and major version
      int count = in.readUnsignedShort();
      String[] utf8 = new String[count];
      for (int i = 1; i < count; i++) {
        int tag = in.readUnsignedByte();
        if (tag == 1) {
          utf8[i] = in.readUTF();
        } else if (tag == 5 || tag == 6) { // long and double take two entries
          in.readLong();
          i++;
        } else if (tag == 3 || tag == 4 || tag == 9 || tag == 10 || tag == 11 || tag == 12 || tag == 17
            || tag == 18) {
          in.readInt();
        } else if (tag == 7 || tag == 8 || tag == 16 || tag == 19 || tag == 20) {
          in.readUnsignedShort();
        } else if (tag == 15) {
          in.readUnsignedByte();
          in.readUnsignedShort();
        } else {
          throw new IOException("constant pool tag " + tag + " in " + file);
        }
      }
      in.readUnsignedShort(); // access flags
      in.readUnsignedShort(); // this class
      in.readUnsignedShort(); // super class
      int interfaces = in.readUnsignedShort();
      for (int i = 0; i < interfaces; i++) {
        in.readUnsignedShort();
      }
      for (int kind = 0; kind < 2; kind++) { // fields, then methods
        int members = in.readUnsignedShort();
        for (int m = 0; m < members; m++) {
          in.readUnsignedShort(); // access flags
          String member = utf8[in.readUnsignedShort()];
          in.readUnsignedShort(); // descriptor
          int attributes = in.readUnsignedShort();
          for (int a = 0; a < attributes; a++) {
            String attribute = utf8[in.readUnsignedShort()];
            int size = in.readInt();
            if (kind == 1 && member.equals(name) && attribute.equals("Code")) {
              in.readUnsignedShort(); // max stack
              in.readUnsignedShort(); // max locals
              return in.readInt();
            }
            in.readFully(new byte[size]);
          }
        }
      }
    }
    throw new AssertionError("no method " + name + " in " + file);
  }

  /**
   * An outer product ({@code k = 1}) streams row by row; the same product written with a second depth of zeros in
   * {@code A} takes the blocked path, whose padding adds {@code fma(0, ·, c)}: the bits must agree, signed zeros
   * included, for each layout, 1 to 3 threads, wide rows crossing a column block, fresh or accumulating.
   */
  @Test
  void outerProductsStreamedGiveTheBlockedPathsBits() {
    int[][] shapes = {{5, 7}, {256, 784}, {64, 1000}, {300, 20}};
    PortableKernels[] kernels = {new PortableKernels(1), new PortableKernels(2), new PortableKernels(3)};
    for (int[] shape : shapes) {
      int m = shape[0], n = shape[1];
      float[] column = signedValues(m, 11);
      float[] row = signedValues(n, 12);
      float[] other = signedValues(n, 13);
      float[] start = signedValues(m * n, 14);
      // A(i, 0) = column[i], A(i, 1) = 0; B(0, j) = row[j], B(1, j) = other[j], in each layout.
      float[] aRows = new float[2 * m];
      float[] aDepths = new float[2 * m];
      for (int i = 0; i < m; i++) {
        aRows[2 * i] = column[i];
        aDepths[i] = column[i];
      }
      float[] bRows = new float[2 * n];
      float[] bColumns = new float[2 * n];
      for (int j = 0; j < n; j++) {
        bRows[j] = row[j];
        bRows[n + j] = other[j];
        bColumns[2 * j] = row[j];
        bColumns[2 * j + 1] = other[j];
      }
      for (PortableKernels k : kernels) {
        int threads = k.threads();
        for (boolean accumulate : new boolean[] {false, true}) {
          String at = m + "x" + n + " threads " + threads + (accumulate ? " accumulating" : "");
          float[] streamed = start.clone();
          float[] blocked = start.clone();
          k.matmulNN(streamed, 0, column, 0, row, 0, m, n, 1, accumulate);
          k.matmulNN(blocked, 0, aRows, 0, bRows, 0, m, n, 2, accumulate);
          assertArrayEquals(blocked, streamed, "NN " + at);
          streamed = start.clone();
          blocked = start.clone();
          k.matmulTN(streamed, 0, column, 0, row, 0, m, n, 1, accumulate);
          k.matmulTN(blocked, 0, aDepths, 0, bRows, 0, m, n, 2, accumulate);
          assertArrayEquals(blocked, streamed, "TN " + at);
          streamed = start.clone();
          blocked = start.clone();
          k.matmulNT(streamed, 0, column, 0, row, 0, m, n, 1, accumulate);
          k.matmulNT(blocked, 0, aRows, 0, bColumns, 0, m, n, 2, accumulate);
          assertArrayEquals(blocked, streamed, "NT " + at);
        }
      }
    }
  }

  /**
   * A dense layer's forward on the blocked path starts each scratch row from the bias and activates it before
   * writing it back: the bits must be those of the separate passes (the bias copied into every row, the accumulating
   * product, the activation over the output), for every element-wise activation, with and without a bias, on shapes
   * crossing depth blocks (192) and column blocks (784), split by columns or by rows, on 1 to 3 threads.
   */
  @Test
  void denseForwardWithItsEpilogueInTheScratchRowsMatchesTheSeparatePassesBitwise() {
    int[][] shapes = {{5, 3, 2}, {32, 128, 256}, {256, 256, 784}, {20, 1000, 197}, {300, 40, 200}, {9, 10, 400}};
    Activation[] activations = {Activation.IDENTITY, Activation.RELU, Activation.LEAKY_RELU, Activation.SIGMOID,
        Activation.TANH, Activation.GELU, Activation.SILU};
    PortableKernels[] kernels = {new PortableKernels(1), new PortableKernels(2), new PortableKernels(3)};
    for (int[] shape : shapes) {
      int rows = shape[0], units = shape[1], in = shape[2];
      float[] x = signedValues(rows * in + 3, 21);
      float[] params = signedValues(units * in + units + 5, 22);
      for (Activation act : activations) {
        for (boolean hasBias : new boolean[] {true, false}) {
          int weightOff = 5;
          int biasOff = hasBias ? weightOff + units * in : -1;
          float[] expected = new float[rows * units];
          if (hasBias) {
            for (int r = 0; r < rows; r++) {
              System.arraycopy(params, biasOff, expected, r * units, units);
            }
          }
          kernels[0].matmulNT(expected, 0, x, 3, params, weightOff, rows, units, in, hasBias);
          ActivationFunctions.apply(expected, 0, expected.length, act, 0.1f);
          for (PortableKernels k : kernels) {
            float[] actual = signedValues(rows * units, 23);
            k.denseForward(actual, x, 3, params, weightOff, biasOff, rows, in, units, act, 0.1f);
            assertArrayEquals(expected, actual, rows + "x" + in + "->" + units + " " + act + (hasBias ? "" : " no bias")
                + " threads " + k.threads());
          }
        }
      }
    }
  }

  /**
   * A tall narrow product (at least twice as tall as wide, under 192 columns) is computed as its transpose; its bits
   * must be those of the same product computed a band of about {@code n} rows at a time (each band too short to be
   * transposed), in each layout ({@code TN}'s bands as {@code NN} products of {@code Aᵀ}: a blocked product's bits do
   * not depend on the layout), accumulating or not, and for a dense layer's forward with its bias and activation, on
   * 1 to 3 threads; shapes cross depth blocks (192) and sit on either side of the bounds (191 and 192 columns, depth
   * 31 and 32), down to the narrowest transposed product (5 columns).
   */
  @Test
  void tallNarrowProductsComputedTransposedGiveTheBandsBits() {
    int[][] shapes = {{256, 128, 256}, {256, 10, 128}, {64, 10, 1568}, {40, 5, 400}, {97, 13, 45}, {60, 30, 32},
        {60, 30, 31}, {383, 191, 40}, {384, 192, 40}};
    PortableKernels[] kernels = {new PortableKernels(1), new PortableKernels(2), new PortableKernels(3)};
    PortableKernels bands = new PortableKernels(1);
    for (int[] shape : shapes) {
      int m = shape[0], n = shape[1], k = shape[2];
      float[] a = signedValues(m * k, 31);
      float[] aDepths = new float[m * k];
      for (int i = 0; i < m; i++) {
        for (int p = 0; p < k; p++) {
          aDepths[p * m + i] = a[i * k + p];
        }
      }
      float[] b = signedValues(k * n, 32);
      float[] start = signedValues(m * n, 33);
      for (boolean accumulate : new boolean[] {false, true}) {
        float[] expectedNN = start.clone();
        float[] expectedNT = start.clone();
        for (int i0 = 0, rows; i0 < m; i0 += rows) {
          rows = band(m - i0, n);
          bands.matmulNN(expectedNN, i0 * n, a, i0 * k, b, 0, rows, n, k, accumulate);
          bands.matmulNT(expectedNT, i0 * n, a, i0 * k, b, 0, rows, n, k, accumulate);
        }
        for (PortableKernels kernel : kernels) {
          String at = m + "x" + n + "x" + k + " threads " + kernel.threads() + (accumulate ? " accumulating" : "");
          int transposed = kernel.transposedProducts;
          float[] actual = start.clone();
          kernel.matmulNN(actual, 0, a, 0, b, 0, m, n, k, accumulate);
          assertArrayEquals(expectedNN, actual, "NN " + at);
          actual = start.clone();
          kernel.matmulTN(actual, 0, aDepths, 0, b, 0, m, n, k, accumulate);
          assertArrayEquals(expectedNN, actual, "TN " + at);
          actual = start.clone();
          kernel.matmulNT(actual, 0, a, 0, b, 0, m, n, k, accumulate);
          assertArrayEquals(expectedNT, actual, "NT " + at);
          assertEquals(n < 192 && k >= 32 ? 3 : 0, kernel.transposedProducts - transposed,
              "products computed transposed, " + at);
        }
      }
      float[] params = signedValues(n * k + n, 34);
      for (Activation act : new Activation[] {Activation.IDENTITY, Activation.RELU, Activation.TANH}) {
        for (int biasOff : new int[] {n * k, -1}) {
          float[] expected = new float[m * n];
          for (int i0 = 0, rows; i0 < m; i0 += rows) {
            rows = band(m - i0, n);
            float[] band = new float[rows * n];
            bands.denseForward(band, a, i0 * k, params, 0, biasOff, rows, k, n, act, 0.1f);
            System.arraycopy(band, 0, expected, i0 * n, band.length);
          }
          for (PortableKernels kernel : kernels) {
            float[] actual = signedValues(m * n, 35);
            kernel.denseForward(actual, a, 0, params, 0, biasOff, m, k, n, act, 0.1f);
            assertArrayEquals(expected, actual, "dense " + m + "x" + k + "->" + n + " " + act
                + (biasOff < 0 ? " no bias" : "") + " threads " + kernel.threads());
          }
        }
      }
    }
  }

  /**
   * Where the scratch and panel rows hold a block's columns (the shift, 0 to 15, that {@code calibrate} picks for
   * speed) and whether the loop runs up to 15 columns past them must not change a bit: every product layout and a
   * dense layer's forward with its bias and activation, on widths around the loop's bounds (1, 2, 17, 191, 192, 257)
   * and across a column block (1000 = 784 + 216) and a depth block, on 1 and 2 threads, give the bits of shift 0
   * unpadded at every shift, padded and not.
   */
  @Test
  void everyShiftOfTheRowsGivesTheSameBits() {
    int[][] shapes = {{7, 1, 9}, {5, 2, 40}, {33, 17, 65}, {20, 191, 50}, {20, 192, 50}, {9, 257, 193},
        {20, 1000, 197}};
    for (int threads = 1; threads <= 2; threads++) {
      PortableKernels kernels = new PortableKernels(threads);
      for (int[] shape : shapes) {
        int m = shape[0], n = shape[1], k = shape[2];
        float[] a = signedValues(m * k, 41);
        float[] b = signedValues(k * n + n, 42);
        float[] start = signedValues(m * n, 43);
        float[][] expected = null;
        for (int shift = 0; shift < 16; shift++) {
          for (boolean pad : new boolean[] {false, true}) {
            kernels.fixShift(shift, pad);
            float[][] actual = {start.clone(), start.clone(), start.clone(), new float[m * n]};
            kernels.matmulNN(actual[0], 0, a, 0, b, 0, m, n, k, true);
            kernels.matmulNT(actual[1], 0, a, 0, b, 0, m, n, k, true);
            kernels.matmulTN(actual[2], 0, a, 0, b, 0, m, n, k, false);
            kernels.denseForward(actual[3], a, 0, b, 0, k * n, m, k, n, Activation.TANH, 0f);
            if (expected == null) {
              expected = actual;
            }
            for (int op = 0; op < 4; op++) {
              assertArrayEquals(expected[op], actual[op], new String[] {"NN", "NT", "TN", "dense"}[op] + " " + m + "x"
                  + n + "x" + k + " shift " + shift + (pad ? " padded" : "") + " threads " + threads);
            }
          }
        }
      }
    }
  }

  /**
   * Calibrating (timing the loop at every shift on the scratch rows, between two panels, possibly changing the
   * shift) changes no result: products that cross depth and column blocks, calibrated before every panel on 1 and 2
   * threads, give the bits of kernels that never calibrate.
   */
  @Test
  void calibratingTheShiftChangesNoResult() {
    PortableKernels fixed = new PortableKernels(1);
    fixed.fixShift(0, false);
    int[][] shapes = {{20, 1000, 400}, {256, 128, 256}, {32, 256, 784}};
    for (int threads = 1; threads <= 2; threads++) {
      PortableKernels kernels = new PortableKernels(threads);
      int[] before = kernels.calibrateEachPanel();
      for (int[] shape : shapes) {
        int m = shape[0], n = shape[1], k = shape[2];
        float[] a = signedValues(m * k, 51);
        float[] b = signedValues(k * n, 52);
        float[] start = signedValues(m * n, 53);
        for (boolean accumulate : new boolean[] {false, true}) {
          float[] expected = start.clone();
          fixed.matmulNT(expected, 0, a, 0, b, 0, m, n, k, accumulate);
          float[] actual = start.clone();
          kernels.matmulNT(actual, 0, a, 0, b, 0, m, n, k, accumulate);
          assertArrayEquals(expected, actual, m + "x" + n + "x" + k + " threads " + threads);
        }
      }
      // 20 × 1000 × 400: two column blocks of three depth blocks, twice, on the calling thread alone at least.
      assertTrue(kernels.calibrateEachPanel()[0] - before[0] >= 12, "the calling thread calibrated before each panel");
    }
  }

  /** The next band's rows: {@code n}, or all that are left when under {@code 2n} (never a few-rows product). */
  private static int band(int left, int n) {
    return left < 2 * n ? left : n;
  }

  /** Seeded values in [-1, 1) with every fifth a signed zero, so that products and sums of -0 occur. */
  private static float[] signedValues(int n, long seed) {
    Rng rng = new Rng(seed);
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = i % 5 == 0 ? (i % 10 == 0 ? -0f : 0f) : 2 * rng.nextFloat() - 1;
    }
    return v;
  }

  @Test
  void matmulOfAllZeroOperandOverwritesWithZeros() {
    Kernels k = new PortableKernels();
    float[] a = new float[6];
    float[] b = {1, 2, 3, 4, 5, 6};
    float[] c = {9, 9, 9, 9};
    k.matmulNN(c, 0, a, 0, b, 0, 2, 2, 3, false);
    assertArrayEquals(new float[4], c);
    float[] c2 = {9, 9, 9, 9};
    k.matmulNN(c2, 0, a, 0, b, 0, 2, 2, 3, true);
    assertArrayEquals(new float[] {9, 9, 9, 9}, c2, "accumulating a zero product leaves c as it was");
  }

  @Test
  void matmulSmallHandComputed() {
    // a = [[1, 2, 3], [4, 5, 6]], b = [[7, 8], [9, 10], [11, 12]]: a·b = [[58, 64], [139, 154]].
    float[] a = {1, 2, 3, 4, 5, 6};
    float[] b = {7, 8, 9, 10, 11, 12};
    float[] bt = {7, 9, 11, 8, 10, 12};
    float[] at = {1, 4, 2, 5, 3, 6};
    float[] want = {58, 64, 139, 154};
    for (Kernels k : new Kernels[] {new PortableKernels(), new ReferenceKernels()}) {
      float[] c = new float[4];
      k.matmulNN(c, 0, a, 0, b, 0, 2, 2, 3, false);
      assertArrayEquals(want, c, 0f, k.getClass().getSimpleName() + " NN");
      c = new float[4];
      k.matmulNT(c, 0, a, 0, bt, 0, 2, 2, 3, false);
      assertArrayEquals(want, c, 0f, k.getClass().getSimpleName() + " NT");
      c = new float[4];
      k.matmulTN(c, 0, at, 0, b, 0, 2, 2, 3, false);
      assertArrayEquals(want, c, 0f, k.getClass().getSimpleName() + " TN");
    }
  }

  /** One instance keeps scratch space for NT products: large then small then large calls must not mix data. */
  @Test
  void scratchSpaceIsReusedCorrectlyAcrossShapes() {
    PortableKernels portable = new PortableKernels();
    ReferenceKernels reference = new ReferenceKernels();
    int[][] sequence = {{33, 17, 65}, {3, 5, 7}, {1, 1, 1}, {2, 64, 1}, {33, 17, 65}, {5, 3, 2}};
    Rng rng = new Rng(77);
    for (int[] s : sequence) {
      int m = s[0];
      int n = s[1];
      int k = s[2];
      float[] a = padded(rng, 0, m * k, 0.3);
      float[] b = padded(rng, 0, n * k, 0.3);
      float[] expected = new float[m * n];
      float[] actual = new float[m * n];
      reference.matmulNT(expected, 0, a, 0, b, 0, m, n, k, false);
      portable.matmulNT(actual, 0, a, 0, b, 0, m, n, k, false);
      assertRegionClose(expected, actual, 0, m * n);
      // Dense forward uses the same scratch.
      float[] params = padded(rng, 0, n * k + n, 0.0);
      float[] x = padded(rng, 0, m * k, 0.5);
      float[] e2 = new float[m * n];
      float[] a2 = new float[m * n];
      reference.denseForward(e2, x, 0, params, 0, n * k, m, k, n, Activation.TANH, 0f);
      portable.denseForward(a2, x, 0, params, 0, n * k, m, k, n, Activation.TANH, 0f);
      assertRegionClose(e2, a2, 0, m * n);
    }
  }

  static Stream<Arguments> elementwiseCases() {
    List<Arguments> cases = new ArrayList<>();
    Activation[] acts = {Activation.IDENTITY, Activation.RELU, Activation.LEAKY_RELU, Activation.SIGMOID,
        Activation.TANH};
    for (int[] shape : SHAPES) {
      for (Activation act : acts) {
        float slope = act == Activation.LEAKY_RELU ? 0.2f : 0.01f;
        cases.add(Arguments.of(shape[0], shape[1], shape[2], act, slope));
      }
    }
    return cases.stream();
  }

  /** The element-wise cases and GELU and SiLU, whose forward every kernel runs (their backward needs x). */
  static Stream<Arguments> forwardCases() {
    List<Arguments> cases = new ArrayList<>();
    elementwiseCases().forEach(cases::add);
    for (int[] shape : SHAPES) {
      cases.add(Arguments.of(shape[0], shape[1], shape[2], Activation.GELU, 0f));
      cases.add(Arguments.of(shape[0], shape[1], shape[2], Activation.SILU, 0f));
    }
    return cases.stream();
  }

  @ParameterizedTest(name = "dense rows={0} units={1} in={2} {3}")
  @MethodSource("forwardCases")
  void denseForward(int rows, int units, int in, Activation act, float slope) {
    for (boolean bias : new boolean[] {true, false}) {
      for (double sparsity : new double[] {0.0, 0.6, 1.0}) {
        Rng rng = new Rng(seed(4, rows, units, in) + (bias ? 1 : 0) + (long) (sparsity * 10));
        int xOff = 5;
        int weightOff = 3;
        int biasOff = bias ? weightOff + units * in + 2 : -1;
        float[] x = padded(rng, xOff, rows * in, sparsity);
        float[] params = padded(rng, 0, weightOff + units * in + 2 + units, 0.0);
        float[] out0 = padded(rng, 0, rows * units, 0.0);
        float[] xCopy = x.clone();
        float[] paramsCopy = params.clone();

        float[] expected = out0.clone();
        new ReferenceKernels().denseForward(expected, x, xOff, params, weightOff, biasOff, rows, in, units, act,
            slope);
        float[] actual = out0.clone();
        new PortableKernels().denseForward(actual, x, xOff, params, weightOff, biasOff, rows, in, units, act,
            slope);

        assertArrayEquals(xCopy, x, "x must not be modified");
        assertArrayEquals(paramsCopy, params, "params must not be modified");
        assertRegionClose(expected, actual, 0, rows * units);
        assertOutsideUntouched(out0, actual, 0, rows * units);
      }
    }
  }

  @ParameterizedTest(name = "activationBackward rows={0} n={1} {3}")
  @MethodSource("elementwiseCases")
  void activationBackward(int rows, int n, int unused, Activation act, float slope) {
    for (boolean bias : new boolean[] {true, false}) {
      Rng rng = new Rng(seed(5, rows, n, unused) + (bias ? 1 : 0));
      float[] y = padded(rng, 0, rows * n, 0.3);
      ActivationFunctions.apply(y, 0, rows * n, act, slope); // a real output of the activation
      float[] dy0 = padded(rng, 0, rows * n, 0.2);
      int biasGradOff = bias ? 4 : -1;
      float[] grads0 = padded(rng, 0, 4 + n + 3, 0.0);
      float[] yCopy = y.clone();

      float[] dyExpected = dy0.clone();
      float[] gradsExpected = grads0.clone();
      new ReferenceKernels().activationBackward(dyExpected, y, rows, n, act, slope, gradsExpected, biasGradOff);
      float[] dyActual = dy0.clone();
      float[] gradsActual = grads0.clone();
      new PortableKernels().activationBackward(dyActual, y, rows, n, act, slope, gradsActual, biasGradOff);

      assertArrayEquals(yCopy, y, "y must not be modified");
      assertRegionClose(dyExpected, dyActual, 0, rows * n);
      assertOutsideUntouched(dy0, dyActual, 0, rows * n);
      if (!bias) {
        assertArrayEquals(grads0, gradsActual, "no bias offset: grads untouched");
      } else {
        assertRegionClose(gradsExpected, gradsActual, 4, n);
        assertOutsideUntouched(grads0, gradsActual, 4, n);
      }
    }
  }

  @ParameterizedTest(name = "addForward n={1}x{0} {3}")
  @MethodSource("forwardCases")
  void addForward(int a, int b, int unused, Activation act, float slope) {
    int n = a * b;
    for (int sources = 1; sources <= 4; sources++) {
      Rng rng = new Rng(seed(6, a, b, sources));
      float[][] inputs = new float[sources][];
      for (int s = 0; s < sources; s++) {
        inputs[s] = padded(rng, 0, n, 0.25); // longer than n: only the first n count
      }
      float[] out0 = padded(rng, 0, n, 0.0);
      float[] expected = out0.clone();
      new ReferenceKernels().addForward(expected, inputs, n, act, slope);
      float[] actual = out0.clone();
      new PortableKernels().addForward(actual, inputs, n, act, slope);
      assertRegionClose(expected, actual, 0, n);
      assertOutsideUntouched(out0, actual, 0, n);
    }
  }

  @Test
  void accumulate() {
    for (int n : new int[] {0, 1, 7, 33, 1000}) {
      Rng rng = new Rng(n);
      float[] dz = padded(rng, 0, n, 0.5);
      float[] dx0 = padded(rng, 0, n, 0.0);
      float[] expected = dx0.clone();
      new ReferenceKernels().accumulate(expected, dz, n);
      float[] actual = dx0.clone();
      new PortableKernels().accumulate(actual, dz, n);
      assertArrayEquals(expected, actual, 0f, "an element-wise sum has one rounding: bitwise equal");
      assertOutsideUntouched(dx0, actual, 0, n);
      for (int i = 0; i < n; i++) {
        assertEquals(dx0[i] + dz[i], actual[i], 0f);
      }
    }
  }

  @Test
  void softmaxIsNotAnElementwiseActivation() {
    for (Kernels k : new Kernels[] {new PortableKernels(), new ReferenceKernels()}) {
      float[] out = new float[4];
      float[] x = {1, 2, 3, 4};
      float[] params = {1, 0, 0, 1, 0, 0};
      assertThrows(IllegalArgumentException.class,
          () -> k.denseForward(out, x, 0, params, 0, 4, 2, 2, 2, Activation.SOFTMAX, 0f));
      // Past the few rows, where element-wise activations run in the product's scratch rows.
      assertThrows(IllegalArgumentException.class,
          () -> k.denseForward(new float[12], new float[12], 0, params, 0, 4, 6, 2, 2, Activation.SOFTMAX, 0f));
      assertThrows(IllegalArgumentException.class,
          () -> k.addForward(out, new float[][] {x}, 4, Activation.SOFTMAX, 0f));
      float[] grads = new float[2];
      assertThrows(IllegalArgumentException.class,
          () -> k.activationBackward(new float[4], x, 2, 2, Activation.SOFTMAX, 0f, grads, 0));
    }
  }

  @Test
  void portableFactoryGivesNewPortableInstances() {
    Kernels a = Kernels.portable();
    Kernels b = Kernels.portable();
    assertTrue(a instanceof PortableKernels);
    assertNotSame(a, b, "an instance keeps scratch space, so each model needs its own");
  }

  // ---- helpers ----

  private static long seed(int op, int m, int n, int k) {
    return ((op * 1_000_003L + m) * 1_000_003L + n) * 1_000_003L + k;
  }

  /**
   * An array of {@code off + len + 3} values: sentinels before and after, and {@code len} random values in
   * [-1, 1) from {@code off}, a fraction {@code sparsity} of them zero.
   */
  private static float[] padded(Rng rng, int off, int len, double sparsity) {
    float[] v = new float[off + len + 3];
    Arrays.fill(v, SENTINEL);
    for (int i = 0; i < len; i++) {
      v[off + i] = rng.nextDouble() < sparsity ? 0f : 2 * rng.nextFloat() - 1;
    }
    return v;
  }

  private static void assertRegionClose(float[] expected, float[] actual, int off, int len) {
    double diff = 0;
    double norm = 0;
    for (int i = off; i < off + len; i++) {
      assertTrue(Float.isFinite(actual[i]), "non-finite value at " + i);
      double d = (double) actual[i] - expected[i];
      diff += d * d;
      norm += (double) expected[i] * expected[i];
    }
    diff = Math.sqrt(diff);
    norm = Math.sqrt(norm);
    assertTrue(diff <= REL_TOL * norm + 1e-30,
        "‖portable - reference‖ = " + diff + " exceeds " + REL_TOL + " · ‖reference‖ = " + REL_TOL * norm);
  }

  private static void assertOutsideUntouched(float[] before, float[] after, int off, int len) {
    for (int i = 0; i < before.length; i++) {
      if (i < off || i >= off + len) {
        assertEquals(before[i], after[i], 0f, "element " + i + " outside the written region changed");
      }
    }
  }
}
