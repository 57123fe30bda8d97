package io.nabla.runtime.kernel;

import org.jspecify.annotations.Nullable;

/**
 * The elementwise halves of recurrent layers, one step at a time; the matrix products around them run on
 * {@link Kernels}. A generated layer runs, per direction (buffers and letters as in {@link RecurrentGeometry}):
 *
 * <pre>
 * forward:   projection = x · W_ihᵀ                       one product over all B·T rows, every gate and direction
 *            for each step s:
 *              recurrent = h_{s-1} · W_hhᵀ                 one (B, H)·(H, G·H) product for every gate (s &gt; 0)
 *              xxxForward(s)                               biases, gate nonlinearities and state update, fused
 * backward:  for each step s from the last:
 *              xxxBackward(s)                              dZ of every gate, fused, and the bias gradients
 *              dh = dZ_s · W_hh                            (s &gt; 0)
 *            dW_hh += Σ_{s ≥ 1} dZ_sᵀ · h_{s-1}            one product over (T - 1)·B rows
 *            dW_ih += dZᵀ · x;   dx += dZ · W_ih          one product each over all B·T rows
 * </pre>
 *
 * Forward keeps what backward needs (the gate activations, h, c and tanh(c), or GRU's {@code W_hn·h + b_hn}), so
 * backward recomputes nothing. At step 0 the state is zero, so its recurrent product is skipped and read as zero.
 * {@code stateGrad} carries {@code dLoss/dh} ({@code (B, H)}) and, for the LSTM, {@code dLoss/dc} after it from
 * one backward step to the next; it starts at zero for each direction. Gate layouts and formulas are PyTorch's
 * ({@code nn.RNN} tanh, {@code nn.GRU}, {@code nn.LSTM}), so weights interchange.
 *
 * <p>{@link ReferenceRecurrent} computes the same layers naively, sample by sample; tests compare the two.
 */
public final class RecurrentKernels {
  private RecurrentKernels() {}

  // ---- SimpleRnn ----

  /** {@code h = tanh(projection + b_ih + recurrent + b_hh)}, into {@code hidden} and the output. */
  public static void simpleRnnForward(RecurrentGeometry g, int direction, int step, int batch, float[] projection,
      float[] recurrent, float[] params, int biasIhOff, int biasHhOff, float[] hidden, float[] out) {
    simpleRnnForwardSamples(g, direction, step, batch, projection, recurrent, params, biasIhOff, biasHhOff, hidden,
        out, 0, batch, GateFunctions.EXACT);
  }

  /**
   * {@link #simpleRnnForward} on the samples {@code [from, to)} with the gate functions {@code f}, each value computed
   * by the same code whichever range it is in: the kernels split the samples over their threads.
   */
  static void simpleRnnForwardSamples(RecurrentGeometry g, int direction, int step, int batch, float[] projection,
      float[] recurrent, float[] params, int biasIhOff, int biasHhOff, float[] hidden, float[] out,
      int from, int to, GateFunctions f) {
    int h = g.units;
    int state = g.stateOffset(batch, direction, step);
    for (int b = from; b < to; b++) {
      int p = g.projectionOffset(b, direction, step);
      int r = b * h;
      int s = state + b * h;
      int o = g.outputOffset(b, direction, step);
      for (int j = 0; j < h; j++) {
        float z = projection[p + j] + params[biasIhOff + j] + params[biasHhOff + j];
        if (step > 0) {
          z += recurrent[r + j];
        }
        hidden[s + j] = z;
      }
      f.tanh(hidden, s, s + h);
      if (o >= 0) {
        System.arraycopy(hidden, s, out, o, h);
      }
    }
  }

