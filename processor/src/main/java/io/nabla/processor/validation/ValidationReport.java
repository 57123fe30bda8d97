package io.nabla.processor.validation;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.annotation.processing.Messager;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.AnnotationValue;
import javax.lang.model.element.Element;
import javax.lang.model.element.ExecutableElement;
import javax.tools.Diagnostic;

/**
 * Errors found in one declaration, each placed on the exact element, annotation and annotation value the user
 * must change, so javac points at it. Stages add to one report; the processor prints it and writes code only if
 * it is clean.
 */
public final class ValidationReport {
  private record Entry(String message, Element element, AnnotationMirror annotation, AnnotationValue value) {}

  private final List<Entry> errors = new ArrayList<>();

  /** An error on an element. */
  public void error(String message, Element element) {
    errors.add(new Entry(message, element, null, null));
  }

  /** An error on an annotation of an element. */
  public void error(String message, Element element, AnnotationMirror annotation) {
    errors.add(new Entry(message, element, annotation, null));
  }

  /**
   * An error on the value of {@code attribute} in {@code annotation}, or on the annotation itself where the
   * attribute has its default value (nothing to point at).
   */
  public void error(String message, Element element, AnnotationMirror annotation, String attribute) {
    errors.add(new Entry(message, element, annotation, valueOf(annotation, attribute)));
  }

  public boolean isClean() {
    return errors.isEmpty();
  }

  public int errorCount() {
    return errors.size();
  }

  public void printTo(Messager messager) {
    for (Entry e : errors) {
      if (e.value != null) {
        messager.printMessage(Diagnostic.Kind.ERROR, e.message, e.element, e.annotation, e.value);
      } else if (e.annotation != null) {
        messager.printMessage(Diagnostic.Kind.ERROR, e.message, e.element, e.annotation);
      } else {
        messager.printMessage(Diagnostic.Kind.ERROR, e.message, e.element);
      }
    }
  }

  /** The explicitly written value of {@code attribute}, or {@code null} if it was left at its default. */
  public static AnnotationValue valueOf(AnnotationMirror annotation, String attribute) {
    if (annotation == null) {
      return null;
    }
    for (Map.Entry<? extends ExecutableElement, ? extends AnnotationValue> entry :
        annotation.getElementValues().entrySet()) {
      if (entry.getKey().getSimpleName().contentEquals(attribute)) {
        return entry.getValue();
      }
    }
    return null;
  }
}
