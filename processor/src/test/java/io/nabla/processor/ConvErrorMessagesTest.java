package io.nabla.processor;

import org.junit.jupiter.api.Test;

/**
 * The mistakes a user can make declaring convolutional layers: each fails compilation with Nabla's message on the
 * line of the annotation value or parameter to change.
 */
class ConvErrorMessagesTest {
  private static final String IMAGE = "@Input({3, 8, 8}) Tensor image();";
  private static final String HEAD = "@Flatten Tensor flat(Tensor %s); @Dense(units = 2) Tensor out(Tensor flat);";

  private static void assertError(String message, String lineContaining, String... layers) {
    Sources.assertSingleError("MSE", message, lineContaining, layers);
  }

  private static String head(String last) {
    return String.format(HEAD, last);
  }

  @Test
  void kernelLargerThanThePaddedInput() {
    assertError("[NablaKernelSize] @Conv2d conv has an effective kernel of 9×9, larger than 'image' of shape"
            + " (3, 8, 8) with its padding (8×8 padded); use a smaller kernel or dilation, or more padding.",
        "kernel = 9", IMAGE, "@Conv2d(filters = 4, kernel = 9) Tensor conv(Tensor image);", head("conv"));
  }

  @Test
  void dilationMakesTheKernelTooLarge() {
    assertError("[NablaKernelSize] @Conv2d conv has an effective kernel of 9×9", "dilation = 4", IMAGE,
        "@Conv2d(filters = 4, kernel = 3,\n      dilation = 4) Tensor conv(Tensor image);", head("conv"));
  }

  @Test
  void poolWindowLargerThanItsInput() {
    assertError("[NablaKernelSize] @MaxPool2d pool has an effective kernel of 3×3, larger than 'small'",
        "@MaxPool2d(kernel = 3)", IMAGE, "@Conv2d(filters = 2, kernel = 7) Tensor small(Tensor image);",
        "@MaxPool2d(kernel = 3) Tensor pool(Tensor small);", head("pool"));
  }

  @Test
  void groupsThatDoNotDivideTheChannels() {
    assertError("[NablaGroups] @Conv2d conv has groups = 2, which does not divide the 3 channels of 'image'; use a"
            + " divisor of 3 (groups = 3 is a depthwise convolution).", "groups = 2", IMAGE,
        "@Conv2d(filters = 4, kernel = 3, groups = 2) Tensor conv(Tensor image);", head("conv"));
  }

  @Test
  void groupsThatDoNotDivideTheFilters() {
    assertError("[NablaGroups] @Conv2d conv has filters = 4 and groups = 3; filters must be a multiple of groups",
        "groups = 3", IMAGE, "@Conv2d(filters = 4, kernel = 3, groups = 3) Tensor conv(Tensor image);",
        head("conv"));
  }

  @Test
  void channelMismatchAtAdd() {
    assertError("[NablaAddShapes] @Add sum adds 'a' of shape (4, 8, 8) and 'b' of shape (6, 8, 8); the inputs of"
            + " @Add must have the same shape.", "Tensor sum(Tensor a, Tensor b)", IMAGE,
        "@Conv2d(filters = 4, kernel = 3, padding = 1) Tensor a(Tensor image);",
        "@Conv2d(filters = 6, kernel = 3, padding = 1) Tensor b(Tensor image);",
        "@Add Tensor sum(Tensor a, Tensor b);", head("sum"));
  }

  @Test
  void spatialMismatchAtConcat() {
    assertError("[NablaConcatShapes] @Concat joined joins 'a' of shape (4, 8, 8) and 'b' of shape (4, 6, 6) along"
            + " the first (channel) dimension; every other dimension must be equal.",
        "Tensor joined(Tensor a, Tensor b)", IMAGE,
        "@Conv2d(filters = 4, kernel = 3, padding = 1) Tensor a(Tensor image);",
        "@Conv2d(filters = 4, kernel = 3) Tensor b(Tensor image);",
        "@Concat Tensor joined(Tensor a, Tensor b);", head("joined"));
  }

  @Test
  void convolutionOfAFlatInput() {
    assertError("[NablaRank] @Conv2d conv reads 'x' of shape (64), but it needs (channels, height, width); declare"
            + " the input as e.g. @Input({1, 28, 28}).", "Tensor conv(Tensor x)", "@Input({64}) Tensor x();",
        "@Conv2d(filters = 4, kernel = 3) Tensor conv(Tensor x);", head("conv"));
  }

  @Test
  void strideThatLeavesNoOutputIsAKernelError() {
    assertError("[NablaConv2dSize] @Conv2d conv has stride = {0}; every value must be at least 1.", "stride = 0",
        IMAGE, "@Conv2d(filters = 4, kernel = 3, stride = 0) Tensor conv(Tensor image);", head("conv"));
  }

