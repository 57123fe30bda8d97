package io.nabla.processor.validation;

import io.nabla.Activation;
import io.nabla.Loss;
import java.util.Collection;

/**
 * Every message Nabla's processor shows a user, in one place: one sentence saying what is wrong and how to fix
 * it, opened by a tag ({@code [NablaUnknownInput]}) that tests and users can search for.
 */
public final class ErrorMessages {
  private ErrorMessages() {}

  // ---- the declaration ----

  public static String notAbstract(String type) {
    return "[NablaNotAbstract] @Network " + type + " must be an interface or an abstract class: its layers are"
        + " abstract methods that Nabla implements in generated code.";
  }

  public static String privateType(String type) {
    return "[NablaPrivate] @Network " + type + " is private, so the generated class cannot refer to it; make it"
        + " package-private or public.";
  }

  public static String innerType(String type) {
    return "[NablaInnerClass] @Network " + type + " is an inner (non-static) class; declare it static or move it"
        + " to the top level.";
  }

  public static String noLayers(String type) {
    return "[NablaNoLayers] @Network " + type + " declares no layers; add abstract methods annotated @Input,"
        + " @Dense or @Add (in Kotlin, `fun`s; a `val` property becomes a layer named get<Name>).";
  }

  public static String noInput(String type) {
    return "[NablaNoInput] @Network " + type + " has no @Input; declare one, e.g. `@Input({784}) Tensor pixels();`"
        + " (Kotlin: `@Input(784) fun pixels(): Tensor`).";
  }

  public static String unannotatedMethod(String method) {
    return "[NablaUnannotatedMethod] abstract method " + method + "() of a @Network has no layer annotation;"
        + " annotate it with @Input, @Dense or @Add, or give it a body.";
  }

  public static String twoLayerAnnotations(String method, String first, String second) {
    return "[NablaTwoAnnotations] " + method + "() carries both @" + first + " and @" + second + "; a layer"
        + " method carries exactly one layer annotation.";
  }

  public static String notTensor(String method, String what) {
    return "[NablaNotTensor] layer " + method + "() must " + what + " io.nabla.Tensor; declare it as"
        + " `Tensor " + method + "(Tensor input)` (Kotlin: `fun " + method + "(input: Tensor): Tensor`).";
  }

  public static String typeParameters(String method) {
    return "[NablaTypeParameters] layer " + method + "() must not declare type parameters.";
  }

  public static String keywordName(String name) {
    return "[NablaKeywordName] '" + name + "' is a Java keyword and cannot name a layer in generated code;"
        + " rename it (e.g. '" + name + "Layer').";
  }

  public static String duplicateLayer(String name) {
    return "[NablaDuplicateLayer] two layers are named '" + name + "'; every layer method needs its own name"
        + " (methods cannot be overloaded in a @Network).";
  }

  // ---- inputs and edges ----

  public static String unknownInput(String layer, String input, Collection<String> layers) {
    return "[NablaUnknownInput] layer '" + layer + "' reads '" + input + "', which is not a layer of this network;"
        + " name the parameter after one of: " + String.join(", ", layers) + "."
        + (KAPT_RENAMED.matcher(input).matches() ? " (kapt renames a Kotlin parameter whose name is a Java keyword"
            + " to '" + input + "': rename the layer and the parameter.)" : "");
  }

  /** How kapt renames a parameter whose Kotlin name is a Java keyword, e.g. {@code p0_54480}. */
  private static final java.util.regex.Pattern KAPT_RENAMED = java.util.regex.Pattern.compile("p\\d+_\\d+");

  public static String readsItself(String layer) {
    return "[NablaCycle] layer '" + layer + "' reads its own output; read an earlier layer instead.";
  }

  public static String cycle(String path) {
    return "[NablaCycle] layers form a cycle (" + path + "); a network must be acyclic: make one of them read an"
        + " earlier layer.";
  }

  public static String inputWithParameters(String layer) {
    return "[NablaInputArity] @Input " + layer + "() must take no parameters: an input reads no layer.";
  }

  public static String arity(String kind, String layer, String expected, int actual) {
    return "[Nabla" + kind + "Arity] @" + kind + " " + layer + "(...) takes " + expected + ", but it has " + actual
        + " parameter" + (actual == 1 ? "" : "s") + "; each parameter names a layer it reads.";
  }

  public static String unusedInput(String layer) {
    return "[NablaUnusedInput] @Input '" + layer + "' is not read by any layer; read it or remove it.";
  }

  public static String severalOutputs(Collection<String> outputs) {
    return "[NablaSeveralOutputs] layers " + String.join(", ", outputs) + " are all read by no other layer, but a"
        + " network has exactly one output; make the others feed into it (e.g. through @Add) or remove them.";
  }

