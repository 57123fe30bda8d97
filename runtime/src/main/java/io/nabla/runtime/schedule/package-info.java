/**
 * Learning-rate schedules with PyTorch's semantics and defaults, per epoch or per optimizer step
 * ({@link io.nabla.runtime.schedule.LearningRateSchedule}); {@link io.nabla.runtime.schedule.Schedules} makes
 * them.
 *
 * <p>Null-marked (JSpecify): a type in this package is non-null unless annotated {@code @Nullable}, so that
 * Kotlin sees {@code T} or {@code T?} rather than a platform type.
 */
@NullMarked
package io.nabla.runtime.schedule;

import org.jspecify.annotations.NullMarked;
