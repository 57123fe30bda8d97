package io.nabla.runtime.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nabla.runtime.Rng;
import io.nabla.runtime.kernel.RecurrentGeometry.Cell;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The fused recurrent path (one input projection, then each direction's steps in one {@link Kernels} recurrence
 * call, the weight gradients as one product each), driven here as generated code drives it, against
 * {@link ReferenceRecurrent}: every cell, one and two directions, every step or the last, sequence lengths 1 and 5,
 * batch 1 and 3, on the portable (one and two threads) and the reference kernels, with the parameters at scattered
 * offsets.
 *
 * <p>Tolerances: outputs, parameter and input gradients within {@code 2e-5 · max(1, max|expected|)} of the
 * reference (which sums in double); the reference's backward within 2e-3 (norm-relative) of central differences
 * of its forward, in float ({@code h = 1e-2}).
 */
class RecurrentKernelsTest {
  private static final double TOLERANCE = 2e-5;

  static Stream<Arguments> layers() {
    List<Arguments> cases = new ArrayList<Arguments>();
    for (Cell cell : Cell.values()) {
      for (boolean bidirectional : new boolean[] {false, true}) {
        for (boolean sequences : new boolean[] {false, true}) {
          for (int time : new int[] {1, 5}) {
            for (int batch : new int[] {1, 3}) {
              cases.add(Arguments.of(cell, bidirectional, sequences, time, batch));
            }
          }
        }
      }
    }
    return cases.stream();
  }

  /** A layer's parameters at scattered offsets, its input and an output gradient, all random. */
  static final class Layer {
    final RecurrentGeometry g;
    final int[] weightIh;
    final int[] weightHh;
    final int[] biasIh;
    final int[] biasHh;
    final float[] params;
    final float[] x;
    final float[] dy;
    final int batch;

    Layer(Cell cell, boolean bidirectional, boolean sequences, int time, int batch, long seed) {
      this.batch = batch;
      g = new RecurrentGeometry(cell, time, 3, 4, bidirectional, sequences);
      int d = g.directions;
      int rows = g.gateWidth();
      weightIh = new int[d];
      weightHh = new int[d];
      biasIh = new int[d];
      biasHh = new int[d];
      // W_ih of both directions adjacent (one projection), the rest with gaps, as a model's layout may have.
      int offset = 2;
      for (int i = 0; i < d; i++) {
        weightIh[i] = offset;
        offset += rows * g.features;
      }
      for (int i = 0; i < d; i++) {
        weightHh[i] = offset + 1;
        offset = weightHh[i] + rows * g.units;
        biasIh[i] = offset + 3;
        offset = biasIh[i] + rows;
        biasHh[i] = offset;
        offset += rows;
      }
      Rng rng = new Rng(seed);
      params = random(rng, offset + 2, 0.8f);
      x = random(rng, batch * time * g.features, 1f);
      dy = random(rng, batch * outputSize(), 1f);
    }

    int outputSize() {
      return g.returnSequences ? g.time * g.outputWidth() : g.outputWidth();
    }
  }

