package io.nabla.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nabla.Activation;
import io.nabla.Loss;
import io.nabla.runtime.kernel.Kernels;
import io.nabla.runtime.kernel.ReferenceKernels;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** {@link GeneratedModel}'s shared behaviour, through {@link TinyDenseModel} and a two-input adder. */
class GeneratedModelTest {

  private static String message(Class<? extends Throwable> type, Executable call) {
    return assertThrows(type, call).getMessage();
  }

  private static void assertContains(String text, String... parts) {
    for (String part : parts) {
      assertTrue(text.contains(part), "'" + part + "' missing from: " + text);
    }
  }

  // ---- construction and description ----

  @Test
  void describesItsLayersAndParameters() {
    TinyDenseModel m = TinyDenseModel.softmaxClassifier(4);
    assertEquals("SoftmaxClassifier", m.name());
    assertEquals(Loss.SOFTMAX_CROSS_ENTROPY, m.loss());
    assertEquals(4, m.maxBatch());
    assertEquals(2, m.layers().size());
    assertEquals(1, m.inputs().size());
    assertEquals("x", m.inputs().get(0).name());
    assertEquals("fc", m.output().name());
    assertEquals(2, m.inputSize());
    assertEquals(3, m.outputSize());
    assertEquals(3, m.classCount());
    assertEquals(1, m.targetsPerSample());
    Parameters p = m.parameters();
    assertEquals(9, p.size());
    assertSame(p.values(), m.parameters().values(), "the live buffer, not a copy");
    assertEquals(0, p.tensor("fc.weight").offset());
    assertArrayEquals(new int[] {3, 2}, p.tensor("fc.weight").shape());
    assertEquals(6, p.tensor("fc.bias").offset());
    assertEquals(3, p.tensor("fc.bias").size());
    assertEquals(ParameterTensor.Kind.BIAS, p.tensor("fc.bias").kind());
    assertContains(message(IllegalArgumentException.class, () -> p.tensor("fc.kernel")), "fc.kernel", "fc.weight",
        "fc.bias");
    assertThrows(UnsupportedOperationException.class, () -> m.layers().clear());
    assertTrue(m.isTraining());
    m.setTraining(false);
    assertFalse(m.isTraining());

    TinyDenseModel mse = new TinyDenseModel("Mse", Loss.MSE, 2, Kernels.portable(), 4, 3, Activation.TANH);
    assertEquals(0, mse.classCount());
    assertEquals(3, mse.targetsPerSample());
  }

  @Test
  void summaryListsLayersAndTheParameterTotal() {
    String s = TinyDenseModel.softmaxClassifier(4).summary();
    assertContains(s, "SoftmaxClassifier", "SOFTMAX_CROSS_ENTROPY", "Layer", "Kind", "Output shape", "x", "Input",
        "fc", "Dense", "(2,)", "(3,)", "Total parameters: 9", "36 bytes", "FLOPs", "Forward FLOPs per sample: 0");
    String[] lines = s.split("\n");
    boolean fcRow = false;
    for (String line : lines) {
      if (line.startsWith("fc ")) {
        fcRow = true;
        assertTrue(line.trim().matches(".* 9 +0"), "fc's row ends with its 9 parameters and its FLOPs (0: a"
            + " hand-written model gives none): " + line);
        assertTrue(line.contains("x"), "fc's row names its input: " + line);
      }
    }
    assertTrue(fcRow, s);
  }

  @Test
  void constructorArgumentsAreChecked() {
    assertContains(message(IllegalArgumentException.class, () -> new TinyDenseModel("M", Loss.MSE, 0,
        Kernels.portable(), 2, 1, Activation.IDENTITY)), "M", "maxBatch", "0");
    assertThrows(NullPointerException.class,
        () -> new TinyDenseModel("M", Loss.MSE, 1, null, 2, 1, Activation.IDENTITY));
  }

  // ---- initialisation ----