  public static String noOutput() {
    return "[NablaNoOutput] the network has no layer besides its inputs; add one that reads an input, e.g."
        + " a @Dense(units = 10) layer named logits with a parameter named after the input.";
  }

  // ---- hyperparameters ----

  public static String nonPositiveUnits(String layer, int units) {
    return "[NablaUnits] @Dense " + layer + " has units = " + units + "; units must be at least 1.";
  }

  public static String emptyShape(String layer) {
    return "[NablaInputShape] @Input " + layer + " has an empty shape; give every dimension, e.g. @Input({784}) (Kotlin: @Input(784)).";
  }

  public static String nonPositiveDimension(String layer, int index, int value) {
    return "[NablaInputShape] @Input " + layer + " has dimension " + index + " = " + value + "; every dimension"
        + " must be at least 1.";
  }

  public static String tooLarge(String layer, String what) {
    return "[NablaTooLarge] layer '" + layer + "' has " + what + ", more than a Java array holds; make it smaller.";
  }

  public static String badLeakySlope(String layer, float slope) {
    return "[NablaLeakySlope] layer '" + layer + "' has leakySlope = " + slope + "; it must be a finite number of"
        + " at least 0 (Nabla computes the derivative from the output, which needs the sign kept).";
  }

  /** A size attribute ({@code kernel}, {@code stride}, ...) of the wrong length or with a value out of range. */
  public static String badSize(String kind, String layer, String attribute, int[] values, String rule) {
    return "[Nabla" + kind + "Size] @" + kind + " " + layer + " has " + attribute + " = "
        + java.util.Arrays.toString(values).replace('[', '{').replace(']', '}') + "; " + rule + ".";
  }

  public static String nonPositiveFilters(String layer, int filters) {
    return "[NablaFilters] @Conv2d " + layer + " has filters = " + filters + "; filters must be at least 1.";
  }

  public static String badGroups(String layer, String what) {
    return "[NablaGroups] @Conv2d " + layer + " " + what;
  }

  public static String samePaddingStride(String layer, int[] stride) {
    return "[NablaConv2dSize] @Conv2d " + layer + " has padding = Conv2d.SAME with stride = "
        + java.util.Arrays.toString(stride).replace('[', '{').replace(']', '}') + "; SAME padding keeps the size"
        + " only with stride 1 (as PyTorch's padding='same'): give explicit padding, or use stride 1.";
  }

  public static String badRate(String layer, double rate) {
    return "[NablaDropoutRate] @Dropout " + layer + " has rate = " + rate + "; the rate must be in [0, 1)"
        + " (the probability of zeroing a value).";
  }

  public static String badMomentum(String layer, double momentum) {
    return "[NablaBatchNorm] @BatchNorm " + layer + " has momentum = " + momentum + "; it must be in (0, 1]"
        + " (the weight of the newest batch in the running statistics; PyTorch's default is 0.1).";
  }

  public static String badEpsilon(String layer, double epsilon) {
    return "[NablaBatchNorm] @BatchNorm " + layer + " has epsilon = " + epsilon + "; it must be a positive number"
        + " (added to the variance; PyTorch's default is 1e-5).";
  }

  // ---- recurrent layers ----

  public static String nonPositiveRecurrentUnits(String kind, String layer, int units) {
    return "[NablaUnits] @" + kind + " " + layer + " has units = " + units + "; units must be at least 1.";
  }

  public static String needsSequence(String kind, String layer, String input, String shape) {
    return "[NablaRank] @" + kind + " " + layer + " reads '" + input + "' of shape " + shape + ", but it needs"
        + " a sequence (time, features); declare the input as e.g. @Input({28, 28}) for 28 steps of 28 features.";
  }

  // ---- sequence layers ----

  public static String nonPositiveEmbedding(String layer, String attribute, int value) {
    return "[NablaEmbedding] @Embedding " + layer + " has " + attribute + " = " + value + "; " + attribute
        + " must be at least 1.";
  }

  public static String embeddingNeedsTokens(String layer, String input) {
    return "[NablaTokens] @Embedding " + layer + " reads '" + input + "', which is not a token input; an embedding"
        + " looks up integer ids, so read an @Input declared with tokens = true, e.g."
        + " @Input(value = {64}, tokens = true).";
  }

  public static String tokensNeedEmbedding(String kind, String layer, String input) {
    return "[NablaTokens] @" + kind + " " + layer + " reads the token input '" + input + "', whose values are ids,"
        + " not features; look them up with an @Embedding first, or declare '" + input + "' without tokens = true.";
  }

  public static String badLayerNormEpsilon(String layer, double epsilon) {
    return "[NablaLayerNorm] @LayerNorm " + layer + " has epsilon = " + epsilon + "; it must be a positive number"
        + " (added to the variance; PyTorch's default is 1e-5).";
  }

