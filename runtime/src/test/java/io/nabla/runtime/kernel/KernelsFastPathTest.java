package io.nabla.runtime.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nabla.Activation;
import io.nabla.runtime.Rng;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The {@link Kernels} activation and attention methods of every implementation: {@link ReferenceKernels} (the
 * defaults), {@link PortableKernels} on 1 and 2 threads and {@link Kernels#best} on 1 and 2 threads (the Vector API
 * kernels in the runtime pom's {@code vector-kernels} run on the jar, portable on {@code target/classes}). Attention
 * against {@link ReferenceAttention} (double) within {@code 2e-5·max(1, max|expected|)}, as
 * {@code AttentionKernelsTest}, also with logits of ±80; activations against the double definitions; 1 and 2
 * threads bitwise identical; no allocation per call after warm-up (portable kernels, calling thread).
 */
class KernelsFastPathTest {
  private static final double TOLERANCE = 2e-5;

  static Map<String, Kernels> implementations() {
    Map<String, Kernels> all = new LinkedHashMap<>();
    all.put("reference", new ReferenceKernels());
    all.put("portable1", Kernels.portable(1));
    all.put("portable2", Kernels.portable(2));
    all.put("best1", Kernels.best(1));
    all.put("best2", Kernels.best(2));
    return all;
  }

  static Stream<Arguments> shapes() {
    List<Arguments> cases = new ArrayList<>();
    for (boolean causal : new boolean[] {false, true}) {
      for (int time : new int[] {1, 2, 7, 64}) {
        for (int batch : new int[] {1, 3}) {
          for (int heads : new int[] {1, 4}) {
            for (int dh : new int[] {1, 3, 8, 32}) {
              cases.add(Arguments.of(causal, time, batch, heads, dh, 1.5f));
            }
          }
        }
      }
    }
    for (boolean causal : new boolean[] {false, true}) {
      cases.add(Arguments.of(causal, 64, 3, 4, 32, 80f));
      cases.add(Arguments.of(causal, 33, 2, 4, 3, 80f));
      cases.add(Arguments.of(causal, 17, 3, 2, 24, 80f));
    }
    return cases.stream();
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

  /**
   * Random {@code qkv}; with {@code logits} above 10 the queries are scaled so that the largest score magnitude
   * is {@code logits}.
   */
  static float[] qkv(Rng rng, int batch, int time, int dim, int heads, float logits) {
    int rows = batch * time;
    float[] qkv = AttentionKernelsTest.random(rng, rows * 3 * dim, logits > 10 ? 1f : logits);
    if (logits > 10) {
      int dh = dim / heads;
      double max = 0;
      for (int b = 0; b < batch; b++) {
        for (int h = 0; h < heads; h++) {
          for (int t = 0; t < time; t++) {
            for (int s = 0; s < time; s++) {
              double dot = 0;
              for (int i = 0; i < dh; i++) {
                dot += qkv[(b * time + t) * 3 * dim + h * dh + i] * qkv[(b * time + s) * 3 * dim + dim + h * dh + i];
              }
              max = Math.max(max, Math.abs(dot / Math.sqrt(dh)));
            }
          }
        }
      }
      float f = (float) (logits / max);
      for (int r = 0; r < rows; r++) {
        for (int i = 0; i < dim; i++) {
          qkv[r * 3 * dim + i] *= f;
        }
      }
    }
    return qkv;
  }

  @ParameterizedTest(name = "causal={0} T={1} B={2} H={3} dh={4} logits={5}")
  @MethodSource("shapes")
  void attentionMatchesTheReferenceAndThreadsAgree(boolean causal, int time, int batch, int heads, int dh,
      float logits) {
    int dim = heads * dh;
    int rows = batch * time;
    Rng rng = new Rng(((causal ? 1 : 2) * 1000L + time * 100 + batch * 10 + heads) * 10 + dh);
    float[] qkv = qkv(rng, batch, time, dim, heads, logits);
    float[] dAttended = AttentionKernelsTest.random(rng, rows * dim, 1f);
    float[] expectedAttended = new float[rows * dim];
    float[] expectedP = new float[batch * heads * time * time];
    ReferenceAttention.forward(expectedAttended, expectedP, qkv, batch, time, dim, heads, causal);
    float[] expectedGrad = new float[rows * 3 * dim];
    ReferenceAttention.backward(expectedGrad, dAttended, qkv, batch, time, dim, heads, causal);

    Map<String, float[][]> results = new LinkedHashMap<>();
    for (Map.Entry<String, Kernels> e : implementations().entrySet()) {
      Kernels k = e.getValue();
      String name = e.getKey();
      float[] attended = AttentionKernelsTest.random(rng, rows * dim + 1, 1f); // stale contents
      float last = attended[rows * dim];
      float[] p = AttentionKernelsTest.random(rng, batch * heads * time * time + 1, 1f);
      float lastP = p[batch * heads * time * time];
      float[] qkvCopy = qkv.clone();
      k.attentionForward(attended, p, qkv, batch, time, dim, heads, causal);
      assertClose(expectedP, p, expectedP.length, name + " P");
      assertClose(expectedAttended, attended, expectedAttended.length, name + " attended");
      assertEquals(last, attended[rows * dim], name + " past the output");
      assertEquals(lastP, p[batch * heads * time * time], name + " past the probabilities");
      assertArrayEquals(qkvCopy, qkv, name + " qkv not modified");
      if (causal) {
        for (int bh = 0; bh < batch * heads; bh++) {
          for (int t = 0; t < time; t++) {
            for (int s = t + 1; s < time; s++) {
              assertEquals(0f, p[(bh * time + t) * time + s], 0f, name + " masked probability is exactly 0");
            }
          }
        }
      }
      float[] dQkv = AttentionKernelsTest.random(rng, rows * 3 * dim + 1, 1f); // stale contents
      float lastGrad = dQkv[rows * 3 * dim];
      float[] pCopy = p.clone();
      float[] dACopy = dAttended.clone();
      k.attentionBackward(dQkv, dAttended, p, qkv, batch, time, dim, heads, causal,
          new float[AttentionKernels.scratchSize(time)]);
      assertClose(expectedGrad, dQkv, expectedGrad.length, name + " dQkv");
      assertEquals(lastGrad, dQkv[rows * 3 * dim], name + " past the gradient");
      assertArrayEquals(pCopy, p, name + " probabilities not modified");
      assertArrayEquals(dACopy, dAttended, name + " dAttended not modified");
      results.put(name, new float[][] {java.util.Arrays.copyOf(attended, rows * dim),
          java.util.Arrays.copyOf(p, expectedP.length), java.util.Arrays.copyOf(dQkv, expectedGrad.length)});
    }
    for (String kind : new String[] {"portable", "best"}) {
      float[][] one = results.get(kind + "1");
      float[][] two = results.get(kind + "2");
      for (int i = 0; i < 3; i++) {
        assertArrayEquals(one[i], two[i], kind + ": 2 threads give other bits than 1 (output " + i + ")");
      }
    }
  }

  static double exact(Activation act, double x, float slope) {
    switch (act) {
      case IDENTITY:
        return x;
      case RELU:
        return Math.max(x, 0);
      case LEAKY_RELU:
        return x > 0 ? x : slope * x;
      case SIGMOID:
        return 1 / (1 + Math.exp(-x));
      case TANH:
        return Math.tanh(x);
      case GELU:
        return x * ActivationFunctions.phi(x);
      case SILU:
        return x / (1 + Math.exp(-x));
      default:
        throw new AssertionError(act);
    }
  }

  static double exactDerivative(Activation act, double x, float slope) {
    switch (act) {
      case IDENTITY:
        return 1;
      case RELU:
        return x > 0 ? 1 : 0;
      case LEAKY_RELU:
        return x > 0 ? 1 : slope;
      case SIGMOID: {
        double s = 1 / (1 + Math.exp(-x));
        return s * (1 - s);
      }
      case TANH: {
        double t = Math.tanh(x);
        return 1 - t * t;
      }
      case GELU:
        return ActivationFunctions.geluDerivative(x);
      case SILU: {
        double s = 1 / (1 + Math.exp(-x));
        return s * (1 + x * (1 - s));
      }
      default:
        throw new AssertionError(act);
    }
  }

  @Test
  void activationsMatchTheDefinitionsAndThreadsAgree() {
    for (int n : new int[] {1, 17, 1000, 40_000, 100_003}) {
      Rng rng = new Rng(n);
      float[] z = new float[n + 1];
      for (int i = 0; i < n; i++) {
        z[i] = 20 * rng.nextFloat() - 10;
      }
      if (n > 20) {
        float[] special = {0f, -0f, 1e-30f, -1e-30f, 13.2f, -13.2f, 14f, -14f, 30f, -30f, 100f, -100f, 1e20f,
            -1e20f};
        System.arraycopy(special, 0, z, 3, special.length);
      }
      z[n] = 777f;
      float[] dy = AttentionKernelsTest.random(rng, n + 1, 1f);
      for (Activation act : Activation.values()) {
        if (act == Activation.SOFTMAX) {
          continue;
        }
        float slope = 0.01f;
        Map<String, float[][]> results = new LinkedHashMap<>();
        for (Map.Entry<String, Kernels> e : implementations().entrySet()) {
          String name = e.getKey() + " " + act + " n=" + n;
          float[] out = new float[n + 1];
          out[n] = 555f;
          float[] zCopy = z.clone();
          e.getValue().activate(out, z, n, act, slope);
          assertArrayEquals(zCopy, z, name + " z unchanged");
          assertEquals(555f, out[n], 0f, name + " past the output");
          float[] grad = dy.clone();
          e.getValue().multiplyDerivativeAtInput(grad, z, n, act, slope);
          assertEquals(dy[n], grad[n], 0f, name + " past the gradient");
          for (int i = 0; i < n; i++) {
            double x = z[i];
            double tolerance = 3e-7 * Math.max(1, Math.abs(x));
            assertEquals(exact(act, x, slope), out[i], tolerance, name + " at x = " + x);
            assertEquals(dy[i] * exactDerivative(act, x, slope), grad[i], tolerance, name + " ' at x = " + x);
          }
          // In place.
          float[] inPlace = z.clone();
          e.getValue().activate(inPlace, inPlace, n, act, slope);
          assertArrayEquals(java.util.Arrays.copyOf(out, n), java.util.Arrays.copyOf(inPlace, n), name + " in place");
          results.put(e.getKey(), new float[][] {out, grad});
        }
        for (String kind : new String[] {"portable", "best"}) {
          assertArrayEquals(results.get(kind + "1")[0], results.get(kind + "2")[0], kind + " " + act + " n=" + n);
          assertArrayEquals(results.get(kind + "1")[1], results.get(kind + "2")[1], kind + " " + act + "' n=" + n);
        }
      }
    }
  }

  @Test
  void softmaxIsNotElementWise() {
    for (Map.Entry<String, Kernels> e : implementations().entrySet()) {
      assertThrows(IllegalArgumentException.class,
          () -> e.getValue().activate(new float[4], new float[4], 4, Activation.SOFTMAX, 0f), e.getKey());
      assertThrows(IllegalArgumentException.class,
          () -> e.getValue().multiplyDerivativeAtInput(new float[4], new float[4], 4, Activation.SOFTMAX, 0f),
          e.getKey());
    }
  }

  @Test
  void portableKernelsAllocateNothingPerCallAfterWarmUp() {
    java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
    if (!(mx instanceof com.sun.management.ThreadMXBean)) {
      return;
    }
    com.sun.management.ThreadMXBean bean = (com.sun.management.ThreadMXBean) mx;
    int batch = 4, time = 64, heads = 4, dh = 32, dim = heads * dh, n = 4 * 64 * 512;
    Rng rng = new Rng(3);
    float[] qkv = AttentionKernelsTest.random(rng, batch * time * 3 * dim, 1f);
    float[] dA = AttentionKernelsTest.random(rng, batch * time * dim, 1f);
    float[] attended = new float[batch * time * dim];
    float[] p = new float[batch * heads * time * time];
    float[] dQkv = new float[qkv.length];
    float[] scratch = new float[AttentionKernels.scratchSize(time)];
    float[] z = AttentionKernelsTest.random(rng, n, 5f);
    float[] y = new float[n];
    for (int threads = 1; threads <= 2; threads++) {
      Kernels k = Kernels.portable(threads);
      long allocated = 0;
      for (int round = 0; round < 4; round++) {
        long before = bean.getThreadAllocatedBytes(Thread.currentThread().getId());
        k.attentionForward(attended, p, qkv, batch, time, dim, heads, true);
        k.attentionBackward(dQkv, dA, p, qkv, batch, time, dim, heads, true, scratch);
        k.activate(y, z, n, Activation.GELU, 0f);
        k.multiplyDerivativeAtInput(y, z, n, Activation.GELU, 0f);
        allocated = bean.getThreadAllocatedBytes(Thread.currentThread().getId()) - before;
      }
      assertTrue(allocated == 0, threads + " threads: " + allocated + " bytes allocated per call after warm-up");
    }
  }
}