  static float[] random(Rng rng, int n, float scale) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = scale * (2 * rng.nextFloat() - 1);
    }
    return v;
  }

  /** The generated code's steps, on {@code kernels}, with buffers sized for {@code maxBatch}. */
  static final class Fused {
    final Layer l;
    final Kernels kernels;
    final float[] projection;
    final float[] recurrent;
    final float[] gates;
    final float[] hidden;
    final float[] cells;
    final float[] cellTanh;
    final float[] stateGrad;
    final float[] out;

    Fused(Layer l, Kernels kernels, int maxBatch) {
      this.l = l;
      this.kernels = kernels;
      RecurrentGeometry g = l.g;
      int d = g.directions;
      projection = new float[maxBatch * g.time * d * g.gateWidth()];
      recurrent = new float[maxBatch * g.gateWidth()];
      gates = new float[d * g.time * maxBatch * g.gateWidth()];
      hidden = new float[d * g.time * maxBatch * g.units];
      cells = new float[d * g.time * maxBatch * g.units];
      cellTanh = new float[d * g.time * maxBatch * g.units];
      stateGrad = new float[2 * maxBatch * g.units];
      out = new float[maxBatch * l.outputSize()];
    }

    float[] forward() {
      RecurrentGeometry g = l.g;
      int batch = l.batch;
      int gw = g.gateWidth();
      kernels.matmulNT(projection, 0, l.x, 0, l.params, l.weightIh[0], batch * g.time, g.directions * gw,
          g.features, false);
      for (int d = 0; d < g.directions; d++) {
        switch (g.cell) {
          case SIMPLE_RNN:
            kernels.simpleRnnRecurrenceForward(g, d, batch, projection, recurrent, l.params, l.weightHh[d],
                l.biasIh[d], l.biasHh[d], hidden, out);
            break;
          case GRU:
            kernels.gruRecurrenceForward(g, d, batch, projection, recurrent, l.params, l.weightHh[d], l.biasIh[d],
                l.biasHh[d], gates, cells, hidden, out);
            break;
          default:
            kernels.lstmRecurrenceForward(g, d, batch, projection, recurrent, l.params, l.weightHh[d], l.biasIh[d],
                l.biasHh[d], gates, cells, cellTanh, hidden, out);
        }
      }
      return Arrays.copyOf(out, batch * l.outputSize());
    }

    /** Adds into {@code grads} and {@code dx}, as generated backward does. */
    void backward(float[] dy, float[] grads, float[] dx) {
      RecurrentGeometry g = l.g;
      int batch = l.batch;
      int gw = g.gateWidth();
      for (int d = 0; d < g.directions; d++) {
        switch (g.cell) {
          case SIMPLE_RNN:
            kernels.simpleRnnRecurrenceBackward(g, d, batch, dy, hidden, stateGrad, projection, gates, l.params,
                l.weightHh[d], grads, l.biasIh[d], l.biasHh[d]);
            break;
          case GRU:
            kernels.gruRecurrenceBackward(g, d, batch, dy, gates, cells, hidden, stateGrad, projection, l.params,
                l.weightHh[d], grads, l.biasIh[d], l.biasHh[d]);
            break;
          default:
            kernels.lstmRecurrenceBackward(g, d, batch, dy, gates, cells, cellTanh, stateGrad, projection, l.params,
                l.weightHh[d], grads, l.biasIh[d], l.biasHh[d]);
        }
        if (g.time > 1) {
          kernels.matmulTN(grads, l.weightHh[d], gates, g.gateOffset(batch, d, 1), hidden,
              g.stateOffset(batch, d, 0), gw, g.units, (g.time - 1) * batch, true);
        }
      }
      kernels.matmulTN(grads, l.weightIh[0], projection, 0, l.x, 0, g.directions * gw, g.features,
          batch * g.time, true);
      kernels.matmulNN(dx, 0, projection, 0, l.params, l.weightIh[0], batch * g.time, g.features,
          g.directions * gw, true);
    }
  }

  @ParameterizedTest(name = "{0} bidirectional={1} sequences={2} T={3} B={4}")
  @MethodSource("layers")
  void fusedEqualsReference(Cell cell, boolean bidirectional, boolean sequences, int time, int batch) {
    Layer l = new Layer(cell, bidirectional, sequences, time, batch, 17 + time * 31 + batch);
    float[] expected = new float[batch * l.outputSize()];
    ReferenceRecurrent.forward(l.g, l.x, batch, l.params, l.weightIh, l.weightHh, l.biasIh, l.biasHh, expected);
    float[] gradsExpected = new float[l.params.length];
    float[] dxExpected = new float[l.x.length];
    Arrays.fill(gradsExpected, 0.25f);
    Arrays.fill(dxExpected, -0.5f);
    ReferenceRecurrent.backward(l.g, l.x, batch, l.params, l.weightIh, l.weightHh, l.biasIh, l.biasHh, l.dy,
        gradsExpected, dxExpected);
    for (Kernels kernels : new Kernels[] {Kernels.portable(), Kernels.portable(2), new ReferenceKernels()}) {
      // Buffers for more samples than the batch, as a model with maxBatch > batch has.
      Fused fused = new Fused(l, kernels, batch + 2);
      String what = l.g + ", batch " + batch + ", " + kernels.getClass().getSimpleName();
      assertClose(expected, fused.forward(), what + ": output");
      float[] grads = new float[l.params.length];
      float[] dx = new float[l.x.length];
      Arrays.fill(grads, 0.25f);
      Arrays.fill(dx, -0.5f);
      fused.backward(l.dy.clone(), grads, dx);
      assertClose(gradsExpected, grads, what + ": parameter gradients (accumulated)");
      assertClose(dxExpected, dx, what + ": input gradient (accumulated)");
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cells")
  void referenceBackwardMatchesFiniteDifferences(Cell cell) {
    for (boolean bidirectional : new boolean[] {false, true}) {
      Layer l = new Layer(cell, bidirectional, !bidirectional, 4, 2, 5);
      float[] grads = new float[l.params.length];
      float[] dx = new float[l.x.length];
      ReferenceRecurrent.backward(l.g, l.x, l.batch, l.params, l.weightIh, l.weightHh, l.biasIh, l.biasHh, l.dy,
          grads, dx);
      float[] numeric = new float[l.params.length];
      float h = 1e-2f;
      for (int i = 0; i < l.params.length; i++) {
        float saved = l.params[i];
        l.params[i] = saved + h;
        double plus = objective(l);
        l.params[i] = saved - h;
        double minus = objective(l);
        l.params[i] = saved;
        numeric[i] = (float) ((plus - minus) / (2 * h));
      }
      float[] numericDx = new float[l.x.length];
      for (int i = 0; i < l.x.length; i++) {
        float saved = l.x[i];
        l.x[i] = saved + h;
        double plus = objective(l);
        l.x[i] = saved - h;
        double minus = objective(l);
        l.x[i] = saved;
        numericDx[i] = (float) ((plus - minus) / (2 * h));
      }
      assertTrue(relative(grads, numeric) < 2e-3, cell + ": parameters " + relative(grads, numeric));
      assertTrue(relative(dx, numericDx) < 2e-3, cell + ": input " + relative(dx, numericDx));
    }
  }

  static Stream<Cell> cells() {
    return Stream.of(Cell.values());
  }

  /** {@code Σ y ⊙ dy}, whose gradient is the backward of {@code dy}. */
  private static double objective(Layer l) {
    float[] y = new float[l.batch * l.outputSize()];
    ReferenceRecurrent.forward(l.g, l.x, l.batch, l.params, l.weightIh, l.weightHh, l.biasIh, l.biasHh, y);
    double sum = 0;
    for (int i = 0; i < y.length; i++) {
      sum += (double) y[i] * l.dy[i];
    }
    return sum;
  }

  @Test
  void geometryPlacesBothDirectionsAndOnlyTheLastStepWithoutSequences() {
    RecurrentGeometry g = new RecurrentGeometry(Cell.GRU, 4, 2, 3, true, false);
    assertEquals(9, g.gateWidth());
    assertEquals(6, g.outputWidth());
    assertEquals(3, g.timeOf(1, 0));
    assertEquals(0, g.timeOf(0, 0));
    // Sample 1, reverse direction, step 0 reads time 3: row 1·4 + 3, second half.
    assertEquals((7 * 2 + 1) * 9, g.projectionOffset(1, 1, 0));
    assertEquals(-1, g.outputOffset(1, 0, 2));
    assertEquals(6 + 3, g.outputOffset(1, 1, 3));
    assertEquals((4 + 2) * 5 * 3, g.stateOffset(5, 1, 2));
    RecurrentGeometry seq = new RecurrentGeometry(Cell.LSTM, 4, 2, 3, true, true);
    assertEquals((1 * 4 + 3) * 6 + 3, seq.outputOffset(1, 1, 0));
    assertThrows(IllegalArgumentException.class, () -> new RecurrentGeometry(Cell.LSTM, 0, 2, 3, false, true));
    RecurrentGeometry large = new RecurrentGeometry(Cell.LSTM, 1000, 2, 1000, true, true);
    large.checkCapacity("lstm", 200);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> large.checkCapacity("lstm", 300));
    assertEquals("maxBatch 300 × 8000000 values of the per-step buffers of layer 'lstm' do not fit a Java array; use"
        + " a smaller maxBatch", e.getMessage());
  }

  @Test
  void tanhMatchesMathTanh() {
    for (float x = -12f; x <= 12f; x += 0.001f) {
      float expected = (float) Math.tanh(x);
      assertEquals(expected, RecurrentKernels.tanh(x), 2 * Math.ulp(expected), "tanh(" + x + ")");
    }
    assertEquals(1e-20f, RecurrentKernels.tanh(1e-20f));
    assertEquals(-1f, RecurrentKernels.tanh(-100f));
  }

  private static double relative(float[] actual, float[] expected) {
    double diff = 0;
    double norm = 0;
    for (int i = 0; i < expected.length; i++) {
      diff += ((double) actual[i] - expected[i]) * ((double) actual[i] - expected[i]);
      norm += (double) expected[i] * expected[i];
    }
    return Math.sqrt(diff) / Math.max(Math.sqrt(norm), 1e-12);
  }

  private static void assertClose(float[] expected, float[] actual, String what) {
    assertEquals(expected.length, actual.length, what + ": length");
    float max = 1f;
    for (float v : expected) {
      max = Math.max(max, Math.abs(v));
    }
    for (int i = 0; i < expected.length; i++) {
      if (!(Math.abs(expected[i] - actual[i]) <= TOLERANCE * max)) {
        throw new AssertionError(what + ": index " + i + " is " + actual[i] + ", expected " + expected[i]);
      }
    }
  }
}