  /**
   * {@code dh += dy_t}; {@code dZ = dh ⊙ (1 - h²)} into {@code projectionGrad} (batch-major) and {@code gateGrad}
   * (time-major, for the recurrent products); the bias gradients; then {@code dh = 0}, for the caller's
   * {@code dh += dZ · W_hh}.
   */
  public static void simpleRnnBackward(RecurrentGeometry g, int direction, int step, int batch, float[] dy,
      float[] hidden, float[] stateGrad, float[] projectionGrad, float[] gateGrad, float[] grads, int biasIhOff,
      int biasHhOff) {
    simpleRnnBackwardSamples(g, direction, step, batch, dy, hidden, stateGrad, projectionGrad, gateGrad, 0, batch,
        null, 0, 0);
    biasGradients(g, direction, step, batch, projectionGrad, gateGrad, grads, biasIhOff, biasHhOff);
  }

  /**
   * {@link #simpleRnnBackward} but for the bias gradients ({@link #biasGradients}), on the samples
   * {@code [from, to)}, each value computed by the same code as there: the kernels split the samples over their
   * threads.
   */
  static void simpleRnnBackwardSamples(RecurrentGeometry g, int direction, int step, int batch, float[] dy,
      float[] hidden, float[] stateGrad, float[] projectionGrad, float[] gateGrad, int from, int to,
      float @Nullable [] partials, int partialOff, int partialStride) {
    int h = g.units;
    int state = g.stateOffset(batch, direction, step);
    int gates = g.gateOffset(batch, direction, step);
    for (int b = from; b < to; b++) {
      int p = g.projectionOffset(b, direction, step);
      int s = state + b * h;
      int q = gates + b * h;
      int o = g.outputOffset(b, direction, step);
      int pc = partialOff + (b / BIAS_CHUNK) * partialStride;
      for (int j = 0; j < h; j++) {
        float dh = stateGrad[b * h + j] + (o >= 0 ? dy[o + j] : 0f);
        float y = hidden[s + j];
        float dz = dh * (1f - y * y);
        projectionGrad[p + j] = dz;
        gateGrad[q + j] = dz;
        if (partials != null) {
          partials[pc + j] += dz;
        }
        stateGrad[b * h + j] = 0f;
      }
    }
  }

  // ---- GRU ----

  /**
   * {@code r = σ(x_r + b_ir + h_r + b_hr)}, {@code z = σ(x_z + b_iz + h_z + b_hz)}, {@code hn = h_n + b_hn},
   * {@code n = tanh(x_n + b_in + r ⊙ hn)}, {@code h = n + z ⊙ (h_{s-1} - n)}; keeps r, z, n in {@code gates}, hn in
   * {@code newRecurrent} and h in {@code hidden}.
   */
  public static void gruForward(RecurrentGeometry g, int direction, int step, int batch, float[] projection,
      float[] recurrent, float[] params, int biasIhOff, int biasHhOff, float[] gates, float[] newRecurrent,
      float[] hidden, float[] out) {
    gruForwardSamples(g, direction, step, batch, projection, recurrent, params, biasIhOff, biasHhOff, gates,
        newRecurrent, hidden, out, 0, batch, GateFunctions.EXACT);
  }

  /**
   * {@link #gruForward} on the samples {@code [from, to)} with the gate functions {@code f}, each value computed by
   * the same code whichever range it is in: the kernels split the samples over their threads.
   */
  static void gruForwardSamples(RecurrentGeometry g, int direction, int step, int batch, float[] projection,
      float[] recurrent, float[] params, int biasIhOff, int biasHhOff, float[] gates, float[] newRecurrent,
      float[] hidden, float[] out, int from, int to, GateFunctions f) {
    int h = g.units;
    int width = 3 * h;
    int state = g.stateOffset(batch, direction, step);
    int previous = step > 0 ? g.stateOffset(batch, direction, step - 1) : -1;
    int gateBase = g.gateOffset(batch, direction, step);
    boolean first = step == 0;
    for (int b = from; b < to; b++) {
      f.gruForwardRow(h, projection, g.projectionOffset(b, direction, step), recurrent, b * width, first, params,
          biasIhOff, biasHhOff, gates, gateBase + b * width, newRecurrent, state + b * h, hidden,
          first ? -1 : previous + b * h, out, g.outputOffset(b, direction, step));
    }
  }

