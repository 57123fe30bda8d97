package io.nabla.runtime.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class DatasetTest {

  /**
   * {@code n} samples of 2 features {@code (i, -i)} and 2 float targets {@code (10 i, 10 i + 1)}: every value
   * says which sample it came from, so a shuffled or gathered copy can be checked row by row.
   */
  private static Dataset indexedTargets(int n) {
    float[] f = new float[2 * n];
    float[] t = new float[2 * n];
    for (int i = 0; i < n; i++) {
      f[2 * i] = i;
      f[2 * i + 1] = -i;
      t[2 * i] = 10 * i;
      t[2 * i + 1] = 10 * i + 1;
    }
    return Dataset.ofTargets(f, 2, t, 2);
  }

  /** {@code n} samples of 3 features {@code (i, i, i)} with label {@code i % 4}. */
  private static Dataset indexedLabels(int n) {
    float[] f = new float[3 * n];
    int[] l = new int[n];
    for (int i = 0; i < n; i++) {
      f[3 * i] = i;
      f[3 * i + 1] = i;
      f[3 * i + 2] = i;
      l[i] = i % 4;
    }
    return Dataset.ofLabels(f, 3, l);
  }

  /** The original index of each sample, checking that its features and labels or targets agree. */
  private static int[] sampleIds(Dataset d) {
    int[] ids = new int[d.size()];
    for (int s = 0; s < d.size(); s++) {
      float[] f = d.features();
      int id = (int) f[s * d.featureSize()];
      ids[s] = id;
      if (d.hasLabels()) {
        for (int c = 0; c < d.featureSize(); c++) {
          assertEquals(id, f[s * d.featureSize() + c], 0f);
        }
        assertEquals(id % 4, d.labels()[s], "label of sample " + id);
      } else {
        assertEquals(-id, f[s * 2 + 1], 0f);
        assertEquals(10 * id, d.targets()[s * 2], 0f, "target of sample " + id);
        assertEquals(10 * id + 1, d.targets()[s * 2 + 1], 0f);
      }
    }
    return ids;
  }

  @Test
  void anyRangeOfABatchsFeaturesIsCopiedAsGatherCopiesIt() {
    float[] features = new float[7 * 5];
    for (int i = 0; i < features.length; i++) {
      features[i] = i;
    }
    Dataset data = Dataset.ofLabels(features, 5, new int[] {0, 1, 2, 3, 4, 5, 6});
    int[] order = {6, 2, 5, 0, 3, 1, 4};
    float[] expected = new float[4 * 5];
    for (int s = 0; s < 4; s++) {
      data.gather(order[2 + s], s, expected, null, null);
    }
    // Ranges that start and end inside samples, as a split over threads cuts them.
    int[][] splits = {{0, 20}, {0, 7, 20}, {0, 3, 12, 13, 20}, {0, 5, 10, 15, 20}};
    for (int[] cuts : splits) {
      float[] batch = new float[4 * 5];
      for (int c = 0; c + 1 < cuts.length; c++) {
        data.gatherFeatures(order, 2, batch, cuts[c], cuts[c + 1]);
      }
      assertArrayEquals(expected, batch, java.util.Arrays.toString(cuts));
    }
  }

  @Test
  void accessors() {
    Dataset d = indexedLabels(5);
    assertEquals(5, d.size());
    assertEquals(3, d.featureSize());
    assertTrue(d.hasLabels());
    assertEquals(1, d.targetsPerSample());
    assertNull(d.targets());
    assertEquals(15, d.features().length);

    Dataset t = indexedTargets(4);
    assertFalse(t.hasLabels());
    assertNull(t.labels());
    assertEquals(2, t.targetsPerSample());
    assertEquals(4, t.size());

    float[] features = {1, 2, 3, 4};
    int[] labels = {0, 1};
    Dataset shared = Dataset.ofLabels(features, 2, labels);
    assertSame(features, shared.features(), "arrays are not copied");
    assertSame(labels, shared.labels());
  }

  @Test
  void severalLabelsPerSample() {
    float[] f = {0, 0, 1, 1, 2, 2};
    int[] l = {0, 1, 2, 10, 11, 12, 20, 21, 22};
    Dataset d = Dataset.ofLabels(f, 2, l, 3);
    assertEquals(3, d.size());
    assertEquals(3, d.targetsPerSample());
    Dataset s = d.subset(new int[] {2, 0});
    assertArrayEquals(new float[] {2, 2, 0, 0}, s.features());
    assertArrayEquals(new int[] {20, 21, 22, 0, 1, 2}, s.labels());
  }

  private static void assertRejected(Executable build, String... words) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, build);
    for (String word : words) {
      assertTrue(e.getMessage().contains(word), "message should contain '" + word + "': " + e.getMessage());
    }
  }

  @Test
  void badSizesAreRejectedWithTheNumbers() {
    assertRejected(() -> Dataset.ofLabels(new float[5], 2, new int[2]), "5 feature values", "samples of 2");
    assertRejected(() -> Dataset.ofLabels(new float[4], 0, new int[2]), "samples of 0");
    assertRejected(() -> Dataset.ofLabels(new float[4], -2, new int[2]), "-2");
    assertRejected(() -> Dataset.ofLabels(new float[6], 2, new int[2]), "3 samples need 3 labels", "got 2");
    assertRejected(() -> Dataset.ofLabels(new float[6], 2, new int[4], 2), "3 samples need 6 labels",
        "(2 each)", "got 4");
    assertRejected(() -> Dataset.ofTargets(new float[6], 3, new float[5], 2), "2 samples need 4 targets",
        "got 5");
  }

  @Test
  void emptyDatasetIsAllowed() {
    Dataset d = Dataset.ofTargets(new float[0], 4, new float[0], 1);
    assertEquals(0, d.size());
    assertEquals(0, d.subset(new int[0]).size());
  }

  @Test
  void splitSizes() {
    Dataset d = indexedTargets(10);
    Dataset[] parts = d.split(0.8, 1);
    assertEquals(8, parts[0].size());
    assertEquals(2, parts[1].size());
    parts = d.split(0.25, 1);
    assertEquals(3, parts[0].size(), "round(2.5) = 3");
    assertEquals(7, parts[1].size());
    parts = indexedLabels(1000).split(0.1, 3);
    assertEquals(100, parts[0].size());
    assertEquals(900, parts[1].size());
    assertEquals(3, parts[0].featureSize());
    assertTrue(parts[1].hasLabels());
  }

  @Test
  void splitIsDisjointCoversEverythingAndKeepsRowsTogether() {
    for (Dataset d : new Dataset[] {indexedTargets(97), indexedLabels(97)}) {
      Dataset[] parts = d.split(0.7, 12345);
      Set<Integer> seen = new HashSet<>();
      for (Dataset part : parts) {
        for (int id : sampleIds(part)) {
          assertTrue(seen.add(id), "sample " + id + " appears twice");
        }
      }
      assertEquals(97, seen.size());
    }
  }

  @Test
  void splitIsDeterministicBySeed() {
    Dataset d = indexedLabels(200);
    Dataset[] a = d.split(0.5, 7);
    Dataset[] b = d.split(0.5, 7);
    assertArrayEquals(a[0].features(), b[0].features());
    assertArrayEquals(a[0].labels(), b[0].labels());
    assertArrayEquals(a[1].features(), b[1].features());
    Dataset[] c = d.split(0.5, 8);
    assertFalse(java.util.Arrays.equals(a[0].features(), c[0].features()), "another seed, another split");
    int[] ids = sampleIds(a[0]);
    boolean shuffled = false;
    for (int i = 1; i < ids.length; i++) {
      shuffled |= ids[i] < ids[i - 1];
    }
    assertTrue(shuffled, "split shuffles");
  }

  @Test
  void splitRejectsFractionsOutsideTheOpenUnitInterval() {
    Dataset d = indexedTargets(10);
    for (double fraction : new double[] {0, 1, -0.5, 1.5, Double.NaN}) {
      assertRejected(() -> d.split(fraction, 0), "fraction", String.valueOf(fraction));
    }
  }

  @Test
  void subsetCopiesInTheGivenOrderWithRepeats() {
    Dataset d = indexedTargets(6);
    Dataset s = d.subset(new int[] {4, 1, 4, 0});
    assertArrayEquals(new int[] {4, 1, 4, 0}, sampleIds(s));
    d.features()[8] = 999; // sample 4 in the original
    assertEquals(4f, s.features()[0], 0f, "a subset is a copy");
    IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class,
        () -> d.subset(new int[] {0, 6}));
    assertTrue(e.getMessage().contains("6") && e.getMessage().contains("of a dataset of 6"), e.getMessage());
    assertThrows(IndexOutOfBoundsException.class, () -> d.subset(new int[] {-1}));
  }

  @Test
  void gatherFillsBatchSlots() {
    Dataset d = indexedLabels(5);
    float[] features = new float[9];
    java.util.Arrays.fill(features, -1f);
    int[] labels = {-1, -1, -1};
    d.gather(3, 1, features, labels, null);
    d.gather(4, 0, features, labels, null);
    assertArrayEquals(new float[] {4, 4, 4, 3, 3, 3, -1, -1, -1}, features);
    assertArrayEquals(new int[] {0, 3, -1}, labels);

    // Any buffer may be null; the labels of a target dataset are ignored and vice versa.
    d.gather(2, 2, null, labels, new float[3]);
    assertArrayEquals(new int[] {0, 3, 2}, labels);
    Dataset t = indexedTargets(3);
    float[] targets = new float[4];
    t.gather(2, 1, null, new int[2], targets);
    assertArrayEquals(new float[] {0, 0, 20, 21}, targets);

    IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class,
        () -> d.gather(5, 0, features, labels, null));
    assertTrue(e.getMessage().contains("sample 5") && e.getMessage().contains("5"), e.getMessage());
  }

  @Test
  void scaledIsACopy() {
    float[] f = {255, 0, 51, 102};
    Dataset d = Dataset.ofLabels(f, 2, new int[] {1, 0});
    Dataset s = d.scaled(1 / 255f);
    assertArrayEquals(new float[] {1, 0, 0.2f, 0.4f}, s.features(), 1e-6f);
    assertArrayEquals(new float[] {255, 0, 51, 102}, d.features(), "the original is unchanged");
    assertArrayEquals(d.labels(), s.labels());
    assertEquals(2, s.size());
  }

  @Test
  void threeWaySplitSizes() {
    Dataset d = indexedLabels(10);
    Dataset.Split split = d.split(0.8, 0.1, 42);
    assertEquals(8, split.train().size());
    assertEquals(1, split.validation().size());
    assertEquals(1, split.test().size());
    assertEquals("Split[train 8, validation 1, test 1]", split.toString());
    split = d.split(0.7, 0.2, 1);
    assertEquals(7, split.train().size());
    assertEquals(2, split.validation().size(), "0.7 + 0.2 rounds to 9, not 8.999…");
    assertEquals(1, split.test().size());
    split = indexedTargets(1000).split(0.6, 0.25, 3);
    assertEquals(600, split.train().size());
    assertEquals(250, split.validation().size());
    assertEquals(150, split.test().size());
    assertEquals(2, split.test().targetsPerSample());
    assertFalse(split.validation().hasLabels());
    split = d.split(0.75, 0.25, 1);
    assertEquals(0, split.test().size(), "fractions adding up to 1 leave an empty test part");
    assertEquals(3, split.test().featureSize());
    split = d.split(1, 0, 1);
    assertEquals(10, split.train().size());
    assertEquals(0, split.validation().size());
    split = indexedLabels(7).split(0.5, 0.25, 1); // 3.5 -> 4, 5.25 -> 5
    assertEquals(4, split.train().size());
    assertEquals(1, split.validation().size());
    assertEquals(2, split.test().size());
  }

  @Test
  void threeWaySplitIsDisjointCompleteDeterministicAndAgreesWithTheTwoWaySplit() {
    for (Dataset d : new Dataset[] {indexedTargets(101), indexedLabels(101)}) {
      Dataset.Split split = d.split(0.7, 0.15, 99);
      Set<Integer> seen = new HashSet<>();
      for (Dataset part : new Dataset[] {split.train(), split.validation(), split.test()}) {
        for (int id : sampleIds(part)) {
          assertTrue(seen.add(id), "sample " + id + " appears twice");
        }
      }
      assertEquals(101, seen.size());
      Dataset.Split again = d.split(0.7, 0.15, 99);
      assertArrayEquals(sampleIds(split.validation()), sampleIds(again.validation()));
      assertArrayEquals(sampleIds(split.test()), sampleIds(again.test()));
      Dataset[] two = d.split(0.7, 99);
      assertArrayEquals(sampleIds(two[0]), sampleIds(split.train()), "the same training part");
      assertArrayEquals(sampleIds(two[1]), sampleIds(split.validation().concat(split.test())));
      assertArrayEquals(sampleIds(d.shuffled(99)), sampleIds(split.train().concat(split.validation(),
          split.test())), "the parts cut shuffled(seed) in order");
      assertFalse(java.util.Arrays.equals(sampleIds(split.test()), sampleIds(d.split(0.7, 0.15, 100).test())));
    }
  }

  @Test
  void threeWaySplitRejectsBadFractions() {
    Dataset d = indexedTargets(10);
    assertRejected(() -> d.split(0, 0.5, 0), "train 0.0");
    assertRejected(() -> d.split(0.8, -0.1, 0), "validation -0.1");
    assertRejected(() -> d.split(0.8, 0.3, 0), "train 0.8 and validation 0.3");
    assertRejected(() -> d.split(Double.NaN, 0.1, 0), "NaN");
    assertRejected(() -> d.split(0.5, Double.NaN, 0), "NaN");
    assertRejected(() -> d.split(1.5, 0, 0), "1.5");
  }

  @Test
  void shuffledIsAPermutationBySeed() {
    Dataset d = indexedLabels(50);
    int[] ids = sampleIds(d.shuffled(5));
    assertArrayEquals(ids, sampleIds(d.shuffled(5)));
    assertFalse(java.util.Arrays.equals(ids, sampleIds(d.shuffled(6))));
    int[] sorted = ids.clone();
    java.util.Arrays.sort(sorted);
    assertArrayEquals(sampleIds(d), sorted, "every sample once");
    assertFalse(java.util.Arrays.equals(sampleIds(d), ids), "shuffled");
    assertEquals(0, Dataset.ofLabels(new float[0], 2, new int[0]).shuffled(1).size());
  }

  @Test
  void takeAndRangeCopySamples() {
    Dataset d = indexedTargets(6);
    assertArrayEquals(new int[] {0, 1, 2}, sampleIds(d.take(3)));
    assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5}, sampleIds(d.take(100)), "take(n) takes at most n");
    assertEquals(0, d.take(0).size());
    assertArrayEquals(new int[] {2, 3, 4}, sampleIds(d.range(2, 5)));
    assertEquals(0, d.range(6, 6).size());
    Dataset copy = d.range(0, 2);
    d.features()[0] = 999;
    assertEquals(0f, copy.features()[0], 0f, "a copy, not a view");
    Dataset multi = Dataset.ofLabels(new float[] {0, 1, 2}, 1, new int[] {0, 1, 10, 11, 20, 21}, 2);
    assertArrayEquals(new int[] {10, 11, 20, 21}, multi.range(1, 3).labels());
    assertRejected(() -> d.take(-1), "-1");
    for (int[] bad : new int[][] {{-1, 2}, {4, 3}, {0, 7}}) {
      IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class, () -> d.range(bad[0], bad[1]));
      assertTrue(e.getMessage().contains("samples " + bad[0] + " to " + bad[1] + " of a dataset of 6"),
          e.getMessage());
    }
  }

  @Test
  void concatJoinsMatchingDatasets() {
    Dataset a = indexedLabels(3);
    Dataset b = indexedLabels(5).range(3, 5);
    Dataset joined = a.concat(b);
    assertArrayEquals(new int[] {0, 1, 2, 3, 4}, sampleIds(joined));
    assertArrayEquals(new int[] {0, 1, 2, 3, 0}, joined.labels());
    Dataset targets = indexedTargets(2).concat(indexedTargets(0), indexedTargets(4).range(2, 4));
    assertArrayEquals(new int[] {0, 1, 2, 3}, sampleIds(targets));
    Dataset alone = a.concat();
    assertEquals(3, alone.size());
    a.features()[0] = 999;
    assertEquals(0f, alone.features()[0], 0f, "a copy");

    assertRejected(() -> a.concat(a, indexedTargets(2)), "dataset 2 of 2", "2 features and 2 targets per sample",
        "3 features and 1 label per sample");
    assertRejected(() -> a.concat(Dataset.ofLabels(new float[4], 2, new int[2])), "2 features");
    assertRejected(() -> a.concat(Dataset.ofLabels(new float[6], 3, new int[4], 2)), "2 labels per sample");
  }

  @Test
  void labelCountsIsAClassHistogram() {
    assertArrayEquals(new int[] {3, 3, 2, 2}, indexedLabels(10).labelCounts());
    assertArrayEquals(new int[] {0, 2, 0, 1},
        Dataset.ofLabels(new float[3], 1, new int[] {3, 1, 1}).labelCounts(), "absent classes count 0");
    assertArrayEquals(new int[] {1, 1, 0, 2},
        Dataset.ofLabels(new float[2], 1, new int[] {0, 3, 1, 3}, 2).labelCounts(), "every label of a sample");
    assertArrayEquals(new int[0], Dataset.ofLabels(new float[0], 1, new int[0]).labelCounts());
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> indexedTargets(2).labelCounts());
    assertTrue(e.getMessage().contains("float targets"), e.getMessage());
    assertRejected(() -> Dataset.ofLabels(new float[2], 1, new int[] {0, -3}).labelCounts(),
        "label -3 at index 1");
  }

  @Test
  void describesItself() {
    assertEquals("Dataset[5 samples, 3 features and 1 label per sample]", indexedLabels(5).toString());
    assertEquals("Dataset[1 sample, 2 features and 2 targets per sample]", indexedTargets(1).toString());
    assertEquals("Dataset[0 samples, 1 feature and 1 target per sample]",
        Dataset.ofTargets(new float[0], 1, new float[0], 1).toString());
  }
}
