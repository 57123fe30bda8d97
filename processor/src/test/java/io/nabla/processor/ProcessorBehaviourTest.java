package io.nabla.processor;

import static com.google.testing.compile.CompilationSubject.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.testing.compile.Compilation;
import com.google.testing.compile.Compiler;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import javax.annotation.processing.AbstractProcessor;
import javax.annotation.processing.Processor;
import javax.annotation.processing.RoundEnvironment;
import javax.annotation.processing.SupportedAnnotationTypes;
import javax.lang.model.SourceVersion;
import javax.lang.model.element.TypeElement;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Test;

/** How the processor behaves as a javac citizen: registration, claims, naming, and code that compiles at 8. */
class ProcessorBehaviourTest {

  @Test
  void registeredAsAServiceAndIsolatingForGradle() throws IOException {
    assertTrue(resource("META-INF/services/" + Processor.class.getName()).contains(NablaProcessor.class.getName()));
    assertEquals(NablaProcessor.class.getName() + ",ISOLATING",
        resource("META-INF/gradle/incremental.annotation.processors").trim());
  }

  @Test
  void neverClaimsAnnotations() {
    // javac offers an annotation to later processors only if no earlier processor claimed it.
    Spy spy = new Spy();
    JavaFileObject source = Sources.source("Tiny", ""
        + "@Network(loss = Loss.MSE)\n"
        + "interface Tiny {\n"
        + "  @Input({2}) Tensor x();\n"
        + "  @Dense(units = 1) Tensor y(Tensor x);\n"
        + "}\n");
    Compilation compilation = Compiler.javac().withProcessors(new NablaProcessor(), spy).compile(source);
    assertThat(compilation).succeeded();
    assertTrue(spy.sawNetwork, "a processor after Nabla's was not offered @Network");
  }

  /** Records whether it was offered {@code @Network}. */
  @SupportedAnnotationTypes("io.nabla.Network")
  private static final class Spy extends AbstractProcessor {
    boolean sawNetwork;

    @Override
    public SourceVersion getSupportedSourceVersion() {
      return SourceVersion.latestSupported();
    }

    @Override
    public boolean process(Set<? extends TypeElement> annotations, RoundEnvironment round) {
      sawNetwork |= !annotations.isEmpty();
      return false;
    }
  }

  @Test
  void generatedClassNamesFollowTheDeclaration() {
    JavaFileObject source = Sources.source("Models", ""
        + "public class Models {\n"
        + "  @Network(loss = Loss.MSE)\n"
        + "  public interface Small {\n"
        + "    @Input({2}) Tensor x();\n"
        + "    @Dense(units = 1) Tensor y(Tensor x);\n"
        + "  }\n"
        + "}\n"
        + "@Network(loss = Loss.MSE)\n"
        + "abstract class TopLevel {\n"
        + "  @Input({2}) abstract Tensor x();\n"
        + "  @Dense(units = 1) abstract Tensor y(Tensor x);\n"
        + "  int helper() { return 1; }\n"
        + "}\n");
    Compilation compilation = Sources.compile(source);
    assertThat(compilation).succeededWithoutWarnings();
    assertThat(compilation).generatedSourceFile("test.Models_SmallNet");
    assertThat(compilation).generatedSourceFile("test.TopLevelNet");
  }

  @Test
  void layerNamesThatClashWithGeneratedMembersAreRenamed() {
    // Layers named like the generated class's own members and like each other's derived names.
    JavaFileObject source = Sources.source("Clash", ""
        + "@Network(loss = Loss.MSE)\n"
        + "interface Clash {\n"
        + "  @Input({2}) Tensor parameters();\n"
        + "  @Dense(units = 2) Tensor forward(Tensor parameters);\n"
        + "  @Dense(units = 2) Tensor forwardGrad(Tensor forward);\n"
        + "  @Dense(units = 2) Tensor batch(Tensor forwardGrad);\n"
        + "  @Add Tensor kernels(Tensor batch, Tensor forward);\n"
        + "}\n");
    assertThat(Sources.compile(source)).succeededWithoutWarnings();
  }

