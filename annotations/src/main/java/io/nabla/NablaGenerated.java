package io.nabla;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a class written by Nabla's annotation processor. It carries no timestamp, so builds stay reproducible,
 * and exists because {@code javax.annotation.processing.Generated} is missing at {@code --release 8}.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.TYPE)
public @interface NablaGenerated {
  /** The processor that wrote the class. */
  String value();

  /** The declaration the class was generated from. */
  String from();
}
