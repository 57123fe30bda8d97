package io.nabla.runtime.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nabla.runtime.Rng;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/**
 * {@link EmbeddingKernels} against explicit index arithmetic (the kernels are copies and sums, so results must be
 * bitwise equal to the same float additions in the same order), central differences of each forward (the layers
 * are linear: exact up to float rounding, tolerance {@code 1e-3} absolute with {@code h = 0.5}), and the id
 * checks.
 */
class EmbeddingKernelsTest {

  static Stream<Arguments> shapes() {
    List<Arguments> cases = new ArrayList<>();
    for (int batch : new int[] {1, 3}) {
      for (int time : new int[] {1, 5}) {
        for (int dimension : new int[] {1, 7}) {
          cases.add(Arguments.of(batch, time, dimension));
        }
      }
    }
    return cases.stream();
  }

  private static float[] random(Rng rng, int n) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = 2 * rng.nextFloat() - 1;
    }
    return v;
  }

  /** Ids at offset 2 of a longer buffer, every one in [0, vocabulary), with repeats. */
  private static float[] ids(Rng rng, int rows, int vocabulary) {
    float[] ids = new float[rows + 4];
    java.util.Arrays.fill(ids, -7f); // outside the rows read: must never be looked at
    for (int r = 0; r < rows; r++) {
      ids[2 + r] = (int) (rng.nextFloat() * vocabulary);
    }
    if (rows > 1) {
      ids[3] = ids[2]; // a repeated token: its gradient rows must add up
    }
    return ids;
  }

  @ParameterizedTest(name = "B={0} T={1} D={2}")
  @MethodSource("shapes")
  void embeddingCopiesRowsAndScattersGradients(int batch, int time, int dimension) {
    Rng rng = new Rng(batch * 100 + time * 10 + dimension);
    int vocabulary = 11;
    int tableOff = 3;
    int rows = batch * time;
    float[] params = random(rng, tableOff + vocabulary * dimension + 2);
    float[] ids = ids(rng, rows, vocabulary);
    float[] out = new float[rows * dimension + 1];
    out[rows * dimension] = 42f;
    EmbeddingKernels.embeddingForward("embed", out, ids, 2, batch, time, params, tableOff, vocabulary, dimension);
    for (int r = 0; r < rows; r++) {
      for (int d = 0; d < dimension; d++) {
        assertEquals(params[tableOff + (int) ids[2 + r] * dimension + d], out[r * dimension + d], 0f);
      }
    }
    assertEquals(42f, out[rows * dimension], "past the output");

    float[] dOut = random(rng, rows * dimension);
    float[] grads0 = random(rng, params.length);
    float[] grads = grads0.clone();
    EmbeddingKernels.embeddingBackward(dOut, ids, 2, rows, grads, tableOff, dimension);
    float[] expected = grads0.clone();
    for (int r = 0; r < rows; r++) {
      for (int d = 0; d < dimension; d++) {
        expected[tableOff + (int) ids[2 + r] * dimension + d] += dOut[r * dimension + d];
      }
    }
    assertArrayEquals(expected, grads, 0f, "rows added in increasing order, into the existing gradients");

    // Central differences of L = Σ dOut · out with respect to each table entry.
    float h = 0.5f;
    for (int i = tableOff; i < tableOff + vocabulary * dimension; i++) {
      float[] p = params.clone();
      p[i] = params[i] + h;
      double plus = dot(dOut, forward(ids, batch, time, p, tableOff, vocabulary, dimension));
      p[i] = params[i] - h;
      double minus = dot(dOut, forward(ids, batch, time, p, tableOff, vocabulary, dimension));
      assertEquals((plus - minus) / (2 * h), grads[i] - grads0[i], 1e-3, "dW at " + i);
    }
  }

  private static float[] forward(float[] ids, int batch, int time, float[] params, int tableOff, int vocabulary,
      int dimension) {
    float[] out = new float[batch * time * dimension];
    EmbeddingKernels.embeddingForward("embed", out, ids, 2, batch, time, params, tableOff, vocabulary, dimension);
    return out;
  }

  private static double dot(float[] a, float[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += (double) a[i] * b[i];
    }
    return s;
  }

  @ParameterizedTest(name = "B={0} T={1} D={2}")
  @MethodSource("shapes")
  void positionalAddsOneRowPerPosition(int batch, int time, int dimension) {
    Rng rng = new Rng(7 + batch * 100 + time * 10 + dimension);
    int off = 5;
    int n = batch * time * dimension;
    float[] params = random(rng, off + time * dimension + 3);
    float[] x = random(rng, n);
    float[] out = new float[n];
    EmbeddingKernels.positionalForward(out, x, batch, time, dimension, params, off);
    for (int b = 0; b < batch; b++) {
      for (int t = 0; t < time; t++) {
        for (int d = 0; d < dimension; d++) {
          int i = (b * time + t) * dimension + d;
          assertEquals(x[i] + params[off + t * dimension + d], out[i], 0f);
        }
      }
    }
    float[] inPlace = x.clone();
    EmbeddingKernels.positionalForward(inPlace, inPlace, batch, time, dimension, params, off);
    assertArrayEquals(out, inPlace, 0f, "out may be x");

    float[] dOut = random(rng, n);
    float[] grads0 = random(rng, params.length);
    float[] dx0 = random(rng, n + 2);
    float[] grads = grads0.clone();
    float[] dx = dx0.clone();
    EmbeddingKernels.positionalBackward(dOut, batch, time, dimension, grads, off, dx);
    float[] expected = grads0.clone();
    for (int b = 0; b < batch; b++) {
      for (int i = 0; i < time * dimension; i++) {
        expected[off + i] += dOut[b * time * dimension + i];
      }
    }
    assertArrayEquals(expected, grads, 0f, "samples added in increasing order");
    for (int i = 0; i < n; i++) {
      assertEquals(dx0[i] + dOut[i], dx[i], 0f);
    }
    assertEquals(dx0[n], dx[n], "past the input");

    float[] gradsOnly = grads0.clone();
    EmbeddingKernels.positionalBackward(dOut, batch, time, dimension, gradsOnly, off, null);
    assertArrayEquals(grads, gradsOnly, 0f, "dx == null changes nothing else");

    // Central differences of L = Σ dOut · out with respect to P and x.
    float h = 0.5f;
    for (int i = off; i < off + time * dimension; i++) {
      float[] p = params.clone();
      p[i] = params[i] + h;
      float[] o = new float[n];
      EmbeddingKernels.positionalForward(o, x, batch, time, dimension, p, off);
      double plus = dot(dOut, o);
      p[i] = params[i] - h;
      EmbeddingKernels.positionalForward(o, x, batch, time, dimension, p, off);
      double minus = dot(dOut, o);
      assertEquals((plus - minus) / (2 * h), grads[i] - grads0[i], 1e-3, "dP at " + i);
    }
    for (int i = 0; i < n; i++) {
      float[] xp = x.clone();
      xp[i] = x[i] + h;
      float[] o = new float[n];
      EmbeddingKernels.positionalForward(o, xp, batch, time, dimension, params, off);
      double plus = dot(dOut, o);
      xp[i] = x[i] - h;
      EmbeddingKernels.positionalForward(o, xp, batch, time, dimension, params, off);
      double minus = dot(dOut, o);
      assertEquals((plus - minus) / (2 * h), dx[i] - dx0[i], 1e-3, "dx at " + i);
    }
  }

  /** Sample 3 of 4, position 12 of 16 holds the bad id; everything before it is valid. */
  private static IllegalArgumentException rejected(float badId) {
    int batch = 4;
    int time = 16;
    int vocabulary = 96;
    int dimension = 3;
    float[] ids = new float[1 + batch * time];
    for (int r = 0; r < batch * time; r++) {
      ids[1 + r] = r % vocabulary;
    }
    ids[1 + 3 * time + 12] = badId;
    float[] params = new float[vocabulary * dimension];
    java.util.Arrays.fill(params, 1f);
    float[] out = new float[batch * time * dimension];
    java.util.Arrays.fill(out, -3f);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> EmbeddingKernels.embeddingForward("embed", out, ids, 1, batch, time, params, 0, vocabulary,
            dimension));
    for (float v : out) {
      assertEquals(-3f, v, "nothing written before the check fails");
    }
    return e;
  }

  @Test
  void anIdOutsideTheVocabularyNamesLayerSampleAndPosition() {
    assertEquals("layer 'embed': token id 97 at sample 3, position 12 is outside [0, 96)",
        rejected(97f).getMessage());
    assertEquals("layer 'embed': token id 96 at sample 3, position 12 is outside [0, 96)",
        rejected(96f).getMessage());
    assertEquals("layer 'embed': token id -1 at sample 3, position 12 is outside [0, 96)",
        rejected(-1f).getMessage());
  }

  @Test
  void aNonIntegerOrNaNIdIsRejected() {
    assertEquals("layer 'embed': token id 2.5 at sample 3, position 12 is not an integer",
        rejected(2.5f).getMessage());
    assertEquals("layer 'embed': token id NaN at sample 3, position 12 is not an integer",
        rejected(Float.NaN).getMessage());
    String infinite = rejected(Float.POSITIVE_INFINITY).getMessage();
    assertTrue(infinite.contains("Infinity") && infinite.contains("sample 3, position 12"), infinite);
    String huge = rejected(1e20f).getMessage();
    assertTrue(huge.contains("1.0E20") && huge.endsWith("is outside [0, 96)"), huge);
  }

  @Test
  void theFirstBadIdIsReported() {
    float[] ids = {0f, 200f, 0.5f};
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> EmbeddingKernels.embeddingForward("tok", new float[6], ids, 0, 1, 3, new float[8], 0, 4, 2));
    assertEquals("layer 'tok': token id 200 at sample 0, position 1 is outside [0, 4)", e.getMessage());
  }
}
