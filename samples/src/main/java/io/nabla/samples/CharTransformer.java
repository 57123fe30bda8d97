package io.nabla.samples;

import io.nabla.Activation;
import io.nabla.Add;
import io.nabla.Dense;
import io.nabla.Dropout;
import io.nabla.Embedding;
import io.nabla.Input;
import io.nabla.LayerNorm;
import io.nabla.Loss;
import io.nabla.MultiHeadAttention;
import io.nabla.Network;
import io.nabla.PositionalEmbedding;
import io.nabla.Tensor;

/**
 * A small GPT over characters: 64 character ids → embeddings of 128 plus learned positions → two pre-norm
 * transformer blocks (causal self-attention of 4 heads, then a GELU MLP of 512, each through dropout 0.1 and added
 * back to the stream) → layer norm → the logits of the next character at every position, over the 85 characters
 * of {@link CharCorpus}.
 */
@Network(loss = Loss.SOFTMAX_CROSS_ENTROPY)
public interface CharTransformer {
  @Input(value = {CharCorpus.CONTEXT}, tokens = true) Tensor text();

  @Embedding(vocabulary = CharCorpus.VOCABULARY, dimension = 128) Tensor embed(Tensor text);

  @PositionalEmbedding Tensor positioned(Tensor embed);

  // Block 1: x + attention(norm(x)), then x + mlp(norm(x))
  @LayerNorm Tensor norm1(Tensor positioned);

  @MultiHeadAttention(heads = 4, causal = true) Tensor attention1(Tensor norm1);

  @Dropout(rate = 0.1) Tensor attention1Dropped(Tensor attention1);

  @Add Tensor residual1(Tensor positioned, Tensor attention1Dropped);

  @LayerNorm Tensor norm2(Tensor residual1);

  @Dense(units = 512, activation = Activation.GELU) Tensor expand1(Tensor norm2);

  @Dense(units = 128) Tensor project1(Tensor expand1);

  @Dropout(rate = 0.1) Tensor project1Dropped(Tensor project1);

  @Add Tensor block1(Tensor residual1, Tensor project1Dropped);

  // Block 2
  @LayerNorm Tensor norm3(Tensor block1);

  @MultiHeadAttention(heads = 4, causal = true) Tensor attention2(Tensor norm3);

  @Dropout(rate = 0.1) Tensor attention2Dropped(Tensor attention2);

  @Add Tensor residual2(Tensor block1, Tensor attention2Dropped);

  @LayerNorm Tensor norm4(Tensor residual2);

  @Dense(units = 512, activation = Activation.GELU) Tensor expand2(Tensor norm4);

  @Dense(units = 128) Tensor project2(Tensor expand2);

  @Dropout(rate = 0.1) Tensor project2Dropped(Tensor project2);

  @Add Tensor block2(Tensor residual2, Tensor project2Dropped);

  @LayerNorm Tensor normOut(Tensor block2);

  @Dense(units = CharCorpus.VOCABULARY) Tensor logits(Tensor normOut);
}