  /**
   * {@link GateFunctions#gruForwardRow} one unit at a time, with {@code f}'s gate functions: the pre-activations of
   * r and z (projection at {@code p}, recurrent part at {@code r} unless {@code first}) into the gates at {@code q},
   * σ over both; n's recurrent part into {@code newRecurrent} at {@code s}, n's pre-activation, tanh; then the new
   * state into {@code hidden} at {@code s} and, when {@code o ≥ 0}, the output.
   */
  static void gruForwardRow(GateFunctions f, int h, float[] projection, int p, float[] recurrent, int r,
      boolean first, float[] params, int biasIhOff, int biasHhOff, float[] gates, int q, float[] newRecurrent, int s,
      float[] hidden, int prev, float[] out, int o) {
    gruSums(0, h, projection, p, recurrent, r, first, params, biasIhOff, biasHhOff, gates, q, newRecurrent, s);
    f.sigmoid(gates, q, q + 2 * h);
    gruCandidate(0, h, projection, p, params, biasIhOff, gates, q, newRecurrent, s);
    f.tanh(gates, q + 2 * h, q + 3 * h);
    gruState(0, h, first, gates, q, hidden, prev, s, out, o);
  }

  /** {@link #gruForwardRow}'s pre-activations of r and z and n's recurrent part, units {@code [from, h)}. */
  static void gruSums(int from, int h, float[] projection, int p, float[] recurrent, int r, boolean first,
      float[] params, int biasIhOff, int biasHhOff, float[] gates, int q, float[] newRecurrent, int s) {
    for (int j = from; j < h; j++) {
      float xr = projection[p + j] + params[biasIhOff + j] + params[biasHhOff + j];
      float xz = projection[p + h + j] + params[biasIhOff + h + j] + params[biasHhOff + h + j];
      float hn = params[biasHhOff + 2 * h + j];
      if (!first) {
        xr += recurrent[r + j];
        xz += recurrent[r + h + j];
        hn += recurrent[r + 2 * h + j];
      }
      gates[q + j] = xr;
      gates[q + h + j] = xz;
      newRecurrent[s + j] = hn;
    }
  }

  /** {@link #gruForwardRow}'s pre-activation of n, units {@code [from, h)}. */
  static void gruCandidate(int from, int h, float[] projection, int p, float[] params, int biasIhOff, float[] gates,
      int q, float[] newRecurrent, int s) {
    for (int j = from; j < h; j++) {
      gates[q + 2 * h + j] = projection[p + 2 * h + j] + params[biasIhOff + 2 * h + j]
          + gates[q + j] * newRecurrent[s + j];
    }
  }

  /** {@link #gruForwardRow}'s new state, units {@code [from, h)}. */
  static void gruState(int from, int h, boolean first, float[] gates, int q, float[] hidden, int prev, int s,
      float[] out, int o) {
    for (int j = from; j < h; j++) {
      float hPrev = first ? 0f : hidden[prev + j];
      float n = gates[q + 2 * h + j];
      float y = n + gates[q + h + j] * (hPrev - n);
      hidden[s + j] = y;
      if (o >= 0) {
        out[o + j] = y;
      }
    }
  }

  /**
   * From {@code dh = stateGrad + dy_t}: {@code dn = dh ⊙ (1 - z) ⊙ (1 - n²)}, {@code dz = dh ⊙ (h_{s-1} - n) ⊙
   * z(1 - z)}, {@code dr = dn ⊙ hn ⊙ r(1 - r)}. The input pre-activations' gradient {@code (dr, dz, dn)} goes to
   * {@code projectionGrad}, the recurrent ones' {@code (dr, dz, dn ⊙ r)} over {@code gates}; both to their
   * biases; then {@code dh = dh ⊙ z}, the direct path, for the caller's {@code dh += dZ_h · W_hh}.
   */
  public static void gruBackward(RecurrentGeometry g, int direction, int step, int batch, float[] dy,
      float[] gates, float[] newRecurrent, float[] hidden, float[] stateGrad, float[] projectionGrad, float[] grads,
      int biasIhOff, int biasHhOff) {
    gruBackwardSamples(g, direction, step, batch, dy, gates, newRecurrent, hidden, stateGrad, projectionGrad, 0,
        batch, null, 0, 0);
    biasGradients(g, direction, step, batch, projectionGrad, gates, grads, biasIhOff, biasHhOff);
  }

