package io.nabla.runtime.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nabla.runtime.Rng;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link AttentionKernels} against {@link ReferenceAttention} (double, explicit mask and softmax Jacobian) and
 * against central differences of its own forward: causal and not, T = 1, 2 and 7, batch 1 and 3, heads 1 and 4,
 * head sizes 1, 3 and 8.
 *
 * <p>Tolerances: probabilities, outputs and gradients within {@code 2e-5 · max(1, max|expected|)} of the reference;
 * the backward within {@code 3e-3 · ‖fd‖₂} of float central differences of {@code L = Σ dA ⊙ attended} with
 * {@code h = 1e-2} (loss rounding ≈ 1e-6 / 2h = 5e-5 per entry; truncation h²·|f'''|/6 ≈ 1e-5 for these
 * logits of order 1).
 */
class AttentionKernelsTest {
  private static final double TOLERANCE = 2e-5;

  static Stream<Arguments> shapes() {
    List<Arguments> cases = new ArrayList<>();
    for (boolean causal : new boolean[] {false, true}) {
      for (int time : new int[] {1, 2, 7}) {
        for (int batch : new int[] {1, 3}) {
          for (int heads : new int[] {1, 4}) {
            for (int dh : new int[] {1, 3, 8}) {
              cases.add(Arguments.of(causal, time, batch, heads, dh));
            }
          }
        }
      }
    }
    return cases.stream();
  }

  static float[] random(Rng rng, int n, float scale) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = scale * (2 * rng.nextFloat() - 1);
    }
    return v;
  }

  private static void assertClose(float[] expected, float[] actual, int n, String what) {
    double scale = 1;
    for (int i = 0; i < n; i++) {
      scale = Math.max(scale, Math.abs(expected[i]));
    }
    for (int i = 0; i < n; i++) {
      assertEquals(expected[i], actual[i], TOLERANCE * scale, what + " at " + i);
    }
  }

  @ParameterizedTest(name = "causal={0} T={1} B={2} H={3} dh={4}")
  @MethodSource("shapes")
  void forwardAndBackwardMatchTheReference(boolean causal, int time, int batch, int heads, int dh) {
    int dim = heads * dh;
    Rng rng = new Rng(((causal ? 1 : 2) * 1000L + time * 100 + batch * 10 + heads) * 10 + dh);
    int rows = batch * time;
    float[] qkv = random(rng, rows * 3 * dim, 1.5f);
    float[] qkvCopy = qkv.clone();
    float[] attended = random(rng, rows * dim + 1, 1f); // stale contents: forward overwrites
    float last = attended[rows * dim];
    float[] probabilities = random(rng, batch * heads * time * time + 1, 1f);
    AttentionKernels.forward(attended, probabilities, qkv, batch, time, dim, heads, causal);
    float[] expectedAttended = new float[rows * dim];
    float[] expectedProbabilities = new float[batch * heads * time * time];
    ReferenceAttention.forward(expectedAttended, expectedProbabilities, qkv, batch, time, dim, heads, causal);
    assertClose(expectedProbabilities, probabilities, expectedProbabilities.length, "P");
    assertClose(expectedAttended, attended, expectedAttended.length, "attended");
    assertEquals(last, attended[rows * dim], "past the output");
    assertArrayEquals(qkvCopy, qkv, "qkv not modified");
    for (int bh = 0; bh < batch * heads; bh++) {
      for (int t = 0; t < time; t++) {
        double sum = 0;
        for (int s = 0; s < time; s++) {
          float p = probabilities[(bh * time + t) * time + s];
          if (causal && s > t) {
            assertEquals(0f, p, 0f, "masked probability is exactly 0");
          }
          sum += p;
        }
        assertEquals(1.0, sum, 1e-6, "a row of P sums to 1");
      }
    }

    float[] dAttended = random(rng, rows * dim, 1f);
    float[] dAttendedCopy = dAttended.clone();
    float[] probabilitiesCopy = probabilities.clone();
    float[] dQkv = random(rng, rows * 3 * dim + 1, 1f); // stale contents: backward overwrites
    float lastGrad = dQkv[rows * 3 * dim];
    float[] scratch = new float[AttentionKernels.scratchSize(time)];
    AttentionKernels.backward(dQkv, dAttended, probabilities, qkv, batch, time, dim, heads, causal, scratch);
    float[] expected = new float[rows * 3 * dim];
    ReferenceAttention.backward(expected, dAttended, qkv, batch, time, dim, heads, causal);
    assertClose(expected, dQkv, expected.length, "dQkv");
    assertEquals(lastGrad, dQkv[rows * 3 * dim], "past the gradient");
    assertArrayEquals(dAttendedCopy, dAttended, "dAttended not modified");
    assertArrayEquals(probabilitiesCopy, probabilities, "probabilities not modified");
  }

  private static double loss(float[] dAttended, float[] qkv, int batch, int time, int dim, int heads,
      boolean causal) {
    float[] attended = new float[batch * time * dim];
    AttentionKernels.forward(attended, new float[batch * heads * time * time], qkv, batch, time, dim, heads,
        causal);
    double s = 0;
    for (int i = 0; i < attended.length; i++) {
      s += (double) dAttended[i] * attended[i];
    }
    return s;
  }

  @ParameterizedTest(name = "causal={0} T={1} B={2} H={3} dh={4}")
  @MethodSource("shapes")
  void backwardMatchesCentralDifferencesOfForward(boolean causal, int time, int batch, int heads, int dh) {
    int dim = heads * dh;
    Rng rng = new Rng(((causal ? 3 : 4) * 1000L + time * 100 + batch * 10 + heads) * 10 + dh);
    int rows = batch * time;
    float[] qkv = random(rng, rows * 3 * dim, 1f);
    float[] dAttended = random(rng, rows * dim, 1f);
    float[] probabilities = new float[batch * heads * time * time];
    AttentionKernels.forward(new float[rows * dim], probabilities, qkv, batch, time, dim, heads, causal);
    float[] dQkv = new float[rows * 3 * dim];
    AttentionKernels.backward(dQkv, dAttended, probabilities, qkv, batch, time, dim, heads, causal,
        new float[AttentionKernels.scratchSize(time)]);
    float h = 1e-2f;
    double diff = 0;
    double norm = 0;
    for (int i = 0; i < qkv.length; i++) {
      float saved = qkv[i];
      qkv[i] = saved + h;
      double plus = loss(dAttended, qkv, batch, time, dim, heads, causal);
      qkv[i] = saved - h;
      double minus = loss(dAttended, qkv, batch, time, dim, heads, causal);
      qkv[i] = saved;
      double fd = (plus - minus) / (2 * h);
      diff += (fd - dQkv[i]) * (fd - dQkv[i]);
      norm += fd * fd;
    }
    assertTrue(norm > 0, "a nonzero gradient to check");
    assertTrue(Math.sqrt(diff) <= 3e-3 * Math.sqrt(norm),
        "‖fd - analytic‖ = " + Math.sqrt(diff) + ", ‖fd‖ = " + Math.sqrt(norm));
  }

  /** One sample, one head of size 1, q = 8 everywhere and k_s alternating ±10: logits ±80 (and ±800). */
  @Test
  void largeLogitsGiveFiniteExactProbabilities() {
    for (float kMagnitude : new float[] {10f, 100f}) {
      for (boolean causal : new boolean[] {false, true}) {
        int time = 5;
        float[] qkv = new float[time * 3];
        for (int t = 0; t < time; t++) {
          qkv[t * 3] = 8f;
          qkv[t * 3 + 1] = t % 2 == 0 ? kMagnitude : -kMagnitude;
          qkv[t * 3 + 2] = t; // v_s = s
        }
        float[] attended = new float[time];
        float[] p = new float[time * time];
        AttentionKernels.forward(attended, p, qkv, 1, time, 1, 1, causal);
        float[] expectedP = new float[time * time];
        float[] expectedA = new float[time];
        ReferenceAttention.forward(expectedA, expectedP, qkv, 1, time, 1, 1, causal);
        for (int t = 0; t < time; t++) {
          int end = causal ? t + 1 : time;
          int winners = (end + 1) / 2; // even positions up to end: logit +80·…, the rest e^-160 ≈ 0
          for (int s = 0; s < time; s++) {
            float want = s < end && s % 2 == 0 ? 1f / winners : 0f;
            assertEquals(want, p[t * time + s], 1e-7f, "P[" + t + ", " + s + "] k=" + kMagnitude);
            assertEquals(expectedP[t * time + s], p[t * time + s], 1e-7f);
          }
          assertTrue(Float.isFinite(attended[t]));
          assertEquals(expectedA[t], attended[t], 1e-5f, "attended[" + t + "]");
        }
        float[] dQkv = new float[time * 3];
        float[] dA = {1f, -1f, 0.5f, 2f, 1f};
        AttentionKernels.backward(dQkv, dA, p, qkv, 1, time, 1, 1, causal, new float[time]);
        float[] expectedD = new float[time * 3];
        ReferenceAttention.backward(expectedD, dA, qkv, 1, time, 1, 1, causal);
        for (int i = 0; i < dQkv.length; i++) {
          assertTrue(Float.isFinite(dQkv[i]), "finite gradient at " + i);
          assertEquals(expectedD[i], dQkv[i], 1e-5f, "dQkv at " + i);
        }
      }
    }
  }

  @Test
  void equalLargeLogitsGiveAUniformRow() {
    int time = 6;
    int dh = 4;
    float[] qkv = new float[time * 3 * dh];
    for (int t = 0; t < time; t++) {
      for (int i = 0; i < dh; i++) {
        qkv[t * 3 * dh + i] = 20f; // q · k / √4 = 4 · 400 / 2 = 800 for every pair
        qkv[t * 3 * dh + dh + i] = 20f;
        qkv[t * 3 * dh + 2 * dh + i] = t + i;
      }
    }
    for (boolean causal : new boolean[] {false, true}) {
      float[] attended = new float[time * dh];
      float[] p = new float[time * time];
      AttentionKernels.forward(attended, p, qkv, 1, time, dh, 1, causal);
      for (int t = 0; t < time; t++) {
        int end = causal ? t + 1 : time;
        for (int s = 0; s < time; s++) {
          assertEquals(s < end ? 1f / end : 0f, p[t * time + s], 1e-7f, "P[" + t + ", " + s + "]");
        }
        for (int i = 0; i < dh; i++) {
          // The mean of v_s = s + i over the attended positions.
          assertEquals((end - 1) / 2.0 + i, attended[t * dh + i], 1e-5, "attended[" + t + ", " + i + "]");
        }
      }
    }
  }

  @Test
  void timeOneAttendsToItself() {
    int dim = 8;
    int heads = 2;
    Rng rng = new Rng(3);
    float[] qkv = random(rng, 2 * 3 * dim, 2f);
    float[] attended = new float[2 * dim];
    float[] p = new float[2 * heads];
    AttentionKernels.forward(attended, p, qkv, 2, 1, dim, heads, true);
    assertArrayEquals(new float[] {1f, 1f, 1f, 1f}, p);
    for (int b = 0; b < 2; b++) {
      for (int j = 0; j < dim; j++) {
        assertEquals(qkv[b * 3 * dim + 2 * dim + j], attended[b * dim + j], 0f, "attended = v");
      }
    }
    // P ≡ 1 has a zero Jacobian: q and k take no gradient, v takes dA.
    float[] dA = random(rng, 2 * dim, 1f);
    float[] dQkv = random(rng, 2 * 3 * dim, 1f);
    AttentionKernels.backward(dQkv, dA, p, qkv, 2, 1, dim, heads, true, new float[1]);
    for (int b = 0; b < 2; b++) {
      for (int j = 0; j < dim; j++) {
        assertEquals(0f, dQkv[b * 3 * dim + j], 0f, "dq");
        assertEquals(0f, dQkv[b * 3 * dim + dim + j], 0f, "dk");
        assertEquals(dA[b * dim + j], dQkv[b * 3 * dim + 2 * dim + j], 0f, "dv");
      }
    }
  }

  @Test
  void causalRowsIgnoreLaterPositions() {
    int time = 5;
    int dim = 6;
    int heads = 2;
    Rng rng = new Rng(11);
    float[] qkv = random(rng, time * 3 * dim, 1f);
    float[] attended = new float[time * dim];
    AttentionKernels.forward(attended, new float[heads * time * time], qkv, 1, time, dim, heads, true);
    // Changing position 3's q, k and v changes nothing at positions 0..2.
    float[] changed = qkv.clone();
    for (int j = 0; j < 3 * dim; j++) {
      changed[3 * 3 * dim + j] += 5f;
    }
    float[] attended2 = new float[time * dim];
    AttentionKernels.forward(attended2, new float[heads * time * time], changed, 1, time, dim, heads, true);
    for (int i = 0; i < 3 * dim; i++) {
      assertEquals(attended[i], attended2[i], 0f, "position " + i / dim);
    }
    assertTrue(attended[3 * dim] != attended2[3 * dim], "position 3 itself changes");
  }
}
