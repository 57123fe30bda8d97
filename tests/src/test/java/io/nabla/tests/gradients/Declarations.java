package io.nabla.tests.gradients;

import io.nabla.Activation;
import io.nabla.Add;
import io.nabla.Dense;
import io.nabla.Input;
import io.nabla.Loss;
import io.nabla.Network;
import io.nabla.Tensor;

/** Small networks that, together, use every layer, activation and loss, for the finite-difference checks. */
final class Declarations {
  private Declarations() {}

  /** ReLU hidden layer, identity logits, softmax cross-entropy. */
  @Network(loss = Loss.SOFTMAX_CROSS_ENTROPY)
  interface ReluClassifier {
    @Input({5}) Tensor x();
    @Dense(units = 4, activation = Activation.RELU) Tensor hidden(Tensor x);
    @Dense(units = 3) Tensor logits(Tensor hidden);
  }

  /** Softmax output fused with cross-entropy. */
  @Network(loss = Loss.SOFTMAX_CROSS_ENTROPY)
  interface SoftmaxOutput {
    @Input({4}) Tensor x();
    @Dense(units = 5, activation = Activation.TANH) Tensor hidden(Tensor x);
    @Dense(units = 3, activation = Activation.SOFTMAX) Tensor probabilities(Tensor hidden);
  }

  /** Leaky ReLU, sigmoid and tanh in a chain, tanh output, MSE. */
  @Network(loss = Loss.MSE)
  interface SmoothRegression {
    @Input({3}) Tensor x();
    @Dense(units = 4, activation = Activation.LEAKY_RELU, leakySlope = 0.2f) Tensor a(Tensor x);
    @Dense(units = 4, activation = Activation.SIGMOID) Tensor b(Tensor a);
    @Dense(units = 2, activation = Activation.TANH) Tensor c(Tensor b);
  }

  /** MSE through a sigmoid output (not fused) and a ReLU output on another layer. */
  @Network(loss = Loss.MSE)
  interface SigmoidRegression {
    @Input({3}) Tensor x();
    @Dense(units = 4, activation = Activation.RELU) Tensor hidden(Tensor x);
    @Dense(units = 2, activation = Activation.SIGMOID) Tensor y(Tensor hidden);
  }

  /** Binary cross-entropy on identity logits. */
  @Network(loss = Loss.BINARY_CROSS_ENTROPY_WITH_LOGITS)
  interface BinaryLogits {
    @Input({4}) Tensor x();
    @Dense(units = 3, activation = Activation.TANH) Tensor hidden(Tensor x);
    @Dense(units = 2) Tensor logits(Tensor hidden);
  }

  /** Binary cross-entropy with a sigmoid output, fused. */
  @Network(loss = Loss.BINARY_CROSS_ENTROPY_WITH_LOGITS)
  interface BinarySigmoid {
    @Input({4}) Tensor x();
    @Dense(units = 3, activation = Activation.SIGMOID, bias = false) Tensor hidden(Tensor x);
    @Dense(units = 1, activation = Activation.SIGMOID) Tensor probability(Tensor hidden);
  }

  /** A residual block: one layer feeds two, joined by @Add with ReLU. */
  @Network(loss = Loss.SOFTMAX_CROSS_ENTROPY)
  interface Residual {
    @Input({4}) Tensor x();
    @Dense(units = 5, activation = Activation.TANH) Tensor stem(Tensor x);
    @Dense(units = 5, activation = Activation.LEAKY_RELU) Tensor branch(Tensor stem);
    @Add(activation = Activation.TANH) Tensor block(Tensor branch, Tensor stem);
    @Dense(units = 3) Tensor logits(Tensor block);
  }

  /** Two inputs, each through its own layer, summed. */
  @Network(loss = Loss.MSE)
  interface TwoInputs {
    @Input({3}) Tensor left();
    @Input({2}) Tensor right();
    @Dense(units = 4, activation = Activation.TANH) Tensor l(Tensor left);
    @Dense(units = 4, activation = Activation.SIGMOID) Tensor r(Tensor right);
    @Add Tensor sum(Tensor l, Tensor r);
    @Dense(units = 2) Tensor out(Tensor sum);
  }

  /** A rank-2 input: Dense acts on the last axis, one label per row. */
  @Network(loss = Loss.SOFTMAX_CROSS_ENTROPY)
  interface Sequence {
    @Input({3, 4}) Tensor steps();
    @Dense(units = 5, activation = Activation.TANH) Tensor hidden(Tensor steps);
    @Dense(units = 3) Tensor logits(Tensor hidden);
  }

  /** An @Add output fused with the loss's softmax. */
  @Network(loss = Loss.SOFTMAX_CROSS_ENTROPY)
  interface AddSoftmax {
    @Input({3}) Tensor x();
    @Dense(units = 3, activation = Activation.TANH) Tensor a(Tensor x);
    @Dense(units = 3) Tensor b(Tensor x);
    @Add(activation = Activation.SOFTMAX) Tensor joined(Tensor a, Tensor b);
  }
}
