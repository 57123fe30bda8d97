/**
 * The training loop ({@link io.nabla.runtime.train.Trainer}) over a {@link io.nabla.runtime.train.Dataset}:
 * metrics, early stopping, listeners, progress, the per-epoch {@link io.nabla.runtime.train.History}.
 *
 * <p>Null-marked (JSpecify): a type in this package is non-null unless annotated {@code @Nullable}, so that
 * Kotlin sees {@code T} or {@code T?} rather than a platform type.
 */
@NullMarked
package io.nabla.runtime.train;

import org.jspecify.annotations.NullMarked;
