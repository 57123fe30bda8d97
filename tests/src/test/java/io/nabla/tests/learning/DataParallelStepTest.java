package io.nabla.tests.learning;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nabla.Activation;
import io.nabla.BatchNorm;
import io.nabla.Conv2d;
import io.nabla.Dense;
import io.nabla.Dropout;
import io.nabla.Embedding;
import io.nabla.Flatten;
import io.nabla.Gru;
import io.nabla.Input;
import io.nabla.LayerNorm;
import io.nabla.Loss;
import io.nabla.Lstm;
import io.nabla.MaxPool2d;
import io.nabla.MultiHeadAttention;
import io.nabla.Network;
import io.nabla.PositionalEmbedding;
import io.nabla.Tensor;
import io.nabla.runtime.GeneratedModel;
import io.nabla.runtime.Buffers;
import io.nabla.runtime.LayerInfo;
import io.nabla.runtime.Model;
import io.nabla.runtime.Parameters;
import io.nabla.runtime.Rng;
import io.nabla.runtime.kernel.Kernels;
import io.nabla.runtime.kernel.ReferenceKernels;
import io.nabla.runtime.optim.Adam;
import io.nabla.runtime.train.Dataset;
import io.nabla.runtime.train.EpochResult;
import io.nabla.runtime.train.Trainer;
import io.nabla.tests.JvmOnly;
import java.util.Arrays;
import java.util.List;
import org.jspecify.annotations.Nullable;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Data-parallel training steps ({@link GeneratedModel#trainStep}): a batch of at least 32 samples of a network with
 * enough work per parameter runs in parts, each on its own network sharing the parameters. The parts depend on the
 * network and the batch only, so training is bitwise the same on any number of threads; each step's gradient is
 * the whole batch's within rounding; and what cannot split (batch norm, dropout, small batches, an MLP's few
 * operations per parameter) runs whole, bitwise as forward, loss and backward.
 */
@JvmOnly
class DataParallelStepTest {
  private static final int BATCH = 128;

  @Network(loss = Loss.SOFTMAX_CROSS_ENTROPY)
  interface SmallConv {
    @Input({1, 10, 10}) Tensor image();
    @Conv2d(filters = 6, kernel = 3, padding = 1, activation = Activation.RELU) Tensor conv1(Tensor image);
    @MaxPool2d(kernel = 2) Tensor pool(Tensor conv1);
    @Conv2d(filters = 8, kernel = 3, padding = 1, activation = Activation.TANH) Tensor conv2(Tensor pool);
    @Flatten Tensor features(Tensor conv2);
    @Dense(units = 4) Tensor logits(Tensor features);
  }

  @Network(loss = Loss.SOFTMAX_CROSS_ENTROPY)
  interface RowGru {
    @Input({12, 3}) Tensor rows();
    @Gru(units = 8) Tensor gru(Tensor rows);
    @Dense(units = 4) Tensor logits(Tensor gru);
  }

  /** A target per step (MSE), so each half's targets are rows of several values. */
  @Network(loss = Loss.MSE)
  interface StepLstm {
    @Input({10, 2}) Tensor x();
    @Lstm(units = 6, returnSequences = true) Tensor lstm(Tensor x);
    @Dense(units = 1) Tensor y(Tensor lstm);
  }

  /** Tokens as input and a label per position. */
  @Network(loss = Loss.SOFTMAX_CROSS_ENTROPY)
  interface TinyTransformer {
    @Input(value = {16}, tokens = true) Tensor text();
    @Embedding(vocabulary = 6, dimension = 8) Tensor embed(Tensor text);
    @PositionalEmbedding Tensor positioned(Tensor embed);
    @LayerNorm Tensor norm(Tensor positioned);
    @MultiHeadAttention(heads = 2, causal = true) Tensor attention(Tensor norm);
    @Dense(units = 6) Tensor logits(Tensor attention);
  }

  @Network(loss = Loss.SOFTMAX_CROSS_ENTROPY)
  interface ConvDropout {
    @Input({1, 10, 10}) Tensor image();
    @Conv2d(filters = 6, kernel = 3, padding = 1, activation = Activation.RELU) Tensor conv(Tensor image);
    @Dropout(rate = 0.25) Tensor dropped(Tensor conv);
    @Flatten Tensor features(Tensor dropped);
    @Dense(units = 4) Tensor logits(Tensor features);
  }

  @Network(loss = Loss.SOFTMAX_CROSS_ENTROPY)
  interface ConvBatchNorm {
    @Input({1, 10, 10}) Tensor image();
    @Conv2d(filters = 6, kernel = 3, padding = 1, bias = false) Tensor conv(Tensor image);
    @BatchNorm(activation = Activation.RELU) Tensor norm(Tensor conv);
    @Flatten Tensor features(Tensor norm);
    @Dense(units = 4) Tensor logits(Tensor features);
  }

  @Network(loss = Loss.SOFTMAX_CROSS_ENTROPY)
  interface WideMlp {
    @Input({40}) Tensor x();
    @Dense(units = 32, activation = Activation.RELU) Tensor hidden(Tensor x);
    @Dense(units = 4) Tensor logits(Tensor hidden);
  }

  /** About 400 KB of batch-sized buffers per sample: one part per 8 samples (16 would hold over 4 MiB). */
  @Network(loss = Loss.SOFTMAX_CROSS_ENTROPY)
  interface WideImageConv {
    @Input({1, 40, 40}) Tensor image();
    @Conv2d(filters = 16, kernel = 3, padding = 1, activation = Activation.RELU) Tensor conv(Tensor image);
    @MaxPool2d(kernel = 4) Tensor pool(Tensor conv);
    @Flatten Tensor features(Tensor pool);
    @Dense(units = 4) Tensor logits(Tensor features);
  }

  /** The networks that split, each with a dataset of its shape. */
  @JvmOnly
  enum Splitting {
    CONV((n, k) -> new DataParallelStepTest_SmallConvNet(n, k), 100, 4, 1),
    GRU((n, k) -> new DataParallelStepTest_RowGruNet(n, k), 36, 4, 1),
    LSTM((n, k) -> new DataParallelStepTest_StepLstmNet(n, k), 20, 0, 10),
    TRANSFORMER((n, k) -> new DataParallelStepTest_TinyTransformerNet(n, k), 16, 6, 16),
    WIDE_IMAGE((n, k) -> new DataParallelStepTest_WideImageConvNet(n, k), 1600, 4, 1);

    final BiFunction<Integer, Kernels, GeneratedModel> make;
    final int features;
    /** Classes of the labels, 0 for float targets. */
    final int classes;
    final int targetsPerSample;

    Splitting(BiFunction<Integer, Kernels, GeneratedModel> make, int features, int classes, int targetsPerSample) {
      this.make = make;
      this.features = features;
      this.classes = classes;
      this.targetsPerSample = targetsPerSample;
    }

    /** {@code n} random samples; token inputs hold ids below the vocabulary. */
    Dataset data(int n, long seed) {
      Rng rng = new Rng(seed);
      float[] x = new float[n * features];
      for (int i = 0; i < x.length; i++) {
        x[i] = this == TRANSFORMER ? rng.nextInt(6) : (float) rng.nextGaussian();
      }
      if (classes == 0) {
        float[] t = new float[n * targetsPerSample];
        for (int i = 0; i < t.length; i++) {
          t[i] = (float) rng.nextGaussian();
        }
        return Dataset.ofTargets(x, features, t, targetsPerSample);
      }
      int[] labels = new int[n * targetsPerSample];
      for (int i = 0; i < labels.length; i++) {
        labels[i] = rng.nextInt(classes);
      }
      return Dataset.ofLabels(x, features, labels, targetsPerSample);
    }
  }

  /**
   * Three epochs of batches of 128 (8 parts of 16), the last of each epoch 101 samples (6 parts of 16 or 17; in
   * parts of 8, 8 of 12 or 13); then one of batches of 120 (7 parts of 17 or 18; 8 of 15).
   */
  private static float[] trained(Splitting net, Kernels kernels) {
    GeneratedModel model = net.make.apply(BATCH, kernels);
    model.initialize(7);
    assertTrue(model.trainsInParts(BATCH), net + " should train in parts at batch " + BATCH);
    assertTrue(model.trainsInParts(101), net + " should train in parts at batch 101");
    Trainer.builder().optimizer(Adam.of(1e-2)).epochs(3).batchSize(BATCH).seed(3).build()
        .fit(model, net.data(3 * BATCH + 101, 11), null);
    assertTrue(model.trainsInParts(120), net + " should train in parts at batch 120");
    Trainer.builder().optimizer(Adam.of(1e-2)).epochs(1).batchSize(120).seed(3).build()
        .fit(model, net.data(240, 12), null);
    return model.parameters().values().clone();
  }

  @ParameterizedTest
  @EnumSource(Splitting.class)
  void trainingInPartsIsTheSameBitForBitOnOneToFourThreads(Splitting net) {
    float[] one = trained(net, Kernels.best(1));
    assertArrayEquals(one, trained(net, Kernels.best(2)), net + ": best kernels, 2 threads");
    assertArrayEquals(one, trained(net, Kernels.best(3)), net + ": best kernels, 3 threads");
    assertArrayEquals(one, trained(net, Kernels.best(4)), net + ": best kernels, 4 threads (2 per part)");
    float[] portable = trained(net, Kernels.portable(1));
    assertArrayEquals(portable, trained(net, Kernels.portable(2)), net + ": portable kernels, 2 threads");
  }

  @ParameterizedTest
  @EnumSource(Splitting.class)
  void aStepInPartsGivesTheWholeBatchsLossOutputsAndGradientsWithinRounding(Splitting net) {
    for (int batch : new int[] {BATCH, 101, 120}) {
      GeneratedModel parts = net.make.apply(BATCH, Kernels.best(2));
      GeneratedModel whole = net.make.apply(BATCH, Kernels.best(2));
      parts.initialize(5);
      whole.initialize(5);
      Dataset data = net.data(batch, 21);
      float[] x = data.features();
      int[] labels = net.classes == 0 ? null : data.labels();
      float[] targets = net.classes == 0 ? data.targets() : null;

      float partsLoss = parts.trainStep(new float[][] {x}, labels, targets, batch);
      float[] partsOutput = Arrays.copyOf(parts.lastOutput(), batch * parts.outputSize());
      whole.forward(x, batch);
      float wholeLoss = labels != null ? whole.loss(labels, batch) : whole.loss(targets, batch);
      whole.backward();

      assertEquals(wholeLoss, partsLoss, 1e-6 * Math.abs(wholeLoss), net + " loss, batch " + batch);
      assertClose(whole.activations(whole.output().name()), partsOutput, 1e-6f, net + " output, batch " + batch);
      String hidden = whole.layers().get(1).name();
      assertClose(whole.activations(hidden), parts.activations(hidden), 1e-6f,
          net + " layer " + hidden + ", batch " + batch);
      float[] expected = whole.parameters().gradients();
      float[] actual = parts.parameters().gradients();
      assertClose(expected, actual, 1e-5f, net + " gradients, batch " + batch);
      assertFalse(Arrays.equals(new float[actual.length], actual), net + ": some gradient is not zero");
    }
  }

  @Test
  void aNetworkWithLargeActivationsRunsInSmallerPartsBitwiseTheSameOnAnyThreadCount() {
    Splitting net = Splitting.WIDE_IMAGE;
    // One part per 8 samples: 32 in 4 parts of 8, 40 in 5, 101 in 8 (the small CONV: 6 parts of 16 or 17).
    GeneratedModel sizes = net.make.apply(BATCH, Kernels.best(1));
    assertEquals(4, sizes.trainingParts(32));
    assertEquals(5, sizes.trainingParts(40));
    assertEquals(8, sizes.trainingParts(101));
    assertEquals(6, Splitting.CONV.make.apply(BATCH, Kernels.best(1)).trainingParts(101));
    assertEquals(1, Splitting.CONV.make.apply(BATCH, Kernels.best(1)).trainingParts(31));
    for (int batch : new int[] {32, 40}) {
      float[] one = trainedAt(net, Kernels.best(1), batch);
      assertArrayEquals(one, trainedAt(net, Kernels.best(2), batch), "best kernels, 2 threads, batch " + batch);
      assertArrayEquals(one, trainedAt(net, Kernels.best(3), batch), "best kernels, 3 threads, batch " + batch);
      float[] portable = trainedAt(net, Kernels.portable(1), batch);
      assertArrayEquals(portable, trainedAt(net, Kernels.portable(2), batch), "portable, 2 threads, batch " + batch);

      GeneratedModel parts = net.make.apply(batch, Kernels.best(2));
      GeneratedModel whole = net.make.apply(batch, Kernels.best(2));
      parts.initialize(5);
      whole.initialize(5);
      Dataset data = net.data(batch, 21);
      float partsLoss = parts.trainStep(new float[][] {data.features()}, data.labels(), null, batch);
      whole.forward(data.features(), batch);
      assertEquals(whole.loss(data.labels(), batch), partsLoss, 1e-6f * Math.abs(partsLoss), "loss, batch " + batch);
      whole.backward();
      assertClose(whole.parameters().gradients(), parts.parameters().gradients(), 1e-5f, "gradients, batch " + batch);
    }
  }

  /** Two epochs of three {@code batch}-sample batches, from seed 7. */
  private static float[] trainedAt(Splitting net, Kernels kernels, int batch) {
    GeneratedModel model = net.make.apply(batch, kernels);
    model.initialize(7);
    Trainer.builder().optimizer(Adam.of(1e-2)).epochs(2).batchSize(batch).seed(3).build()
        .fit(model, net.data(3 * batch, 11), null);
    return model.parameters().values().clone();
  }

  /**
   * Each generated network's {@code bytesPerSample()}, by which its parts are sized, is the bytes per sample of its
   * batch-sized arrays: what a network for two samples holds beyond one for one sample.
   */
  @ParameterizedTest
  @EnumSource(Splitting.class)
  void bytesPerSampleCountsEveryBatchSizedArray(Splitting net) throws ReflectiveOperationException {
    GeneratedModel single = net.make.apply(1, Kernels.best(1));
    GeneratedModel pair = net.make.apply(2, Kernels.best(1));
    java.lang.reflect.Method bytes = GeneratedModel.class.getDeclaredMethod("bytesPerSample");
    bytes.setAccessible(true);
    long counted = (long) bytes.invoke(single);
    assertEquals(4 * (arrayValues(pair) - arrayValues(single)), counted, net.toString());
    assertTrue(counted > 0, net.toString());
  }

  /** The values of the float and int arrays the generated class's own fields hold. */
  private static long arrayValues(GeneratedModel model) throws IllegalAccessException {
    long values = 0;
    for (java.lang.reflect.Field field : model.getClass().getDeclaredFields()) {
      if (java.lang.reflect.Modifier.isStatic(field.getModifiers())) {
        continue;
      }
      field.setAccessible(true);
      Object value = field.get(model);
      if (value instanceof float[]) {
        values += ((float[]) value).length;
      } else if (value instanceof int[]) {
        values += ((int[]) value).length;
      }
    }
    return values;
  }

  @Test
  void eachStepInPartsStartsFromTheGradientsItWasGivenNotFromTheLastStepsParts() {
    GeneratedModel parts = new DataParallelStepTest_RowGruNet(BATCH, Kernels.best(2));
    GeneratedModel whole = new DataParallelStepTest_RowGruNet(BATCH, Kernels.best(2));
    parts.initialize(5);
    whole.initialize(5);
    Dataset first = Splitting.GRU.data(BATCH, 1);
    Dataset second = Splitting.GRU.data(BATCH, 2);
    parts.trainStep(new float[][] {first.features()}, first.labels(), null, BATCH);
    parts.zeroGradients();
    parts.trainStep(new float[][] {second.features()}, second.labels(), null, BATCH);
    whole.forward(second.features(), BATCH);
    whole.loss(second.labels(), BATCH);
    whole.backward();
    assertClose(whole.parameters().gradients(), parts.parameters().gradients(), 1e-5f, "second step's gradients");
  }

  /**
   * Ten-by-ten images holding one bright bar: horizontal in the top or bottom half, or vertical in the left or
   * right half (classes 0-3), on noise.
   */
  private static Dataset bars(int n, long seed) {
    Rng rng = new Rng(seed);
    float[] x = new float[n * 100];
    int[] labels = new int[n];
    for (int s = 0; s < n; s++) {
      int label = rng.nextInt(4);
      int line = (label % 2 == 0 ? 0 : 5) + rng.nextInt(5);
      for (int i = 0; i < 100; i++) {
        x[s * 100 + i] = 0.3f * (float) rng.nextGaussian();
      }
      for (int i = 0; i < 10; i++) {
        x[s * 100 + (label < 2 ? line * 10 + i : i * 10 + line)] += 1.5f;
      }
      labels[s] = label;
    }
    return Dataset.ofLabels(x, 100, labels);
  }

  @Test
  void aConvolutionalNetworkTrainedInPartsLearns() {
    GeneratedModel model = new DataParallelStepTest_SmallConvNet(BATCH, Kernels.best(2));
    model.initialize(1);
    assertTrue(model.trainsInParts(BATCH));
    List<EpochResult> history = Trainer.builder().optimizer(Adam.of(1e-2))
        .epochs(6).batchSize(BATCH).seed(2).build().fit(model, bars(2048, 3), bars(512, 4));
    double accuracy = history.get(history.size() - 1).validationAccuracy();
    assertTrue(accuracy > 0.95, "held-out accuracy " + accuracy);
  }

  /** Element-wise within {@code tolerance} of the largest magnitude of {@code expected}. */
  private static void assertClose(float[] expected, float[] actual, float tolerance, String what) {
    assertEquals(expected.length, actual.length, what + ": length");
    float scale = 0;
    for (float e : expected) {
      scale = Math.max(scale, Math.abs(e));
    }
    for (int i = 0; i < expected.length; i++) {
      assertEquals(expected[i], actual[i], tolerance * Math.max(scale, 1e-3f), what + " [" + i + "]");
    }
  }

  @Test
  void networksThatCannotSplitTrainWholeBitwiseAsForwardLossAndBackward() {
    GeneratedModel[][] pairs = {
        {new DataParallelStepTest_ConvDropoutNet(BATCH, Kernels.best(2)),
            new DataParallelStepTest_ConvDropoutNet(BATCH, Kernels.best(2))},
        {new DataParallelStepTest_ConvBatchNormNet(BATCH, Kernels.best(2)),
            new DataParallelStepTest_ConvBatchNormNet(BATCH, Kernels.best(2))},
        {new DataParallelStepTest_WideMlpNet(BATCH, Kernels.best(2)),
            new DataParallelStepTest_WideMlpNet(BATCH, Kernels.best(2))},
        {new DataParallelStepTest_SmallConvNet(BATCH, Kernels.best(2)),
            new DataParallelStepTest_SmallConvNet(BATCH, Kernels.best(2))},
        {new DataParallelStepTest_SmallConvNet(BATCH, new ReferenceKernels()),
            new DataParallelStepTest_SmallConvNet(BATCH, new ReferenceKernels())},
    };
    int[] batches = {BATCH, BATCH, BATCH, 31, BATCH};
    for (int i = 0; i < pairs.length; i++) {
      GeneratedModel step = pairs[i][0];
      GeneratedModel manual = pairs[i][1];
      int batch = batches[i];
      assertFalse(step.trainsInParts(batch), step.name() + " at batch " + batch);
      step.initialize(9);
      manual.initialize(9);
      int inputs = step.inputSize();
      Rng rng = new Rng(4);
      float[] x = new float[batch * inputs];
      for (int j = 0; j < x.length; j++) {
        x[j] = (float) rng.nextGaussian();
      }
      int[] labels = new int[batch];
      for (int j = 0; j < batch; j++) {
        labels[j] = rng.nextInt(4);
      }
      float loss = step.trainStep(new float[][] {x}, labels, null, batch);
      manual.forward(x, batch);
      assertEquals(manual.loss(labels, batch), loss, 0f, step.name());
      manual.backward();
      assertArrayEquals(manual.parameters().gradients(), step.parameters().gradients(), step.name());
      assertArrayEquals(manual.buffers().values(), step.buffers().values(), step.name() + " running statistics");
    }
  }

  @Test
  void aNonFiniteLossSkipsTheBackwardAndNamesTheSampleWhereItBegan() {
    GeneratedModel model = new DataParallelStepTest_SmallConvNet(BATCH, Kernels.best(2));
    Dataset data = Splitting.CONV.data(BATCH, 1);
    float[] x = data.features().clone();
    x[100 * 100 + 42] = Float.NaN; // sample 100, in the second half
    float loss = model.trainStep(new float[][] {x}, data.labels(), null, BATCH);
    assertTrue(Float.isNaN(loss));
    assertArrayEquals(new float[model.parameters().gradients().length], model.parameters().gradients(),
        "no gradient was added");
    String where = model.describeNonFinite();
    assertTrue(where != null && where.startsWith("output of layer 'image' [10042]"), where);
  }

  @Test
  void aBadLabelIsReportedAtItsIndexInTheWholeBatchBeforeAnythingRuns() {
    GeneratedModel model = new DataParallelStepTest_SmallConvNet(BATCH, Kernels.best(2));
    Dataset data = Splitting.CONV.data(BATCH, 1);
    int[] labels = data.labels().clone();
    labels[100] = 4;
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> model.trainStep(new float[][] {data.features()}, labels, null, BATCH));
    assertTrue(e.getMessage().startsWith("label 4 at index 100 is out of range"), e.getMessage());
    assertArrayEquals(new float[model.parameters().gradients().length], model.parameters().gradients());
    assertThrows(IllegalArgumentException.class,
        () -> model.trainStep(new float[][] {new float[10]}, data.labels(), null, BATCH), "short input");
  }

  @Test
  void aBadTokenIdIsReportedAtItsSampleInTheWholeBatch() {
    GeneratedModel model = new DataParallelStepTest_TinyTransformerNet(BATCH, Kernels.best(2));
    Dataset data = Splitting.TRANSFORMER.data(BATCH, 1);
    float[] ids = data.features().clone();
    ids[100 * 16 + 3] = 6; // sample 100 (the second half's 36th), position 3; the vocabulary is 0..5
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> model.trainStep(new float[][] {ids}, data.labels(), null, BATCH));
    assertTrue(e.getMessage().contains("sample 100") && e.getMessage().contains("position 3"), e.getMessage());
    assertArrayEquals(new float[model.parameters().gradients().length], model.parameters().gradients());
  }

  @Test
  void aTargetLossIgnoresLabelsItIsGiven() {
    GeneratedModel parts = new DataParallelStepTest_StepLstmNet(BATCH, Kernels.best(2));
    GeneratedModel whole = new DataParallelStepTest_StepLstmNet(BATCH, Kernels.best(2));
    Dataset data = Splitting.LSTM.data(BATCH, 1);
    float loss = parts.trainStep(new float[][] {data.features()}, new int[BATCH * 10], data.targets(), BATCH);
    whole.forward(data.features(), BATCH);
    assertEquals(whole.loss(data.targets(), BATCH), loss, 1e-6f * loss);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> parts.trainStep(new float[][] {data.features()}, new int[BATCH * 10], null, BATCH));
    assertTrue(e.getMessage().contains("takes targets"), e.getMessage());
  }

  @Test
  void aModelThatIsNotGeneratedTrainsThroughTheDefaultStep() {
    GeneratedModel inner = new DataParallelStepTest_SmallConvNet(BATCH, Kernels.best(2));
    inner.initialize(1);
    // Every call but the two defaults, trainStep and lastOutput, goes to the generated network.
    Model wrapper = new Delegating(inner);
    List<EpochResult> history = Trainer.builder().optimizer(Adam.of(1e-2))
        .epochs(3).batchSize(BATCH).seed(2).build().fit(wrapper, bars(1024, 3), bars(256, 4));
    assertTrue(history.get(2).validationAccuracy() > 0.6, "held-out accuracy " + history.get(2).validationAccuracy());
  }

  @Test
  void afterAStepInPartsLossAsksForAForwardAndAForwardRunsWhole() {
    GeneratedModel model = new DataParallelStepTest_SmallConvNet(BATCH, Kernels.best(2));
    Dataset data = Splitting.CONV.data(BATCH, 1);
    model.trainStep(new float[][] {data.features()}, data.labels(), null, BATCH);
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> model.loss(data.labels(), BATCH));
    assertTrue(e.getMessage().contains("ran in parts"), e.getMessage());
    float[] before = model.parameters().gradients().clone();
    model.forward(data.features(), BATCH);
    model.loss(data.labels(), BATCH);
    model.backward();
    assertNotEquals(Arrays.toString(before), Arrays.toString(model.parameters().gradients()));
  }

  /** A {@link Model} that is not a generated network: it passes every call on, but for the defaults it keeps. */
  @JvmOnly
  private static final class Delegating implements Model {
    private final Model inner;

    Delegating(Model inner) {
      this.inner = inner;
    }

    @Override
    public String name() {
      return inner.name();
    }

    @Override
    public Loss loss() {
      return inner.loss();
    }

    @Override
    public int maxBatch() {
      return inner.maxBatch();
    }

    @Override
    public Parameters parameters() {
      return inner.parameters();
    }

    @Override
    public Buffers buffers() {
      return inner.buffers();
    }

    @Override
    public List<LayerInfo> layers() {
      return inner.layers();
    }

    @Override
    public List<LayerInfo> inputs() {
      return inner.inputs();
    }

    @Override
    public LayerInfo output() {
      return inner.output();
    }

    @Override
    public int inputSize() {
      return inner.inputSize();
    }

    @Override
    public int outputSize() {
      return inner.outputSize();
    }

    @Override
    public int targetsPerSample() {
      return inner.targetsPerSample();
    }

    @Override
    public int classCount() {
      return inner.classCount();
    }

    @Override
    public void initialize(long seed) {
      inner.initialize(seed);
    }

    @Override
    public void setTraining(boolean training) {
      inner.setTraining(training);
    }

    @Override
    public boolean isTraining() {
      return inner.isTraining();
    }

    @Override
    public long randomState() {
      return inner.randomState();
    }

    @Override
    public void restoreRandomState(long state) {
      inner.restoreRandomState(state);
    }

    @Override
    public float[] forward(float[] input, int batch) {
      return inner.forward(input, batch);
    }

    @Override
    public float[] forward(float[][] inputs, int batch) {
      return inner.forward(inputs, batch);
    }

    @Override
    public float loss(int[] labels, int batch) {
      return inner.loss(labels, batch);
    }

    @Override
    public float loss(float[] targets, int batch) {
      return inner.loss(targets, batch);
    }

    @Override
    public void backward() {
      inner.backward();
    }

    @Override
    public void zeroGradients() {
      inner.zeroGradients();
    }

    @Override
    public float[] predict(float[] input, int batch) {
      return inner.predict(input, batch);
    }

    @Override
    public int[] predictClasses(float[] input, int batch) {
      return inner.predictClasses(input, batch);
    }

    @Override
    public int countCorrect(int @Nullable [] labels, float @Nullable [] targets, int batch) {
      return inner.countCorrect(labels, targets, batch);
    }

    @Override
    public float[] activations(String layer) {
      return inner.activations(layer);
    }

    @Override
    public @Nullable String describeNonFinite() {
      return inner.describeNonFinite();
    }

    @Override
    public String summary() {
      return inner.summary();
    }
  }
}
