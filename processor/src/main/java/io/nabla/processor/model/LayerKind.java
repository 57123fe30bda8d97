package io.nabla.processor.model;

import io.nabla.Add;
import io.nabla.Dense;
import io.nabla.Input;
import java.lang.annotation.Annotation;

/** The kinds of layer a declaration can hold, one per layer annotation. */
public enum LayerKind {
  INPUT(Input.class),
  DENSE(Dense.class),
  ADD(Add.class);

  private final Class<? extends Annotation> annotation;

  LayerKind(Class<? extends Annotation> annotation) {
    this.annotation = annotation;
  }

  public Class<? extends Annotation> annotation() {
    return annotation;
  }

  /** The annotation's simple name, as users write it: {@code Dense}. */
  public String displayName() {
    return annotation.getSimpleName();
  }
}
