package io.nabla.processor.reading;

import io.nabla.processor.model.LayerKind;
import io.nabla.processor.model.LayerSpec;
import java.util.List;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.VariableElement;

/**
 * One layer method as written, before names are resolved: its annotation and hyperparameters, and the
 * parameters that name the layers it reads.
 */
public record LayerDeclaration(
    String name, ExecutableElement method, AnnotationMirror annotation, LayerSpec spec,
    List<VariableElement> inputParameters) {

  public LayerKind kind() {
    return spec.kind();
  }

  public List<String> inputNames() {
    return inputParameters.stream().map(p -> p.getSimpleName().toString()).toList();
  }
}
