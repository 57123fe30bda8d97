/**
 * What generated networks run on: {@link io.nabla.runtime.Model}, the interface every network generated from a
 * {@code @Network} declaration implements, its base class {@link io.nabla.runtime.GeneratedModel}, the flat
 * {@link io.nabla.runtime.Parameters} and {@link io.nabla.runtime.Buffers} with their named
 * {@link io.nabla.runtime.ParameterTensor}s, the layer table ({@link io.nabla.runtime.LayerInfo}) and the seeded
 * {@link io.nabla.runtime.Rng}.
 *
 * <p>Null-marked (JSpecify): a type in this package is non-null unless annotated {@code @Nullable}, so that
 * Kotlin sees {@code T} or {@code T?} rather than a platform type.
 */
@NullMarked
package io.nabla.runtime;

import org.jspecify.annotations.NullMarked;
