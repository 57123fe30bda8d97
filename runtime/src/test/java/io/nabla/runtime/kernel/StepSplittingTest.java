package io.nabla.runtime.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.nabla.runtime.Rng;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The {@link Kernels} passes of {@link StepWork} ({@code zero}, {@code softmaxCrossEntropy},
 * {@code embeddingForward}, {@code embeddingBackward}, {@code positionalForward}, {@code positionalBackward}) of the
 * reference, the portable kernels on 1, 2 and 3 threads and {@link Kernels#best} on 1, 2 and 3 threads (the Vector
 * API kernels in the runtime pom's {@code vector-kernels} run): bitwise equal to {@link Arrays#fill},
 * {@link LossFunctions} and {@link EmbeddingKernels}, whose accuracy {@code LossFunctionsTest} and
 * {@code EmbeddingKernelsTest} check. Output arrays are compared whole, slack included, so nothing outside the
 * outputs is written. Shapes run from one row to sizes well above the thresholds ({@link StepWork#THRESHOLD},
 * {@link StepWork#LOSS_THRESHOLD}), with odd counts; one kernels instance serves every shape in turn.
 */
class StepSplittingTest {
  private static final Map<String, Kernels> KERNELS = new LinkedHashMap<>();

  static {
    KERNELS.put("reference", new ReferenceKernels());
    for (int threads = 1; threads <= 3; threads++) {
      KERNELS.put("portable" + threads, new PortableKernels(threads));
    }
    for (int threads = 1; threads <= 3; threads++) {
      KERNELS.put("best" + threads, Kernels.best(threads));
    }
  }

  static float[] random(Rng rng, int n, float scale, float shift) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = scale * (2 * rng.nextFloat() - 1) + shift;
    }
    return v;
  }

  private static void assertBitwise(float[] expected, float[] actual, String what) {
    assertEquals(expected.length, actual.length, what + " length");
    for (int i = 0; i < expected.length; i++) {
      if (Float.floatToRawIntBits(expected[i]) != Float.floatToRawIntBits(actual[i])) {
        throw new AssertionError(what + " differs at " + i + " of " + expected.length + ": expected "
            + expected[i] + ", got " + actual[i]);
      }
    }
  }

  static Stream<Arguments> sizes() {
    List<Arguments> cases = new ArrayList<>();
    for (int n : new int[] {0, 1, 63, 64, 65, 1000, 65535, 65536, 65537, 100_003, 262_144, 1_048_577}) {
      cases.add(Arguments.of(n));
    }
    return cases.stream();
  }

  @ParameterizedTest(name = "n={0}")
  @MethodSource("sizes")
  void zeroClearsExactlyTheFirstNElements(int n) {
    Rng rng = new Rng(n + 1L);
    float[] x = random(rng, n + 70, 1f, 2f);
    float[] expected = x.clone();
    Arrays.fill(expected, 0, n, 0f);
    for (Map.Entry<String, Kernels> e : KERNELS.entrySet()) {
      float[] xk = x.clone();
      e.getValue().zero(xk, n);
      assertBitwise(expected, xk, e.getKey() + " n " + n);
    }
  }

  @Test
  void zeroBeyondTheArrayThrowsAsArraysFillBeforeWritingAnything() {
    float[] x = new float[100_000];
    Arrays.fill(x, 1f);
    ArrayIndexOutOfBoundsException expected = assertThrows(ArrayIndexOutOfBoundsException.class,
        () -> Arrays.fill(new float[100_000], 0, 100_001, 0f));
    for (Map.Entry<String, Kernels> e : KERNELS.entrySet()) {
      ArrayIndexOutOfBoundsException thrown = assertThrows(ArrayIndexOutOfBoundsException.class,
          () -> e.getValue().zero(x, 100_001), e.getKey());
      assertEquals(expected.getMessage(), thrown.getMessage(), e.getKey());
      for (float v : x) {
        assertEquals(1f, v, e.getKey() + " wrote before throwing");
      }
    }
  }

  /** Rows, classes: below and above {@link StepWork#LOSS_THRESHOLD} = 2048 logits. */
  static Stream<Arguments> lossShapes() {
    List<Arguments> cases = new ArrayList<>();
    for (int[] s : new int[][] {{1, 1}, {1, 10}, {2, 3}, {7, 96}, {21, 96}, {22, 96}, {2048, 96}, {3, 7000},
        {2049, 1}, {999, 17}, {4096, 10}, {204, 10}, {205, 10}, {256, 10}, {257, 10}}) {
      cases.add(Arguments.of(s[0], s[1]));
    }
    return cases.stream();
  }

  @ParameterizedTest(name = "rows={0} classes={1}")
  @MethodSource("lossShapes")
  void softmaxCrossEntropyMatchesTheStaticMethodBitwise(int rows, int classes) {
    Rng rng = new Rng(17L * rows + classes);
    float[] z = random(rng, rows * classes + 3, 4f, 0.5f);
    int[] labels = new int[rows + 2];
    for (int r = 0; r < labels.length; r++) {
      labels[r] = (int) (rng.nextFloat() * classes) % classes;
    }
    float[] dz0 = random(rng, rows * classes + 5, 1f, 0f);
    float[] dzStatic = dz0.clone();
    float lossStatic = LossFunctions.softmaxCrossEntropy(z, labels, rows, classes, dzStatic);
    // In place (dz = z): each row is read whole before it is written.
    float[] inPlaceStatic = z.clone();
    float inPlaceLossStatic = LossFunctions.softmaxCrossEntropy(inPlaceStatic, labels, rows, classes,
        inPlaceStatic);
    float[] zCopy = z.clone();
    for (Map.Entry<String, Kernels> e : KERNELS.entrySet()) {
      String name = e.getKey() + " rows " + rows + " classes " + classes;
      float[] dz = dz0.clone();
      float loss = e.getValue().softmaxCrossEntropy(z, labels, rows, classes, dz);
      assertEquals(Float.floatToRawIntBits(lossStatic), Float.floatToRawIntBits(loss), name + " loss");
      assertBitwise(dzStatic, dz, name + " dz");
      assertArrayEquals(zCopy, z, name + " z not modified");
      float[] inPlace = z.clone();
      float inPlaceLoss = e.getValue().softmaxCrossEntropy(inPlace, labels, rows, classes, inPlace);
      assertEquals(Float.floatToRawIntBits(inPlaceLossStatic), Float.floatToRawIntBits(inPlaceLoss),
          name + " loss in place");
      assertBitwise(inPlaceStatic, inPlace, name + " in place");
    }
  }

  /** Batch, time, vocabulary, dimension: below and above {@link StepWork#THRESHOLD} = 65536 elements. */
  static Stream<Arguments> embeddingShapes() {
    List<Arguments> cases = new ArrayList<>();
    for (int[] s : new int[][] {{1, 1, 1, 1}, {1, 3, 5, 2}, {2, 7, 11, 33}, {32, 64, 96, 128}, {1, 64, 96, 128},
        {3, 1, 4, 30_000}, {5, 13_001, 3, 1}, {7, 33, 50, 257}, {64, 64, 96, 16}, {2, 2, 1, 20_000}}) {
      cases.add(Arguments.of(s[0], s[1], s[2], s[3]));
    }
    return cases.stream();
  }

  @ParameterizedTest(name = "B={0} T={1} V={2} D={3}")
  @MethodSource("embeddingShapes")
  void embeddingsMatchTheStaticMethodsBitwise(int batch, int time, int vocabulary, int dimension) {
    Rng rng = new Rng(31L * batch + 7L * time + dimension);
    int rows = batch * time;
    int idsOff = 2;
    float[] ids = new float[idsOff + rows + 3];
    for (int r = 0; r < ids.length; r++) {
      // Few distinct ids, so rows share table rows and their sums have many terms.
      ids[r] = (int) (rng.nextFloat() * Math.min(vocabulary, 5)) % vocabulary;
    }
    int tableOff = 3;
    int positionsOff = tableOff + vocabulary * dimension + 1;
    int n = time * dimension;
    float[] params = random(rng, positionsOff + n + 2, 1f, 0.25f);
    float[] out0 = random(rng, rows * dimension + 4, 1f, 0f);
    float[] dOut = random(rng, rows * dimension + 4, 1f, 0f);
    float[] grads0 = random(rng, params.length + 1, 1f, 0f);
    float[] dx0 = random(rng, rows * dimension + 4, 1f, 0f);

    float[] outStatic = out0.clone();
    EmbeddingKernels.embeddingForward("embed", outStatic, ids, idsOff, batch, time, params, tableOff, vocabulary,
        dimension);
    float[] embedGradsStatic = grads0.clone();
    EmbeddingKernels.embeddingBackward(dOut, ids, idsOff, rows, embedGradsStatic, tableOff, dimension);
    float[] positionedStatic = out0.clone();
    EmbeddingKernels.positionalForward(positionedStatic, outStatic, batch, time, dimension, params, positionsOff);
    float[] inPlaceStatic = outStatic.clone();
    EmbeddingKernels.positionalForward(inPlaceStatic, inPlaceStatic, batch, time, dimension, params,
        positionsOff);
    float[] positionGradsStatic = grads0.clone();
    float[] dxStatic = dx0.clone();
    EmbeddingKernels.positionalBackward(dOut, batch, time, dimension, positionGradsStatic, positionsOff, dxStatic);
    float[] positionGradsOnlyStatic = grads0.clone();
    EmbeddingKernels.positionalBackward(dOut, batch, time, dimension, positionGradsOnlyStatic, positionsOff, null);
    float[] overDyStatic = dOut.clone();
    float[] overDyGradsStatic = grads0.clone();
    EmbeddingKernels.positionalBackward(overDyStatic, batch, time, dimension, overDyGradsStatic, positionsOff,
        overDyStatic);

    float[] dOutCopy = dOut.clone();
    float[] idsCopy = ids.clone();
    float[] paramsCopy = params.clone();
    for (Map.Entry<String, Kernels> e : KERNELS.entrySet()) {
      Kernels k = e.getValue();
      String name = e.getKey() + " B " + batch + " T " + time + " V " + vocabulary + " D " + dimension;
      float[] out = out0.clone();
      k.embeddingForward("embed", out, ids, idsOff, batch, time, params, tableOff, vocabulary, dimension);
      assertBitwise(outStatic, out, name + " embedding forward");
      float[] embedGrads = grads0.clone();
      k.embeddingBackward(dOut, ids, idsOff, rows, embedGrads, tableOff, dimension);
      assertBitwise(embedGradsStatic, embedGrads, name + " embedding backward");
      float[] positioned = out0.clone();
      k.positionalForward(positioned, out, batch, time, dimension, params, positionsOff);
      assertBitwise(positionedStatic, positioned, name + " positional forward");
      float[] inPlace = out.clone();
      k.positionalForward(inPlace, inPlace, batch, time, dimension, params, positionsOff);
      assertBitwise(inPlaceStatic, inPlace, name + " positional forward in place");
      float[] positionGrads = grads0.clone();
      float[] dx = dx0.clone();
      k.positionalBackward(dOut, batch, time, dimension, positionGrads, positionsOff, dx);
      assertBitwise(positionGradsStatic, positionGrads, name + " positional backward, table");
      assertBitwise(dxStatic, dx, name + " positional backward, dx");
      float[] positionGradsOnly = grads0.clone();
      k.positionalBackward(dOut, batch, time, dimension, positionGradsOnly, positionsOff, null);
      assertBitwise(positionGradsOnlyStatic, positionGradsOnly, name + " positional backward without dx");
      float[] overDy = dOut.clone();
      float[] overDyGrads = grads0.clone();
      k.positionalBackward(overDy, batch, time, dimension, overDyGrads, positionsOff, overDy);
      assertBitwise(overDyStatic, overDy, name + " positional backward, dx over dOut");
      assertBitwise(overDyGradsStatic, overDyGrads, name + " positional backward, table, dx over dOut");
      assertArrayEquals(dOutCopy, dOut, name + " dOut not modified");
      assertArrayEquals(idsCopy, ids, name + " ids not modified");
      assertArrayEquals(paramsCopy, params, name + " params not modified");
    }
  }

  /** A bad id anywhere in a large batch throws the static method's message before anything is written. */
  @Test
  void aBadIdIsRefusedWithTheStaticMessageBeforeAnythingIsWritten() {
    int batch = 32;
    int time = 64;
    int vocabulary = 96;
    int dimension = 128;
    float[] params = random(new Rng(3), vocabulary * dimension, 1f, 0f);
    float[][] bad = {{1_000, 96f}, {2_047, -1f}, {0, Float.NaN}, {1_500, 2.5f}, {64, 1e20f}};
    for (float[] b : bad) {
      float[] ids = new float[batch * time];
      for (int r = 0; r < ids.length; r++) {
        ids[r] = r % vocabulary;
      }
      ids[(int) b[0]] = b[1];
      IllegalArgumentException expected = assertThrows(IllegalArgumentException.class,
          () -> EmbeddingKernels.embeddingForward("tokens", new float[batch * time * dimension], ids, 0, batch,
              time, params, 0, vocabulary, dimension));
      for (Map.Entry<String, Kernels> e : KERNELS.entrySet()) {
        float[] out = new float[batch * time * dimension];
        Arrays.fill(out, 7f);
        IllegalArgumentException thrown = assertThrows(IllegalArgumentException.class,
            () -> e.getValue().embeddingForward("tokens", out, ids, 0, batch, time, params, 0, vocabulary,
                dimension), e.getKey());
        assertEquals(expected.getMessage(), thrown.getMessage(), e.getKey());
        for (float v : out) {
          assertEquals(7f, v, e.getKey() + " wrote before throwing");
        }
      }
    }
  }
}
