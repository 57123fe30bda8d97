package io.nabla.runtime.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** {@link Conv2dGeometry}: PyTorch's output-size formula, the fluent setters, and argument checking. */
class Conv2dGeometryTest {

  @Test
  void defaults() {
    Conv2dGeometry g = new Conv2dGeometry(3, 5, 7);
    assertEquals(3, g.channels);
    assertEquals(5, g.height);
    assertEquals(7, g.width);
    assertEquals(3, g.filters);
    assertEquals(1, g.groups);
    assertEquals(1, g.kernelH);
    assertEquals(1, g.kernelW);
    assertEquals(1, g.strideH);
    assertEquals(1, g.strideW);
    assertEquals(0, g.padTop);
    assertEquals(0, g.padLeft);
    assertEquals(0, g.padBottom);
    assertEquals(0, g.padRight);
    assertEquals(1, g.dilationH);
    assertEquals(1, g.dilationW);
    assertEquals(5, g.outHeight);
    assertEquals(7, g.outWidth);
  }

  @Test
  void settersFillTheirOwnFields() {
    Conv2dGeometry g = new Conv2dGeometry(4, 20, 30).filters(6).groups(2).kernel(3, 5).stride(2, 3)
        .padding(1, 2, 3, 4).dilation(2, 1);
    assertEquals(6, g.filters);
    assertEquals(2, g.groups);
    assertEquals(3, g.kernelH);
    assertEquals(5, g.kernelW);
    assertEquals(2, g.strideH);
    assertEquals(3, g.strideW);
    assertEquals(1, g.padTop);
    assertEquals(2, g.padLeft);
    assertEquals(3, g.padBottom);
    assertEquals(4, g.padRight);
    assertEquals(2, g.dilationH);
    assertEquals(1, g.dilationW);
    // (20 + 1 + 3 - 2·2 - 1) / 2 + 1 = 10; (30 + 2 + 4 - 4 - 1) / 3 + 1 = 11.
    assertEquals(10, g.outHeight);
    assertEquals(11, g.outWidth);
    assertEquals(4 * 20 * 30, g.inputSize());
    assertEquals(110, g.outputPlane());
    assertEquals(6 * 110, g.outputSize());
    assertEquals(4 * 3 * 5, g.patchSize());
    String s = g.toString();
    assertTrue(s.contains("(4, 20, 30)") && s.contains("filters 6") && s.contains("groups 2"), s);
  }

  @Test
  void immutable() {
    Conv2dGeometry g = new Conv2dGeometry(2, 8, 8);
    Conv2dGeometry k = g.kernel(3, 3);
    Conv2dGeometry p = k.padding(1, 1, 1, 1);
    assertNotSame(g, k);
    assertNotSame(k, p);
    assertEquals(1, g.kernelH);
    assertEquals(8, g.outHeight);
    assertEquals(3, k.kernelH);
    assertEquals(0, k.padTop);
    assertEquals(6, k.outHeight);
    assertEquals(8, p.outHeight);
  }

  /**
   * {height, width, kernelH, kernelW, strideH, strideW, padTop, padLeft, padBottom, padRight, dilationH, dilationW,
   * outHeight, outWidth}; the expected sizes are those PyTorch's {@code nn.Conv2d} / {@code nn.MaxPool2d} report
   * for the same (symmetric) settings, or {@code nn.ZeroPad2d} then the layer for asymmetric ones.
   */
  static Stream<Arguments> pytorchCases() {
    return Stream.of(
        Arguments.of(new int[] {28, 28, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 28, 28}), // 'same' 3×3
        Arguments.of(new int[] {32, 32, 5, 5, 1, 1, 0, 0, 0, 0, 1, 1, 28, 28}), // LeNet
        Arguments.of(new int[] {224, 224, 7, 7, 2, 2, 3, 3, 3, 3, 1, 1, 112, 112}), // ResNet stem
        Arguments.of(new int[] {112, 112, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 56, 56}), // ResNet max pool
        Arguments.of(new int[] {227, 227, 11, 11, 4, 4, 0, 0, 0, 0, 1, 1, 55, 55}), // AlexNet
        Arguments.of(new int[] {7, 7, 3, 3, 2, 2, 0, 0, 0, 0, 1, 1, 3, 3}),
        Arguments.of(new int[] {10, 10, 3, 3, 3, 3, 0, 0, 0, 0, 1, 1, 3, 3}), // floor: 7/3 = 2
        Arguments.of(new int[] {5, 7, 3, 2, 2, 3, 1, 0, 1, 0, 2, 1, 2, 2}), // dilation, per-axis values
        Arguments.of(new int[] {9, 9, 3, 3, 1, 1, 2, 2, 2, 2, 2, 2, 9, 9}), // dilated 'same'
        Arguments.of(new int[] {4, 4, 2, 2, 1, 1, 0, 0, 1, 1, 1, 1, 4, 4}), // TF-style 'same' for even kernels
        Arguments.of(new int[] {5, 6, 2, 2, 2, 2, 0, 0, 1, 0, 1, 1, 3, 3}), // asymmetric
        Arguments.of(new int[] {1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, 1}),
        Arguments.of(new int[] {2, 2, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2}), // kernel larger than the input
        Arguments.of(new int[] {1, 1, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}),
        Arguments.of(new int[] {3, 3, 3, 3, 1, 1, 0, 0, 0, 0, 1, 1, 1, 1})); // kernel = input
  }

