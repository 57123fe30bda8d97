package io.nabla.processor;

import com.google.auto.service.AutoService;
import com.palantir.javapoet.JavaFile;
import io.nabla.Network;
import io.nabla.processor.model.GraphAssembler;
import io.nabla.processor.model.GraphOrdering;
import io.nabla.processor.model.NetworkGraph;
import io.nabla.processor.model.Shape;
import io.nabla.processor.reading.DeclarationReader;
import io.nabla.processor.reading.LayerDeclaration;
import io.nabla.processor.reading.NetworkDeclaration;
import io.nabla.processor.shapes.ShapeInference;
import io.nabla.processor.validation.ErrorMessages;
import io.nabla.processor.validation.GraphValidator;
import io.nabla.processor.validation.LayerValidator;
import io.nabla.processor.validation.ValidationReport;
import io.nabla.processor.writing.NetworkWriter;
import io.nabla.processor.writing.ReportWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.Writer;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.annotation.processing.AbstractProcessor;
import javax.annotation.processing.Processor;
import javax.annotation.processing.RoundEnvironment;
import javax.lang.model.SourceVersion;
import javax.lang.model.element.Element;
import javax.lang.model.element.TypeElement;
import javax.tools.Diagnostic;
import javax.tools.FileObject;
import javax.tools.StandardLocation;

/**
 * Nabla's annotation processor. It only wires the stages, each in its own package, for every {@code @Network}
 * type: read ({@code reading}) → validate each annotation ({@code validation}) → order the graph
 * ({@code model}) → infer shapes ({@code shapes}) → assemble the immutable graph ({@code model}) → validate the
 * whole graph ({@code validation}) → write the code ({@code writing}). Each stage reports every error it finds on
 * the offending element; code is written only for a clean declaration. Types that do not resolve yet are retried
 * in the next round. It never claims annotations and never lets an exception escape into javac. With
 * {@code -Anabla.report=true} it also writes a summary and an architecture diagram beside each generated source.
 */
@AutoService(Processor.class)
public final class NablaProcessor extends AbstractProcessor {
  private final DeclarationReader reader = new DeclarationReader();
  /** Declarations waiting for a type to resolve, by qualified name, with the element that did not. */
  private final Set<String> deferred = new LinkedHashSet<>();

  @Override
  public Set<String> getSupportedAnnotationTypes() {
    return Set.of(Network.class.getCanonicalName());
  }

  /** {@code -Anabla.report=true}: also write a summary and an architecture diagram per network. */
  static final String REPORT_OPTION = "nabla.report";

  @Override
  public Set<String> getSupportedOptions() {
    return Set.of(REPORT_OPTION);
  }

  @Override
  public SourceVersion getSupportedSourceVersion() {
    return SourceVersion.latestSupported();
  }

  @Override
  public boolean process(Set<? extends TypeElement> annotations, RoundEnvironment round) {
    List<TypeElement> todo = new ArrayList<>();
    for (String name : deferred) {
      TypeElement type = processingEnv.getElementUtils().getTypeElement(name);
      if (type != null) {
        todo.add(type);
      }
    }
    deferred.clear();
    for (Element element : round.getElementsAnnotatedWith(Network.class)) {
      if (element instanceof TypeElement type) {
        todo.add(type);
      }
    }
    for (TypeElement type : todo) {
      try {
        processNetwork(type, round.processingOver());
      } catch (RuntimeException | Error e) {
        StringWriter trace = new StringWriter();
        e.printStackTrace(new PrintWriter(trace));
        processingEnv.getMessager().printMessage(Diagnostic.Kind.ERROR,
            ErrorMessages.internalError(trace.toString()), type);
      }
    }
    return false;
  }

  private void processNetwork(TypeElement type, boolean lastRound) {
    ValidationReport report = new ValidationReport();
    DeclarationReader.Result result = reader.read(type, report);
    if (result instanceof DeclarationReader.Deferred d) {
      if (lastRound) {
        report.error(ErrorMessages.unresolvedType(d.method().getSimpleName().toString()), d.element());
        report.printTo(processingEnv.getMessager());
      } else {
        deferred.add(type.getQualifiedName().toString());
      }
      return;
    }
    if (!(result instanceof DeclarationReader.Read read)) {
      report.printTo(processingEnv.getMessager());
      return;
    }
    NetworkDeclaration declaration = read.declaration();
    for (LayerDeclaration layer : declaration.layers()) {
      LayerValidator.forKind(layer.kind()).validate(layer, report);
    }
    if (!report.isClean()) {
      report.printTo(processingEnv.getMessager());
      return;
    }
    List<LayerDeclaration> ordered = GraphOrdering.order(declaration, report);
    Map<String, Shape> shapes = ordered == null ? null : ShapeInference.infer(ordered, report);
    if (shapes == null) {
      report.printTo(processingEnv.getMessager());
      return;
    }
    NetworkGraph graph = GraphAssembler.assemble(declaration, ordered, shapes);
    GraphValidator.validate(graph, report);
    if (!report.isClean()) {
      report.printTo(processingEnv.getMessager());
      return;
    }
    JavaFile file = NetworkWriter.write(graph, NetworkWriter.packageOf(type));
    for (JavaFile generated : List.of(file, NetworkWriter.writeInference(graph, file.packageName()))) {
      try {
        generated.writeTo(processingEnv.getFiler());
      } catch (IOException e) {
        processingEnv.getMessager().printMessage(Diagnostic.Kind.ERROR, "[NablaWriteFailed] could not write "
            + generated.packageName() + "." + generated.typeSpec().name() + ": " + e.getMessage(), type);
      }
    }
    if (Boolean.parseBoolean(processingEnv.getOptions().get(REPORT_OPTION))) {
      writeReport(graph, file.packageName(), file.typeSpec().name(), type);
    }
  }

  /** The summary, DOT and SVG files beside the generated source ({@code -Anabla.report=true}). */
  private void writeReport(NetworkGraph graph, String packageName, String name, TypeElement type) {
    String[][] files = {{name + ".summary.txt", ReportWriter.summary(graph)}, {name + ".dot", ReportWriter.dot(graph)},
        {name + ".svg", ReportWriter.svg(graph)}};
    for (String[] f : files) {
      try {
        FileObject resource = processingEnv.getFiler().createResource(StandardLocation.SOURCE_OUTPUT, packageName,
            f[0], type);
        try (Writer writer = resource.openWriter()) {
          writer.write(f[1]);
        }
      } catch (IOException e) {
        processingEnv.getMessager().printMessage(Diagnostic.Kind.ERROR,
            "[NablaWriteFailed] could not write the report " + f[0] + ": " + e.getMessage(), type);
      }
    }
  }
}
