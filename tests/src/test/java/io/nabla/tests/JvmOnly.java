package io.nabla.tests;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Test harness that runs on the JVM only: the build's Android API 21 check (animal-sniffer, configured in
 * {@code tests/pom.xml}) skips the class. That check covers every other class compiled in this module, that is the
 * network declarations and the classes the processor generates from them, which must run on Android; so put this
 * on test and helper classes, never on a declaration. A lambda or anonymous class is skipped with the class it is
 * in; a nested named class needs its own annotation.
 */
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.TYPE)
public @interface JvmOnly {}
