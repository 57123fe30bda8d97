/**
 * Optimizers with PyTorch's update rules, defaults and state names ({@link io.nabla.runtime.optim.Sgd},
 * {@link io.nabla.runtime.optim.Adam}, {@link io.nabla.runtime.optim.AdamW}, {@link io.nabla.runtime.optim.RmsProp},
 * {@link io.nabla.runtime.optim.AdaGrad}), {@link io.nabla.runtime.optim.ParameterGroup}s,
 * {@link io.nabla.runtime.optim.GradientClipping} and the {@link io.nabla.runtime.optim.OptimizerState} that
 * checkpoints save.
 *
 * <p>Null-marked (JSpecify): a type in this package is non-null unless annotated {@code @Nullable}, so that
 * Kotlin sees {@code T} or {@code T?} rather than a platform type.
 */
@NullMarked
package io.nabla.runtime.optim;

import org.jspecify.annotations.NullMarked;