  @Test
  void initializeIsDeterministicAndZeroesBiases() {
    TinyDenseModel a = new TinyDenseModel("A", Loss.MSE, 1, Kernels.portable(), 50, 40, Activation.TANH);
    TinyDenseModel b = new TinyDenseModel("B", Loss.MSE, 1, Kernels.portable(), 50, 40, Activation.TANH);
    float[] atZero = a.parameters().values().clone();
    a.initialize(0);
    assertArrayEquals(atZero, a.parameters().values(), "a new model is initialised with seed 0");

    a.initialize(7);
    b.initialize(7);
    assertTrue(bitwiseEqual(a.parameters().values(), b.parameters().values()), "same seed, same bits");
    b.initialize(8);
    assertFalse(Arrays.equals(a.parameters().values(), b.parameters().values()), "another seed, other weights");

    ParameterTensor bias = a.parameters().tensor("fc.bias");
    for (int i = 0; i < bias.size(); i++) {
      assertEquals(0f, a.parameters().values()[bias.offset() + i]);
    }
    // Glorot for tanh: uniform in ±√(6 / (50 + 40)), filling most of the range with mean ≈ 0.
    double limit = Math.sqrt(6.0 / 90);
    double max = 0;
    double sum = 0;
    for (int i = 0; i < 2000; i++) {
      float w = a.parameters().values()[i];
      assertTrue(Math.abs(w) <= limit, w + " beyond the Glorot limit " + limit);
      max = Math.max(max, Math.abs(w));
      sum += w;
    }
    assertTrue(max > 0.95 * limit, "max |w| " + max);
    assertEquals(0, sum / 2000, 0.02);
  }

  @Test
  void reluLayersUseHeInitialisation() {
    TinyDenseModel m = new TinyDenseModel("R", Loss.MSE, 1, Kernels.portable(), 50, 40, Activation.RELU);
    m.initialize(3);
    double he = Math.sqrt(6.0 / 50);
    double max = 0;
    for (int i = 0; i < 2000; i++) {
      max = Math.max(max, Math.abs(m.parameters().values()[i]));
    }
    assertTrue(max <= he && max > Math.sqrt(6.0 / 90), "He limit " + he + ", got max " + max);
  }

  @Test
  void initializeClearsGradients() {
    TinyDenseModel m = TinyDenseModel.linearRegression(2);
    m.forward(new float[] {1, 2}, 1);
    m.loss(new float[] {5}, 1);
    m.backward();
    assertTrue(m.parameters().gradients()[0] != 0f);
    m.initialize(1);
    assertArrayEquals(new float[3], m.parameters().gradients());
  }

  // ---- forward, loss, backward ----

  @Test
  void forwardAndLossHandComputed() {
    TinyDenseModel m = TinyDenseModel.linearRegression(4).set(new float[] {2, -1}, new float[] {0.5f});
    float[] y = m.forward(new float[] {1, 2, 3, 4}, 2);
    assertEquals(0.5f, y[0]);
    assertEquals(2.5f, y[1]);
    float[] copy = m.predict(new float[] {1, 2, 3, 4}, 2);
    assertArrayEquals(new float[] {0.5f, 2.5f}, copy);
    assertNotSame(y, copy);
    // MSE against [1.5, 0.5]: ((-1)² + 2²) / 2 = 2.5.
    assertEquals(2.5f, m.loss(new float[] {1.5f, 0.5f}, 2));
    m.zeroGradients();
    m.backward();
    // dL/dy = [-1, 2]; dL/dw = Σ dy · x = [-1 + 6, -2 + 8] = [5, 6]; dL/db = 1.
    assertArrayEquals(new float[] {5, 6, 1}, m.parameters().gradients());
    assertArrayEquals(new float[] {1, 2, 3, 4}, m.activations("x"));
    assertArrayEquals(new float[] {0.5f, 2.5f}, m.activations("fc"));
  }

  @Test
  void gradientsAccumulateUntilZeroed() {
    TinyDenseModel m = TinyDenseModel.softmaxClassifier(2);
    m.initialize(5);
    m.forward(new float[] {0.3f, -1f, 2f, 0.5f}, 2);
    m.loss(new int[] {2, 0}, 2);
    m.backward();
    float[] once = m.parameters().gradients().clone();
    m.loss(new int[] {2, 0}, 2);
    m.backward();
    float[] twice = m.parameters().gradients();
    for (int i = 0; i < once.length; i++) {
      assertEquals(2 * once[i], twice[i], 1e-6f);
    }
    m.zeroGradients();
    assertArrayEquals(new float[9], m.parameters().gradients());
  }