  /**
   * {@link #gruBackward} but for the bias gradients ({@link #biasGradients}), on the samples {@code [from, to)},
   * each value computed by the same code as there: the kernels split the samples over their threads.
   */
  static void gruBackwardSamples(RecurrentGeometry g, int direction, int step, int batch, float[] dy,
      float[] gates, float[] newRecurrent, float[] hidden, float[] stateGrad, float[] projectionGrad, int from,
      int to, float @Nullable [] partials, int partialOff, int partialStride) {
    gruBackwardSamples(g, direction, step, batch, dy, gates, newRecurrent, hidden, stateGrad, projectionGrad, from,
        to, partials, partialOff, partialStride, GateFunctions.EXACT);
  }

  /** {@link #gruBackwardSamples}, each sample's units through {@code f}'s {@link GateFunctions#gruBackwardRow}. */
  static void gruBackwardSamples(RecurrentGeometry g, int direction, int step, int batch, float[] dy,
      float[] gates, float[] newRecurrent, float[] hidden, float[] stateGrad, float[] projectionGrad, int from,
      int to, float @Nullable [] partials, int partialOff, int partialStride, GateFunctions f) {
    int h = g.units;
    int width = 3 * h;
    int state = g.stateOffset(batch, direction, step);
    int previous = step > 0 ? g.stateOffset(batch, direction, step - 1) : -1;
    int gateBase = g.gateOffset(batch, direction, step);
    for (int b = from; b < to; b++) {
      f.gruBackwardRow(h, dy, g.outputOffset(b, direction, step), gates, gateBase + b * width, newRecurrent,
          state + b * h, hidden, previous < 0 ? -1 : previous + b * h, stateGrad, b * h, projectionGrad,
          g.projectionOffset(b, direction, step), partials, partialOff + (b / BIAS_CHUNK) * partialStride);
    }
  }

  /**
   * {@link GateFunctions#gruBackwardRow} one unit at a time, units {@code [from, h)}: {@code dy} from {@code o} (none
   * when {@code o < 0}), the gates {@code (r, z, n)} from {@code q}, the new recurrent part from {@code s}, the
   * previous state from {@code prev} (zero when {@code prev < 0}), the state gradient at {@code sg}, the
   * projection's gradient to {@code p}, the chunk sums (if any) at {@code pc}.
   */
  static void gruBackwardRow(int from, int h, float[] dy, int o, float[] gates, int q, float[] newRecurrent,
      int s, float[] hidden, int prev, float[] stateGrad, int sg, float[] projectionGrad, int p,
      float @Nullable [] partials, int pc) {
    for (int j = from; j < h; j++) {
      float dh = stateGrad[sg + j] + (o >= 0 ? dy[o + j] : 0f);
      float reset = gates[q + j];
      float update = gates[q + h + j];
      float n = gates[q + 2 * h + j];
      float hPrev = prev < 0 ? 0f : hidden[prev + j];
      float dn = dh * (1f - update) * (1f - n * n);
      float dz = dh * (hPrev - n) * update * (1f - update);
      float dr = dn * newRecurrent[s + j] * reset * (1f - reset);
      float dhn = dn * reset;
      projectionGrad[p + j] = dr;
      projectionGrad[p + h + j] = dz;
      projectionGrad[p + 2 * h + j] = dn;
      gates[q + j] = dr;
      gates[q + h + j] = dz;
      gates[q + 2 * h + j] = dhn;
      if (partials != null) {
        partials[pc + j] += dr;
        partials[pc + h + j] += dz;
        partials[pc + 2 * h + j] += dn;
        partials[pc + 3 * h + j] += dhn;
      }
      stateGrad[sg + j] = dh * update;
    }
  }

  // ---- LSTM ----

