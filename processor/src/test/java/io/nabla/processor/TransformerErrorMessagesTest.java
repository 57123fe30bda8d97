package io.nabla.processor;

import org.junit.jupiter.api.Test;

/**
 * The mistakes a user can make declaring embeddings, layer norms and attention: each fails compilation with
 * Nabla's message on the line of the annotation value or parameter to change.
 */
class TransformerErrorMessagesTest {
  private static final String TEXT = "@Input(value = {16}, tokens = true) Tensor text();";
  private static final String EMBED = "@Embedding(vocabulary = 50, dimension = 32) Tensor embed(Tensor text);";
  private static final String HEAD = "@Dense(units = 50) Tensor logits(Tensor %s);";

  private static void assertError(String message, String lineContaining, String... layers) {
    Sources.assertSingleError("SOFTMAX_CROSS_ENTROPY", message, lineContaining, layers);
  }

  private static String head(String last) {
    return String.format(HEAD, last);
  }

  @Test
  void headsThatDoNotDivideTheDimension() {
    assertError("[NablaHeads] @MultiHeadAttention attention has heads = 5, which does not divide the dimension 32"
            + " of 'embed'; each head takes dimension / heads features, so use a divisor of 32.", "heads = 5", TEXT,
        EMBED, "@MultiHeadAttention(causal = true,\n      heads = 5) Tensor attention(Tensor embed);",
        head("attention"));
  }

  @Test
  void zeroHeads() {
    assertError("[NablaHeads] @MultiHeadAttention attention has heads = 0; heads must be at least 1.", "heads = 0",
        TEXT, EMBED, "@MultiHeadAttention(heads = 0) Tensor attention(Tensor embed);", head("attention"));
  }

  @Test
  void attentionOverAFlatInput() {
    assertError("[NablaRank] @MultiHeadAttention attention reads 'features' of shape (64), but it needs a sequence"
            + " (time, features)", "Tensor attention(Tensor features)", "@Input({64}) Tensor features();",
        "@MultiHeadAttention(heads = 2) Tensor attention(Tensor features);", "@Dense(units = 3) Tensor logits(Tensor attention);");
  }

  @Test
  void attentionOverAnImage() {
    assertError("[NablaRank] @MultiHeadAttention attention reads 'image' of shape (1, 8, 8), but it needs a"
            + " sequence (time, features)", "Tensor attention(Tensor image)", "@Input({1, 8, 8}) Tensor image();",
        "@MultiHeadAttention(heads = 1) Tensor attention(Tensor image);",
        "@Dense(units = 3) Tensor logits(Tensor attention);");
  }

  @Test
  void positionalEmbeddingOverTheLastStepOfAnLstm() {
    assertError("[NablaRank] @PositionalEmbedding positioned reads 'lstm' of shape (8), but it needs a sequence",
        "Tensor positioned(Tensor lstm)", TEXT, EMBED, "@Lstm(units = 8) Tensor lstm(Tensor embed);",
        "@PositionalEmbedding Tensor positioned(Tensor lstm);", head("positioned"));
  }

  @Test
  void embeddingOfFeatures() {
    assertError("[NablaTokens] @Embedding embed reads 'features', which is not a token input; an embedding looks up"
            + " integer ids, so read an @Input declared with tokens = true, e.g. @Input(value = {64}, tokens = true).",
        "Tensor embed(Tensor features)", "@Input({16}) Tensor features();",
        "@Embedding(vocabulary = 50, dimension = 32) Tensor embed(Tensor features);", head("embed"));
  }

  @Test
  void embeddingOfALayer() {
    assertError("[NablaTokens] @Embedding again reads 'embed', which is not a token input",
        "Tensor again(Tensor embed)", TEXT, EMBED,
        "@Embedding(vocabulary = 50, dimension = 32) Tensor again(Tensor embed);", head("again"));
  }

  @Test
  void tokensIntoADenseLayer() {
    assertError("[NablaTokens] @Dense logits reads the token input 'text', whose values are ids, not features; look"
            + " them up with an @Embedding first, or declare 'text' without tokens = true.", "Tensor logits(Tensor text)",
        TEXT, "@Dense(units = 50) Tensor logits(Tensor text);");
  }

  @Test
  void zeroVocabulary() {
    assertError("[NablaEmbedding] @Embedding embed has vocabulary = 0; vocabulary must be at least 1.",
        "vocabulary = 0", TEXT, "@Embedding(dimension = 8,\n      vocabulary = 0) Tensor embed(Tensor text);",
        head("embed"));
  }

  @Test
  void negativeDimension() {
    assertError("[NablaEmbedding] @Embedding embed has dimension = -8; dimension must be at least 1.",
        "dimension = -8", TEXT, "@Embedding(vocabulary = 50,\n      dimension = -8) Tensor embed(Tensor text);",
        head("embed"));
  }

  @Test
  void layerNormWithZeroEpsilon() {
    assertError("[NablaLayerNorm] @LayerNorm norm has epsilon = 0.0; it must be a positive number", "epsilon = 0",
        TEXT, EMBED, "@LayerNorm(epsilon = 0) Tensor norm(Tensor embed);", head("norm"));
  }

  @Test
  void layerNormOfTwoInputs() {
    assertError("[NablaLayerNormArity] @LayerNorm norm(...) takes exactly one input, but it has 2 parameters",
        "@LayerNorm", TEXT, EMBED, "@LayerNorm Tensor norm(Tensor embed, Tensor text);", head("norm"));
  }

  @Test
  void geluOnAConvolution() {
    assertError("[NablaActivation] @Conv2d conv uses GELU, which Nabla supports only on @Dense layers (its"
            + " derivative needs the pre-activation, which only dense layers keep); use it in a @Dense layer, or"
            + " another activation here.", "Activation.GELU", "@Input({1, 8, 8}) Tensor image();",
        "@Conv2d(filters = 4, kernel = 3,\n      activation = Activation.GELU) Tensor conv(Tensor image);",
        "@Flatten Tensor flat(Tensor conv);", "@Dense(units = 3) Tensor logits(Tensor flat);");
  }

  @Test
  void siluOnAnAdd() {
    assertError("[NablaActivation] @Add sum uses SILU", "Activation.SILU", "@Input({8}) Tensor x();",
        "@Dense(units = 8) Tensor a(Tensor x);",
        "@Add(activation = Activation.SILU) Tensor sum(Tensor x, Tensor a);",
        "@Dense(units = 3) Tensor logits(Tensor sum);");
  }
}
