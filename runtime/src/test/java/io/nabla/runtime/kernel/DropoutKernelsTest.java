package io.nabla.runtime.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nabla.runtime.Rng;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link DropoutKernels}: the mask is reproducible from the seed, drops about {@code rate} of the values, scales
 * the rest by {@code 1/(1 - rate)}, and backward applies the same mask.
 *
 * <p>Tolerances: the dropped fraction over 100,000 values within 0.01 of {@code rate} (about 7 standard deviations
 * at {@code rate = 0.5}); kept values exactly {@code x · (1f/(1f - rate))} in float and within {@code 1e-6}
 * (relative) of {@code x/(1 - rate)} in double; backward exact.
 */
class DropoutKernelsTest {
  private static final int N = 100_000;

  @Test
  void sameSeedSameMask() {
    float[] x = ConvolutionTest.random(new Rng(1), 1000);
    float[] mask1 = new float[1000];
    float[] out1 = new float[1000];
    float[] mask2 = new float[1000];
    float[] out2 = new float[1000];
    DropoutKernels.forward(x, 1000, 0.3f, new Rng(42), mask1, out1);
    DropoutKernels.forward(x, 1000, 0.3f, new Rng(42), mask2, out2);
    assertArrayEquals(mask1, mask2, 0f);
    assertArrayEquals(out1, out2, 0f);
    // Another seed, another mask.
    float[] mask3 = new float[1000];
    DropoutKernels.forward(x, 1000, 0.3f, new Rng(43), mask3, new float[1000]);
    assertFalse(Arrays.equals(mask1, mask3), "a different seed must give a different mask");
    // The stream moves on: the next call on the same generator draws a different mask.
    Rng rng = new Rng(42);
    float[] first = new float[1000];
    float[] second = new float[1000];
    DropoutKernels.forward(x, 1000, 0.3f, rng, first, new float[1000]);
    DropoutKernels.forward(x, 1000, 0.3f, rng, second, new float[1000]);
    assertArrayEquals(mask1, first, 0f);
    assertFalse(Arrays.equals(first, second), "consecutive calls must draw fresh masks");
  }

  @Test
  void rateZeroPassesTheInputThrough() {
    float[] x = ConvolutionTest.random(new Rng(2), N);
    float[] mask = new float[N];
    float[] out = new float[N];
    DropoutKernels.forward(x, N, 0f, new Rng(7), mask, out);
    assertArrayEquals(x, out, 0f);
    for (float m : mask) {
      assertEquals(1f, m, 0f);
    }
  }

  @ParameterizedTest(name = "rate={0}")
  @ValueSource(floats = {0.1f, 0.25f, 0.5f, 0.9f})
  void dropsAboutRateAndScalesTheRest(float rate) {
    Rng data = new Rng(3);
    float[] x = new float[N];
    for (int i = 0; i < N; i++) {
      x[i] = 0.5f + data.nextFloat(); // never 0: a zero output means a dropped value
    }
    float[] mask = new float[N + 1];
    float[] out = new float[N + 1];
    mask[N] = -5f;
    out[N] = -5f;
    DropoutKernels.forward(x, N, rate, new Rng(11), mask, out);
    int dropped = 0;
    float keep = 1f / (1f - rate);
    for (int i = 0; i < N; i++) {
      if (mask[i] == 0f) {
        dropped++;
        assertEquals(0f, out[i], 0f, "dropped value " + i);
      } else {
        assertEquals(keep, mask[i], 0f, "mask value " + i);
        assertEquals(x[i] * keep, out[i], 0f, "kept value " + i);
        double exact = x[i] / (1.0 - rate);
        assertEquals(exact, out[i], 1e-6 * exact, "kept value " + i + " scaled by 1/(1 - rate)");
      }
    }
    assertEquals(rate, dropped / (double) N, 0.01, "fraction dropped");
    assertEquals(-5f, mask[N], 0f, "written past n");
    assertEquals(-5f, out[N], 0f, "written past n");
    // The expectation is preserved: mean(out) ≈ mean(x).
    double meanX = 0;
    double meanOut = 0;
    for (int i = 0; i < N; i++) {
      meanX += x[i];
      meanOut += out[i];
    }
    assertEquals(meanX / N, meanOut / N, 0.05 * meanX / N, "inverted dropout keeps the mean");
  }

  @Test
  void backwardUsesTheMask() {
    int n = 1000;
    Rng rng = new Rng(5);
    float[] x = ConvolutionTest.random(rng, n);
    float[] mask = new float[n];
    DropoutKernels.forward(x, n, 0.4f, new Rng(9), mask, new float[n]);
    float[] dy = ConvolutionTest.random(rng, n);
    float[] dyCopy = dy.clone();
    float[] start = ConvolutionTest.random(rng, n + 1);
    float[] dx = start.clone();
    DropoutKernels.backward(dy, mask, n, dx);
    boolean sawDropped = false;
    boolean sawKept = false;
    for (int i = 0; i < n; i++) {
      assertEquals(start[i] + dy[i] * mask[i], dx[i], 0f, "dx[" + i + "]");
      if (mask[i] == 0f) {
        sawDropped = true;
        assertEquals(start[i], dx[i], 0f, "a dropped value passes no gradient");
      } else {
        sawKept = true;
      }
    }
    assertTrue(sawDropped && sawKept);
    assertEquals(start[n], dx[n], 0f, "written past n");
    assertArrayEquals(dyCopy, dy, 0f, "dy unchanged");
  }

  @Test
  void forwardAndBackwardAgreeAsALinearMap() {
    // For a fixed mask, out = x ⊙ mask is linear: ⟨out, dy⟩ = ⟨x, dx⟩.
    int n = 5000;
    Rng rng = new Rng(6);
    float[] x = ConvolutionTest.random(rng, n);
    float[] mask = new float[n];
    float[] out = new float[n];
    DropoutKernels.forward(x, n, 0.2f, new Rng(8), mask, out);
    float[] dy = ConvolutionTest.random(rng, n);
    float[] dx = new float[n];
    DropoutKernels.backward(dy, mask, n, dx);
    double left = 0;
    double right = 0;
    for (int i = 0; i < n; i++) {
      left += (double) out[i] * dy[i];
      right += (double) x[i] * dx[i];
    }
    assertEquals(left, right, 1e-6 * n);
  }
}
