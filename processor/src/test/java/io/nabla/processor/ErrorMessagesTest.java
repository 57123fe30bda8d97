package io.nabla.processor;

import static com.google.testing.compile.CompilationSubject.assertThat;

import com.google.testing.compile.Compilation;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Test;

/**
 * One test per mistake a user can make in a declaration: the compilation fails with Nabla's message, on the line
 * of the element or annotation value to change. Fixtures are named after the mistake.
 */
class ErrorMessagesTest {

  /** Compiles {@code body} as {@code test.Erroneous} and expects one error containing {@code message}. */
  private static void assertError(String body, String message, String lineContaining) {
    JavaFileObject file = Sources.source("Erroneous", body);
    Compilation compilation = Sources.compile(file);
    assertThat(compilation).failed();
    assertThat(compilation).hadErrorCount(1);
    assertThat(compilation).hadErrorContaining(message).inFile(file).onLineContaining(lineContaining);
  }

  private static String network(String loss, String... layers) {
    StringBuilder sb = new StringBuilder("@Network(loss = Loss." + loss + ")\ninterface Erroneous {\n");
    for (String layer : layers) {
      sb.append("  ").append(layer).append('\n');
    }
    return sb.append("}\n").toString();
  }

  private static final String INPUT = "@Input({4}) Tensor x();";

  @Test
  void unknownInputName() {
    assertError(network("MSE", INPUT, "@Dense(units = 2) Tensor y(Tensor hiden);"),
        "[NablaUnknownInput] layer 'y' reads 'hiden', which is not a layer of this network; name the parameter"
            + " after one of: x, y.",
        "Tensor y(Tensor hiden)");
  }

  @Test
  void parameterRenamedByKaptGetsAHint() {
    assertError(network("MSE", INPUT, "@Dense(units = 2) Tensor y(Tensor p0_54480);"),
        "(kapt renames a Kotlin parameter whose name is a Java keyword to 'p0_54480': rename the layer and the"
            + " parameter.)",
        "Tensor y(Tensor p0_54480)");
  }

  @Test
  void cycle() {
    assertError(network("MSE", INPUT,
            "@Dense(units = 4) Tensor a(Tensor b);",
            "@Add Tensor b(Tensor a, Tensor x);",
            "@Dense(units = 1) Tensor out(Tensor b);"),
        "[NablaCycle] layers form a cycle (", "@Dense(units = 4) Tensor a(Tensor b);");
  }

  @Test
  void layerReadingItself() {
    assertError(network("MSE", INPUT, "@Add Tensor a(Tensor a, Tensor x);"),
        "[NablaCycle] layer 'a' reads its own output", "Tensor a(Tensor a, Tensor x)");
  }

  @Test
  void duplicateLayerName() {
    assertError(network("MSE", INPUT,
            "@Dense(units = 4) Tensor y(Tensor x);",
            "@Add Tensor y(Tensor x, Tensor other);"),
        "[NablaDuplicateLayer] two layers are named 'y'", "@Add Tensor y(Tensor x, Tensor other);");
  }

  @Test
  void noInput() {
    assertError("@Network(loss = Loss.MSE)\ninterface Erroneous {\n  @Dense(units = 2) Tensor y(Tensor y2);\n"
            + "  @Dense(units = 2) Tensor y2(Tensor y);\n}\n",
        "[NablaNoInput] @Network test.Erroneous has no @Input", "@Network(loss = Loss.MSE)");
  }

  @Test
  void denseWithTwoInputs() {
    assertError(network("MSE", INPUT, "@Input({4}) Tensor z();", "@Dense(units = 2) Tensor y(Tensor x, Tensor z);"),
        "[NablaDenseArity] @Dense y(...) takes exactly one input, but it has 2 parameters",
        "@Dense(units = 2) Tensor y(Tensor x, Tensor z);");
  }

  @Test
  void denseWithNoInput() {
    assertError(network("MSE", INPUT, "@Dense(units = 2) Tensor y();"),
        "[NablaDenseArity] @Dense y(...) takes exactly one input, but it has 0 parameters", "Tensor y();");
  }

