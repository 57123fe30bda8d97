/**
 * Reading data sets: IDX files ({@link io.nabla.runtime.data.Idx}, as MNIST ships), numeric CSV
 * ({@link io.nabla.runtime.data.Csv}), plain or gzipped, and per-feature
 * {@link io.nabla.runtime.data.Normalization} fitted on the training data. Every problem with a file is a
 * {@link io.nabla.runtime.data.DataException} naming it.
 *
 * <p>Null-marked (JSpecify): a type in this package is non-null unless annotated {@code @Nullable}, so that
 * Kotlin sees {@code T} or {@code T?} rather than a platform type.
 */
@NullMarked
package io.nabla.runtime.data;

import org.jspecify.annotations.NullMarked;
