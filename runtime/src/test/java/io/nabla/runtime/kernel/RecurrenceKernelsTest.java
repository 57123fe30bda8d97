package io.nabla.runtime.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
 * The recurrences of {@link Kernels} ({@code simpleRnnRecurrenceForward} … {@code lstmRecurrenceBackward}) give the
 * bits of the steps they stand for, the static {@link RecurrentKernels} methods and the recurrent products of the
 * same kernels on one thread: {@link ReferenceKernels} (the defaults), {@link PortableKernels} and
 * {@link Kernels#best} on 1, 2 and 3 threads (the Vector API kernels in the runtime pom's {@code vector-kernels}
 * run on the jar, portable on {@code target/classes}). Every cell, one and two directions, every step or the last;
 * recurrences too small to split, and split ones: batches that are and are not multiples of the chunk of samples,
 * one with a last part of one sample (whose product rows must still sum as the whole product's), unit counts that are
 * and are not multiples of the vector tiles. Every buffer is compared whole after a forward and a backward, from
 * stale random contents, with the bias gradients accumulating into random values, and called twice (the second
 * forward and backward on the first's results, with new recurrent weights), so that stale kept state (packed
 * weights) would show.
 */
class RecurrenceKernelsTest {
  static Stream<Arguments> shapes() {
    int[][] unitsAndBatch = {{1, 1}, {5, 3}, {6, 4}, {128, 9}, {16, 200}, {33, 70}, {40, 64}, {128, 64},
        {130, 20}, {200, 17}};
    List<Arguments> cases = new ArrayList<>();
    for (Cell cell : Cell.values()) {
      for (int[] ub : unitsAndBatch) {
        cases.add(Arguments.of(cell, ub[0], ub[1], 5, false, false));
        cases.add(Arguments.of(cell, ub[0], ub[1], 5, true, true));
      }
      cases.add(Arguments.of(cell, 128, 64, 5, false, true));
      cases.add(Arguments.of(cell, 128, 64, 1, true, false));
      cases.add(Arguments.of(cell, 40, 64, 2, false, false));
    }
    return cases.stream();
  }

  /** Every buffer a layer's recurrences read or write, for a batch of {@code batch} in buffers for one more. */
  static final class Buffers {
    final float[] projection;
    final float[] recurrent;
    final float[] params;
    final float[] gates;
    final float[] cache;
    final float[] cellTanh;
    final float[] hidden;
    final float[] out;
    final float[] dy;
    final float[] stateGrad;
    final float[] grads;

    Buffers(RecurrentGeometry g, int batch, long seed) {
      Rng rng = new Rng(seed);
      int maxBatch = batch + 1;
      int d = g.directions;
      int gw = g.gateWidth();
      int outputs = maxBatch * (g.returnSequences ? g.time * g.outputWidth() : g.outputWidth());
      projection = random(rng, maxBatch * g.time * d * gw);
      recurrent = random(rng, maxBatch * gw);
      params = random(rng, parameterCount(g));
      gates = random(rng, d * g.time * maxBatch * gw);
      cache = random(rng, d * g.time * maxBatch * g.units);
      cellTanh = random(rng, d * g.time * maxBatch * g.units);
      hidden = random(rng, d * g.time * maxBatch * g.units);
      out = random(rng, outputs);
      dy = random(rng, outputs);
      stateGrad = random(rng, 2 * maxBatch * g.units);
      grads = random(rng, parameterCount(g));
    }

    Buffers(Buffers b) {
      projection = b.projection.clone();
      recurrent = b.recurrent.clone();
      params = b.params.clone();
      gates = b.gates.clone();
      cache = b.cache.clone();
      cellTanh = b.cellTanh.clone();
      hidden = b.hidden.clone();
      out = b.out.clone();
      dy = b.dy.clone();
      stateGrad = b.stateGrad.clone();
      grads = b.grads.clone();
    }

    float[][] all() {
      return new float[][] {projection, recurrent, params, gates, cache, cellTanh, hidden, out, dy, stateGrad,
          grads};
    }
  }

  static final String[] NAMES = {"projection", "recurrent", "params", "gates", "newRecurrent/cells", "cellTanh",
      "hidden", "out", "dy", "stateGrad", "grads"};

  static float[] random(Rng rng, int n) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = 2 * rng.nextFloat() - 1;
    }
    return v;
  }

  /** Per direction: W_hh (G·H, H), b_ih, b_hh; after 3 floats of other parameters. */
  static int parameterCount(RecurrentGeometry g) {
    return 3 + g.directions * (g.gateWidth() * g.units + 2 * g.gateWidth()) + 2;
  }

  static int weightHh(RecurrentGeometry g, int d) {
    return 3 + d * (g.gateWidth() * g.units + 2 * g.gateWidth());
  }

  static int biasIh(RecurrentGeometry g, int d) {
    return weightHh(g, d) + g.gateWidth() * g.units;
  }

  static int biasHh(RecurrentGeometry g, int d) {
    return biasIh(g, d) + g.gateWidth();
  }

  /** The weights scaled down, so that states stay away from saturation over the steps. */
  static void scaleWeights(RecurrentGeometry g, Buffers x) {
    float scale = (float) (1 / Math.sqrt(g.units));
    for (int d = 0; d < g.directions; d++) {
      for (int i = weightHh(g, d); i < biasIh(g, d); i++) {
        x.params[i] *= scale;
      }
    }
  }

  /** New recurrent weights, as an optimizer step makes between two passes. */
  static void perturbWeights(RecurrentGeometry g, Buffers x) {
    for (int d = 0; d < g.directions; d++) {
      for (int i = weightHh(g, d); i < biasIh(g, d); i++) {
        x.params[i] = 0.9f * x.params[i] + 0.01f;
      }
    }
  }

  /** Forward then backward of every direction through {@code k}'s recurrences. */
  static void recurrences(Kernels k, RecurrentGeometry g, int batch, Buffers x) {
    for (int d = 0; d < g.directions; d++) {
      int w = weightHh(g, d);
      int ih = biasIh(g, d);
      int hh = biasHh(g, d);
      switch (g.cell) {
        case SIMPLE_RNN:
          k.simpleRnnRecurrenceForward(g, d, batch, x.projection, x.recurrent, x.params, w, ih, hh, x.hidden, x.out);
          break;
        case GRU:
          k.gruRecurrenceForward(g, d, batch, x.projection, x.recurrent, x.params, w, ih, hh, x.gates, x.cache,
              x.hidden, x.out);
          break;
        default:
          k.lstmRecurrenceForward(g, d, batch, x.projection, x.recurrent, x.params, w, ih, hh, x.gates, x.cache,
              x.cellTanh, x.hidden, x.out);
      }
    }
    for (int d = 0; d < g.directions; d++) {
      int w = weightHh(g, d);
      int ih = biasIh(g, d);
      int hh = biasHh(g, d);
      switch (g.cell) {
        case SIMPLE_RNN:
          k.simpleRnnRecurrenceBackward(g, d, batch, x.dy, x.hidden, x.stateGrad, x.projection, x.gates, x.params, w,
              x.grads, ih, hh);
          break;
        case GRU:
          k.gruRecurrenceBackward(g, d, batch, x.dy, x.gates, x.cache, x.hidden, x.stateGrad, x.projection, x.params,
              w, x.grads, ih, hh);
          break;
        default:
          k.lstmRecurrenceBackward(g, d, batch, x.dy, x.gates, x.cache, x.cellTanh, x.stateGrad, x.projection,
              x.params, w, x.grads, ih, hh);
      }
    }
  }

  /**
   * The same steps spelled out: {@code products}' matmuls and the static {@link RecurrentKernels} methods, the forward
   * ones with {@code products}' gate functions (the Vector API kernels' float ones, else the exact ones).
   */
  static void steps(Kernels products, RecurrentGeometry g, int batch, Buffers x) {
    int gw = g.gateWidth();
    final GateFunctions gates = products instanceof SplittingKernels ? ((SplittingKernels) products).gateFunctions()
        : GateFunctions.EXACT;
    // Only the gate functions come from the kernels: the rows are the scalar loops, so the kernels' vector rows are
    // checked against them.
    GateFunctions f = new GateFunctions() {
      @Override
      void sigmoid(float[] v, int from, int to) {
        gates.sigmoid(v, from, to);
      }

      @Override
      void tanh(float[] v, int from, int to) {
        gates.tanh(v, from, to);
      }
    };
    for (int d = 0; d < g.directions; d++) {
      int w = weightHh(g, d);
      int ih = biasIh(g, d);
      int hh = biasHh(g, d);
      for (int step = 0; step < g.time; step++) {
        if (step > 0) {
          products.matmulNT(x.recurrent, 0, x.hidden, g.stateOffset(batch, d, step - 1), x.params, w, batch, gw,
              g.units, false);
        }
        switch (g.cell) {
          case SIMPLE_RNN:
            RecurrentKernels.simpleRnnForwardSamples(g, d, step, batch, x.projection, x.recurrent, x.params, ih, hh,
                x.hidden, x.out, 0, batch, f);
            break;
          case GRU:
            RecurrentKernels.gruForwardSamples(g, d, step, batch, x.projection, x.recurrent, x.params, ih, hh, x.gates,
                x.cache, x.hidden, x.out, 0, batch, f);
            break;
          default:
            RecurrentKernels.lstmForwardSamples(g, d, step, batch, x.projection, x.recurrent, x.params, ih, hh,
                x.gates, x.cache, x.cellTanh, x.hidden, x.out, 0, batch, f);
        }
      }
    }
    for (int d = 0; d < g.directions; d++) {
      int w = weightHh(g, d);
      int ih = biasIh(g, d);
      int hh = biasHh(g, d);
      Arrays.fill(x.stateGrad, 0, (g.cell == Cell.LSTM ? 2 : 1) * batch * g.units, 0f);
      for (int step = g.time - 1; step >= 0; step--) {
        switch (g.cell) {
          case SIMPLE_RNN:
            RecurrentKernels.simpleRnnBackward(g, d, step, batch, x.dy, x.hidden, x.stateGrad, x.projection, x.gates,
                x.grads, ih, hh);
            break;
          case GRU:
            RecurrentKernels.gruBackward(g, d, step, batch, x.dy, x.gates, x.cache, x.hidden, x.stateGrad,
                x.projection, x.grads, ih, hh);
            break;
          default:
            RecurrentKernels.lstmBackward(g, d, step, batch, x.dy, x.gates, x.cache, x.cellTanh, x.stateGrad,
                x.projection, x.grads, ih, hh);
        }
        if (step > 0) {
          products.matmulNN(x.stateGrad, 0, x.gates, g.gateOffset(batch, d, step), x.params, w, batch, g.units, gw,
              true);
        }
      }
    }
  }

  @ParameterizedTest(name = "{0} H={1} B={2} T={3} bidirectional={4} sequences={5}")
  @MethodSource("shapes")
  void everyImplementationAndThreadCountGivesTheBitsOfTheSteps(Cell cell, int units, int batch, int time,
      boolean bidirectional, boolean sequences) {
    RecurrentGeometry g = new RecurrentGeometry(cell, time, 2, units, bidirectional, sequences);
    Buffers start = new Buffers(g, batch, cell.ordinal() * 1000L + units * 7L + batch);
    scaleWeights(g, start);
    for (String family : new String[] {"reference", "portable", "best"}) {
      Kernels one = family.equals("reference") ? new ReferenceKernels()
          : family.equals("portable") ? Kernels.portable(1) : Kernels.best(1);
      Buffers expected = new Buffers(start);
      steps(one, g, batch, expected);
      perturbWeights(g, expected);
      steps(one, g, batch, expected);
      for (int threads = 1; threads <= (family.equals("reference") ? 1 : 3); threads++) {
        Kernels k = family.equals("reference") ? new ReferenceKernels()
            : family.equals("portable") ? Kernels.portable(threads) : Kernels.best(threads);
        Buffers actual = new Buffers(start);
        recurrences(k, g, batch, actual);
        perturbWeights(g, actual);
        recurrences(k, g, batch, actual);
        float[][] want = expected.all();
        float[][] got = actual.all();
        for (int i = 0; i < want.length; i++) {
          assertArrayEquals(want[i], got[i], k + ", " + g + ", batch " + batch + ": " + NAMES[i]);
        }
      }
    }
  }

  @Test
  void theTestedShapesIncludeSplitOnes() {
    assertEquals(8, RecurrentKernels.BIAS_CHUNK);
    // Split over threads: at least two chunks of samples and THRESHOLD values of gate pre-activations.
    assertTrue(64 * 3 * 128 * 5 >= RecurrentWork.THRESHOLD && 9 * 3 * 128 * 5 >= RecurrentWork.THRESHOLD);
    assertTrue(20 * 3 * 130 * 5 >= RecurrentWork.THRESHOLD && 17 * 200 * 5 >= RecurrentWork.THRESHOLD);
    assertTrue(200 * 4 * 16 * 5 >= RecurrentWork.THRESHOLD && 70 * 4 * 33 * 5 >= RecurrentWork.THRESHOLD);
    // Not split: one chunk, or too little work.
    assertFalse(4 * 4 * 6 * 5 >= RecurrentWork.THRESHOLD);
  }

  @Test
  void recurrencesAllocateNothingAfterWarmUp() {
    RecurrentGeometry g = new RecurrentGeometry(Cell.GRU, 6, 2, 128, false, false);
    java.lang.management.ThreadMXBean bean = java.lang.management.ManagementFactory.getThreadMXBean();
    com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) bean;
    for (int threads = 1; threads <= 2; threads++) {
      Kernels k = Kernels.portable(threads);
      Buffers x = new Buffers(g, 64, 3);
      scaleWeights(g, x);
      long allocated = 0;
      for (int round = 0; round < 40; round++) {
        long before = mx.getThreadAllocatedBytes(Thread.currentThread().getId());
        recurrences(k, g, 64, x);
        allocated = mx.getThreadAllocatedBytes(Thread.currentThread().getId()) - before;
      }
      assertEquals(0, allocated, threads + " threads: bytes allocated by a forward and a backward after warm-up");
    }
  }
}
