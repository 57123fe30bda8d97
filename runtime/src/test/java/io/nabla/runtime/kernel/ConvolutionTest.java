package io.nabla.runtime.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.nabla.Activation;
import io.nabla.runtime.Rng;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Checks the im2col lowering of {@link Convolution}, run exactly as generated code runs it (im2col, one
 * {@code matmulNN} per group, {@code toBatchMajor}; backward {@code toFilterMajor}, {@code matmulNT} per group for
 * the weight gradient, {@code matmulTN} per group and {@code col2imAdd} for the input gradient), against
 * {@link ReferenceConvolution} (and {@link ActivationFunctions} for the fused activation), on {@link
 * ReferenceKernels} and {@link PortableKernels} with one and two threads. {@link ReferenceConvolution} itself is
 * checked against an independent double-precision convolution and its central finite differences.
 *
 * <p>Tolerances: lowering vs reference, elementwise {@code |actual - expected| ≤ 1e-5 · max(1, max|expected|)}
 * (the two sum in different orders, in float); reference vs the double oracle, the same bound; reference backward
 * vs finite differences (the loss {@code Σ y·r} is linear in every weight, bias and input, so central differences
 * with {@code h = 1e-3} in double are exact up to rounding, ~1e-13), the same bound. Every output buffer is longer
 * than the region written and its tail holds a sentinel, so a write past the region is caught.
 */
class ConvolutionTest {
  private static final double TOL = 1e-5;
  private static final float SENTINEL = 12345.678f;
  private static final int TAIL = 7;

  /**
   * channels, height, width, filters, groups, kernelH, kernelW, strideH, strideW, padTop, padLeft, padBottom,
   * padRight, dilationH, dilationW.
   */
  private static final int[][] GEOMETRIES = {
      // odd sizes, 3×2 kernel, stride 1, no padding
      {2, 5, 7, 3, 1, 3, 2, 1, 1, 0, 0, 0, 0, 1, 1},
      // stride 2, padding 1
      {2, 5, 7, 4, 1, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1},
      // stride 3, padding 2, 3×2 kernel
      {3, 7, 5, 2, 1, 3, 2, 3, 3, 2, 2, 2, 2, 1, 1},
      // asymmetric padding: top ≠ bottom, left ≠ right; strides differ per axis
      {2, 6, 7, 3, 1, 3, 3, 1, 2, 0, 1, 2, 0, 1, 1},
      // dilation 2 with padding 2
      {2, 7, 7, 2, 1, 3, 3, 1, 1, 2, 2, 2, 2, 2, 2},
      // groups 2, asymmetric padding
      {4, 5, 7, 6, 2, 3, 2, 1, 1, 1, 0, 1, 1, 1, 1},
      // groups 2 with everything at once: stride 2×3, asymmetric padding, dilation 2×1, 3×2 kernel
      {4, 7, 9, 4, 2, 3, 2, 2, 3, 1, 2, 0, 1, 2, 1},
      // depthwise: groups = channels, filters = 2·channels; dilation 1×2
      {3, 5, 7, 6, 3, 3, 3, 2, 1, 1, 1, 1, 1, 1, 2},
      // depthwise, one filter per channel, stride 3, padding 2
      {3, 7, 5, 3, 3, 3, 3, 3, 3, 2, 2, 2, 2, 1, 1},
      // 1×1 convolution, stride 2
      {3, 5, 7, 4, 1, 1, 1, 2, 2, 0, 0, 0, 0, 1, 1},
      // one pixel in, one out
      {2, 1, 1, 3, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1},
      // a 3×3 kernel on a 2×2 input, padding 1 (VGG's last block on CIFAR): the kernel alone does not fit
      {3, 2, 2, 4, 1, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1},
      // a kernel as large as the padded input: one output position
      {2, 3, 4, 2, 1, 4, 5, 1, 1, 1, 0, 0, 1, 1, 1},
      // large enough for Kernels.portable(2) to split the products over both threads
      {16, 20, 20, 32, 1, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1},
  };

