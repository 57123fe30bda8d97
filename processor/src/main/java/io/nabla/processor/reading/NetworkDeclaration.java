package io.nabla.processor.reading;

import io.nabla.Loss;
import java.util.List;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.TypeElement;

/** A {@code @Network} type as written: its loss and its layer methods in declaration order. */
public record NetworkDeclaration(
    TypeElement type, AnnotationMirror annotation, Loss loss, List<LayerDeclaration> layers) {

  public NetworkDeclaration {
    layers = List.copyOf(layers);
  }
}