  public static String nonPositiveHeads(String layer, int heads) {
    return "[NablaHeads] @MultiHeadAttention " + layer + " has heads = " + heads + "; heads must be at least 1.";
  }

  public static String headsDoNotDivide(String layer, int heads, String input, int dimension) {
    return "[NablaHeads] @MultiHeadAttention " + layer + " has heads = " + heads + ", which does not divide the"
        + " dimension " + dimension + " of '" + input + "'; each head takes dimension / heads features, so use a"
        + " divisor of " + dimension + ".";
  }

  /** A sequence layer ({@code @MultiHeadAttention}, {@code @PositionalEmbedding}) given another rank. */
  public static String needsTimeByFeatures(String kind, String layer, String input, String shape) {
    return "[NablaRank] @" + kind + " " + layer + " reads '" + input + "' of shape " + shape + ", but it needs"
        + " a sequence (time, features); feed it an @Embedding of a token input of shape (time), or a layer of"
        + " shape (time, features).";
  }

  public static String activationNeedsDense(String layer, String kind, Activation activation) {
    return "[NablaActivation] @" + kind + " " + layer + " uses " + activation + ", which Nabla supports only on"
        + " @Dense layers (its derivative needs the pre-activation, which only dense layers keep); use it in a"
        + " @Dense layer, or another activation here.";
  }

  // ---- shapes, activations and the loss ----

  public static String needsImage(String kind, String layer, String input, String shape) {
    return "[NablaRank] @" + kind + " " + layer + " reads '" + input + "' of shape " + shape + ", but it needs"
        + " (channels, height, width); declare the input as e.g. @Input({1, 28, 28}).";
  }

  public static String kernelTooLarge(String kind, String layer, String kernel, String input, String shape,
      String padded) {
    return "[NablaKernelSize] @" + kind + " " + layer + " has an effective kernel of " + kernel + ", larger than '"
        + input + "' of shape " + shape + " with its padding (" + padded + "); use a smaller kernel or dilation, or"
        + " more padding.";
  }

  public static String groupsMismatch(String layer, int groups, String input, int channels) {
    return "[NablaGroups] @Conv2d " + layer + " has groups = " + groups + ", which does not divide the " + channels
        + " channels of '" + input + "'; use a divisor of " + channels + " (groups = " + channels
        + " is a depthwise convolution).";
  }

  public static String poolPadding(String kind, String layer, int[] padding, String kernel) {
    return "[Nabla" + kind + "Size] @" + kind + " " + layer + " has padding = "
        + java.util.Arrays.toString(padding).replace('[', '{').replace(']', '}') + " for a " + kernel
        + " kernel; padding may be at most half the kernel on each axis (as in PyTorch).";
  }

  public static String concatMismatch(String layer, String a, String shapeA, String b, String shapeB) {
    return "[NablaConcatShapes] @Concat " + layer + " joins '" + a + "' of shape " + shapeA + " and '" + b
        + "' of shape " + shapeB + " along the first (channel) dimension; every other dimension must be equal.";
  }

  public static String addShapeMismatch(String layer, String a, String shapeA, String b, String shapeB) {
    return "[NablaAddShapes] @Add " + layer + " adds '" + a + "' of shape " + shapeA + " and '" + b + "' of shape "
        + shapeB + "; the inputs of @Add must have the same shape.";
  }

  public static String misplacedSoftmax(String layer, Loss loss, boolean isOutput) {
    return "[NablaSoftmax] layer '" + layer + "' uses SOFTMAX, which Nabla supports only on the output @Dense or"
        + " @Add layer of a network with loss SOFTMAX_CROSS_ENTROPY, fused with the loss; "
        + (isOutput ? "this network's loss is " + loss + ": use IDENTITY or SIGMOID here, or change the loss."
            : "it is not the output: use another activation here.");
  }

  public static String unfusableSigmoid(String layer, String kind) {
    return "[NablaSigmoid] the output @" + kind + " " + layer + " uses SIGMOID with loss"
        + " BINARY_CROSS_ENTROPY_WITH_LOGITS, which takes logits; use IDENTITY here (the loss applies the sigmoid),"
        + " or end the network with a @Dense layer.";
  }

  public static String tooFewClasses(String layer, String shape) {
    return "[NablaLossShape] softmax cross-entropy needs at least 2 classes in the last dimension of the output,"
        + " but '" + layer + "' has shape " + shape + "; give it more units, or use loss"
        + " BINARY_CROSS_ENTROPY_WITH_LOGITS for a single yes/no output.";
  }

  public static String internalError(String trace) {
    return "[NablaInternalError] internal error in Nabla's processor, please report: " + trace;
  }

  public static String unresolvedType(String method) {
    return "[NablaUnresolvedType] layer " + method + "() uses a type that cannot be resolved; check its imports.";
  }
}