  @Test
  void addWithOneInput() {
    assertError(network("MSE", INPUT, "@Add Tensor y(Tensor x);"),
        "[NablaAddArity] @Add y(...) takes two or more inputs, but it has 1 parameter", "@Add Tensor y(Tensor x);");
  }

  @Test
  void inputWithParameters() {
    assertError(network("MSE", INPUT, "@Input({2}) Tensor z(Tensor x);", "@Dense(units = 2) Tensor y(Tensor z);"),
        "[NablaInputArity] @Input z() must take no parameters", "@Input({2}) Tensor z(Tensor x);");
  }

  @Test
  void nonPositiveUnits() {
    assertError(network("MSE", INPUT, "@Dense(\n      units = 0) Tensor y(Tensor x);"),
        "[NablaUnits] @Dense y has units = 0; units must be at least 1.", "units = 0");
  }

  @Test
  void nonPositiveInputDimension() {
    assertError(network("MSE", "@Input({28,\n      -28}) Tensor x();", "@Dense(units = 2) Tensor y(Tensor x);"),
        "[NablaInputShape] @Input x has dimension 1 = -28; every dimension must be at least 1.", "@Input({28,");
  }

  @Test
  void tooManyParameters() {
    assertError(network("MSE", "@Input({16384}) Tensor x();",
            "@Dense(units = 8192) Tensor a(Tensor x);",
            "@Dense(units = 16384) Tensor b(Tensor a);",
            "@Dense(units = 2) Tensor y(Tensor b);"),
        "[NablaTooLarge] layer 'b' has parameters that bring the network past 2^28", "Tensor b(Tensor a);");
  }

  @Test
  void emptyInputShape() {
    assertError(network("MSE", "@Input({}) Tensor x();", "@Dense(units = 2) Tensor y(Tensor x);"),
        "[NablaInputShape] @Input x has an empty shape", "@Input({}) Tensor x();");
  }

  @Test
  void addShapeMismatch() {
    assertError(network("MSE", INPUT,
            "@Dense(units = 3) Tensor a(Tensor x);",
            "@Add Tensor sum(Tensor a,\n      Tensor x);"),
        "[NablaAddShapes] @Add sum adds 'a' of shape (3) and 'x' of shape (4); the inputs of @Add must have the"
            + " same shape.",
        "      Tensor x);");
  }

  @Test
  void softmaxOnAHiddenLayer() {
    assertError(network("SOFTMAX_CROSS_ENTROPY", INPUT,
            "@Dense(units = 3,\n      activation = Activation.SOFTMAX) Tensor h(Tensor x);",
            "@Dense(units = 2) Tensor y(Tensor h);"),
        "[NablaSoftmax] layer 'h' uses SOFTMAX", "activation = Activation.SOFTMAX");
  }

  @Test
  void softmaxOutputWithMse() {
    assertError(network("MSE", INPUT, "@Dense(units = 3, activation = Activation.SOFTMAX) Tensor y(Tensor x);"),
        "this network's loss is MSE: use IDENTITY or SIGMOID here, or change the loss.",
        "activation = Activation.SOFTMAX");
  }

  @Test
  void crossEntropyOnOneOutput() {
    assertError(network("SOFTMAX_CROSS_ENTROPY", INPUT, "@Dense(units = 1) Tensor y(Tensor x);"),
        "[NablaLossShape] softmax cross-entropy needs at least 2 classes in the last dimension of the output, but"
            + " 'y' has shape (1)",
        "@Dense(units = 1) Tensor y(Tensor x);");
  }

  @Test
  void negativeLeakySlope() {
    assertError(network("MSE", INPUT,
            "@Dense(units = 2, activation = Activation.LEAKY_RELU,\n      leakySlope = -0.5f) Tensor y(Tensor x);"),
        "[NablaLeakySlope] layer 'y' has leakySlope = -0.5", "leakySlope = -0.5f");
  }

