package io.nabla.runtime.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nabla.runtime.Rng;
import io.nabla.runtime.train.Dataset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class NormalizationTest {
  /**
   * Eight samples of three features: the first {2, 4, 4, 4, 5, 5, 7, 9} (mean 5, population std exactly 2), the
   * second constant 10, the third {−1, 1, …} (mean 0, std 1).
   */
  private static final float[] HAND = {
    2, 10, -1,
    4, 10, 1,
    4, 10, -1,
    4, 10, 1,
    5, 10, -1,
    5, 10, 1,
    7, 10, -1,
    9, 10, 1,
  };

  private static Dataset hand() {
    return Dataset.ofLabels(HAND.clone(), 3, new int[] {0, 1, 0, 1, 0, 1, 0, 1});
  }

  private static void assertRejected(Class<? extends Throwable> type, Executable call, String... words) {
    Throwable e = assertThrows(type, call);
    for (String word : words) {
      assertTrue(e.getMessage().contains(word), "message should contain '" + word + "': " + e.getMessage());
    }
  }

  @Test
  void standardExactValuesOnAHandExample() {
    Normalization n = Normalization.fitStandard(hand());
    assertEquals(Normalization.Kind.STANDARD, n.kind());
    assertEquals(3, n.featureSize());
    assertArrayEquals(new float[] {5, 10, 0}, n.mean());
    assertArrayEquals(new float[] {2, 0, 1}, n.std(), "population std: divided by n, not n - 1");
    Dataset d = n.apply(hand());
    assertArrayEquals(new float[] {
      -1.5f, 0, -1,
      -0.5f, 0, 1,
      -0.5f, 0, -1,
      -0.5f, 0, 1,
      0, 0, -1,
      0, 0, 1,
      1, 0, -1,
      2, 0, 1,
    }, d.features());
    assertEquals("Normalization[standard, 3 features]", n.toString());
  }

  @Test
  void minMaxExactValuesOnAHandExample() {
    Normalization n = Normalization.fitMinMax(hand());
    assertEquals(Normalization.Kind.MIN_MAX, n.kind());
    assertArrayEquals(new float[] {2, 10, -1}, n.min());
    assertArrayEquals(new float[] {9, 10, 1}, n.max());
    float[] f = n.apply(hand()).features();
    for (int s = 0; s < 8; s++) {
      assertEquals((HAND[3 * s] - 2) / 7f, f[3 * s], 0f);
      assertEquals(0f, f[3 * s + 1], 0f, "constant feature");
      assertEquals(HAND[3 * s + 2] < 0 ? 0f : 1f, f[3 * s + 2], 0f);
    }
    float[] outside = {16, 11, 3};
    n.applyInPlace(outside, 1);
    assertArrayEquals(new float[] {2, 1, 2}, outside, "values outside the fitted range are not clipped");
  }

  @Test
  void applyKeepsLabelsOrTargetsAndCopiesFeatures() {
    Dataset labelled = hand();
    Dataset normalized = Normalization.fitStandard(labelled).apply(labelled);
    assertSame(labelled.labels(), normalized.labels());
    assertArrayEquals(HAND, labelled.features(), "the input is unchanged");
    Dataset targets = Dataset.ofTargets(new float[] {0, 4, 2, 8}, 2, new float[] {1, 2, 3, 4}, 2);
    Dataset t = Normalization.fitStandard(targets).apply(targets);
    assertFalse(t.hasLabels());
    assertEquals(2, t.targetsPerSample());
    assertArrayEquals(new float[] {1, 2, 3, 4}, t.targets());
    assertArrayEquals(new float[] {-1, -1, 1, 1}, t.features());
  }

  @Test
  void fittedOnTrainOnlyTheTestStatisticsDoNotLeak() {
    Dataset train = Dataset.ofTargets(new float[] {0, 2}, 1, new float[2], 1);
    Dataset test = Dataset.ofTargets(new float[] {100, 104}, 1, new float[2], 1);
    Normalization n = Normalization.fitStandard(train);
    assertArrayEquals(new float[] {99, 103}, n.apply(test).features(), "the test set uses train's mean 1, std 1");

    // the same through a split: the statistics are the training part's, not the whole data's
    Rng rng = new Rng(5);
    float[] f = new float[2 * 1000];
    for (int i = 0; i < f.length; i++) {
      f[i] = i < 1600 ? rng.nextFloat() : 50 + rng.nextFloat(); // the last 200 samples are far off
    }
    Dataset data = Dataset.ofLabels(f, 2, new int[1000]);
    Dataset.Split split = data.range(0, 800).concat(data.range(800, 1000)).split(0.8, 0.1, 9);
    Normalization fitted = Normalization.fitStandard(split.train());
    double[] mean = new double[2];
    for (int s = 0; s < split.train().size(); s++) {
      mean[0] += split.train().features()[2 * s] / (double) split.train().size();
      mean[1] += split.train().features()[2 * s + 1] / (double) split.train().size();
    }
    assertEquals(mean[0], fitted.mean()[0], 1e-5);
    assertEquals(mean[1], fitted.mean()[1], 1e-5);
    // fitted to the 800 ordinary samples only, the 200 far-off ones do not move the statistics
    Normalization ordinary = Normalization.fitStandard(data.take(800));
    assertEquals(0.5, ordinary.mean()[0], 0.05);
    assertEquals(Math.sqrt(1 / 12.0), ordinary.std()[0], 0.02, "the std of uniform [0, 1)");
    float[] farOff = ordinary.apply(data.range(800, 1000)).features();
    for (float v : farOff) {
      assertTrue(v > 150, "far-off samples stay far off: " + v);
    }
    Dataset normalizedTrain = fitted.apply(split.train());
    double sum = 0;
    double squares = 0;
    for (float v : normalizedTrain.features()) {
      sum += v;
      squares += v * v;
    }
    int values = normalizedTrain.features().length;
    assertEquals(0, sum / values, 1e-5, "training features have mean 0");
    assertEquals(1, squares / values, 1e-4, "and variance 1");
    Normalization onTest = Normalization.fitStandard(split.test());
    assertFalse(java.util.Arrays.equals(onTest.mean(), fitted.mean()));
    assertArrayEquals(fitted.mean(), Normalization.fitStandard(split.train()).mean(), "fitting is deterministic");
  }

  @Test
  void constantFeaturesBecomeZeroNotNaN() {
    Dataset constant = Dataset.ofTargets(new float[] {3, -7, 3, -7, 3, -7}, 2, new float[3], 1);
    for (Normalization n : new Normalization[] {Normalization.fitStandard(constant),
        Normalization.fitMinMax(constant)}) {
      assertArrayEquals(new float[6], n.apply(constant).features(), n.toString());
      float[] other = {5, -7};
      n.applyInPlace(other, 1);
      assertArrayEquals(new float[] {2, 0}, other, "a constant feature is only shifted: " + n);
    }
    assertArrayEquals(new float[] {0, 0}, Normalization.fitStandard(constant).std());
    // a spread of one rounding step is a real one, and scaled
    float one = 1f;
    Dataset nearly = Dataset.ofTargets(new float[] {one, Math.nextUp(Math.nextUp(one))}, 1, new float[2], 1);
    assertArrayEquals(new float[] {-1, 1}, Normalization.fitStandard(nearly).apply(nearly).features(), 0f);
    assertArrayEquals(new float[] {0, 1}, Normalization.fitMinMax(nearly).apply(nearly).features(), 0f);
    // a spread below Float.MIN_NORMAL is not: the feature is only shifted
    Dataset subnormal = Dataset.ofTargets(new float[] {0, 2 * Float.MIN_VALUE}, 1, new float[2], 1);
    float[] f = Normalization.fitStandard(subnormal).apply(subnormal).features();
    assertEquals(-Float.MIN_VALUE, f[0], 0f);
    assertEquals(Float.MIN_VALUE, f[1], 0f);
    // a small spread around zero is a real one
    Dataset tiny = Dataset.ofTargets(new float[] {-1e-20f, 1e-20f}, 1, new float[2], 1);
    assertArrayEquals(new float[] {-1, 1}, Normalization.fitStandard(tiny).apply(tiny).features(), 1e-6f);
    assertArrayEquals(new float[] {0, 1}, Normalization.fitMinMax(tiny).apply(tiny).features(), 1e-6f);
  }

  @Test
  void persistedStatisticsRestoreTheSameNormalization() {
    Dataset data = hand();
    Normalization fitted = Normalization.fitStandard(data);
    Normalization restored = Normalization.ofMeanStd(fitted.mean(), fitted.std());
    assertArrayEquals(fitted.apply(data).features(), restored.apply(data).features(), 0f);
    Normalization minMax = Normalization.fitMinMax(data);
    assertArrayEquals(minMax.apply(data).features(),
        Normalization.ofMinMax(minMax.min(), minMax.max()).apply(data).features(), 0f);

    float[] mean = {1, 2};
    Normalization copied = Normalization.ofMeanStd(mean, new float[] {1, 1});
    mean[0] = 100;
    assertArrayEquals(new float[] {1, 2}, copied.mean(), "the arrays are copied");
    copied.mean()[0] = 100;
    assertArrayEquals(new float[] {1, 2}, copied.mean(), "and so are the accessors' results");
  }

  @Test
  void applyInPlaceNormalizesTheFirstSamplesWithoutAllocating() {
    Normalization n = Normalization.fitStandard(hand());
    float[] batch = {9, 10, 1, 2, 10, -1, 42, 42, 42};
    n.applyInPlace(batch, 2);
    assertArrayEquals(new float[] {2, 0, 1, -1.5f, 0, -1, 42, 42, 42}, batch, "only the first 2 samples");
    n.applyInPlace(batch, 0);
    assertRejected(IllegalArgumentException.class, () -> n.applyInPlace(batch, 4), "4 samples of 3 features",
        "12 values", "holds 9");
    assertRejected(IllegalArgumentException.class, () -> n.applyInPlace(batch, -1), "-1 samples");
  }

  @Test
  void misuseIsRejectedWithTheNumbers() {
    Dataset data = hand();
    Normalization standard = Normalization.fitStandard(data);
    Normalization minMax = Normalization.fitMinMax(data);
    assertRejected(IllegalArgumentException.class,
        () -> standard.apply(Dataset.ofLabels(new float[4], 2, new int[2])), "fitted to 3 features", "has 2");
    assertRejected(IllegalArgumentException.class,
        () -> Normalization.fitStandard(Dataset.ofLabels(new float[0], 3, new int[0])), "empty");
    assertRejected(IllegalArgumentException.class,
        () -> Normalization.fitMinMax(Dataset.ofLabels(new float[] {1, 2, 3, Float.NaN}, 2, new int[2])),
        "feature 1 of sample 1 is NaN");
    assertRejected(IllegalArgumentException.class, () -> Normalization.fitStandard(
        Dataset.ofLabels(new float[] {Float.POSITIVE_INFINITY, 0}, 2, new int[1])), "feature 0 of sample 0",
        "Infinity");
    assertRejected(IllegalStateException.class, minMax::mean, "min() and max()", "mean()");
    assertRejected(IllegalStateException.class, minMax::std, "std()");
    assertRejected(IllegalStateException.class, standard::min, "mean() and std()", "min()");
    assertRejected(IllegalStateException.class, standard::max, "max()");
    assertRejected(IllegalArgumentException.class,
        () -> Normalization.ofMeanStd(new float[] {0, 0}, new float[] {1}), "got 2 and 1");
    assertRejected(IllegalArgumentException.class, () -> Normalization.ofMeanStd(new float[0], new float[0]),
        "got 0 and 0");
    assertRejected(IllegalArgumentException.class,
        () -> Normalization.ofMeanStd(new float[] {0, 0}, new float[] {1, -1}), "feature 1", "std -1.0");
    assertRejected(IllegalArgumentException.class,
        () -> Normalization.ofMeanStd(new float[] {Float.NaN}, new float[] {1}), "feature 0", "mean NaN");
    assertRejected(IllegalArgumentException.class,
        () -> Normalization.ofMinMax(new float[] {0, 5}, new float[] {1, 4}), "feature 1", "min 5.0",
        "max 4.0");
  }
}