  /**
   * {@code i, f, g, o = σ, σ, tanh, σ(projection + b_ih + recurrent + b_hh)}, {@code c = f ⊙ c_{s-1} + i ⊙ g},
   * {@code h = o ⊙ tanh(c)}; keeps i, f, g, o in {@code gates}, c in {@code cells}, tanh(c) in {@code cellTanh}
   * and h in {@code hidden}.
   */
  public static void lstmForward(RecurrentGeometry g, int direction, int step, int batch, float[] projection,
      float[] recurrent, float[] params, int biasIhOff, int biasHhOff, float[] gates, float[] cells,
      float[] cellTanh, float[] hidden, float[] out) {
    lstmForwardSamples(g, direction, step, batch, projection, recurrent, params, biasIhOff, biasHhOff, gates, cells,
        cellTanh, hidden, out, 0, batch, GateFunctions.EXACT);
  }

  /**
   * {@link #lstmForward} on the samples {@code [from, to)} with the gate functions {@code f}, each value computed by
   * the same code whichever range it is in: the kernels split the samples over their threads.
   */
  static void lstmForwardSamples(RecurrentGeometry g, int direction, int step, int batch, float[] projection,
      float[] recurrent, float[] params, int biasIhOff, int biasHhOff, float[] gates, float[] cells,
      float[] cellTanh, float[] hidden, float[] out, int from, int to, GateFunctions f) {
    int h = g.units;
    int width = 4 * h;
    int state = g.stateOffset(batch, direction, step);
    int previous = step > 0 ? g.stateOffset(batch, direction, step - 1) : -1;
    int gateBase = g.gateOffset(batch, direction, step);
    boolean first = step == 0;
    for (int b = from; b < to; b++) {
      f.lstmForwardRow(h, projection, g.projectionOffset(b, direction, step), recurrent, b * width, first, params,
          biasIhOff, biasHhOff, gates, gateBase + b * width, cells, cellTanh, state + b * h, hidden,
          first ? -1 : previous + b * h, out, g.outputOffset(b, direction, step));
    }
  }

  /**
   * {@link GateFunctions#lstmForwardRow} one unit at a time, with {@code f}'s gate functions: the pre-activations
   * of i, f, g, o (projection at {@code p}, recurrent part at {@code r} unless {@code first}) into the gates at
   * {@code q}, activated; the cell into {@code cells} and its tanh into {@code cellTanh} at {@code s} (the previous
   * cell at {@code prev}, zero when {@code prev < 0}); the new state into {@code hidden} at {@code s} and, when
   * {@code o ≥ 0}, the output.
   */
  static void lstmForwardRow(GateFunctions f, int h, float[] projection, int p, float[] recurrent, int r,
      boolean first, float[] params, int biasIhOff, int biasHhOff, float[] gates, int q, float[] cells,
      float[] cellTanh, int s, float[] hidden, int prev, float[] out, int o) {
    lstmSums(0, h, projection, p, recurrent, r, first, params, biasIhOff, biasHhOff, gates, q);
    f.sigmoid(gates, q, q + 2 * h);
    f.tanh(gates, q + 2 * h, q + 3 * h);
    f.sigmoid(gates, q + 3 * h, q + 4 * h);
    lstmCell(0, h, first, gates, q, cells, cellTanh, s, prev);
    f.tanh(cellTanh, s, s + h);
    lstmState(0, h, gates, q, cellTanh, hidden, s, out, o);
  }

  /** {@link #lstmForwardRow}'s pre-activations of i, f, g, o, units {@code [from, h)}. */
  static void lstmSums(int from, int h, float[] projection, int p, float[] recurrent, int r, boolean first,
      float[] params, int biasIhOff, int biasHhOff, float[] gates, int q) {
    for (int j = from; j < h; j++) {
      float zi = projection[p + j] + params[biasIhOff + j] + params[biasHhOff + j];
      float zf = projection[p + h + j] + params[biasIhOff + h + j] + params[biasHhOff + h + j];
      float zg = projection[p + 2 * h + j] + params[biasIhOff + 2 * h + j] + params[biasHhOff + 2 * h + j];
      float zo = projection[p + 3 * h + j] + params[biasIhOff + 3 * h + j] + params[biasHhOff + 3 * h + j];
      if (!first) {
        zi += recurrent[r + j];
        zf += recurrent[r + h + j];
        zg += recurrent[r + 2 * h + j];
        zo += recurrent[r + 3 * h + j];
      }
      gates[q + j] = zi;
      gates[q + h + j] = zf;
      gates[q + 2 * h + j] = zg;
      gates[q + 3 * h + j] = zo;
    }
  }