  @ParameterizedTest
  @MethodSource("pytorchCases")
  void outputSizesFollowPyTorch(int[] c) {
    // In the annotation's field order: the kernel before the padding that makes it fit.
    Conv2dGeometry g = new Conv2dGeometry(2, c[0], c[1]).kernel(c[2], c[3]).stride(c[4], c[5])
        .padding(c[6], c[7], c[8], c[9]).dilation(c[10], c[11]);
    assertEquals(c[12], g.outHeight, "outHeight " + g);
    assertEquals(c[13], g.outWidth, "outWidth " + g);
    // The formula, independently.
    assertEquals(Math.floorDiv(c[0] + c[6] + c[8] - c[10] * (c[2] - 1) - 1, c[4]) + 1, g.outHeight);
    assertEquals(Math.floorDiv(c[1] + c[7] + c[9] - c[11] * (c[3] - 1) - 1, c[5]) + 1, g.outWidth);
    // Any other order gives the same geometry.
    Conv2dGeometry other = new Conv2dGeometry(2, c[0], c[1]).dilation(c[10], c[11]).padding(c[6], c[7], c[8], c[9])
        .stride(c[4], c[5]).kernel(c[2], c[3]);
    assertEquals(g.toString(), other.toString());
    assertEquals(g.outHeight, other.outHeight);
    assertEquals(g.outWidth, other.outWidth);
    assertEquals(2 * c[12] * c[13], g.outputSize());
  }

  @Test
  void depthwiseAndGroupedFilters() {
    Conv2dGeometry depthwise = new Conv2dGeometry(8, 5, 5).filters(16).groups(8);
    assertEquals(8, depthwise.groups);
    assertEquals(16, depthwise.filters);
    // groups before filters works as well (filters starts at channels, which groups divides).
    Conv2dGeometry other = new Conv2dGeometry(8, 5, 5).groups(8).filters(16);
    assertEquals(depthwise.toString(), other.toString());
  }

  private static void assertInvalid(Executable build, String... mentions) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, build);
    String message = e.getMessage();
    assertTrue(message != null && !message.isEmpty(), "an exception with a message");
    for (String m : mentions) {
      assertTrue(message.contains(m), "'" + message + "' should mention '" + m + "'");
    }
  }

  @Test
  void invalidArgumentsThrowWithAMessage() {
    assertInvalid(() -> new Conv2dGeometry(0, 5, 5), "input (0, 5, 5)");
    assertInvalid(() -> new Conv2dGeometry(3, 0, 5), "input (3, 0, 5)");
    assertInvalid(() -> new Conv2dGeometry(3, 5, -1), "input (3, 5, -1)");
    Conv2dGeometry g = new Conv2dGeometry(4, 6, 6);
    assertInvalid(() -> g.filters(0), "filters 0");
    assertInvalid(() -> g.groups(0), "groups 0");
    assertInvalid(() -> g.groups(3), "groups 3"); // 4 channels
    assertInvalid(() -> g.filters(6).groups(4), "filters 6", "groups 4");
    assertInvalid(() -> g.groups(2).filters(3), "filters 3", "groups 2");
    assertInvalid(() -> g.kernel(0, 3), "kernel 0×3");
    assertInvalid(() -> g.kernel(3, -2), "kernel 3×-2");
    assertInvalid(() -> g.stride(0, 1), "stride 0×1");
    assertInvalid(() -> g.stride(1, -1), "stride 1×-1");
    assertInvalid(() -> g.padding(-1, 0, 0, 0), "top -1");
    assertInvalid(() -> g.padding(0, -1, 0, 0), "left -1");
    assertInvalid(() -> g.padding(0, 0, -1, 0), "bottom -1");
    assertInvalid(() -> g.padding(0, 0, 0, -1), "right -1");
    assertInvalid(() -> g.dilation(0, 1), "dilation 0×1");
    assertInvalid(() -> g.dilation(1, 0), "dilation 1×0");
  }

  /**
   * A window that does not fit the padded input: allowed while the geometry is being built (the padding may come
   * next), refused with a message as soon as the geometry is used.
   */
  @Test
  void aWindowThatDoesNotFitIsRefusedWhenUsed() {
    Conv2dGeometry tooLarge = new Conv2dGeometry(1, 2, 2).kernel(3, 3);
    assertEquals(0, tooLarge.outHeight);
    assertEquals(0, tooLarge.outWidth);
    assertInvalid(tooLarge::outputSize, "larger than the padded input", "kernel 3×3");
    assertThrows(IllegalArgumentException.class, tooLarge::outputPlane);
    // The padding that makes it fit.
    assertEquals(4, tooLarge.padding(1, 1, 1, 1).outputPlane());
    Conv2dGeometry tall = tooLarge.padding(1, 0, 1, 0).kernel(3, 2); // (2 + 2 - 2 - 1) + 1 rows, 2 - 1 columns
    assertEquals(2, tall.outHeight);
    assertEquals(1, tall.outWidth);
    // Only one axis too large.
    Conv2dGeometry wide = new Conv2dGeometry(1, 9, 2).kernel(3, 3);
    assertEquals(7, wide.outHeight);
    assertEquals(0, wide.outWidth);
    assertInvalid(wide::outputPlane, "larger than the padded input");
    // Dilation can make a kernel too large too: effective size 2·(3 - 1) + 1 = 5 > 4.
    assertInvalid(new Conv2dGeometry(1, 4, 4).kernel(3, 3).dilation(2, 2)::outputSize,
        "larger than the padded input", "dilation 2×2");
    // A huge dilation must not overflow into a positive size.
    Conv2dGeometry huge = new Conv2dGeometry(1, 4, 4).kernel(3, 3).dilation(Integer.MAX_VALUE, 1);
    assertEquals(0, huge.outHeight);
    assertInvalid(huge::outputSize, "larger than the padded input");
  }
}
