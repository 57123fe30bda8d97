/**
 * The loops generated networks call: matrix products and fused dense layers
 * ({@link io.nabla.runtime.kernel.Kernels}, {@link io.nabla.runtime.kernel.PortableKernels}), convolution, pooling,
 * normalisation, dropout, activations and losses, each with a naive reference twin for tests.
 *
 * <p>Null-marked (JSpecify): a type in this package is non-null unless annotated {@code @Nullable}, so that
 * Kotlin sees {@code T} or {@code T?} rather than a platform type.
 */
@NullMarked
package io.nabla.runtime.kernel;

import org.jspecify.annotations.NullMarked;