  @Test
  void threeKernelSizes() {
    assertError("[NablaConv2dSize] @Conv2d conv has kernel = {3, 3, 3}; give one value for both axes or two,"
            + " {height, width}.", "kernel = {3, 3, 3}", IMAGE,
        "@Conv2d(filters = 4, kernel = {3, 3, 3}) Tensor conv(Tensor image);", head("conv"));
  }

  @Test
  void negativePadding() {
    assertError("[NablaConv2dSize] @Conv2d conv has padding = {-2}; every value must be at least 0.",
        "padding = -2", IMAGE, "@Conv2d(filters = 4, kernel = 3, padding = -2) Tensor conv(Tensor image);",
        head("conv"));
  }

  @Test
  void samePaddingWithStride() {
    assertError("[NablaConv2dSize] @Conv2d conv has padding = Conv2d.SAME with stride = {2}", "padding = Conv2d.SAME",
        IMAGE, "@Conv2d(filters = 4, kernel = 3, stride = 2,\n      padding = Conv2d.SAME) Tensor conv(Tensor image);",
        head("conv"));
  }

  @Test
  void zeroFilters() {
    assertError("[NablaFilters] @Conv2d conv has filters = 0; filters must be at least 1.", "filters = 0", IMAGE,
        "@Conv2d(filters = 0, kernel = 3) Tensor conv(Tensor image);", head("conv"));
  }

  @Test
  void poolPaddingOverHalfTheKernel() {
    assertError("[NablaMaxPool2dSize] @MaxPool2d pool has padding = {2} for a 3×3 kernel; padding may be at most half"
            + " the kernel on each axis (as in PyTorch).", "padding = 2", IMAGE,
        "@MaxPool2d(kernel = 3, padding = 2) Tensor pool(Tensor image);", head("pool"));
  }

  @Test
  void dropoutRateOfOne() {
    assertError("[NablaDropoutRate] @Dropout d has rate = 1.0; the rate must be in [0, 1)", "rate = 1.0",
        "@Input({4}) Tensor x();", "@Dropout(rate = 1.0) Tensor d(Tensor x);", "@Dense(units = 2) Tensor out(Tensor d);");
  }

  @Test
  void batchNormMomentumOutOfRange() {
    assertError("[NablaBatchNorm] @BatchNorm bn has momentum = 0.0; it must be in (0, 1]", "momentum = 0",
        IMAGE, "@BatchNorm(momentum = 0) Tensor bn(Tensor image);", head("bn"));
  }

  @Test
  void batchNormNonPositiveEpsilon() {
    assertError("[NablaBatchNorm] @BatchNorm bn has epsilon = -1.0E-5; it must be a positive number",
        "epsilon = -1e-5", IMAGE, "@BatchNorm(epsilon = -1e-5) Tensor bn(Tensor image);", head("bn"));
  }

  @Test
  void concatOfOneInput() {
    assertError("[NablaConcatArity] @Concat c(...) takes two or more inputs, but it has 1 parameter",
        "@Concat Tensor c(Tensor image);", IMAGE, "@Concat Tensor c(Tensor image);", head("c"));
  }

  @Test
  void flattenOfTwoInputs() {
    assertError("[NablaFlattenArity] @Flatten flat(...) takes exactly one input, but it has 2 parameters",
        "Tensor flat(Tensor image, Tensor other)", IMAGE, "@Conv2d(filters = 3, kernel = 1) Tensor other(Tensor image);",
        "@Flatten Tensor flat(Tensor image, Tensor other); @Dense(units = 2) Tensor out(Tensor flat);");
  }

  @Test
  void globalPoolOfAFlatInput() {
    assertError("[NablaRank] @GlobalAvgPool g reads 'x' of shape (4)", "Tensor g(Tensor x)",
        "@Input({4}) Tensor x();", "@GlobalAvgPool Tensor g(Tensor x);", "@Dense(units = 2) Tensor out(Tensor g);");
  }

  @Test
  void sigmoidOnAConvolutionalOutputWithBinaryCrossEntropy() {
    Sources.assertSingleError("BINARY_CROSS_ENTROPY_WITH_LOGITS", "[NablaSigmoid] the output @Conv2d out uses SIGMOID"
            + " with loss BINARY_CROSS_ENTROPY_WITH_LOGITS, which takes logits", "activation = Activation.SIGMOID",
        "@Input({1, 4, 4}) Tensor image();",
        "@Conv2d(filters = 1, kernel = 1, activation = Activation.SIGMOID) Tensor out(Tensor image);");
  }
}
