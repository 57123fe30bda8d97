package io.nabla.processor.reading;

import io.nabla.Add;
import io.nabla.AvgPool2d;
import io.nabla.BatchNorm;
import io.nabla.Conv2d;
import io.nabla.Dense;
import io.nabla.Dropout;
import io.nabla.Embedding;
import io.nabla.Gru;
import io.nabla.Input;
import io.nabla.LayerNorm;
import io.nabla.Lstm;
import io.nabla.MaxPool2d;
import io.nabla.MultiHeadAttention;
import io.nabla.Network;
import io.nabla.SimpleRnn;
import io.nabla.processor.model.LayerKind;
import io.nabla.processor.model.LayerSpec;
import io.nabla.processor.model.Shape;
import io.nabla.processor.validation.ErrorMessages;
import io.nabla.processor.validation.ValidationReport;
import java.util.ArrayList;
import java.util.List;
import javax.lang.model.SourceVersion;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.Element;
import javax.lang.model.element.ElementKind;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.Modifier;
import javax.lang.model.element.TypeElement;
import javax.lang.model.element.VariableElement;
import javax.lang.model.type.DeclaredType;
import javax.lang.model.type.TypeKind;
import javax.lang.model.type.TypeMirror;
import javax.lang.model.util.ElementFilter;

/**
 * Stage 1: reads a {@code @Network} type into a {@link NetworkDeclaration}, checking what can be checked on each
 * element alone (the type's kind and visibility, one layer annotation per method, {@code Tensor} signatures,
 * names). Hyperparameters are checked by the per-annotation validators, names and edges by the graph builder.
 */
public final class DeclarationReader {
  private static final String TENSOR = "io.nabla.Tensor";

  /** What reading found. */
  public sealed interface Result {}

  /** Read; may still have errors in the report. */
  public record Read(NetworkDeclaration declaration) implements Result {}

  /**
   * A type of layer {@code method} could not be resolved yet (javac's error type, or kapt's stand-in
   * {@code error.NonExistentClass}): try again in a later round.
   */
  public record Deferred(ExecutableElement method, Element element) implements Result {}

  /** Broken beyond reading further; errors are in the report. */
  public record Failed() implements Result {}

  public Result read(TypeElement type, ValidationReport report) {
    AnnotationMirror network = mirror(type, Network.class);
    String typeName = type.getQualifiedName().toString();
    boolean ok = true;
    if (!(type.getKind() == ElementKind.INTERFACE
        || (type.getKind() == ElementKind.CLASS && type.getModifiers().contains(Modifier.ABSTRACT)))) {
      report.error(ErrorMessages.notAbstract(typeName), type, network);
      ok = false;
    }
    if (isPrivate(type)) {
      report.error(ErrorMessages.privateType(typeName), type, network);
      ok = false;
    }
    if (type.getNestingKind().isNested() && type.getKind() == ElementKind.CLASS
        && !type.getModifiers().contains(Modifier.STATIC)) {
      report.error(ErrorMessages.innerType(typeName), type, network);
      ok = false;
    }
    if (!ok) {
      return new Failed();
    }

    List<LayerDeclaration> layers = new ArrayList<>();
    for (ExecutableElement method : ElementFilter.methodsIn(type.getEnclosedElements())) {
      if (method.getModifiers().contains(Modifier.STATIC)) {
        continue;
      }
      Element unresolved = unresolvedType(method);
      if (unresolved != null) {
        return new Deferred(method, unresolved);
      }
      LayerDeclaration layer = readLayer(method, report);
      if (layer != null) {
        layers.add(layer);
      }
    }
    if (layers.isEmpty() && report.isClean()) {
      report.error(ErrorMessages.noLayers(typeName), type, network);
    }
    return new Read(new NetworkDeclaration(type, network, type.getAnnotation(Network.class).loss(), layers));
  }

