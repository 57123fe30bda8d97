package io.nabla.processor;

import com.google.testing.compile.Compilation;
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

  static Compilation compile(JavaFileObject... files) {
    return Compiler.javac().withProcessors(new NablaProcessor()).withOptions("--release", "8", "-Xlint:-options")
        .compile(files);
  }
}