  static Stream<Arguments> gradientCases() {
    List<Arguments> cases = new ArrayList<>();
    for (Activation a : new Activation[] {Activation.IDENTITY, Activation.TANH, Activation.SIGMOID,
        Activation.LEAKY_RELU, Activation.RELU}) {
      cases.add(Arguments.of(Loss.MSE, a));
    }
    cases.add(Arguments.of(Loss.SOFTMAX_CROSS_ENTROPY, Activation.SOFTMAX));
    cases.add(Arguments.of(Loss.SOFTMAX_CROSS_ENTROPY, Activation.IDENTITY));
    cases.add(Arguments.of(Loss.BINARY_CROSS_ENTROPY_WITH_LOGITS, Activation.IDENTITY));
    cases.add(Arguments.of(Loss.BINARY_CROSS_ENTROPY_WITH_LOGITS, Activation.SIGMOID));
    return cases.stream();
  }

  /**
   * The whole forward/loss/backward chain (kernels, activation, loss, GeneratedModel's plumbing) against central
   * differences of the model's loss over every parameter, h = 1e-2 in float. Tolerance 5e-4 absolute: the float
   * loss (below 10) has rounding error ≤ 6e-7, which 2h = 0.02 turns into ≤ 3e-5, plus float error in the
   * forward sums and the truncation error h²|L'''|/6 ≤ 2e-5 · |L'''|. For ReLU the seeds are such that no
   * pre-activation lies within 0.05 of the kink, which a perturbation of h moves by at most h · max|x| ≤ 0.01
   * (checked below).
   */
  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("gradientCases")
  void backwardMatchesFiniteDifferences(Loss loss, Activation activation) {
    int in = 3;
    int units = 4;
    int batch = 5;
    for (Kernels kernels : new Kernels[] {Kernels.portable(), new ReferenceKernels()}) {
      TinyDenseModel m = new TinyDenseModel("G", loss, batch, kernels, in, units, activation);
      boolean kinked = activation == Activation.RELU || activation == Activation.LEAKY_RELU;
      float[] x = new float[batch * in];
      int[] labels = new int[batch];
      float[] targets = new float[batch * units];
      // The first seed from 17 on whose pre-activations all keep 0.05 from the kink (any seed for smooth ones).
      for (long seed = 17; ; seed++) {
        m.initialize(seed);
        Rng rng = new Rng(seed);
        for (int j = 0; j < units; j++) {
          m.parameters().values()[units * in + j] = 0.4f * rng.nextFloat() - 0.2f; // nonzero biases
        }
        for (int i = 0; i < x.length; i++) {
          x[i] = 2 * rng.nextFloat() - 1;
        }
        for (int r = 0; r < batch; r++) {
          labels[r] = rng.nextInt(units);
        }
        for (int i = 0; i < targets.length; i++) {
          targets[i] = loss == Loss.MSE ? 2 * rng.nextFloat() - 1 : rng.nextFloat();
        }
        if (!kinked || minAbsPreActivation(m, kernels, x, batch, in, units) >= 0.05f) {
          break;
        }
        assertTrue(seed < 1000, "no suitable seed");
      }

      m.zeroGradients();
      lossOf(m, x, batch, labels, targets);
      m.backward();
      float[] analytic = m.parameters().gradients().clone();

      float[] w = m.parameters().values();
      float h = 1e-2f;
      for (int i = 0; i < w.length; i++) {
        float saved = w[i];
        w[i] = saved + h;
        float wp = w[i];
        double lp = lossOf(m, x, batch, labels, targets);
        w[i] = saved - h;
        float wm = w[i];
        double lm = lossOf(m, x, batch, labels, targets);
        w[i] = saved;
        double fd = (lp - lm) / ((double) wp - wm);
        assertEquals(fd, analytic[i], 5e-4, loss + "/" + activation + " parameter " + i + " with "
            + kernels.getClass().getSimpleName());
      }
    }
  }

