/**
 * Saving and restoring training state, and moving weights to and from PyTorch.
 *
 * <ul>
 *   <li>{@link io.nabla.runtime.checkpoint.Checkpoint}: Nabla's own format, to resume training: the parameters,
 *       the buffers (batch-norm running statistics), the fingerprint of the model's
 *       {@link io.nabla.runtime.checkpoint.Architecture}, the optimizer's state and the trainer's state, each
 *       section with a CRC32, written atomically. The byte layout is specified in {@code docs/checkpoint-format.md}.
 *   <li>{@link io.nabla.runtime.checkpoint.Safetensors}: the parameters and buffers in the safetensors format with
 *       PyTorch's names and layouts ({@code hidden.weight} of shape (out, in), {@code bn.running_mean}, F32,
 *       little-endian), for {@code torch.nn.Module.load_state_dict} and back.
 * </ul>
 *
 * <p>A file that cannot be read throws a {@link io.nabla.runtime.checkpoint.CheckpointException} naming the file
 * and the section; a model that does not match throws an {@link IllegalArgumentException} naming the first
 * layer, tensor or buffer that differs, with both shapes. Neither is ever half-applied. No Java serialization is
 * used and nothing beyond the JDK.
 *
 * <p>Null-marked (JSpecify): a type in this package is non-null unless annotated {@code @Nullable}, so that
 * Kotlin sees {@code T} or {@code T?} rather than a platform type.
 */
@NullMarked
package io.nabla.runtime.checkpoint;

import org.jspecify.annotations.NullMarked;