  private static final String[] KERNELS = {"reference", "portable(1)", "portable(2)"};

  /**
   * Builds the geometry in the order the annotation lists its fields (filters, kernel, stride, padding, dilation,
   * groups): the kernel before the padding that makes it fit.
   */
  static Conv2dGeometry geometry(int[] s) {
    return new Conv2dGeometry(s[0], s[1], s[2]).filters(s[3]).kernel(s[5], s[6]).stride(s[7], s[8])
        .padding(s[9], s[10], s[11], s[12]).dilation(s[13], s[14]).groups(s[4]);
  }

  static Kernels kernels(String name) {
    switch (name) {
      case "reference":
        return new ReferenceKernels();
      case "portable(1)":
        return Kernels.portable(1);
      case "portable(2)":
        return Kernels.portable(2);
      default:
        throw new IllegalArgumentException(name);
    }
  }

  static Stream<Arguments> identityCases() {
    List<Arguments> cases = new ArrayList<>();
    for (int gi = 0; gi < GEOMETRIES.length; gi++) {
      for (String k : KERNELS) {
        for (int batch : new int[] {1, 3}) {
          for (boolean bias : new boolean[] {true, false}) {
            cases.add(Arguments.of(k, gi, geometry(GEOMETRIES[gi]).toString(), batch, bias));
          }
        }
      }
    }
    return cases.stream();
  }

  @ParameterizedTest(name = "{0} #{1} {2} batch={3} bias={4}")
  @MethodSource("identityCases")
  void loweringMatchesReference(String kernelsName, int geometry, String description, int batch, boolean bias) {
    check(kernelsName, GEOMETRIES[geometry], batch, bias, Activation.IDENTITY, 0f,
        1000L * geometry + 10L * batch + (bias ? 1 : 0));
  }

  static Stream<Arguments> activationCases() {
    List<Arguments> cases = new ArrayList<>();
    int[] geometries = {0, 3, 6, 7, 11};
    Object[][] acts = {{Activation.RELU, 0f}, {Activation.LEAKY_RELU, 0.1f}, {Activation.SIGMOID, 0f},
        {Activation.TANH, 0f}};
    for (int gi : geometries) {
      for (String k : KERNELS) {
        for (Object[] act : acts) {
          cases.add(Arguments.of(k, gi, act[0], act[1], geometry(GEOMETRIES[gi]).toString()));
        }
      }
    }
    // The threaded product with a fused activation.
    cases.add(Arguments.of("portable(2)", GEOMETRIES.length - 1, Activation.RELU, 0f,
        geometry(GEOMETRIES[GEOMETRIES.length - 1]).toString()));
    return cases.stream();
  }

  @ParameterizedTest(name = "{0} #{1} {2} slope={3} {4}")
  @MethodSource("activationCases")
  void loweringWithActivationMatchesReference(String kernelsName, int geometry, Activation act, float slope,
      String description) {
    check(kernelsName, GEOMETRIES[geometry], 3, true, act, slope, 7000L + 100L * geometry + act.ordinal());
    check(kernelsName, GEOMETRIES[geometry], 1, false, act, slope, 9000L + 100L * geometry + act.ordinal());
  }

