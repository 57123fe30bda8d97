package io.nabla.processor;

import static com.google.testing.compile.CompilationSubject.assertThat;

import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Test;

/** Layer names that would clash with what a recurrent layer's generated code declares are renamed. */
class RecurrentNamesTest {

  @Test
  void layersNamedLikeTheLoopVariableTheKernelsAndTheBuffersCompile() {
    JavaFileObject source = Sources.source("RecurrentClash", ""
        + "@Network(loss = Loss.MSE)\n"
        + "interface RecurrentClash {\n"
        + "  @Input({3, 2}) Tensor step();\n"
        + "  @Gru(units = 2, returnSequences = true, bidirectional = true) Tensor gru(Tensor step);\n"
        + "  @Dense(units = 2) Tensor gruProjection(Tensor gru);\n"
        + "  @Lstm(units = 2, returnSequences = true) Tensor RecurrentKernels(Tensor gruProjection);\n"
        + "  @SimpleRnn(units = 2) Tensor RecurrentGeometry(Tensor RecurrentKernels);\n"
        + "  @Dense(units = 1) Tensor GRU_GEOMETRY(Tensor RecurrentGeometry);\n"
        + "}\n");
    assertThat(Sources.compile(source)).succeededWithoutWarnings();
  }
}
