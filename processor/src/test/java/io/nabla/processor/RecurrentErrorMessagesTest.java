package io.nabla.processor;

import static com.google.testing.compile.CompilationSubject.assertThat;

import com.google.testing.compile.Compilation;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Test;

/**
 * The mistakes a user can make declaring recurrent layers: each fails compilation with Nabla's message on the line
 * of the annotation value or parameter to change.
 */
class RecurrentErrorMessagesTest {
  private static final String ROWS = "@Input({28, 28}) Tensor rows();";
  private static final String HEAD = "@Dense(units = 10) Tensor logits(Tensor %s);";

  private static void assertError(String message, String lineContaining, String... layers) {
    Sources.assertSingleError("SOFTMAX_CROSS_ENTROPY", message, lineContaining, layers);
  }

  private static String head(String last) {
    return String.format(HEAD, last);
  }

  @Test
  void zeroUnits() {
    assertError("[NablaUnits] @Gru gru has units = 0; units must be at least 1.", "units = 0", ROWS,
        "@Gru(units = 0) Tensor gru(Tensor rows);", head("gru"));
  }

  @Test
  void negativeUnitsOfABidirectionalLstm() {
    assertError("[NablaUnits] @Lstm lstm has units = -4; units must be at least 1.", "units = -4", ROWS,
        "@Lstm(bidirectional = true,\n      units = -4) Tensor lstm(Tensor rows);", head("lstm"));
  }

  @Test
  void flatInputIsNotASequence() {
    assertError("[NablaRank] @Gru gru reads 'pixels' of shape (784), but it needs a sequence (time, features);"
            + " declare the input as e.g. @Input({28, 28}) for 28 steps of 28 features.", "Tensor gru(Tensor pixels)",
        "@Input({784}) Tensor pixels();", "@Gru(units = 8) Tensor gru(Tensor pixels);", head("gru"));
  }

  @Test
  void imageIsNotASequence() {
    assertError("[NablaRank] @SimpleRnn rnn reads 'image' of shape (1, 28, 28), but it needs a sequence (time,"
            + " features)", "Tensor rnn(Tensor image)", "@Input({1, 28, 28}) Tensor image();",
        "@SimpleRnn(units = 8) Tensor rnn(Tensor image);", head("rnn"));
  }

  @Test
  void lastStepCannotFeedAnotherRecurrentLayer() {
    assertError("[NablaRank] @Lstm second reads 'first' of shape (16), but it needs a sequence (time, features)",
        "Tensor second(Tensor first)", ROWS, "@Gru(units = 16) Tensor first(Tensor rows);",
        "@Lstm(units = 8) Tensor second(Tensor first);", head("second"));
  }

  @Test
  void twoInputs() {
    assertError("[NablaGruArity] @Gru gru(...) takes exactly one input, but it has 2 parameters",
        "Tensor gru(Tensor rows, Tensor other)", ROWS, "@Input({28, 28}) Tensor other();",
        "@Gru(units = 8) Tensor gru(Tensor rows, Tensor other);", head("gru"));
  }

  @Test
  void weightsTooLarge() {
    assertError("[NablaTooLarge] layer 'lstm' has weights or per-step buffers of more than 2^28 values",
        "units = 10000", ROWS, "@Lstm(units = 10000) Tensor lstm(Tensor rows);", head("lstm"));
  }

  @Test
  void unitsAndArityAreBothReported() {
    JavaFileObject file = Sources.source("Erroneous", "@Network(loss = Loss.MSE)\ninterface Erroneous {\n  " + ROWS
        + "\n  @Input({28, 28}) Tensor other();\n  @SimpleRnn(units = 0) Tensor rnn(Tensor rows, Tensor other);\n}\n");
    Compilation compilation = Sources.compile(file);
    assertThat(compilation).failed();
    assertThat(compilation).hadErrorCount(2);
    assertThat(compilation).hadErrorContaining("[NablaUnits] @SimpleRnn rnn has units = 0").inFile(file)
        .onLineContaining("units = 0");
    assertThat(compilation).hadErrorContaining("[NablaSimpleRnnArity] @SimpleRnn rnn(...) takes exactly one input")
        .inFile(file).onLineContaining("units = 0");
  }
}