  /** The forward and backward sequences generated code runs, against the reference, on seeded random data. */
  private static void check(String kernelsName, int[] spec, int batch, boolean bias, Activation act, float slope,
      long seed) {
    Conv2dGeometry g = geometry(spec);
    Kernels kernels = kernels(kernelsName);
    Rng rng = new Rng(seed);
    int groups = g.groups;
    int fg = g.filters / groups;
    int kg = g.patchSize() / groups;
    int bp = batch * g.outputPlane();
    int outN = batch * g.outputSize();
    int inN = batch * g.inputSize();
    int weightOff = 5;
    int biasOff = bias ? weightOff + g.filters * kg + 3 : -1;
    int paramCount = weightOff + g.filters * kg + 3 + g.filters + 2;

    float[] params = random(rng, paramCount);
    float[] x = random(rng, inN);
    float[] paramsCopy = params.clone();
    float[] xCopy = x.clone();

    // Forward, as generated code runs it.
    float[] columns = withTail(rng, g.patchSize() * bp);
    float[] product = withTail(rng, g.filters * bp);
    float[] out = withTail(rng, outN);
    Convolution.im2col(g, x, batch, columns);
    for (int gi = 0; gi < groups; gi++) {
      kernels.matmulNN(product, gi * fg * bp, params, weightOff + gi * fg * kg, columns, gi * kg * bp, fg, bp, kg,
          false);
    }
    Convolution.toBatchMajor(g, product, batch, params, biasOff, act, slope, out);

    float[] expected = new float[outN];
    ReferenceConvolution.forward(g, x, batch, params, weightOff, biasOff, expected);
    ActivationFunctions.apply(expected, 0, outN, act, slope);
    assertClose(expected, out, outN, "forward output");
    assertTail(columns, g.patchSize() * bp, "columns");
    assertTail(product, g.filters * bp, "product");
    assertTail(out, outN, "forward output");
    assertArrayEquals(paramsCopy, params, "forward must not modify the parameters");
    assertArrayEquals(xCopy, x, "forward must not modify the input");

    // Backward, as generated code runs it: gradients accumulate onto what the buffers already hold.
    float[] dy = random(rng, outN);
    float[] dyRef = dy.clone();
    float[] grads = random(rng, paramCount);
    float[] gradsRef = grads.clone();
    float[] dx = withTail(rng, inN);
    float[] dxRef = Arrays.copyOf(dx, inN);
    float[] dz = withTail(rng, g.filters * bp);
    float[] y = Arrays.copyOf(out, outN);
    Convolution.toFilterMajor(g, dy, y, batch, act, slope, dz, grads, biasOff);
    for (int gi = 0; gi < groups; gi++) {
      kernels.matmulNT(grads, weightOff + gi * fg * kg, dz, gi * fg * bp, columns, gi * kg * bp, fg, kg, bp, true);
    }
    for (int gi = 0; gi < groups; gi++) {
      kernels.matmulTN(columns, gi * kg * bp, params, weightOff + gi * fg * kg, dz, gi * fg * bp, kg, bp, fg,
          false);
    }
    Convolution.col2imAdd(g, columns, batch, dx);

    ActivationFunctions.multiplyDerivative(dyRef, expected, 0, outN, act, slope);
    assertClose(dyRef, dy, outN, "toFilterMajor overwrites dy with dy·act'(y)");
    ReferenceConvolution.backward(g, x, dyRef, batch, params, weightOff, gradsRef, biasOff, dxRef);
    assertClose(gradsRef, grads, paramCount, "parameter gradients");
    // Gradient buffer outside the weights and bias: exactly as it was.
    for (int i = 0; i < paramCount; i++) {
      boolean weight = i >= weightOff && i < weightOff + g.filters * kg;
      boolean isBias = biasOff >= 0 && i >= biasOff && i < biasOff + g.filters;
      if (!weight && !isBias) {
        assertEquals(gradsRef[i], grads[i], 0f, "gradient buffer outside weights and bias at " + i);
      }
    }
    assertClose(dxRef, dx, inN, "input gradient");
    assertTail(dx, inN, "input gradient");
    assertTail(dz, g.filters * bp, "dz");
    assertArrayEquals(paramsCopy, params, "backward must not modify the parameters");
  }

  // ---------------------------------------------------------------------------------------------------------
  // The pieces one by one.

