package io.nabla.processor;

import static com.google.testing.compile.CompilationSubject.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.testing.compile.Compilation;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * A few golden generated sources, to notice code that is correct but weird. Behaviour is tested functionally
 * (module {@code tests}); these only pin the shape of the output. Run with {@code -Dnabla.updateGoldens=true}
 * to rewrite them after an intended change, then review the diff.
 */
class GoldenSourceTest {

  @Test
  void fashionMlp(TestInfo test) {
    JavaFileObject source = Sources.source("FashionMlp", ""
        + "@Network(loss = Loss.SOFTMAX_CROSS_ENTROPY)\n"
        + "public interface FashionMlp {\n"
        + "  @Input({784}) Tensor pixels();\n"
        + "  @Dense(units = 256, activation = Activation.RELU) Tensor hidden(Tensor pixels);\n"
        + "  @Dense(units = 10) Tensor logits(Tensor hidden);\n"
        + "}\n");
    assertGolden(test, source, "test.FashionMlpNet");
  }

  @Test
  void residualWithSigmoidOutput(TestInfo test) {
    JavaFileObject source = Sources.source("Outer", ""
        + "public class Outer {\n"
        + "  @Network(loss = Loss.BINARY_CROSS_ENTROPY_WITH_LOGITS)\n"
        + "  interface Residual {\n"
        + "    @Input({2, 8}) Tensor steps();\n"
        + "    @Dense(units = 8, activation = Activation.LEAKY_RELU, leakySlope = 0.1f) Tensor branch(Tensor steps);\n"
        + "    @Add(activation = Activation.TANH) Tensor block(Tensor branch, Tensor steps);\n"
        + "    @Dense(units = 1, activation = Activation.SIGMOID, bias = false) Tensor probability(Tensor block);\n"
        + "  }\n"
        + "}\n");
    assertGolden(test, source, "test.Outer_ResidualNet");
  }

  @Test
  void smallCnn(TestInfo test) {
    JavaFileObject source = Sources.source("SmallCnn", ""
        + "@Network(loss = Loss.SOFTMAX_CROSS_ENTROPY)\n"
        + "public interface SmallCnn {\n"
        + "  @Input({1, 28, 28}) Tensor image();\n"
        + "  @Conv2d(filters = 16, kernel = 3, padding = 1, bias = false) Tensor conv1(Tensor image);\n"
        + "  @BatchNorm(activation = Activation.RELU) Tensor bn1(Tensor conv1);\n"
        + "  @MaxPool2d(kernel = 2) Tensor pool1(Tensor bn1);\n"
        + "  @Conv2d(filters = 32, kernel = 3, padding = 1, groups = 2, activation = Activation.RELU)"
        + " Tensor conv2(Tensor pool1);\n"
        + "  @GlobalAvgPool Tensor pooled(Tensor conv2);\n"
        + "  @Dropout(rate = 0.25) Tensor dropped(Tensor pooled);\n"
        + "  @Dense(units = 10) Tensor logits(Tensor dropped);\n"
        + "}\n");
    assertGolden(test, source, "test.SmallCnnNet");
  }

  @Test
  void sequenceClassifier(TestInfo test) {
    JavaFileObject source = Sources.source("SequenceClassifier", ""
        + "@Network(loss = Loss.SOFTMAX_CROSS_ENTROPY)\n"
        + "public interface SequenceClassifier {\n"
        + "  @Input({28, 28}) Tensor rows();\n"
        + "  @Lstm(units = 32, returnSequences = true, bidirectional = true) Tensor lstm(Tensor rows);\n"
        + "  @Gru(units = 16) Tensor gru(Tensor lstm);\n"
        + "  @Dense(units = 10) Tensor logits(Tensor gru);\n"
        + "}\n");
    assertGolden(test, source, "test.SequenceClassifierNet");
  }

  @Test
  void transformerBlock(TestInfo test) {
    JavaFileObject source = Sources.source("CharTransformer", ""
        + "@Network(loss = Loss.SOFTMAX_CROSS_ENTROPY)\n"
        + "public interface CharTransformer {\n"
        + "  @Input(value = {64}, tokens = true) Tensor text();\n"
        + "  @Embedding(vocabulary = 80, dimension = 64) Tensor embed(Tensor text);\n"
        + "  @PositionalEmbedding Tensor positioned(Tensor embed);\n"
        + "  @LayerNorm Tensor norm1(Tensor positioned);\n"
        + "  @MultiHeadAttention(heads = 4, causal = true) Tensor attention(Tensor norm1);\n"
        + "  @Add Tensor residual(Tensor positioned, Tensor attention);\n"
        + "  @LayerNorm Tensor norm2(Tensor residual);\n"
        + "  @Dense(units = 256, activation = Activation.GELU) Tensor expand(Tensor norm2);\n"
        + "  @Dense(units = 64) Tensor project(Tensor expand);\n"
        + "  @Add Tensor block(Tensor residual, Tensor project);\n"
        + "  @LayerNorm Tensor normOut(Tensor block);\n"
        + "  @Dense(units = 80) Tensor logits(Tensor normOut);\n"
        + "}\n");
    assertGolden(test, source, "test.CharTransformerNet");
  }

  @Test
  void outputIsDeterministic() {
    JavaFileObject source = Sources.source("Tiny", ""
        + "@Network(loss = Loss.MSE)\n"
        + "interface Tiny {\n"
        + "  @Input({3}) Tensor x();\n"
        + "  @Dense(units = 2) Tensor y(Tensor x);\n"
        + "}\n");
    assertEquals(generated(Sources.compile(source), "test.TinyNet"),
        generated(Sources.compile(source), "test.TinyNet"));
  }

  private static void assertGolden(TestInfo test, JavaFileObject source, String generatedClass) {
    Compilation compilation = Sources.compile(source);
    assertThat(compilation).succeededWithoutWarnings();
    String actual = generated(compilation, generatedClass);
    Path golden = Paths.get(System.getProperty("nabla.goldenDir", "src/test/resources/goldens"),
        test.getTestClass().get().getSimpleName(), test.getTestMethod().get().getName() + ".java");
    try {
      if (Boolean.getBoolean("nabla.updateGoldens")) {
        Files.createDirectories(golden.getParent());
        Files.write(golden, actual.getBytes(StandardCharsets.UTF_8));
      }
      String expected = new String(Files.readAllBytes(golden), StandardCharsets.UTF_8);
      assertEquals(expected, actual, "generated source differs from " + golden
          + "; if the change is intended, rerun with -Dnabla.updateGoldens=true and review the diff");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read golden " + golden
          + " (create it with -Dnabla.updateGoldens=true)", e);
    }
  }

  static String generated(Compilation compilation, String className) {
    try {
      return compilation.generatedSourceFile(className)
          .orElseThrow(() -> new AssertionError("no generated " + className + "; got "
              + compilation.generatedSourceFiles()))
          .getCharContent(false).toString();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