  private static float minAbsPreActivation(TinyDenseModel m, Kernels kernels, float[] x, int batch, int in,
      int units) {
    TinyDenseModel linear = new TinyDenseModel("L", Loss.MSE, batch, kernels, in, units, Activation.IDENTITY);
    System.arraycopy(m.parameters().values(), 0, linear.parameters().values(), 0, m.parameters().size());
    float min = Float.POSITIVE_INFINITY;
    for (float z : linear.predict(x, batch)) {
      min = Math.min(min, Math.abs(z));
    }
    return min;
  }

  private static float lossOf(TinyDenseModel m, float[] x, int batch, int[] labels, float[] targets) {
    m.forward(x, batch);
    return m.loss() == Loss.SOFTMAX_CROSS_ENTROPY ? m.loss(labels, batch) : m.loss(targets, batch);
  }

  @Test
  void aSingleSigmoidOutputPredictsClassesByThreshold() {
    TinyDenseModel m = new TinyDenseModel("Binary", Loss.BINARY_CROSS_ENTROPY_WITH_LOGITS, 4,
        io.nabla.runtime.kernel.Kernels.portable(), 2, 1, io.nabla.Activation.SIGMOID)
        .set(new float[] {1, -1}, new float[1]);
    assertArrayEquals(new int[] {1, 0, 1, 0}, m.predictClasses(new float[] {2, 0, 0, 2, 3, 1, -1, 1}, 4));
  }

  @Test
  void predictIntoCallerArraysGivesTheCopiesValuesAndLeavesTheRestAlone() {
    TinyDenseModel m = TinyDenseModel.softmaxClassifier(3).set(new float[] {1, 0, 0, 1, -1, -1}, new float[3]);
    float[] x = {5, 0, 0, 5, -5, -5};
    float[] copy = m.predict(x, 3);
    float[] into = new float[11];
    Arrays.fill(into, -7f);
    assertSame(into, m.predict(x, 3, into));
    assertArrayEquals(copy, Arrays.copyOf(into, 9));
    assertEquals(-7f, into[9]);
    assertEquals(-7f, into[10]);
    int[] classes = {9, 9, 9, 9};
    assertSame(classes, m.predictClasses(x, 3, classes));
    assertArrayEquals(new int[] {0, 1, 2, 9}, classes);
    // Two samples of three: only their rows.
    Arrays.fill(classes, 9);
    assertArrayEquals(new int[] {0, 1, 9, 9}, m.predictClasses(x, 2, classes));
    Arrays.fill(into, -7f);
    m.predict(x, 2, into);
    assertArrayEquals(Arrays.copyOf(copy, 6), Arrays.copyOf(into, 6));
    assertEquals(-7f, into[6]);
    assertEquals(-7f, into[8]);
  }

  @Test
  void aSingleSigmoidOutputPredictsClassesIntoAnArray() {
    TinyDenseModel m = new TinyDenseModel("Binary", Loss.BINARY_CROSS_ENTROPY_WITH_LOGITS, 4,
        io.nabla.runtime.kernel.Kernels.portable(), 2, 1, io.nabla.Activation.SIGMOID)
        .set(new float[] {1, -1}, new float[1]);
    int[] classes = {7, 7, 7, 7, 7};
    m.predictClasses(new float[] {2, 0, 0, 2, 3, 1, -1, 1}, 4, classes);
    assertArrayEquals(new int[] {1, 0, 1, 0, 7}, classes);
  }

