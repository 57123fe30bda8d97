package io.nabla.tests.learning;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nabla.Activation;
import io.nabla.Add;
import io.nabla.Dense;
import io.nabla.Input;
import io.nabla.Loss;
import io.nabla.Network;
import io.nabla.Tensor;
import io.nabla.runtime.Model;
import io.nabla.runtime.Rng;
import io.nabla.runtime.optim.Adam;
import io.nabla.runtime.optim.Optimizer;
import io.nabla.runtime.optim.Sgd;
import io.nabla.runtime.train.Dataset;
import io.nabla.runtime.train.EpochResult;
import io.nabla.runtime.train.Trainer;
import io.nabla.tests.JvmOnly;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Training runs that must actually learn, one per loss and activation family, with fixed seeds. */
@JvmOnly
class LearningTest {

  @Network(loss = Loss.SOFTMAX_CROSS_ENTROPY)
  interface Spirals {
    @Input({2}) Tensor point();
    @Dense(units = 32, activation = Activation.RELU) Tensor a(Tensor point);
    @Dense(units = 32, activation = Activation.LEAKY_RELU) Tensor b(Tensor a);
    @Add(activation = Activation.RELU) Tensor block(Tensor b, Tensor a);
    @Dense(units = 3, activation = Activation.SOFTMAX) Tensor classes(Tensor block);
  }

  @Network(loss = Loss.BINARY_CROSS_ENTROPY_WITH_LOGITS)
  interface Xor {
    @Input({2}) Tensor bits();
    @Dense(units = 8, activation = Activation.TANH) Tensor hidden(Tensor bits);
    @Dense(units = 1, activation = Activation.SIGMOID) Tensor probability(Tensor hidden);
  }

  @Network(loss = Loss.MSE)
  interface Sine {
    @Input({1}) Tensor x();
    @Dense(units = 16, activation = Activation.SIGMOID) Tensor a(Tensor x);
    @Dense(units = 16, activation = Activation.TANH) Tensor b(Tensor a);
    @Dense(units = 1) Tensor y(Tensor b);
  }

  /** Three interleaved spirals, 100 points each: not linearly separable. */
  static Dataset spirals(long seed) {
    Rng rng = new Rng(seed);
    int perClass = 100;
    float[] x = new float[3 * perClass * 2];
    int[] y = new int[3 * perClass];
    for (int c = 0; c < 3; c++) {
      for (int i = 0; i < perClass; i++) {
        int n = c * perClass + i;
        double r = (double) i / perClass;
        double t = c * 4 + 4 * r + 0.2 * (rng.nextDouble() - 0.5);
        x[2 * n] = (float) (r * Math.sin(t));
        x[2 * n + 1] = (float) (r * Math.cos(t));
        y[n] = c;
      }
    }
    return Dataset.ofLabels(x, 2, y);
  }

  @Test
  void residualReluNetworkLearnsSpiralsWithAdam() {
    Model model = new LearningTest_SpiralsNet(32);
    model.initialize(1);
    List<EpochResult> history = Trainer.builder().optimizer(Adam.of(0.01)).epochs(200).batchSize(32).seed(1)
        .build().fit(model, spirals(1), null);
    EpochResult last = history.get(history.size() - 1);
    assertTrue(last.trainAccuracy() > 0.95, "spirals accuracy " + last.trainAccuracy());
    assertTrue(last.trainLoss() < history.get(0).trainLoss() / 4, "loss " + history.get(0).trainLoss() + " -> "
        + last.trainLoss());
  }

  @Test
  void tanhNetworkLearnsXorWithBinaryCrossEntropyAndNesterovSgd() {
    float[] x = {0, 0, 0, 1, 1, 0, 1, 1};
    float[] t = {0, 1, 1, 0};
    Dataset xor = Dataset.ofTargets(x, 2, t, 1);
    Model model = new LearningTest_XorNet(4);
    model.initialize(3);
    Optimizer sgd = Sgd.builder(0.5).momentum(0.9).nesterov(true).build();
    List<EpochResult> history = Trainer.builder().optimizer(sgd).epochs(300).batchSize(4).seed(3).build()
        .fit(model, xor, null);
    EpochResult last = history.get(history.size() - 1);
    assertTrue(last.trainAccuracy() == 1.0, "xor accuracy " + last.trainAccuracy());
    assertTrue(last.trainLoss() < 0.05, "xor loss " + last.trainLoss());
    float[] p = model.predict(x, 4);
    assertTrue(p[0] < 0.1 && p[1] > 0.9 && p[2] > 0.9 && p[3] < 0.1, Arrays.toString(p));
  }

  @Test
  void sigmoidTanhNetworkFitsASineWithMse() {
    int n = 256;
    float[] x = new float[n];
    float[] y = new float[n];
    for (int i = 0; i < n; i++) {
      x[i] = (float) (-Math.PI + 2 * Math.PI * i / (n - 1));
      y[i] = (float) Math.sin(x[i]);
    }
    Model model = new LearningTest_SineNet(32);
    model.initialize(5);
    List<EpochResult> history = Trainer.builder().optimizer(Adam.of(0.01)).epochs(300).batchSize(32).seed(5)
        .build().fit(model, Dataset.ofTargets(x, 1, y, 1), null);
    double first = history.get(0).trainLoss();
    double last = history.get(history.size() - 1).trainLoss();
    assertTrue(last < 0.002, "sine MSE " + first + " -> " + last);
  }

  @Test
  void seededRunsAreReproducibleBitForBit() {
    float[] a = trainSpirals(7);
    float[] b = trainSpirals(7);
    float[] c = trainSpirals(8);
    assertArrayEquals(a, b);
    assertFalse(Arrays.equals(a, c));
  }

  private static float[] trainSpirals(long seed) {
    Model model = new LearningTest_SpiralsNet(16);
    model.initialize(seed);
    Trainer.builder().optimizer(Sgd.builder(0.05).momentum(0.9).build()).epochs(3).batchSize(16).seed(seed)
        .build().fit(model, spirals(1), null);
    return model.parameters().values().clone();
  }
}