  private LayerDeclaration readLayer(ExecutableElement method, ValidationReport report) {
    String name = method.getSimpleName().toString();
    List<AnnotationMirror> found = new ArrayList<>();
    List<LayerKind> kinds = new ArrayList<>();
    for (LayerKind kind : LayerKind.values()) {
      AnnotationMirror m = mirror(method, kind.annotation());
      if (m != null) {
        found.add(m);
        kinds.add(kind);
      }
    }
    if (found.isEmpty()) {
      if (method.getModifiers().contains(Modifier.ABSTRACT)) {
        report.error(ErrorMessages.unannotatedMethod(name), method);
      }
      return null;
    }
    AnnotationMirror annotation = found.get(0);
    if (found.size() > 1) {
      report.error(ErrorMessages.twoLayerAnnotations(name, kinds.get(0).displayName(), kinds.get(1).displayName()),
          method, found.get(1));
      return null;
    }
    boolean ok = true;
    if (!isTensor(method.getReturnType())) {
      report.error(ErrorMessages.notTensor(name, "return"), method, annotation);
      ok = false;
    }
    for (VariableElement parameter : method.getParameters()) {
      if (!isTensor(parameter.asType())) {
        report.error(ErrorMessages.notTensor(name, "take each parameter as"), parameter);
        ok = false;
      }
    }
    if (!method.getTypeParameters().isEmpty()) {
      report.error(ErrorMessages.typeParameters(name), method, annotation);
      ok = false;
    }
    if (SourceVersion.isKeyword(name)) {
      report.error(ErrorMessages.keywordName(name), method, annotation);
      ok = false;
    }
    if (!ok) {
      return null;
    }
    LayerSpec spec = switch (kinds.get(0)) {
      case INPUT -> {
        Input input = method.getAnnotation(Input.class);
        yield new LayerSpec.InputSpec(Shape.of(input.value()), input.tokens());
      }
      case DENSE -> {
        Dense d = method.getAnnotation(Dense.class);
        yield new LayerSpec.DenseSpec(d.units(), d.activation(), d.bias(), d.leakySlope());
      }
      case ADD -> {
        Add a = method.getAnnotation(Add.class);
        yield new LayerSpec.AddSpec(a.activation(), a.leakySlope());
      }
      case CONV2D -> {
        Conv2d c = method.getAnnotation(Conv2d.class);
        yield new LayerSpec.Conv2dSpec(c.filters(), c.kernel(), c.stride(), c.padding(), c.dilation(), c.groups(),
            c.bias(), c.activation(), c.leakySlope());
      }
      case MAX_POOL2D -> {
        MaxPool2d p = method.getAnnotation(MaxPool2d.class);
        yield new LayerSpec.PoolSpec(LayerKind.MAX_POOL2D, p.kernel(), p.stride(), p.padding());
      }
      case AVG_POOL2D -> {
        AvgPool2d p = method.getAnnotation(AvgPool2d.class);
        yield new LayerSpec.PoolSpec(LayerKind.AVG_POOL2D, p.kernel(), p.stride(), p.padding());
      }
      case GLOBAL_AVG_POOL -> new LayerSpec.GlobalAvgPoolSpec();
      case FLATTEN -> new LayerSpec.FlattenSpec();
      case DROPOUT -> new LayerSpec.DropoutSpec(method.getAnnotation(Dropout.class).rate());
      case BATCH_NORM -> {
        BatchNorm b = method.getAnnotation(BatchNorm.class);
        yield new LayerSpec.BatchNormSpec(b.momentum(), b.epsilon(), b.activation(), b.leakySlope());
      }
      case CONCAT -> new LayerSpec.ConcatSpec();
      case SIMPLE_RNN -> {
        SimpleRnn r = method.getAnnotation(SimpleRnn.class);
        yield new LayerSpec.RecurrentSpec(LayerKind.SIMPLE_RNN, r.units(), r.returnSequences(), r.bidirectional());
      }
      case LSTM -> {
        Lstm r = method.getAnnotation(Lstm.class);
        yield new LayerSpec.RecurrentSpec(LayerKind.LSTM, r.units(), r.returnSequences(), r.bidirectional());
      }
      case GRU -> {
        Gru r = method.getAnnotation(Gru.class);
        yield new LayerSpec.RecurrentSpec(LayerKind.GRU, r.units(), r.returnSequences(), r.bidirectional());
      }
      case EMBEDDING -> {
        Embedding e = method.getAnnotation(Embedding.class);
        yield new LayerSpec.EmbeddingSpec(e.vocabulary(), e.dimension());
      }
      case POSITIONAL_EMBEDDING -> new LayerSpec.PositionalEmbeddingSpec();
      case LAYER_NORM -> new LayerSpec.LayerNormSpec(method.getAnnotation(LayerNorm.class).epsilon());
      case MULTI_HEAD_ATTENTION -> {
        MultiHeadAttention a = method.getAnnotation(MultiHeadAttention.class);
        yield new LayerSpec.AttentionSpec(a.heads(), a.causal());
      }
    };
    return new LayerDeclaration(name, method, annotation, spec, List.copyOf(method.getParameters()));
  }

  private static boolean isTensor(TypeMirror type) {
    return type.getKind() == TypeKind.DECLARED
        && ((TypeElement) ((DeclaredType) type).asElement()).getQualifiedName().contentEquals(TENSOR);
  }

  private static Element unresolvedType(ExecutableElement method) {
    if (isUnresolved(method.getReturnType())) {
      return method;
    }
    for (VariableElement p : method.getParameters()) {
      if (isUnresolved(p.asType())) {
        return p;
      }
    }
    return null;
  }

  /** javac's error type, or the class kapt writes in place of an unresolved Kotlin type. */
  private static boolean isUnresolved(TypeMirror type) {
    return type.getKind() == TypeKind.ERROR
        || (type.getKind() == TypeKind.DECLARED
            && ((TypeElement) ((DeclaredType) type).asElement()).getQualifiedName()
                .contentEquals("error.NonExistentClass"));
  }

  private static boolean isPrivate(TypeElement type) {
    for (Element e = type; e instanceof TypeElement; e = e.getEnclosingElement()) {
      if (e.getModifiers().contains(Modifier.PRIVATE)) {
        return true;
      }
    }
    return false;
  }

  /** The mirror of {@code annotation} on {@code element}, or {@code null}. */
  public static AnnotationMirror mirror(Element element, Class<?> annotation) {
    for (AnnotationMirror m : element.getAnnotationMirrors()) {
      TypeElement t = (TypeElement) m.getAnnotationType().asElement();
      if (t.getQualifiedName().contentEquals(annotation.getCanonicalName())) {
        return m;
      }
    }
    return null;
  }
}
