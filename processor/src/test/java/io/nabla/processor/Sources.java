package io.nabla.processor;

import com.google.testing.compile.Compilation;
import com.google.testing.compile.CompilationSubject;
import com.google.testing.compile.Compiler;
import com.google.testing.compile.JavaFileObjects;
import javax.tools.JavaFileObject;

/** Helpers to compile declarations written inline with Nabla's processor. */
final class Sources {
  private Sources() {}

  static final String IMPORTS = "package test;\n"
      + "import io.nabla.*;\n";

  /** A file {@code test/<name>.java} holding the imports and {@code body}. */
  static JavaFileObject source(String name, String body) {
    return JavaFileObjects.forSourceString("test." + name, IMPORTS + body);
  }

  /**
   * Compiles an interface {@code Erroneous} with loss {@code loss} and one declaration per line, and expects exactly
   * one error containing {@code message}, on the line containing {@code lineContaining}.
   */
  static void assertSingleError(String loss, String message, String lineContaining, String... layers) {
    StringBuilder sb = new StringBuilder("@Network(loss = Loss." + loss + ")\ninterface Erroneous {\n");
    for (String layer : layers) {
      sb.append("  ").append(layer).append('\n');
    }
    JavaFileObject file = source("Erroneous", sb.append("}\n").toString());
    Compilation compilation = compile(file);
    CompilationSubject.assertThat(compilation).failed();
    CompilationSubject.assertThat(compilation).hadErrorCount(1);
    CompilationSubject.assertThat(compilation).hadErrorContaining(message).inFile(file)
        .onLineContaining(lineContaining);
  }

  static Compilation compile(JavaFileObject... files) {
    return Compiler.javac().withProcessors(new NablaProcessor()).withOptions("--release", "8", "-Xlint:-options")
        .compile(files);
  }
}
