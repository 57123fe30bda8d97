package io.nabla.runtime.kernel;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks the classes in the runtime jar's {@code META-INF/versions/17} (the Vector API kernels and their choice),
 * which only a Java 17+ JVM loads: the Android API 21 check (animal-sniffer, configured in the runtime pom) skips
 * them, and checks every other class.
 */
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.TYPE)
@interface Java17Only {}