  /** {@link #lstmForwardRow}'s cell into {@code cells} and, before its tanh, {@code cellTanh}; units [from, h). */
  static void lstmCell(int from, int h, boolean first, float[] gates, int q, float[] cells, float[] cellTanh, int s,
      int prev) {
    for (int j = from; j < h; j++) {
      float cPrev = first ? 0f : cells[prev + j];
      float c = gates[q + h + j] * cPrev + gates[q + j] * gates[q + 2 * h + j];
      cells[s + j] = c;
      cellTanh[s + j] = c;
    }
  }

  /** {@link #lstmForwardRow}'s new state, units {@code [from, h)}. */
  static void lstmState(int from, int h, float[] gates, int q, float[] cellTanh, float[] hidden, int s, float[] out,
      int o) {
    for (int j = from; j < h; j++) {
      float y = gates[q + 3 * h + j] * cellTanh[s + j];
      hidden[s + j] = y;
      if (o >= 0) {
        out[o + j] = y;
      }
    }
  }

  /**
   * From {@code dh = stateGrad[h] + dy_t} and {@code dc = stateGrad[c] + dh ⊙ o ⊙ (1 - tanh²(c))}: the gate
   * gradients {@code di = dc ⊙ g ⊙ i(1 - i)}, {@code df = dc ⊙ c_{s-1} ⊙ f(1 - f)}, {@code dg = dc ⊙ i ⊙ (1 - g²)},
   * {@code do = dh ⊙ tanh(c) ⊙ o(1 - o)} into {@code projectionGrad} and over {@code gates}, and to both biases;
   * then {@code dc = dc ⊙ f} and {@code dh = 0}, for the caller's {@code dh += dZ · W_hh}. {@code stateGrad} holds
   * dh in its first {@code B·H} values and dc in the next.
   */
  public static void lstmBackward(RecurrentGeometry g, int direction, int step, int batch, float[] dy,
      float[] gates, float[] cells, float[] cellTanh, float[] stateGrad, float[] projectionGrad, float[] grads,
      int biasIhOff, int biasHhOff) {
    lstmBackwardSamples(g, direction, step, batch, dy, gates, cells, cellTanh, stateGrad, projectionGrad, 0, batch,
        null, 0, 0);
    biasGradients(g, direction, step, batch, projectionGrad, gates, grads, biasIhOff, biasHhOff);
  }

  /**
   * {@link #lstmBackward} but for the bias gradients ({@link #biasGradients}), on the samples {@code [from, to)},
   * each value computed by the same code as there: the kernels split the samples over their threads.
   */
  static void lstmBackwardSamples(RecurrentGeometry g, int direction, int step, int batch, float[] dy,
      float[] gates, float[] cells, float[] cellTanh, float[] stateGrad, float[] projectionGrad, int from, int to,
      float @Nullable [] partials, int partialOff, int partialStride) {
    lstmBackwardSamples(g, direction, step, batch, dy, gates, cells, cellTanh, stateGrad, projectionGrad, from, to,
        partials, partialOff, partialStride, GateFunctions.EXACT);
  }