  /** A hand-computed convolution: no reference involved. */
  @Test
  void handComputedConvolution() {
    // x = [[1, 2, 3], [4, 5, 6], [7, 8, 9]], w = [[1, 0], [0, -1]], bias 10, stride 1, no padding:
    // y = [[1-5, 2-6], [4-8, 5-9]] + 10 = [[6, 6], [6, 6]]; with padding 1 on the top/left only, y[0][0] = 10 - 1.
    Conv2dGeometry g = new Conv2dGeometry(1, 3, 3).kernel(2, 2);
    float[] x = {1, 2, 3, 4, 5, 6, 7, 8, 9};
    float[] params = {1, 0, 0, -1, 10};
    for (String name : KERNELS) {
      float[] out = run(kernels(name), g, x, 1, params, 0, 4);
      assertArrayEquals(new float[] {6, 6, 6, 6}, out, 0f, name);
      Conv2dGeometry padded = g.padding(1, 1, 0, 0);
      out = run(kernels(name), padded, x, 1, params, 0, 4);
      // y[oh][ow] = 10 + x[oh-1][ow-1] - x[oh][ow], x = 0 outside: row 0 is 10 - x[0][ow]; column 0 of rows
      // 1 and 2 is 10 - x[oh][0]; the rest 10 + x[oh-1][ow-1] - x[oh][ow] = 10 - 4.
      assertArrayEquals(new float[] {9, 8, 7, 6, 6, 6, 3, 6, 6}, out, 0f, name + " padded");
    }
  }

  private static float[] run(Kernels kernels, Conv2dGeometry g, float[] x, int batch, float[] params,
      int weightOff, int biasOff) {
    int bp = batch * g.outputPlane();
    float[] columns = new float[g.patchSize() * bp];
    float[] product = new float[g.filters * bp];
    float[] out = new float[batch * g.outputSize()];
    Convolution.im2col(g, x, batch, columns);
    int fg = g.filters / g.groups;
    int kg = g.patchSize() / g.groups;
    for (int gi = 0; gi < g.groups; gi++) {
      kernels.matmulNN(product, gi * fg * bp, params, weightOff + gi * fg * kg, columns, gi * kg * bp, fg, bp, kg,
          false);
    }
    Convolution.toBatchMajor(g, product, batch, params, biasOff, Activation.IDENTITY, 0f, out);
    return out;
  }

  /** Every column entry is the input value the documentation names, or 0 in the padding. */
  @Test
  void im2colMatchesItsDefinition() {
    for (int[] spec : GEOMETRIES) {
      Conv2dGeometry g = geometry(spec);
      int batch = 2;
      Rng rng = new Rng(31 + spec[0] * 7 + spec[1]);
      float[] x = random(rng, batch * g.inputSize());
      int bp = batch * g.outputPlane();
      float[] columns = withTail(rng, g.patchSize() * bp);
      Convolution.im2col(g, x, batch, columns);
      for (int c = 0; c < g.channels; c++) {
        for (int i = 0; i < g.kernelH; i++) {
          for (int j = 0; j < g.kernelW; j++) {
            int row = (c * g.kernelH + i) * g.kernelW + j;
            for (int b = 0; b < batch; b++) {
              for (int oh = 0; oh < g.outHeight; oh++) {
                for (int ow = 0; ow < g.outWidth; ow++) {
                  int h = oh * g.strideH - g.padTop + i * g.dilationH;
                  int w = ow * g.strideW - g.padLeft + j * g.dilationW;
                  float want = h >= 0 && h < g.height && w >= 0 && w < g.width
                      ? x[((b * g.channels + c) * g.height + h) * g.width + w] : 0f;
                  int col = (b * g.outHeight + oh) * g.outWidth + ow;
                  assertEquals(want, columns[row * bp + col], 0f, g + " row " + row + " col " + col);
                }
              }
            }
          }
        }
      }
      assertTail(columns, g.patchSize() * bp, "columns " + g);
    }
  }