  @Test
  void predictIntoAShortArrayFailsBeforeTheNetworkRuns() {
    TinyDenseModel m = TinyDenseModel.softmaxClassifier(3).set(new float[] {1, 0, 0, 1, -1, -1}, new float[3]);
    float[] x = {5, 0, 0, 5, -5, -5};
    float[] other = {0, 5, 5, 0, -5, -5};
    float[] otherOutputs = m.predict(other, 1);
    float[] shortOutputs = new float[8];
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.predict(x, 3, shortOutputs));
    assertTrue(e.getMessage().contains("holds 8 values") && e.getMessage().contains("need 9"), e.getMessage());
    assertArrayEquals(new float[8], shortOutputs);
    e = assertThrows(IllegalArgumentException.class, () -> m.predictClasses(x, 3, new int[2]));
    assertTrue(e.getMessage().contains("holds 2 values") && e.getMessage().contains("3 output rows"),
        e.getMessage());
    assertThrows(NullPointerException.class, () -> m.predict(x, 3, null));
    assertThrows(NullPointerException.class, () -> m.predictClasses(x, 3, null));
    e = assertThrows(IllegalArgumentException.class, () -> m.predict(x, 4, new float[12]));
    assertTrue(e.getMessage().contains("batch must be in [1, 3]"), e.getMessage());
    // A short input fails in forward's check, before any layer runs: the array given is left as it was.
    float[] untouched = new float[9];
    Arrays.fill(untouched, 3f);
    e = assertThrows(IllegalArgumentException.class, () -> m.predict(new float[5], 3, untouched));
    assertTrue(e.getMessage().contains("needs 3 × 2 = 6 values"), e.getMessage());
    for (float v : untouched) {
      assertEquals(3f, v);
    }
    // None of the failed calls ran the network: the last forward is still the one-sample call on other.
    assertEquals(1, m.lastBatch());
    assertArrayEquals(otherOutputs, Arrays.copyOf(m.lastOutput(), 3));
  }

  @Test
  void aMaxBatchThatOverflowsABufferIsRefused() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> TinyDenseModel.softmaxClassifier(Integer.MAX_VALUE / 2));
    assertTrue(e.getMessage().contains("do not fit a Java array"), e.getMessage());
  }

  @Test
  void softmaxOutputHoldsProbabilitiesAndPredictsClasses() {
    // Class c scores x·w_c: w_0 = (1, 0), w_1 = (0, 1), w_2 = (-1, -1).
    TinyDenseModel m = TinyDenseModel.softmaxClassifier(3).set(new float[] {1, 0, 0, 1, -1, -1}, new float[3]);
    float[] x = {5, 0, 0, 5, -5, -5};
    float[] p = m.predict(x, 3);
    for (int r = 0; r < 3; r++) {
      assertEquals(1f, p[3 * r] + p[3 * r + 1] + p[3 * r + 2], 1e-6f, "row " + r + " sums to 1");
    }
    assertArrayEquals(new int[] {0, 1, 2}, m.predictClasses(x, 3));
    m.forward(x, 3);
    assertEquals(3, m.countCorrect(new int[] {0, 1, 2}, null, 3));
    assertEquals(1, m.countCorrect(new int[] {0, 2, 1}, null, 3));
  }

  /** Above its split size the argmax count runs on the kernels' threads: the same count for any thread count. */
  @Test
  void aLargeBatchCountsTheSameOnEveryThreadCount() {
    int rows = 40_003;
    Rng rng = new Rng(5);
    float[] x = new float[2 * rows];
    int[] labels = new int[rows];
    for (int r = 0; r < rows; r++) {
      x[2 * r] = 2 * rng.nextFloat() - 1;
      x[2 * r + 1] = 2 * rng.nextFloat() - 1;
      labels[r] = (int) (rng.nextFloat() * 3) % 3;
    }
    float[] w = {1, 0, 0, 1, -1, -1};
    int[] predicted = TinyDenseModel.softmaxClassifier(rows).set(w, new float[3]).predictClasses(x, rows);
    int expected = 0;
    for (int r = 0; r < rows; r++) {
      expected += predicted[r] == labels[r] ? 1 : 0;
    }
    for (int threads = 1; threads <= 3; threads++) {
      for (Kernels k : new Kernels[] {Kernels.portable(threads), Kernels.best(threads)}) {
        TinyDenseModel m = new TinyDenseModel("S", Loss.SOFTMAX_CROSS_ENTROPY, rows, k, 2, 3, Activation.SOFTMAX)
            .set(w, new float[3]);
        m.forward(x, rows);
        assertEquals(expected, m.countCorrect(labels, null, rows), k + " " + threads);
        assertEquals(expected, m.countCorrect(labels, null, rows), k + " " + threads + ", again");
        m.forward(x, 7);
        int small = 0;
        for (int r = 0; r < 7; r++) {
          small += predicted[r] == labels[r] ? 1 : 0;
        }
        assertEquals(small, m.countCorrect(labels, null, 7), k + " " + threads + ", 7 rows");
      }
    }
  }

  @Test
  void binaryAccuracyThresholdsLogitsAtZeroAndProbabilitiesAtOneHalf() {
    for (Activation act : new Activation[] {Activation.IDENTITY, Activation.SIGMOID}) {
      TinyDenseModel m = new TinyDenseModel("B", Loss.BINARY_CROSS_ENTROPY_WITH_LOGITS, 4, Kernels.portable(), 1,
          1, act).set(new float[] {1}, new float[] {0});
      m.forward(new float[] {2, -3, 0.5f, -0.1f}, 4);
      assertEquals(4, m.countCorrect(null, new float[] {1, 0, 1, 0}, 4), act.toString());
      assertEquals(2, m.countCorrect(null, new float[] {1, 1, 0, 0}, 4), act.toString());
    }
    TinyDenseModel mse = TinyDenseModel.linearRegression(1);
    mse.forward(new float[] {1, 1}, 1);
    assertEquals(0, mse.countCorrect(null, new float[] {0}, 1), "MSE counts nothing");
  }

  // ---- argument checks ----

  @Test
  void wrongInputLengthNamesTheInputAndSizes() {
    TinyDenseModel m = TinyDenseModel.linearRegression(4);
    assertContains(message(IllegalArgumentException.class, () -> m.forward(new float[3], 2)), "input 'x'",
        "LinearRegression", "2 × 2 = 4", "got 3");
    assertContains(message(IllegalArgumentException.class, () -> m.forward((float[]) null, 1)), "input 'x'",
        "null");
    // Longer arrays are fine: only the first batch · size values are read.
    assertEquals(1, m.predict(new float[10], 1).length);
  }

  @Test
  void batchOutOfRangeNamesTheBatchAndMaxBatch() {
    TinyDenseModel m = TinyDenseModel.linearRegression(4);
    for (int batch : new int[] {0, -1, 5}) {
      assertContains(message(IllegalArgumentException.class, () -> m.forward(new float[100], batch)),
          "batch", "[1, 4]", "maxBatch", "got " + batch);
    }
  }

  @Test
  void labelOutOfRangeNamesIndexValueLayerAndClassCount() {
    TinyDenseModel m = TinyDenseModel.softmaxClassifier(4);
    m.forward(new float[8], 3);
    assertContains(message(IllegalArgumentException.class, () -> m.loss(new int[] {0, 3, 1}, 3)), "label 3",
        "index 1", "'fc'", "3 classes", "0..2");
    assertContains(message(IllegalArgumentException.class, () -> m.loss(new int[] {0, 1, -1}, 3)), "label -1",
        "index 2");
    assertContains(message(IllegalArgumentException.class, () -> m.loss(new int[] {0, 1}, 3)), "3 labels",
        "3 samples", "got 2");
  }

  @Test
  void lossAndBackwardNeedTheRightOrderAndKind() {
    TinyDenseModel m = TinyDenseModel.softmaxClassifier(4);
    assertContains(message(IllegalStateException.class, () -> m.loss(new int[] {0}, 1)), "forward");
    assertContains(message(IllegalStateException.class, m::backward), "forward", "loss");
    assertContains(message(IllegalStateException.class, () -> m.activations("fc")), "forward");
    m.forward(new float[8], 2);
    assertContains(message(IllegalStateException.class, m::backward), "loss");
    assertContains(message(IllegalArgumentException.class, () -> m.loss(new int[] {0}, 1)), "batch 1", "2");
    assertContains(message(IllegalArgumentException.class, () -> m.loss(new float[6], 2)), "integer labels");
    m.loss(new int[] {0, 1}, 2);
    m.backward();
    assertContains(message(IllegalStateException.class, m::backward), "loss", "first");
    assertContains(message(IllegalArgumentException.class, () -> m.activations("hidden")), "hidden", "[x, fc]");

    TinyDenseModel r = TinyDenseModel.linearRegression(2);
    r.forward(new float[2], 1);
    assertContains(message(IllegalArgumentException.class, () -> r.loss(new int[] {0}, 1)), "float targets");
    assertContains(message(IllegalArgumentException.class, () -> r.loss(new float[0], 1)), "1 targets", "got 0");
  }

  // ---- non-finite values ----

  @Test
  void describeNonFiniteFindsTheFirstCulprit() {
    TinyDenseModel m = TinyDenseModel.linearRegression(2);
    assertNull(m.describeNonFinite());
    m.forward(new float[] {1, Float.NaN}, 1);
    assertContains(m.describeNonFinite(), "output of layer 'x'", "[1]", "NaN");

    m.forward(new float[] {1, 2}, 1);
    assertNull(m.describeNonFinite());
    m.parameters().gradients()[2] = Float.POSITIVE_INFINITY;
    assertContains(m.describeNonFinite(), "gradient of fc.bias[0]", "Infinity");
    m.parameters().values()[1] = Float.NaN;
    assertContains(m.describeNonFinite(), "parameter fc.weight[1] = NaN");
  }

  // ---- several inputs ----

  /** Two inputs {@code a, b} of 2 values, added; no parameters. */
  static final class Adder extends GeneratedModel {
    private final float[] out;
    private final float[] dOut;
    private float[][] in;

    Adder(int maxBatch) {
      super("Adder", Loss.MSE, maxBatch, Kernels.portable(), 0, Collections.<ParameterTensor>emptyList(),
          Arrays.asList(new LayerInfo("a", "Input", Collections.<String>emptyList(), new int[] {2}, 0),
              new LayerInfo("b", "Input", Collections.<String>emptyList(), new int[] {2}, 0),
              new LayerInfo("sum", "Add", Arrays.asList("a", "b"), new int[] {2}, 0)));
      out = new float[2 * maxBatch];
      dOut = new float[2 * maxBatch];
    }

    @Override
    protected void forwardPass(float[][] inputs, int batch) {
      in = inputs;
      kernels.addForward(out, inputs, 2 * batch, Activation.IDENTITY, 0f);
    }

    @Override
    protected float lossPass(int[] labels, float[] targets, int batch) {
      return io.nabla.runtime.kernel.LossFunctions.meanSquaredError(out, targets, 2 * batch, dOut);
    }

    @Override
    protected void backwardPass(int batch) {}

    @Override
    protected float[] layerOutput(int index) {
      return index < 2 ? in[index] : out;
    }

    @Override
    protected Activation outputActivation() {
      return Activation.IDENTITY;
    }
  }

  @Test
  void severalInputs() {
    Adder m = new Adder(3);
    assertEquals(2, m.inputs().size());
    assertEquals(0, m.parameters().size());
    assertContains(message(IllegalStateException.class, m::inputSize), "2 inputs");
    assertContains(message(IllegalArgumentException.class, () -> m.forward(new float[4], 1)), "2 inputs",
        "[a, b]", "forward(float[][], int)");
    assertContains(message(IllegalArgumentException.class, () -> m.forward(new float[][] {new float[4]}, 1)),
        "2 inputs", "got 1 arrays");
    assertContains(message(IllegalArgumentException.class,
        () -> m.forward(new float[][] {new float[4], new float[3]}, 2)), "input 'b'", "2 × 2 = 4", "got 3");
    float[] y = m.forward(new float[][] {{1, 2, 3, 4}, {10, 20, 30, 40}}, 2);
    assertArrayEquals(new float[] {11, 22, 33, 44}, Arrays.copyOf(y, 4));
    assertArrayEquals(new float[] {10, 20, 30, 40}, m.activations("b"));
    assertEquals(0.5f, m.loss(new float[] {10, 21, 33, 44}, 2), "(1² + 1² + 0 + 0) / 4");
    assertContains(m.summary(), "sum", "Add", "a, b", "Total parameters: 0");
  }

  private static boolean bitwiseEqual(float[] a, float[] b) {
    if (a.length != b.length) {
      return false;
    }
    for (int i = 0; i < a.length; i++) {
      if (Float.floatToRawIntBits(a[i]) != Float.floatToRawIntBits(b[i])) {
        return false;
      }
    }
    return true;
  }
}
