package io.nabla.tests.learning;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nabla.Activation;
import io.nabla.Add;
import io.nabla.Dense;
import io.nabla.Embedding;
import io.nabla.Input;
import io.nabla.LayerNorm;
import io.nabla.Loss;
import io.nabla.Lstm;
import io.nabla.MultiHeadAttention;
import io.nabla.Network;
import io.nabla.PositionalEmbedding;
import io.nabla.Tensor;
import io.nabla.runtime.Model;
import io.nabla.runtime.Rng;
import io.nabla.runtime.kernel.Kernels;
import io.nabla.runtime.optim.Adam;
import io.nabla.runtime.train.Dataset;
import io.nabla.runtime.train.EpochResult;
import io.nabla.runtime.train.Trainer;
import io.nabla.tests.JvmOnly;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Sequence models that must actually learn a task only their sequence layers can solve: at every position, output
 * the token two positions earlier (at the first two positions, the token itself). A per-position classifier sees
 * one token and cannot do better than 1/8 on the shifted positions; attention has to find position t - 2 through
 * the learned positions, and an LSTM has to carry two tokens in its state.
 */
@JvmOnly
class SequenceLearningTest {
  private static final int TIME = 8;
  private static final int VOCABULARY = 8;
  private static final int LAG = 2;

  @Network(loss = Loss.SOFTMAX_CROSS_ENTROPY)
  interface LagTransformer {
    @Input(value = {TIME}, tokens = true) Tensor text();
    @Embedding(vocabulary = VOCABULARY, dimension = 16) Tensor embed(Tensor text);
    @PositionalEmbedding Tensor positioned(Tensor embed);
    @LayerNorm Tensor norm1(Tensor positioned);
    @MultiHeadAttention(heads = 2, causal = true) Tensor attention(Tensor norm1);
    @Add Tensor residual(Tensor positioned, Tensor attention);
    @LayerNorm Tensor norm2(Tensor residual);
    @Dense(units = 32, activation = Activation.GELU) Tensor expand(Tensor norm2);
    @Dense(units = 16) Tensor project(Tensor expand);
    @Add Tensor block(Tensor residual, Tensor project);
    @LayerNorm Tensor normOut(Tensor block);
    @Dense(units = VOCABULARY) Tensor logits(Tensor normOut);
  }

  @Network(loss = Loss.SOFTMAX_CROSS_ENTROPY)
  interface LagLstm {
    @Input(value = {TIME}, tokens = true) Tensor text();
    @Embedding(vocabulary = VOCABULARY, dimension = 8) Tensor embed(Tensor text);
    @Lstm(units = 32, returnSequences = true) Tensor lstm(Tensor embed);
    @Dense(units = VOCABULARY, activation = Activation.SILU) Tensor hidden(Tensor lstm);
    @Dense(units = VOCABULARY) Tensor logits(Tensor hidden);
  }

  /** {@code n} random sequences and, at every position, the token {@link #LAG} positions earlier. */
  private static Dataset lagged(int n, long seed) {
    Rng rng = new Rng(seed);
    float[] ids = new float[n * TIME];
    int[] labels = new int[n * TIME];
    for (int s = 0; s < n; s++) {
      for (int t = 0; t < TIME; t++) {
        ids[s * TIME + t] = rng.nextInt(VOCABULARY);
      }
      for (int t = 0; t < TIME; t++) {
        labels[s * TIME + t] = (int) ids[s * TIME + Math.max(0, t - LAG)];
      }
    }
    return Dataset.ofLabels(ids, TIME, labels, TIME);
  }

  private static EpochResult train(Model model, int epochs, long seed) {
    model.initialize(seed);
    List<EpochResult> history = Trainer.builder().optimizer(Adam.of(0.01)).epochs(epochs).batchSize(32).seed(seed)
        .build().fit(model, lagged(1024, seed), lagged(256, seed + 100));
    return history.get(history.size() - 1);
  }

  @Test
  void causalTransformerLearnsToLookBack() {
    EpochResult last = train(new SequenceLearningTest_LagTransformerNet(32), 15, 1);
    assertTrue(last.validationAccuracy() > 0.97, "held-out accuracy per position " + last.validationAccuracy());
  }

  @Test
  void lstmOverEmbeddingsLearnsToLookBack() {
    EpochResult last = train(new SequenceLearningTest_LagLstmNet(32), 15, 2);
    assertTrue(last.validationAccuracy() > 0.97, "held-out accuracy per position " + last.validationAccuracy());
  }

  @Test
  void transformerTrainingIsTheSameBitForBitOnOneAndTwoThreads() {
    Model one = new SequenceLearningTest_LagTransformerNet(32, Kernels.portable(1));
    Model two = new SequenceLearningTest_LagTransformerNet(32, Kernels.portable(2));
    train(one, 2, 3);
    train(two, 2, 3);
    assertArrayEquals(one.parameters().values(), two.parameters().values());
  }
}