  /** col2imAdd is the transpose of im2col: ⟨im2col(x), c⟩ = ⟨x, col2im(c)⟩, and it adds into dx. */
  @Test
  void col2imIsTheAdjointOfIm2col() {
    for (int[] spec : GEOMETRIES) {
      Conv2dGeometry g = geometry(spec);
      int batch = 3;
      Rng rng = new Rng(57 + spec[0] * 11 + spec[2]);
      float[] x = random(rng, batch * g.inputSize());
      int colN = g.patchSize() * batch * g.outputPlane();
      float[] c = random(rng, colN);
      float[] columns = new float[colN];
      Convolution.im2col(g, x, batch, columns);
      float[] start = random(rng, batch * g.inputSize());
      float[] dx = start.clone();
      Convolution.col2imAdd(g, c, batch, dx);
      double left = 0;
      for (int i = 0; i < colN; i++) {
        left += (double) columns[i] * c[i];
      }
      double right = 0;
      double scale = 0;
      for (int i = 0; i < x.length; i++) {
        right += (double) x[i] * ((double) dx[i] - start[i]);
        scale += Math.abs(x[i] * ((double) dx[i] - start[i]));
      }
      assertEquals(left, right, 1e-5 * Math.max(1, scale), "adjoint identity " + g);
    }
  }

  /** The epilogue: transpose to batch-major, bias, activation; and the prologue's bias gradient. */
  @Test
  void epilogueAndPrologueOnAHandExample() {
    // 2 filters, batch 2, 1×2 output plane: product (F, B·P) = [[1, 2, 3, 4], [5, 6, 7, 8]].
    Conv2dGeometry g = new Conv2dGeometry(1, 1, 2).filters(2);
    float[] product = {1, 2, 3, 4, -5, 6, -7, 8};
    float[] params = {0, 0.5f, -1};
    float[] out = new float[8];
    Convolution.toBatchMajor(g, product, 2, params, 1, Activation.RELU, 0f, out);
    // out[b, f, p] = relu(product[f, b·P + p] + bias[f])
    assertArrayEquals(new float[] {1.5f, 2.5f, 0, 5, 3.5f, 4.5f, 0, 7}, out, 0f);

    float[] dy = {1, 2, 3, 4, 5, 6, 7, 8};
    float[] dz = new float[8];
    float[] grads = {100, 1, 2};
    Convolution.toFilterMajor(g, dy, out, 2, Activation.RELU, 0f, dz, grads, 1);
    // dy·relu'(y) = [1, 2, 0, 4, 5, 6, 0, 8] batch-major; filter-major: [[1, 2, 5, 6], [0, 4, 0, 8]].
    assertArrayEquals(new float[] {1, 2, 5, 6, 0, 4, 0, 8}, dz, 0f);
    assertArrayEquals(new float[] {1, 2, 0, 4, 5, 6, 0, 8}, dy, 0f);
    assertArrayEquals(new float[] {100, 1 + 14, 2 + 12}, grads, 0f);

    // No bias: biasOff = -1 reads and writes no bias.
    float[] out2 = new float[8];
    Convolution.toBatchMajor(g, product, 2, new float[0], -1, Activation.IDENTITY, 0f, out2);
    assertArrayEquals(new float[] {1, 2, -5, 6, 3, 4, -7, 8}, out2, 0f);
    float[] grads2 = {};
    Convolution.toFilterMajor(g, new float[8], out2, 2, Activation.IDENTITY, 0f, new float[8], grads2, -1);
  }

