package io.nabla.tests.gradients;

import io.nabla.Activation;
import io.nabla.Concat;
import io.nabla.Dense;
import io.nabla.Flatten;
import io.nabla.Gru;
import io.nabla.Input;
import io.nabla.Loss;
import io.nabla.Lstm;
import io.nabla.Network;
import io.nabla.SimpleRnn;
import io.nabla.Tensor;

/**
 * Small recurrent networks for the finite-difference checks. Each cell has one network with every variant of its
 * layer, over sequences of 4 steps and of 1: one direction and two, every step and the last, reading an
 * {@code @Input} (no input gradient) and reading a layer (the input gradient flows on), stacked on a recurrent
 * layer. Every sequence also reaches the head directly (flattened), so that each layer's gradients are large
 * enough for float32 finite differences. Two more have a recurrent layer feeding a per-step classifier and a
 * recurrent layer as the output.
 */
final class RecurrentDeclarations {
  private RecurrentDeclarations() {}

  @Network(loss = Loss.SOFTMAX_CROSS_ENTROPY)
  interface GruVariants {
    @Input({4, 3}) Tensor x();
    @Dense(units = 3, activation = Activation.TANH) Tensor embedded(Tensor x);
    @Gru(units = 3, returnSequences = true) Tensor seqUni(Tensor embedded);
    @Gru(units = 2, bidirectional = true) Tensor lastBi(Tensor seqUni);
    @Gru(units = 2, returnSequences = true, bidirectional = true) Tensor seqBi(Tensor x);
    @Gru(units = 3) Tensor lastUni(Tensor seqBi);
    @Flatten Tensor seqUniSteps(Tensor seqUni);
    @Flatten Tensor seqBiSteps(Tensor seqBi);
    @Concat Tensor joined(Tensor lastBi, Tensor lastUni, Tensor seqUniSteps, Tensor seqBiSteps);
    @Dense(units = 3) Tensor logits(Tensor joined);
  }

  @Network(loss = Loss.SOFTMAX_CROSS_ENTROPY)
  interface GruOneStep {
    @Input({1, 3}) Tensor x();
    @Dense(units = 3, activation = Activation.TANH) Tensor embedded(Tensor x);
    @Gru(units = 3, returnSequences = true) Tensor seqUni(Tensor embedded);
    @Gru(units = 2, bidirectional = true) Tensor lastBi(Tensor seqUni);
    @Gru(units = 2, returnSequences = true, bidirectional = true) Tensor seqBi(Tensor x);
    @Gru(units = 3) Tensor lastUni(Tensor seqBi);
    @Flatten Tensor seqUniSteps(Tensor seqUni);
    @Flatten Tensor seqBiSteps(Tensor seqBi);
    @Concat Tensor joined(Tensor lastBi, Tensor lastUni, Tensor seqUniSteps, Tensor seqBiSteps);
    @Dense(units = 3) Tensor logits(Tensor joined);
  }

  @Network(loss = Loss.SOFTMAX_CROSS_ENTROPY)
  interface LstmVariants {
    @Input({4, 3}) Tensor x();
    @Dense(units = 3, activation = Activation.TANH) Tensor embedded(Tensor x);
    @Lstm(units = 3, returnSequences = true) Tensor seqUni(Tensor embedded);
    @Lstm(units = 2, bidirectional = true) Tensor lastBi(Tensor seqUni);
    @Lstm(units = 2, returnSequences = true, bidirectional = true) Tensor seqBi(Tensor x);
    @Lstm(units = 3) Tensor lastUni(Tensor seqBi);
    @Flatten Tensor seqUniSteps(Tensor seqUni);
    @Flatten Tensor seqBiSteps(Tensor seqBi);
    @Concat Tensor joined(Tensor lastBi, Tensor lastUni, Tensor seqUniSteps, Tensor seqBiSteps);
    @Dense(units = 3) Tensor logits(Tensor joined);
  }

  @Network(loss = Loss.SOFTMAX_CROSS_ENTROPY)
  interface LstmOneStep {
    @Input({1, 3}) Tensor x();
    @Dense(units = 3, activation = Activation.TANH) Tensor embedded(Tensor x);
    @Lstm(units = 3, returnSequences = true) Tensor seqUni(Tensor embedded);
    @Lstm(units = 2, bidirectional = true) Tensor lastBi(Tensor seqUni);
    @Lstm(units = 2, returnSequences = true, bidirectional = true) Tensor seqBi(Tensor x);
    @Lstm(units = 3) Tensor lastUni(Tensor seqBi);
    @Flatten Tensor seqUniSteps(Tensor seqUni);
    @Flatten Tensor seqBiSteps(Tensor seqBi);
    @Concat Tensor joined(Tensor lastBi, Tensor lastUni, Tensor seqUniSteps, Tensor seqBiSteps);
    @Dense(units = 3) Tensor logits(Tensor joined);
  }

  @Network(loss = Loss.SOFTMAX_CROSS_ENTROPY)
  interface SimpleRnnVariants {
    @Input({4, 3}) Tensor x();
    @Dense(units = 3, activation = Activation.TANH) Tensor embedded(Tensor x);
    @SimpleRnn(units = 3, returnSequences = true) Tensor seqUni(Tensor embedded);
    @SimpleRnn(units = 2, bidirectional = true) Tensor lastBi(Tensor seqUni);
    @SimpleRnn(units = 2, returnSequences = true, bidirectional = true) Tensor seqBi(Tensor x);
    @SimpleRnn(units = 3) Tensor lastUni(Tensor seqBi);
    @Flatten Tensor seqUniSteps(Tensor seqUni);
    @Flatten Tensor seqBiSteps(Tensor seqBi);
    @Concat Tensor joined(Tensor lastBi, Tensor lastUni, Tensor seqUniSteps, Tensor seqBiSteps);
    @Dense(units = 3) Tensor logits(Tensor joined);
  }

  @Network(loss = Loss.SOFTMAX_CROSS_ENTROPY)
  interface SimpleRnnOneStep {
    @Input({1, 3}) Tensor x();
    @Dense(units = 3, activation = Activation.TANH) Tensor embedded(Tensor x);
    @SimpleRnn(units = 3, returnSequences = true) Tensor seqUni(Tensor embedded);
    @SimpleRnn(units = 2, bidirectional = true) Tensor lastBi(Tensor seqUni);
    @SimpleRnn(units = 2, returnSequences = true, bidirectional = true) Tensor seqBi(Tensor x);
    @SimpleRnn(units = 3) Tensor lastUni(Tensor seqBi);
    @Flatten Tensor seqUniSteps(Tensor seqUni);
    @Flatten Tensor seqBiSteps(Tensor seqBi);
    @Concat Tensor joined(Tensor lastBi, Tensor lastUni, Tensor seqUniSteps, Tensor seqBiSteps);
    @Dense(units = 3) Tensor logits(Tensor joined);
  }

  /** A bidirectional GRU read by a per-step classifier: one label per step. */
  @Network(loss = Loss.SOFTMAX_CROSS_ENTROPY)
  interface GruTagger {
    @Input({5, 2}) Tensor x();
    @Gru(units = 3, returnSequences = true, bidirectional = true) Tensor tags(Tensor x);
    @Dense(units = 3) Tensor logits(Tensor tags);
  }

  /** An LSTM over every step as the output, MSE against a target per step. */
  @Network(loss = Loss.MSE)
  interface LstmOutput {
    @Input({3, 2}) Tensor x();
    @Dense(units = 2, activation = Activation.TANH) Tensor embedded(Tensor x);
    @Lstm(units = 2, returnSequences = true) Tensor y(Tensor embedded);
  }
}
