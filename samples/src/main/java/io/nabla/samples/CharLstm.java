package io.nabla.samples;

import io.nabla.Dense;
import io.nabla.Embedding;
import io.nabla.Input;
import io.nabla.Loss;
import io.nabla.Lstm;
import io.nabla.Network;
import io.nabla.Tensor;

/**
 * The recurrent alternative to {@link CharTransformer}: 64 character ids → embeddings of 64 → an LSTM of 256
 * units returning every step → the logits of the next character at every position.
 */
@Network(loss = Loss.SOFTMAX_CROSS_ENTROPY)
public interface CharLstm {
  @Input(value = {CharCorpus.CONTEXT}, tokens = true) Tensor text();

  @Embedding(vocabulary = CharCorpus.VOCABULARY, dimension = 64) Tensor embed(Tensor text);

  @Lstm(units = 256, returnSequences = true) Tensor lstm(Tensor embed);

  @Dense(units = CharCorpus.VOCABULARY) Tensor logits(Tensor lstm);
}