  @Test
  void kernelsRejectAGeometryWhoseWindowDoesNotFit() {
    Conv2dGeometry g = new Conv2dGeometry(1, 2, 2).kernel(3, 3);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Convolution.im2col(g, new float[4], 1, new float[100]));
    assertTrue(e.getMessage().contains("larger than the padded input"), e.getMessage());
    assertThrows(IllegalArgumentException.class,
        () -> ReferenceConvolution.forward(g, new float[4], 1, new float[10], 0, -1, new float[100]));
  }

  // ---------------------------------------------------------------------------------------------------------
  // ReferenceConvolution against an independent double-precision convolution and its finite differences.

  /** Tiny shapes covering stride, asymmetric padding, dilation and groups. */
  private static final int[][] TINY = {
      {2, 4, 5, 4, 2, 3, 2, 2, 1, 1, 0, 0, 1, 1, 2},
      {2, 5, 4, 3, 1, 2, 3, 3, 2, 2, 1, 2, 2, 1, 1},
      {3, 4, 4, 6, 3, 3, 3, 1, 2, 1, 1, 1, 1, 2, 1},
      {1, 3, 3, 2, 1, 3, 3, 1, 1, 0, 0, 0, 0, 1, 1},
  };

  static Stream<Arguments> tinyCases() {
    List<Arguments> cases = new ArrayList<>();
    for (int i = 0; i < TINY.length; i++) {
      for (boolean bias : new boolean[] {true, false}) {
        cases.add(Arguments.of(i, geometry(TINY[i]).toString(), bias));
      }
    }
    return cases.stream();
  }

  @ParameterizedTest(name = "#{0} {1} bias={2}")
  @MethodSource("tinyCases")
  void referenceBackwardMatchesFiniteDifferences(int which, String description, boolean bias) {
    Conv2dGeometry g = geometry(TINY[which]);
    int batch = 2;
    Rng rng = new Rng(4242 + which * 2 + (bias ? 1 : 0));
    int kg = g.patchSize() / g.groups;
    int weightOff = 3;
    int weights = g.filters * kg;
    int biasOff = bias ? weightOff + weights + 1 : -1;
    int paramCount = weightOff + weights + 1 + g.filters;
    float[] params = random(rng, paramCount);
    float[] x = random(rng, batch * g.inputSize());
    float[] r = random(rng, batch * g.outputSize());

    // The reference forward against the double oracle.
    double[] p = toDouble(params);
    double[] xd = toDouble(x);
    double[] want = oracleForward(g, xd, batch, p, weightOff, biasOff);
    float[] y = new float[batch * g.outputSize()];
    ReferenceConvolution.forward(g, x, batch, params, weightOff, biasOff, y);
    assertClose(want, toDouble(y), y.length, "reference forward vs double oracle");

    // The reference backward (dy = r, the gradient of L = Σ y·r) against central differences of the oracle.
    float[] grads = new float[paramCount];
    float[] dx = new float[x.length];
    ReferenceConvolution.backward(g, x, r, batch, params, weightOff, grads, biasOff, dx);
    double h = 1e-3;
    double[] fdParams = new double[paramCount];
    for (int i = 0; i < paramCount; i++) {
      double keep = p[i];
      p[i] = keep + h;
      double plus = loss(oracleForward(g, xd, batch, p, weightOff, biasOff), r);
      p[i] = keep - h;
      double minus = loss(oracleForward(g, xd, batch, p, weightOff, biasOff), r);
      p[i] = keep;
      fdParams[i] = (plus - minus) / (2 * h);
    }
    double[] fdX = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      double keep = xd[i];
      xd[i] = keep + h;
      double plus = loss(oracleForward(g, xd, batch, p, weightOff, biasOff), r);
      xd[i] = keep - h;
      double minus = loss(oracleForward(g, xd, batch, p, weightOff, biasOff), r);
      xd[i] = keep;
      fdX[i] = (plus - minus) / (2 * h);
    }
    assertClose(fdParams, toDouble(grads), paramCount, "weight and bias gradients vs finite differences");
    assertClose(fdX, toDouble(dx), x.length, "input gradient vs finite differences");

    // Without dx: the same parameter gradients, and adding onto what grads held.
    float[] grads2 = new float[paramCount];
    Arrays.fill(grads2, 1f);
    ReferenceConvolution.backward(g, x, r, batch, params, weightOff, grads2, biasOff, null);
    for (int i = 0; i < paramCount; i++) {
      assertEquals(grads[i] + 1f, grads2[i], 1e-6f * Math.max(1f, Math.abs(grads[i])), "accumulates at " + i);
    }
  }

  private static double loss(double[] y, float[] r) {
    double s = 0;
    for (int i = 0; i < y.length; i++) {
      s += y[i] * r[i];
    }
    return s;
  }

  /**
   * The convolution in double, written another way than the reference: the input is first copied into an
   * explicitly zero-padded buffer, then each output reads its dilated taps from it.
   */
  static double[] oracleForward(Conv2dGeometry g, double[] x, int batch, double[] p, int weightOff, int biasOff) {
    int ph = g.height + g.padTop + g.padBottom;
    int pw = g.width + g.padLeft + g.padRight;
    double[][][][] padded = new double[batch][g.channels][ph][pw];
    for (int b = 0; b < batch; b++) {
      for (int c = 0; c < g.channels; c++) {
        for (int h = 0; h < g.height; h++) {
          for (int w = 0; w < g.width; w++) {
            padded[b][c][h + g.padTop][w + g.padLeft] = x[((b * g.channels + c) * g.height + h) * g.width + w];
          }
        }
      }
    }
    int cg = g.channels / g.groups;
    int fg = g.filters / g.groups;
    int outH = (ph - g.dilationH * (g.kernelH - 1) - 1) / g.strideH + 1;
    int outW = (pw - g.dilationW * (g.kernelW - 1) - 1) / g.strideW + 1;
    double[] y = new double[batch * g.filters * outH * outW];
    int o = 0;
    for (int b = 0; b < batch; b++) {
      for (int f = 0; f < g.filters; f++) {
        int firstChannel = (f / fg) * cg;
        for (int oh = 0; oh < outH; oh++) {
          for (int ow = 0; ow < outW; ow++) {
            double s = biasOff < 0 ? 0 : p[biasOff + f];
            int wi = weightOff + f * cg * g.kernelH * g.kernelW;
            for (int c = firstChannel; c < firstChannel + cg; c++) {
              for (int i = 0; i < g.kernelH; i++) {
                for (int j = 0; j < g.kernelW; j++) {
                  s += p[wi++] * padded[b][c][oh * g.strideH + i * g.dilationH][ow * g.strideW + j * g.dilationW];
                }
              }
            }
            y[o++] = s;
          }
        }
      }
    }
    return y;
  }

  // ---------------------------------------------------------------------------------------------------------
  // Helpers.

  static float[] random(Rng rng, int n) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = 2 * rng.nextFloat() - 1;
    }
    return a;
  }

  /** {@code n} random values followed by {@link #TAIL} sentinels. */
  private static float[] withTail(Rng rng, int n) {
    float[] a = Arrays.copyOf(random(rng, n), n + TAIL);
    Arrays.fill(a, n, n + TAIL, SENTINEL);
    return a;
  }

  private static void assertTail(float[] a, int n, String what) {
    for (int i = n; i < a.length; i++) {
      if (a[i] != SENTINEL) {
        fail(what + ": written past the region, at " + i + " of " + n);
      }
    }
  }

  static double[] toDouble(float[] a) {
    double[] d = new double[a.length];
    for (int i = 0; i < a.length; i++) {
      d[i] = a[i];
    }
    return d;
  }

  private static void assertClose(float[] expected, float[] actual, int n, String what) {
    assertClose(toDouble(Arrays.copyOf(expected, n)), toDouble(Arrays.copyOf(actual, n)), n, what);
  }

  /** {@code |actual - expected| ≤ TOL · max(1, max|expected|)} elementwise over the first {@code n} values. */
  static void assertClose(double[] expected, double[] actual, int n, String what) {
    double scale = 1;
    for (int i = 0; i < n; i++) {
      scale = Math.max(scale, Math.abs(expected[i]));
    }
    double worst = 0;
    int at = -1;
    for (int i = 0; i < n; i++) {
      double err = Math.abs(actual[i] - expected[i]);
      if (!(err <= worst)) {
        worst = err;
        at = i;
      }
    }
    if (!(worst <= TOL * scale)) {
      fail(what + ": at " + at + " expected " + expected[at] + " but was " + actual[at] + " (error " + worst
          + ", allowed " + TOL * scale + ")");
    }
  }
}
