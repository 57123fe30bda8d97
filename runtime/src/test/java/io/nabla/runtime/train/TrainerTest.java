package io.nabla.runtime.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nabla.Activation;
import io.nabla.Loss;
import io.nabla.runtime.Model;
import io.nabla.runtime.Parameters;
import io.nabla.runtime.Rng;
import io.nabla.runtime.TinyDenseModel;
import io.nabla.runtime.kernel.Kernels;
import io.nabla.runtime.kernel.ReferenceKernels;
import io.nabla.runtime.optim.Adam;
import io.nabla.runtime.optim.Optimizer;
import io.nabla.runtime.optim.Sgd;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class TrainerTest {

  /** {@code n} samples of x uniform in [-1, 1]², y = 3·x0 - 2·x1 + 0.5 (no noise). */
  private static Dataset regression(int n, long seed) {
    Rng rng = new Rng(seed);
    float[] x = new float[2 * n];
    float[] y = new float[n];
    for (int i = 0; i < n; i++) {
      x[2 * i] = 2 * rng.nextFloat() - 1;
      x[2 * i + 1] = 2 * rng.nextFloat() - 1;
      y[i] = 3 * x[2 * i] - 2 * x[2 * i + 1] + 0.5f;
    }
    return Dataset.ofTargets(x, 2, y, 1);
  }


  private static void assertContains(String text, String... parts) {
    for (String part : parts) {
      assertTrue(text.contains(part), "'" + part + "' missing from: " + text);
    }
  }

  private static String rejection(Executable call) {
    return assertThrows(IllegalArgumentException.class, call).getMessage();
  }

  // ---- learning ----

  @Test
  void linearRegressionLearnsWithSgd() {
    TinyDenseModel model = TinyDenseModel.linearRegression(8);
    model.initialize(1);
    Dataset data = regression(64, 3);
    double before = Trainer.evaluate(model, data, 64).loss();
    assertTrue(before > 0.5, "an untrained model is far off: " + before);

    List<EpochResult> history = Trainer.builder().optimizer(Sgd.of(0.1)).epochs(60).batchSize(8).seed(5).build()
        .fit(model, data, null);

    assertEquals(60, history.size());
    for (int e = 0; e < history.size(); e++) {
      EpochResult r = history.get(e);
      assertEquals(e + 1, r.epoch());
      assertEquals(60, r.epochs());
      assertEquals(64, r.samples());
      assertTrue(Double.isNaN(r.trainAccuracy()), "no accuracy for MSE");
      assertTrue(Double.isNaN(r.validationLoss()) && Double.isNaN(r.validationAccuracy()), "no validation set");
      assertTrue(r.seconds() >= 0);
    }
    double after = Trainer.evaluate(model, data, 64).loss();
    assertTrue(after < 1e-6 * before, "loss " + before + " → " + after);
    assertTrue(history.get(59).trainLoss() < history.get(0).trainLoss() / 1000);
    float[] w = model.parameters().values();
    assertEquals(3f, w[0], 1e-3f);
    assertEquals(-2f, w[1], 1e-3f);
    assertEquals(0.5f, w[2], 1e-3f);
  }

  @Test
  void classifierLearnsWithAdamAndReportsValidation() {
    TinyDenseModel model = TinyDenseModel.softmaxClassifier(16);
    model.initialize(2);
    Dataset train = Clusters.of(300, 1, 0.6f);
    Dataset validation = Clusters.of(100, 2, 0.6f);
    List<EpochResult> history = Trainer.builder().optimizer(Adam.of(0.05)).epochs(10).batchSize(16).seed(3)
        .build().fit(model, train, validation);
    EpochResult last = history.get(history.size() - 1);
    assertTrue(last.trainAccuracy() > 0.95, "train accuracy " + last.trainAccuracy());
    assertTrue(last.validationAccuracy() > 0.95, "validation accuracy " + last.validationAccuracy());
    assertTrue(last.trainLoss() < history.get(0).trainLoss(), "loss goes down");
    assertTrue(last.trainLoss() < 0.2, "train loss " + last.trainLoss());

    // The reported validation numbers are those of evaluate() on the final weights.
    Evaluation eval = Trainer.evaluate(model, validation, 16);
    assertEquals(eval.loss(), last.validationLoss(), 0.0);
    assertEquals(eval.accuracy(), last.validationAccuracy(), 0.0);
    assertTrue(model.isTraining(), "fit leaves the model in training mode");
  }

  @Test
  void userDefinedLambdaOptimizerTrains() {
    TinyDenseModel model = TinyDenseModel.linearRegression(16);
    Dataset data = regression(64, 9);
    Optimizer gradientDescent = p -> {
      float[] w = p.values();
      float[] g = p.gradients();
      for (int i = 0; i < w.length; i++) {
        w[i] -= 0.2f * g[i];
      }
    };
    List<EpochResult> history = Trainer.builder().optimizer(gradientDescent).epochs(30).batchSize(16).build()
        .fit(model, data, null);
    assertTrue(history.get(29).trainLoss() < 1e-3 * history.get(0).trainLoss(),
        history.get(0).trainLoss() + " → " + history.get(29).trainLoss());
  }

  @Test
  void epochLossIsTheSampleWeightedMeanOfBatchLosses() {
    // An optimizer that changes nothing: every epoch's loss is the loss of the same weights on the whole set,
    // even with a smaller last batch (30 samples in batches of 7: 4 × 7 + 2).
    TinyDenseModel model = TinyDenseModel.softmaxClassifier(7);
    model.initialize(4);
    float[] initial = model.parameters().values().clone();
    Dataset data = Clusters.of(30, 5, 0.6f);
    List<Integer> calls = new ArrayList<>();
    Optimizer none = p -> calls.add(1);
    List<EpochResult> history = Trainer.builder().optimizer(none).epochs(3).batchSize(7).seed(1).build()
        .fit(model, data, null);
    assertEquals(15, calls.size(), "5 steps per epoch");
    assertArrayEquals(initial, model.parameters().values());
    Evaluation whole = Trainer.evaluate(model, data, 30);
    for (EpochResult r : history) {
      assertEquals(whole.loss(), r.trainLoss(), 1e-6 * whole.loss());
      assertEquals(whole.accuracy(), r.trainAccuracy(), 1e-12);
    }
  }

  // ---- reproducibility ----

  private static float[] train(Kernels kernels, long initSeed, long shuffleSeed) {
    TinyDenseModel model = new TinyDenseModel("M", Loss.SOFTMAX_CROSS_ENTROPY, 8, kernels, 2, 3,
        Activation.SOFTMAX);
    model.initialize(initSeed);
    Trainer.builder().optimizer(Adam.of(0.01)).epochs(3).batchSize(8).seed(shuffleSeed).build()
        .fit(model, Clusters.of(100, 6, 0.6f), null);
    return model.parameters().values().clone();
  }

  @Test
  void sameSeedsGiveBitwiseIdenticalParameters() {
    float[] a = train(Kernels.portable(), 42, 7);
    float[] b = train(Kernels.portable(), 42, 7);
    for (int i = 0; i < a.length; i++) {
      assertEquals(Float.floatToRawIntBits(a[i]), Float.floatToRawIntBits(b[i]), "parameter " + i);
    }
    assertFalse(java.util.Arrays.equals(a, train(Kernels.portable(), 42, 8)), "another shuffle seed");
    assertFalse(java.util.Arrays.equals(a, train(Kernels.portable(), 43, 7)), "another initialisation");
  }

  @Test
  void eachStepSeesItsOwnGradientsAndLeavesThemZero() {
    // Gradients left by a backward pass before fit must not reach its first step: fit zeroes them first.
    TinyDenseModel model = new TinyDenseModel("M", Loss.SOFTMAX_CROSS_ENTROPY, 8, Kernels.portable(2), 2, 3,
        Activation.SOFTMAX);
    model.initialize(42);
    Dataset data = Clusters.of(100, 6, 0.6f);
    model.forward(data.features(), 8);
    model.loss(java.util.Arrays.copyOf(data.labels(), 8), 8);
    model.backward();
    List<Double> gradientSums = new ArrayList<>();
    Optimizer adam = Adam.of(0.01);
    Optimizer recording = new Optimizer() {
      @Override
      public void step(Parameters p) {
        double sum = 0;
        for (float g : p.gradients()) {
          sum += Math.abs(g);
        }
        gradientSums.add(sum);
        adam.step(p);
      }
    };
    Trainer.builder().optimizer(recording).epochs(3).batchSize(8).seed(7).build().fit(model, data, null);
    assertArrayEquals(train(Kernels.portable(), 42, 7), model.parameters().values(),
        "the same weights as a model with no stale gradients");
    assertEquals(3 * 13, gradientSums.size());
    for (double sum : gradientSums) {
      assertTrue(sum > 0, "each step sees the gradients of its batch: " + gradientSums);
    }
    assertArrayEquals(new float[model.parameters().size()], model.parameters().gradients(),
        "the last step leaves the gradients zero, as zero_grad() after it would");
  }

  @Test
  void batchesGatheredOnSeveralThreadsTrainAsOnOne() {
    // 128 samples of 300 features: 38,400 floats per batch, which the trainer copies on the model's threads.
    Rng rng = new Rng(5);
    float[] features = new float[1000 * 300];
    int[] labels = new int[1000];
    for (int i = 0; i < 1000; i++) {
      labels[i] = i % 3;
      for (int f = 0; f < 300; f++) {
        features[i * 300 + f] = (float) rng.nextGaussian() + (f % 3 == labels[i] ? 0.5f : 0f);
      }
    }
    Dataset data = Dataset.ofLabels(features, 300, labels);
    float[][] weights = new float[3][];
    Kernels[] kernels = {Kernels.portable(1), Kernels.portable(2), Kernels.best(2)};
    for (int k = 0; k < kernels.length; k++) {
      TinyDenseModel model = new TinyDenseModel("M", Loss.SOFTMAX_CROSS_ENTROPY, 128, kernels[k], 300, 3,
          Activation.SOFTMAX);
      model.initialize(3);
      Trainer.builder().optimizer(Adam.of(0.01)).epochs(2).batchSize(128).seed(11).build().fit(model, data, null);
      weights[k] = model.parameters().values().clone();
    }
    assertArrayEquals(weights[0], weights[1], "2 portable threads");
    assertArrayEquals(weights[0], weights[2], "2 best threads");
  }

  @Test
  void portableAndReferenceKernelsTrainAlike() {
    float[] portable = train(Kernels.portable(), 42, 7);
    float[] reference = train(new ReferenceKernels(), 42, 7);
    assertArrayEquals(reference, portable, 1e-4f);
  }

  // ---- divergence ----

  @Test
  void hugeLearningRateDivergesNamingEpochAndStep() {
    TinyDenseModel model = TinyDenseModel.linearRegression(8);
    Trainer trainer = Trainer.builder().optimizer(Sgd.of(1e6)).epochs(5).batchSize(8).seed(1).build();
    TrainingDivergedException e = assertThrows(TrainingDivergedException.class,
        () -> trainer.fit(model, regression(64, 3), null));
    assertTrue(e.epoch() >= 1 && e.step() >= 1, e.epoch() + "/" + e.step());
    assertContains(e.getMessage(), "loss is", "at epoch " + e.epoch() + ", step " + e.step(), "learning rate");
  }

  @Test
  void nanInDataDivergesAtTheFirstBatchHoldingIt() {
    Dataset clean = regression(64, 3);
    float[] features = clean.features().clone();
    features[2 * 10 + 1] = Float.NaN;
    Dataset dirty = Dataset.ofTargets(features, 2, clean.targets(), 1);

    // One batch holds everything: epoch 1, step 1, and the culprit is the input.
    TrainingDivergedException e = assertThrows(TrainingDivergedException.class,
        () -> Trainer.builder().optimizer(Sgd.of(0.01)).epochs(2).batchSize(64).build()
            .fit(TinyDenseModel.linearRegression(64), dirty, null));
    assertEquals(1, e.epoch());
    assertEquals(1, e.step());
    assertContains(e.getMessage(), "loss is NaN", "epoch 1, step 1", "output of layer 'x'", "NaN",
        "check the input data");

    // Batches of 8: the step is the one whose batch holds sample 10.
    e = assertThrows(TrainingDivergedException.class,
        () -> Trainer.builder().optimizer(Sgd.of(0.01)).epochs(2).batchSize(8).seed(9).build()
            .fit(TinyDenseModel.linearRegression(8), dirty, null));
    assertEquals(1, e.epoch());
    int[] order = new int[64];
    for (int i = 0; i < 64; i++) {
      order[i] = i;
    }
    new Rng(9).shuffle(order); // the trainer's first-epoch order for seed 9
    int position = 0;
    while (order[position] != 10) {
      position++;
    }
    assertEquals(position / 8 + 1, e.step());
    assertContains(e.getMessage(), "epoch 1, step " + e.step());
  }

  // ---- argument checks ----

  @Test
  void batchLargerThanMaxBatchIsRejected() {
    Trainer trainer = Trainer.builder().optimizer(Sgd.of(0.1)).batchSize(8).build();
    assertContains(rejection(() -> trainer.fit(TinyDenseModel.linearRegression(4), regression(16, 1), null)),
        "batch size 8", "LinearRegression", "maxBatch 4");
  }

  @Test
  void dataThatDoesNotFitTheModelIsRejected() {
    Trainer trainer = Trainer.builder().optimizer(Sgd.of(0.1)).batchSize(4).build();
    TinyDenseModel regression = TinyDenseModel.linearRegression(4);
    TinyDenseModel classifier = TinyDenseModel.softmaxClassifier(4);

    Dataset threeFeatures = Dataset.ofTargets(new float[12], 3, new float[4], 1);
    assertContains(rejection(() -> trainer.fit(regression, threeFeatures, null)), "training data",
        "3 features", "input 'x'", "takes 2");
    assertContains(rejection(() -> trainer.fit(regression, regression(8, 1), threeFeatures)), "validation data",
        "3 features");
    assertContains(rejection(() -> trainer.fit(regression, Clusters.of(8, 1, 0.6f), null)), "has labels", "MSE",
        "takes targets");
    assertContains(rejection(() -> trainer.fit(classifier, regression(8, 1), null)), "has targets",
        "SOFTMAX_CROSS_ENTROPY", "takes labels");
    Dataset twoTargets = Dataset.ofTargets(new float[8], 2, new float[8], 2);
    assertContains(rejection(() -> trainer.fit(regression, twoTargets, null)), "2 targets per sample", "takes 1");
    assertContains(rejection(() -> Trainer.evaluate(regression, threeFeatures, 4)), "evaluation data");
  }

  @Test
  void labelOutOfRangeNamesTheLabelAndIndex() {
    Dataset data = Dataset.ofLabels(new float[] {0, 0, 1, 1, 2, 2}, 2, new int[] {0, 7, 1});
    Trainer trainer = Trainer.builder().optimizer(Sgd.of(0.1)).batchSize(3).build();
    assertContains(rejection(() -> trainer.fit(TinyDenseModel.softmaxClassifier(4), data, null)), "label 7",
        "of sample 1 in the training data", "out of range", "'fc'", "3 classes");
  }

  @Test
  void builderValidatesSettings() {
    assertContains(rejection(() -> Trainer.builder().build()), "optimizer");
    assertContains(rejection(() -> Trainer.builder().optimizer(Sgd.of(0.1)).epochs(0).build()), "epochs", "0");
    assertContains(rejection(() -> Trainer.builder().optimizer(Sgd.of(0.1)).batchSize(-3).build()),
        "batch size", "-3");
  }

  // ---- listeners and evaluation ----

  @Test
  void listenersSeeEveryEpochInOrder() {
    List<EpochResult> seen = new ArrayList<>();
    List<EpochResult> seenToo = new ArrayList<>();
    List<EpochResult> history = Trainer.builder().optimizer(Sgd.of(0.05)).epochs(4).batchSize(8)
        .listener(seen::add).listener(seenToo::add).build()
        .fit(TinyDenseModel.linearRegression(8), regression(32, 1), regression(16, 2));
    assertEquals(history, seen);
    assertEquals(history, seenToo);
    for (int i = 0; i < 4; i++) {
      assertSame(history.get(i), seen.get(i));
      assertFalse(Double.isNaN(seen.get(i).validationLoss()));
      assertContains(seen.get(i).toString(), "epoch " + (i + 1) + "/4", "loss", "val_loss");
    }
  }

  @Test
  void evaluateRestoresModeLeavesDataAndUsesBatchesUpToMaxBatch() {
    TinyDenseModel model = TinyDenseModel.softmaxClassifier(4);
    Dataset data = Clusters.of(10, 3, 0.6f);
    float[] features = data.features().clone();
    model.setTraining(true);
    Evaluation small = Trainer.evaluate(model, data, 3);
    Evaluation large = Trainer.evaluate(model, data, 1000);
    assertTrue(model.isTraining());
    model.setTraining(false);
    Trainer.evaluate(model, data, 4);
    assertFalse(model.isTraining());
    assertEquals(small.loss(), large.loss(), 1e-6);
    assertEquals(small.accuracy(), large.accuracy(), 0.0);
    assertTrue(small.accuracy() >= 0 && small.accuracy() <= 1);
    assertArrayEquals(features, data.features());
  }

  @Test
  void fitWorksOnAnyModelImplementation() {
    Model model = TinyDenseModel.linearRegression(2);
    List<EpochResult> history = Trainer.builder().optimizer(Sgd.of(0.1)).epochs(1).batchSize(2).build()
        .fit(model, regression(5, 1), null);
    assertEquals(5, history.get(0).samples(), "an odd count ends with a batch of 1");
  }
}
