package io.nabla.runtime.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nabla.runtime.Rng;
import org.junit.jupiter.api.Test;

/**
 * Each fused loss against (1) central differences of the loss itself, (2) a double-precision re-implementation
 * from the textbook formula with its own central differences, (3) hand-computed values, and (4) huge inputs.
 */
class LossFunctionsTest {
  private static final double LN2 = Math.log(2);

  /** A loss as a function of its input (targets fixed), returning the float loss and writing the gradient. */
  private interface FloatLoss {
    float eval(float[] z, float[] grad);
  }

  /** The same loss from its textbook definition, in double, no gradient. */
  private interface DoubleLoss {
    double eval(double[] z);
  }

  private static float[] randoms(Rng rng, int n, float scale) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = scale * (2 * rng.nextFloat() - 1);
    }
    return v;
  }

  /**
   * The returned gradient against central differences of the returned (float) loss, perturbing one input at a
   * time by h = 1e-2. Tolerance 1e-4: the loss is accumulated in double but rounded to float on return (relative
   * error ≤ 6e-8, the losses here are below 16, so ≤ 1e-6 absolute), which divided by 2h = 0.02 is ≤ 5e-5;
   * the truncation error h² · |L'''| / 6 is ≤ 1.7e-5 · |L'''|, and |L'''| ≤ 1 for these losses (MSE: 0).
   */
  private static void checkAgainstOwnFiniteDifferences(float[] z, FloatLoss loss) {
    float[] grad = new float[z.length];
    loss.eval(z.clone(), grad);
    float h = 1e-2f;
    float[] scratch = new float[z.length];
    for (int i = 0; i < z.length; i++) {
      float[] zp = z.clone();
      float[] zm = z.clone();
      zp[i] += h;
      zm[i] -= h;
      double fd = ((double) loss.eval(zp, scratch) - loss.eval(zm, scratch)) / ((double) zp[i] - zm[i]);
      assertEquals(fd, grad[i], 1e-4, "d loss / d z[" + i + "]");
    }
  }

  /**
   * The returned loss and gradient against a double re-implementation and its central differences with h = 1e-6
   * (error ≈ 1e-10). Tolerance 1e-6 · max(1, |value|): the float inputs are exact in both, so what is left is
   * the float rounding of the returned values.
   */
  private static void checkAgainstDoubleReference(float[] z, FloatLoss loss, DoubleLoss reference) {
    float[] grad = new float[z.length];
    float value = loss.eval(z.clone(), grad);
    double[] zd = new double[z.length];
    for (int i = 0; i < z.length; i++) {
      zd[i] = z[i];
    }
    double want = reference.eval(zd);
    assertEquals(want, value, 1e-6 * Math.max(1, Math.abs(want)), "loss value");
    double h = 1e-6;
    for (int i = 0; i < z.length; i++) {
      double[] zp = zd.clone();
      double[] zm = zd.clone();
      zp[i] += h;
      zm[i] -= h;
      double fd = (reference.eval(zp) - reference.eval(zm)) / (2 * h);
      assertEquals(fd, grad[i], 1e-6 * Math.max(1, Math.abs(fd)), "d loss / d z[" + i + "]");
    }
  }

  // ---- softmax cross-entropy ----

  private static FloatLoss softmaxCe(int[] labels, int rows, int classes) {
    return (z, grad) -> LossFunctions.softmaxCrossEntropy(z, labels, rows, classes, grad);
  }

  private static DoubleLoss softmaxCeReference(int[] labels, int rows, int classes) {
    return z -> {
      double total = 0;
      for (int r = 0; r < rows; r++) {
        double sum = 0;
        for (int c = 0; c < classes; c++) {
          sum += Math.exp(z[r * classes + c]);
        }
        total += -Math.log(Math.exp(z[r * classes + labels[r]]) / sum);
      }
      return total / rows;
    };
  }

  @Test
  void softmaxCrossEntropyGradient() {
    Rng rng = new Rng(11);
    int[][] shapes = {{1, 2}, {1, 5}, {4, 3}, {7, 10}};
    for (int[] s : shapes) {
      int rows = s[0];
      int classes = s[1];
      float[] z = randoms(rng, rows * classes, 3f);
      int[] labels = new int[rows];
      for (int r = 0; r < rows; r++) {
        labels[r] = rng.nextInt(classes);
      }
      checkAgainstOwnFiniteDifferences(z, softmaxCe(labels, rows, classes));
      checkAgainstDoubleReference(z, softmaxCe(labels, rows, classes), softmaxCeReference(labels, rows, classes));
    }
  }

  @Test
  void softmaxCrossEntropyHandComputed() {
    float[] dz = new float[2];
    assertEquals(LN2, LossFunctions.softmaxCrossEntropy(new float[] {0, 0}, new int[] {0}, 1, 2, dz), 1e-7);
    assertArrayEquals(new float[] {-0.5f, 0.5f}, dz, 1e-7f);

    // z = [1, 2, 3], label 2: log(e + e² + e³) - 3 = log(1 + e^-1 + e^-2).
    float[] dz3 = new float[3];
    double loss = LossFunctions.softmaxCrossEntropy(new float[] {1, 2, 3}, new int[] {2}, 1, 3, dz3);
    assertEquals(Math.log(1 + Math.exp(-1) + Math.exp(-2)), loss, 1e-7);
    double sum = Math.exp(1) + Math.exp(2) + Math.exp(3);
    assertArrayEquals(new float[] {(float) (Math.exp(1) / sum), (float) (Math.exp(2) / sum),
        (float) (Math.exp(3) / sum - 1)}, dz3, 1e-7f);

    // Two rows: the mean of ln 2 (uniform over 2) and 0-ish (confident and right), gradient divided by rows.
    float[] dz4 = new float[4];
    double two = LossFunctions.softmaxCrossEntropy(new float[] {5, 5, 40, 0}, new int[] {1, 0}, 2, 2, dz4);
    assertEquals((LN2 + Math.log1p(Math.exp(-40))) / 2, two, 1e-7);
    assertArrayEquals(new float[] {0.25f, -0.25f, 0f, 0f}, dz4, 1e-7f);

    // Gradient rows sum to zero.
    Rng rng = new Rng(5);
    float[] z = randoms(rng, 12, 4f);
    float[] g = new float[12];
    LossFunctions.softmaxCrossEntropy(z, new int[] {0, 3, 2}, 3, 4, g);
    for (int r = 0; r < 3; r++) {
      assertEquals(0, g[r * 4] + g[r * 4 + 1] + g[r * 4 + 2] + g[r * 4 + 3], 1e-7);
    }
  }

  @Test
  void softmaxCrossEntropyIsStableForHugeLogits() {
    float[] dz = new float[2];
    float right = LossFunctions.softmaxCrossEntropy(new float[] {1000, -1000}, new int[] {0}, 1, 2, dz);
    assertEquals(0f, right);
    assertArrayEquals(new float[] {0f, 0f}, dz);

    float wrong = LossFunctions.softmaxCrossEntropy(new float[] {1000, -1000}, new int[] {1}, 1, 2, dz);
    assertEquals(2000f, wrong);
    assertArrayEquals(new float[] {1f, -1f}, dz);

    float tie = LossFunctions.softmaxCrossEntropy(new float[] {1000, 1000}, new int[] {1}, 1, 2, dz);
    assertEquals(LN2, tie, 1e-7);
    assertArrayEquals(new float[] {0.5f, -0.5f}, dz);

    float[] dz3 = new float[3];
    float neg = LossFunctions.softmaxCrossEntropy(new float[] {-1000, -1000, -1000}, new int[] {2}, 1, 3, dz3);
    assertEquals(Math.log(3), neg, 1e-6);
    for (float g : dz3) {
      assertTrue(Float.isFinite(g));
    }
  }

  @Test
  void softmaxRowsAreDistributions() {
    Rng rng = new Rng(3);
    float[] z = randoms(rng, 15, 5f);
    z[0] = 1000f;
    z[7] = -1000f;
    float[] p = new float[15];
    LossFunctions.softmax(z, p, 3, 5);
    for (int r = 0; r < 3; r++) {
      double sum = 0;
      double norm = 0;
      double max = Double.NEGATIVE_INFINITY;
      for (int c = 0; c < 5; c++) {
        max = Math.max(max, z[r * 5 + c]);
      }
      for (int c = 0; c < 5; c++) {
        norm += Math.exp(z[r * 5 + c] - max);
      }
      for (int c = 0; c < 5; c++) {
        float v = p[r * 5 + c];
        assertTrue(Float.isFinite(v) && v >= 0 && v <= 1, "probability, got " + v);
        assertEquals(Math.exp(z[r * 5 + c] - max) / norm, v, 1e-7);
        sum += v;
      }
      assertEquals(1.0, sum, 1e-6);
    }
    assertEquals(1f, p[0], 0f);
  }

  // ---- binary cross-entropy with logits ----

  private static FloatLoss bce(float[] t) {
    return (z, grad) -> LossFunctions.binaryCrossEntropyWithLogits(z, t, t.length, grad);
  }

  /** The textbook -[t log σ(z) + (1 - t) log(1 - σ(z))], fine in double for |z| ≤ 10. */
  private static DoubleLoss bceReference(float[] t) {
    return z -> {
      double total = 0;
      for (int i = 0; i < t.length; i++) {
        double s = 1 / (1 + Math.exp(-z[i]));
        total += -(t[i] * Math.log(s) + (1 - t[i]) * Math.log(1 - s));
      }
      return total / t.length;
    };
  }

  @Test
  void binaryCrossEntropyGradient() {
    Rng rng = new Rng(12);
    for (int n : new int[] {1, 2, 9}) {
      float[] z = randoms(rng, n, 4f);
      float[] t = new float[n];
      for (int i = 0; i < n; i++) {
        t[i] = i % 3 == 0 ? 1f : i % 3 == 1 ? 0f : rng.nextFloat(); // hard and soft targets
      }
      checkAgainstOwnFiniteDifferences(z, bce(t));
      checkAgainstDoubleReference(z, bce(t), bceReference(t));
    }
  }

  @Test
  void binaryCrossEntropyHandComputed() {
    float[] dz = new float[1];
    for (float t : new float[] {0f, 1f, 0.5f, 0.25f}) {
      assertEquals(LN2, LossFunctions.binaryCrossEntropyWithLogits(new float[] {0}, new float[] {t}, 1, dz), 1e-7,
          "BCE at z = 0 is ln 2 for any target");
      assertEquals(0.5f - t, dz[0], 1e-7f);
    }
    // z = [2, -1], t = [1, 0]: mean(log(1 + e^-2), log(1 + e^-1)).
    float[] dz2 = new float[2];
    double loss = LossFunctions.binaryCrossEntropyWithLogits(new float[] {2, -1}, new float[] {1, 0}, 2, dz2);
    assertEquals((Math.log1p(Math.exp(-2)) + Math.log1p(Math.exp(-1))) / 2, loss, 1e-7);
    assertEquals((1 / (1 + Math.exp(-2)) - 1) / 2, dz2[0], 1e-7);
    assertEquals((1 / (1 + Math.exp(1))) / 2, dz2[1], 1e-7);
  }

  @Test
  void binaryCrossEntropyIsStableForHugeLogits() {
    float[] z = {1000, -1000, 1000, -1000};
    float[] t = {1, 0, 0, 1};
    float[] dz = new float[4];
    float loss = LossFunctions.binaryCrossEntropyWithLogits(z, t, 4, dz);
    assertTrue(Float.isFinite(loss));
    assertEquals(500f, loss, 1e-3f, "two right (0) and two wrong by 1000 each, over 4");
    assertArrayEquals(new float[] {0f, 0f, 0.25f, -0.25f}, dz, 1e-7f);

    float right = LossFunctions.binaryCrossEntropyWithLogits(new float[] {1000}, new float[] {1}, 1, dz);
    assertEquals(0f, right);
  }

  // ---- mean squared error ----

  private static FloatLoss mse(float[] t) {
    return (y, grad) -> LossFunctions.meanSquaredError(y, t, t.length, grad);
  }

  private static DoubleLoss mseReference(float[] t) {
    return y -> {
      double total = 0;
      for (int i = 0; i < t.length; i++) {
        total += (y[i] - t[i]) * (y[i] - t[i]);
      }
      return total / t.length;
    };
  }

  @Test
  void meanSquaredErrorGradient() {
    Rng rng = new Rng(13);
    for (int n : new int[] {1, 3, 10}) {
      float[] y = randoms(rng, n, 2f);
      float[] t = randoms(rng, n, 2f);
      checkAgainstOwnFiniteDifferences(y, mse(t));
      checkAgainstDoubleReference(y, mse(t), mseReference(t));
    }
  }

  @Test
  void meanSquaredErrorHandComputed() {
    float[] dy = new float[3];
    float loss = LossFunctions.meanSquaredError(new float[] {1, 2, 3}, new float[] {0, 0, 0}, 3, dy);
    assertEquals(14f / 3, loss, 1e-6f);
    assertArrayEquals(new float[] {2f / 3, 4f / 3, 2f}, dy, 1e-6f);

    float[] dy2 = new float[2];
    assertEquals(0f, LossFunctions.meanSquaredError(new float[] {5, -5}, new float[] {5, -5}, 2, dy2));
    assertArrayEquals(new float[] {0f, 0f}, dy2);

    // Only the first n elements count.
    float[] dy3 = {9, 9, 9};
    float first = LossFunctions.meanSquaredError(new float[] {1, 100, 100}, new float[] {3, 0, 0}, 1, dy3);
    assertEquals(4f, first);
    assertArrayEquals(new float[] {-4f, 9f, 9f}, dy3);
  }

  @Test
  void lossesReadOnlyTheFirstRows() {
    float[] z = {0, 0, 1e30f, Float.NaN};
    float[] dz = {7, 7, 7, 7};
    assertEquals(LN2, LossFunctions.softmaxCrossEntropy(z, new int[] {1, 0}, 1, 2, dz), 1e-7);
    assertEquals(7f, dz[2]);
    assertEquals(7f, dz[3]);
    float[] dz2 = {7, 7, 7, 7};
    assertEquals(LN2, LossFunctions.binaryCrossEntropyWithLogits(z, new float[] {1, 0, 0, 0}, 2, dz2), 1e-7);
    assertEquals(7f, dz2[2]);
  }
}