  @Test
  void unusedInput() {
    assertError(network("MSE", INPUT, "@Input({2}) Tensor unused();", "@Dense(units = 2) Tensor y(Tensor x);"),
        "[NablaUnusedInput] @Input 'unused' is not read by any layer", "Tensor unused();");
  }

  @Test
  void twoOutputs() {
    assertError(network("MSE", INPUT, "@Dense(units = 2) Tensor a(Tensor x);", "@Dense(units = 2) Tensor b(Tensor x);"),
        "[NablaSeveralOutputs] layers a, b are all read by no other layer", "Tensor b(Tensor x);");
  }

  @Test
  void noLayerBesidesTheInput() {
    assertError(network("MSE", INPUT), "[NablaNoOutput]", "@Network(loss = Loss.MSE)");
  }

  @Test
  void noLayersAtAll() {
    assertError("@Network(loss = Loss.MSE)\ninterface Erroneous {}\n", "[NablaNoLayers]", "@Network(loss = Loss.MSE)");
  }

  @Test
  void abstractMethodWithoutLayerAnnotation() {
    assertError(network("MSE", INPUT, "@Dense(units = 2) Tensor y(Tensor x);", "Tensor forgotten(Tensor x);"),
        "[NablaUnannotatedMethod] abstract method forgotten() of a @Network has no layer annotation",
        "Tensor forgotten(Tensor x);");
  }

  @Test
  void twoLayerAnnotations() {
    assertError(network("MSE", INPUT, "@Dense(units = 2) @Add Tensor y(Tensor x);"),
        "[NablaTwoAnnotations] y() carries both @Dense and @Add", "@Dense(units = 2) @Add Tensor y(Tensor x);");
  }

  @Test
  void layerNotReturningTensor() {
    assertError(network("MSE", INPUT, "@Dense(units = 2) float[] y(Tensor x);"),
        "[NablaNotTensor] layer y() must return io.nabla.Tensor", "float[] y(Tensor x);");
  }

  @Test
  void parameterNotTensor() {
    assertError(network("MSE", INPUT, "@Dense(units = 2) Tensor y(float[] x);"),
        "[NablaNotTensor] layer y() must take each parameter as io.nabla.Tensor", "Tensor y(float[] x);");
  }

  @Test
  void concreteClass() {
    assertError("@Network(loss = Loss.MSE)\nclass Erroneous {}\n",
        "[NablaNotAbstract] @Network test.Erroneous must be an interface or an abstract class",
        "@Network(loss = Loss.MSE)");
  }

  @Test
  void privateNestedDeclaration() {
    assertError("class Erroneous {\n  @Network(loss = Loss.MSE)\n  private interface Net {\n    " + INPUT
            + "\n    @Dense(units = 2) Tensor y(Tensor x);\n  }\n}\n",
        "[NablaPrivate] @Network test.Erroneous.Net is private", "@Network(loss = Loss.MSE)");
  }

  @Test
  void innerAbstractClass() {
    assertError("class Erroneous {\n  @Network(loss = Loss.MSE)\n  abstract class Net {\n    abstract " + INPUT
            + "\n    @Dense(units = 2) abstract Tensor y(Tensor x);\n  }\n}\n",
        "[NablaInnerClass] @Network test.Erroneous.Net is an inner (non-static) class", "@Network(loss = Loss.MSE)");
  }

  @Test
  void everyMistakeIsReportedNotJustTheFirst() {
    JavaFileObject file = Sources.source("Erroneous", network("MSE", INPUT,
        "@Dense(units = 0) Tensor a(Tensor x);",
        "@Dense(units = -1) Tensor b(Tensor a);"));
    Compilation compilation = Sources.compile(file);
    assertThat(compilation).hadErrorCount(2);
    assertThat(compilation).hadErrorContaining("units = 0").inFile(file).onLineContaining("units = 0");
    assertThat(compilation).hadErrorContaining("units = -1").inFile(file).onLineContaining("units = -1");
  }
}