  /** {@link #lstmBackwardSamples}, each sample's units through {@code f}'s {@link GateFunctions#lstmBackwardRow}. */
  static void lstmBackwardSamples(RecurrentGeometry g, int direction, int step, int batch, float[] dy,
      float[] gates, float[] cells, float[] cellTanh, float[] stateGrad, float[] projectionGrad, int from, int to,
      float @Nullable [] partials, int partialOff, int partialStride, GateFunctions f) {
    int h = g.units;
    int width = 4 * h;
    int cellGrad = batch * h;
    int state = g.stateOffset(batch, direction, step);
    int previous = step > 0 ? g.stateOffset(batch, direction, step - 1) : -1;
    int gateBase = g.gateOffset(batch, direction, step);
    for (int b = from; b < to; b++) {
      f.lstmBackwardRow(h, dy, g.outputOffset(b, direction, step), gates, gateBase + b * width, cells, cellTanh,
          state + b * h, previous < 0 ? -1 : previous + b * h, stateGrad, b * h, cellGrad + b * h, projectionGrad,
          g.projectionOffset(b, direction, step), partials, partialOff + (b / BIAS_CHUNK) * partialStride);
    }
  }

  /**
   * {@link GateFunctions#lstmBackwardRow} one unit at a time, units {@code [from, h)}: {@code dy} from {@code o}
   * (none when {@code o < 0}), the gates {@code (i, f, g, o)} from {@code q}, the cell's tanh at {@code s}, the
   * previous cell at {@code prev} (zero when {@code prev < 0}), dh's and dc's state gradients at {@code sh} and
   * {@code sc}, the projection's gradient to {@code p}, the chunk sums (if any) at {@code pc}.
   */
  static void lstmBackwardRow(int from, int h, float[] dy, int o, float[] gates, int q, float[] cells,
      float[] cellTanh, int s, int prev, float[] stateGrad, int sh, int sc, float[] projectionGrad, int p,
      float @Nullable [] partials, int pc) {
    for (int j = from; j < h; j++) {
      float dh = stateGrad[sh + j] + (o >= 0 ? dy[o + j] : 0f);
      float in = gates[q + j];
      float forget = gates[q + h + j];
      float candidate = gates[q + 2 * h + j];
      float output = gates[q + 3 * h + j];
      float tc = cellTanh[s + j];
      float cPrev = prev < 0 ? 0f : cells[prev + j];
      float dc = stateGrad[sc + j] + dh * output * (1f - tc * tc);
      float di = dc * candidate * in * (1f - in);
      float df = dc * cPrev * forget * (1f - forget);
      float dg = dc * in * (1f - candidate * candidate);
      float dout = dh * tc * output * (1f - output);
      projectionGrad[p + j] = di;
      projectionGrad[p + h + j] = df;
      projectionGrad[p + 2 * h + j] = dg;
      projectionGrad[p + 3 * h + j] = dout;
      gates[q + j] = di;
      gates[q + h + j] = df;
      gates[q + 2 * h + j] = dg;
      gates[q + 3 * h + j] = dout;
      if (partials != null) {
        partials[pc + j] += di;
        partials[pc + h + j] += df;
        partials[pc + 2 * h + j] += dg;
        partials[pc + 3 * h + j] += dout;
      }
      stateGrad[sh + j] = 0f;
      stateGrad[sc + j] = dc * forget;
    }
  }

  /**
   * Bias gradients sum the samples in chunks of this many, each chunk from zero in sample order, then add the chunk
   * sums into the gradient in chunk order: a fixed order, whatever the number of threads, in which each thread sums
   * the chunks of its own samples.
   */
  static final int BIAS_CHUNK = 8;

  /**
   * The bias gradients of a backward step from the gradients it has stored: {@code grads[biasIhOff + c] +=
   * Σ_b projectionGrad[b, c]} and {@code grads[biasHhOff + c] += Σ_b gateGrad[b, c]} for the {@code G·H} columns
   * {@code c}, each sum taken over the samples by chunks of {@value #BIAS_CHUNK}: the chunk's sum from zero in
   * sample order, then added into the gradient in chunk order. Here eight columns at a time in registers; the
   * kernels form the same chunk sums as they go ({@code partials} of the {@code xxxSamples} methods), over their
   * threads, and add them in the same order.
   */
  static void biasGradients(RecurrentGeometry g, int direction, int step, int batch, float[] projectionGrad,
      float[] gateGrad, float[] grads, int biasIhOff, int biasHhOff) {
    int gw = g.gateWidth();
    columnSums(grads, biasIhOff, projectionGrad, g.projectionOffset(0, direction, step), projectionStride(g), batch,
        gw);
    columnSums(grads, biasHhOff, gateGrad, g.gateOffset(batch, direction, step), gw, batch, gw);
  }

