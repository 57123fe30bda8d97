package io.nabla.samples.kotlin

import io.nabla.Activation
import io.nabla.Add
import io.nabla.Dense
import io.nabla.Embedding
import io.nabla.Input
import io.nabla.LayerNorm
import io.nabla.Loss
import io.nabla.MultiHeadAttention
import io.nabla.Network
import io.nabla.PositionalEmbedding
import io.nabla.Tensor

/**
 * A one-block causal transformer declared in Kotlin: 8 token ids (a vocabulary of 8) in, the logits of a token per
 * position out. kapt generates `LagTransformerNet` (Java); the test teaches it to repeat the token two positions back.
 */
@Network(loss = Loss.SOFTMAX_CROSS_ENTROPY)
interface LagTransformer {
    @Input(8, tokens = true) fun text(): Tensor
    @Embedding(vocabulary = 8, dimension = 16) fun embed(text: Tensor): Tensor
    @PositionalEmbedding fun positioned(embed: Tensor): Tensor
    @LayerNorm fun norm1(positioned: Tensor): Tensor
    @MultiHeadAttention(heads = 2, causal = true) fun attention(norm1: Tensor): Tensor
    @Add fun residual(positioned: Tensor, attention: Tensor): Tensor
    @LayerNorm fun norm2(residual: Tensor): Tensor
    @Dense(units = 32, activation = Activation.GELU) fun expand(norm2: Tensor): Tensor
    @Dense(units = 16) fun project(expand: Tensor): Tensor
    @Add fun block(residual: Tensor, project: Tensor): Tensor
    @LayerNorm fun normOut(block: Tensor): Tensor
    @Dense(units = 8) fun logits(normOut: Tensor): Tensor
}