  @Test
  void layersNamedLikeTheTypesTheGeneratedCodeUsesAreRenamed() {
    JavaFileObject source = Sources.source("TypeNames", ""
        + "@Network(loss = Loss.SOFTMAX_CROSS_ENTROPY)\n"
        + "interface TypeNames {\n"
        + "  @Input({2}) Tensor Arrays();\n"
        + "  @Dense(units = 3, activation = Activation.SIGMOID) Tensor System(Tensor Arrays);\n"
        + "  @Dense(units = 3) Tensor List(Tensor System);\n"
        + "  @Add Tensor Kernels(Tensor List, Tensor System);\n"
        + "  @Dense(units = 2, activation = Activation.SOFTMAX) Tensor Activation(Tensor Kernels);\n"
        + "}\n");
    assertThat(Sources.compile(source)).succeededWithoutWarnings();
  }

  @Test
  void unresolvedTypesAreReportedNotCrashed() {
    JavaFileObject source = Sources.source("Unresolved", ""
        + "@Network(loss = Loss.MSE)\n"
        + "interface Unresolved {\n"
        + "  @Input({2}) Tensor x();\n"
        + "  @Dense(units = 1) Missing y(Tensor x);\n"
        + "}\n");
    Compilation compilation = Sources.compile(source);
    assertThat(compilation).failed();
    assertThat(compilation).hadErrorContaining("cannot find symbol");
    for (javax.tools.Diagnostic<? extends JavaFileObject> d : compilation.errors()) {
      assertFalse(d.getMessage(null).contains("internal error"), d.getMessage(null));
    }
  }

  @Test
  void unresolvedParameterTypeNamesTheLayer() {
    JavaFileObject source = Sources.source("Unresolved", ""
        + "@Network(loss = Loss.MSE)\n"
        + "interface Unresolved {\n"
        + "  @Input({2}) Tensor x();\n"
        + "  @Dense(units = 1) Tensor y(Tensr x);\n"
        + "}\n");
    Compilation compilation = Sources.compile(source);
    assertThat(compilation).failed();
    assertThat(compilation).hadErrorContaining("cannot find symbol");
    for (javax.tools.Diagnostic<? extends JavaFileObject> d : compilation.errors()) {
      String message = d.getMessage(null);
      assertFalse(message.contains("internal error"), message);
      if (message.contains("[NablaUnresolvedType]")) {
        assertTrue(message.contains("layer y()"), message);
      }
    }
  }

  @Test
  void kaptsStandInForAnUnresolvedTypeIsNotTakenForAWrongType() {
    // kapt writes error.NonExistentClass where a Kotlin type does not resolve.
    JavaFileObject stand = com.google.testing.compile.JavaFileObjects.forSourceString("error.NonExistentClass",
        "package error;\npublic final class NonExistentClass {}\n");
    JavaFileObject source = Sources.source("FromKapt", ""
        + "@Network(loss = Loss.MSE)\n"
        + "interface FromKapt {\n"
        + "  @Input({2}) Tensor x();\n"
        + "  @Dense(units = 1) Tensor y(error.NonExistentClass x);\n"
        + "}\n");
    Compilation compilation = Sources.compile(stand, source);
    assertThat(compilation).hadErrorContaining("[NablaUnresolvedType] layer y() uses a type that cannot be resolved");
    for (javax.tools.Diagnostic<? extends JavaFileObject> d : compilation.errors()) {
      assertFalse(d.getMessage(null).contains("[NablaNotTensor]"), d.getMessage(null));
    }
  }

  private static String resource(String name) throws IOException {
    try (InputStream in = NablaProcessor.class.getClassLoader().getResourceAsStream(name)) {
      if (in == null) {
        throw new AssertionError("missing resource " + name);
      }
      byte[] bytes = in.readAllBytes();
      return new String(bytes, StandardCharsets.UTF_8);
    }
  }
}