  /** The distance between two samples' rows in the projection. */
  private static int projectionStride(RecurrentGeometry g) {
    return g.time * g.directions * g.gateWidth();
  }

  /**
   * {@code sums[sumOff + c] += Σ_chunks (Σ_{r in chunk} values[valueOff + r·stride + c])} for {@code c <
   * columns}, in the order of {@link #biasGradients}.
   */
  private static void columnSums(float[] sums, int sumOff, float[] values, int valueOff, int stride, int rows,
      int columns) {
    int c = 0;
    for (; c + 8 <= columns; c += 8) {
      int s = sumOff + c;
      float s0 = sums[s], s1 = sums[s + 1], s2 = sums[s + 2], s3 = sums[s + 3];
      float s4 = sums[s + 4], s5 = sums[s + 5], s6 = sums[s + 6], s7 = sums[s + 7];
      for (int first = 0; first < rows; first += BIAS_CHUNK) {
        int last = Math.min(rows, first + BIAS_CHUNK);
        float p0 = 0f, p1 = 0f, p2 = 0f, p3 = 0f, p4 = 0f, p5 = 0f, p6 = 0f, p7 = 0f;
        for (int r = first, at = valueOff + first * stride + c; r < last; r++, at += stride) {
          p0 += values[at];
          p1 += values[at + 1];
          p2 += values[at + 2];
          p3 += values[at + 3];
          p4 += values[at + 4];
          p5 += values[at + 5];
          p6 += values[at + 6];
          p7 += values[at + 7];
        }
        s0 += p0;
        s1 += p1;
        s2 += p2;
        s3 += p3;
        s4 += p4;
        s5 += p5;
        s6 += p6;
        s7 += p7;
      }
      sums[s] = s0;
      sums[s + 1] = s1;
      sums[s + 2] = s2;
      sums[s + 3] = s3;
      sums[s + 4] = s4;
      sums[s + 5] = s5;
      sums[s + 6] = s6;
      sums[s + 7] = s7;
    }
    for (; c < columns; c++) {
      float sum = sums[sumOff + c];
      for (int first = 0; first < rows; first += BIAS_CHUNK) {
        int last = Math.min(rows, first + BIAS_CHUNK);
        float partial = 0f;
        for (int r = first, at = valueOff + first * stride + c; r < last; r++, at += stride) {
          partial += values[at];
        }
        sum += partial;
      }
      sums[sumOff + c] = sum;
    }
  }

  /**
   * The width of one chunk's sums that the backward {@code xxxSamples} methods accumulate into their
   * {@code partials} (when not null): the gate gradients {@code (dz)}, {@code (dr, dz, dn, dn ⊙ r)} or
   * {@code (di, df, dg, do)} of each unit, summed over the chunk's samples in order from zero, as
   * {@link #biasGradients} forms them (both biases share the sums of the gradients they share: b_hn of the GRU
   * takes the fourth block, {@code dn ⊙ r}, where b_in takes {@code dn}).
   */
  static int chunkSumWidth(RecurrentGeometry g) {
    return g.cell == RecurrentGeometry.Cell.GRU ? 4 * g.units : g.gateWidth();
  }

  /**
   * {@code tanh(x)} from one {@code exp} (an intrinsic, unlike {@code Math.tanh} on older JDKs), in double:
   * {@code (1 - e^{-2|x|}) / (1 + e^{-2|x|})} with the sign of x, and x itself where |x| &lt; 2^-12 (the error
   * x³/3 is below half a float ulp there).
   */
  static float tanh(float x) {
    float a = Math.abs(x);
    if (a < 0x1p-12f) {
      return x;
    }
    double e = Math.exp(-2.0 * a);
    float t = (float) ((1.0 - e) / (1.0 + e));
    return x < 0f ? -t : t;
  }
}
