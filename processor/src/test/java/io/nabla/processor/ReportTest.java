package io.nabla.processor;

import static com.google.testing.compile.CompilationSubject.assertThat;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.testing.compile.Compilation;
import com.google.testing.compile.Compiler;
import java.io.IOException;
import javax.tools.JavaFileObject;
import javax.tools.StandardLocation;
import org.junit.jupiter.api.Test;

/** {@code -Anabla.report=true}: a summary, a DOT graph and an SVG diagram beside the generated source. */
class ReportTest {
  private static final JavaFileObject RESIDUAL = Sources.source("Residual", ""
      + "@Network(loss = Loss.SOFTMAX_CROSS_ENTROPY)\n"
      + "interface Residual {\n"
      + "  @Input({1, 8, 8}) Tensor image();\n"
      + "  @Conv2d(filters = 4, kernel = 3, padding = 1, activation = Activation.RELU) Tensor stem(Tensor image);\n"
      + "  @Conv2d(filters = 4, kernel = 3, padding = 1) Tensor branch(Tensor stem);\n"
      + "  @Add(activation = Activation.RELU) Tensor block(Tensor branch, Tensor stem);\n"
      + "  @Flatten Tensor flat(Tensor block);\n"
      + "  @Dense(units = 10) Tensor logits(Tensor flat);\n"
      + "}\n");

  private static String file(Compilation compilation, String name) throws IOException {
    return compilation.generatedFile(StandardLocation.SOURCE_OUTPUT, "test", name)
        .orElseThrow(() -> new AssertionError("no " + name + " among " + compilation.generatedFiles()))
        .getCharContent(false).toString();
  }

  @Test
  void writesSummaryDotAndSvg() throws IOException {
    Compilation compilation = Compiler.javac().withProcessors(new NablaProcessor())
        .withOptions("--release", "8", "-Xlint:-options", "-Anabla.report=true").compile(RESIDUAL);
    assertThat(compilation).succeededWithoutWarnings();

    String summary = file(compilation, "ResidualNet.summary.txt");
    assertTrue(summary.contains("stem    Conv2d   (4, 8, 8)  relu                40   5,120  image"), summary);
    assertTrue(summary.contains("total                                        2,758  29,450"), summary);

    String dot = file(compilation, "ResidualNet.dot");
    assertTrue(dot.startsWith("digraph Residual {"), dot);
    assertTrue(dot.contains("\"stem\" -> \"block\";") && dot.contains("\"branch\" -> \"block\";"), dot);

    String svg = file(compilation, "ResidualNet.svg");
    assertTrue(svg.startsWith("<svg xmlns=\"http://www.w3.org/2000/svg\""), svg);
    assertTrue(svg.contains(">block: Add</text>") && svg.contains(">(4, 8, 8) · relu</text>"), svg);
    assertTrue(svg.split("<line ").length - 1 == 5, "one straight arrow per edge to the next row: " + svg);
    assertTrue(svg.split("fill=\"none\"").length - 1 == 1, "the skip connection stem → block arcs around: " + svg);
  }

  @Test
  void writesNothingMoreWithoutTheOption() {
    Compilation compilation = Sources.compile(RESIDUAL);
    assertThat(compilation).succeededWithoutWarnings();
    assertFalse(compilation.generatedFile(StandardLocation.SOURCE_OUTPUT, "test", "ResidualNet.svg").isPresent());
  }
}
