package io.nabla.runtime.kernel;

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
    int h = g.units;
    int state = g.stateOffset(batch, direction, step);
    for (int b = 0; b < batch; b++) {
      int p = g.projectionOffset(b, direction, step);
      int r = b * h;
      int s = state + b * h;
      int o = g.outputOffset(b, direction, step);
      for (int j = 0; j < h; j++) {
        float z = projection[p + j] + params[biasIhOff + j] + params[biasHhOff + j];
        if (step > 0) {
          z += recurrent[r + j];
        }
        float y = tanh(z);
        hidden[s + j] = y;
        if (o >= 0) {
          out[o + j] = y;
        }
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
    int h = g.units;
    int state = g.stateOffset(batch, direction, step);
    int gates = g.gateOffset(batch, direction, step);
    for (int b = 0; b < batch; b++) {
      int p = g.projectionOffset(b, direction, step);
      int s = state + b * h;
      int q = gates + b * h;
      int o = g.outputOffset(b, direction, step);
      for (int j = 0; j < h; j++) {
        float dh = stateGrad[b * h + j] + (o >= 0 ? dy[o + j] : 0f);
        float y = hidden[s + j];
        float dz = dh * (1f - y * y);
        projectionGrad[p + j] = dz;
        gateGrad[q + j] = dz;
        grads[biasIhOff + j] += dz;
        grads[biasHhOff + j] += dz;
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
    int h = g.units;
    int width = 3 * h;
    int state = g.stateOffset(batch, direction, step);
    int previous = step > 0 ? g.stateOffset(batch, direction, step - 1) : -1;
    int gateBase = g.gateOffset(batch, direction, step);
    boolean first = step == 0;
    for (int b = 0; b < batch; b++) {
      int p = g.projectionOffset(b, direction, step);
      int r = b * width;
      int q = gateBase + b * width;
      int s = state + b * h;
      int o = g.outputOffset(b, direction, step);
      for (int j = 0; j < h; j++) {
        float xr = projection[p + j] + params[biasIhOff + j] + params[biasHhOff + j];
        float xz = projection[p + h + j] + params[biasIhOff + h + j] + params[biasHhOff + h + j];
        float hn = params[biasHhOff + 2 * h + j];
        float hPrev = 0f;
        if (!first) {
          xr += recurrent[r + j];
          xz += recurrent[r + h + j];
          hn += recurrent[r + 2 * h + j];
          hPrev = hidden[previous + b * h + j];
        }
        float reset = ActivationFunctions.sigmoid(xr);
        float update = ActivationFunctions.sigmoid(xz);
        float n = tanh(projection[p + 2 * h + j] + params[biasIhOff + 2 * h + j] + reset * hn);
        float y = n + update * (hPrev - n);
        gates[q + j] = reset;
        gates[q + h + j] = update;
        gates[q + 2 * h + j] = n;
        newRecurrent[s + j] = hn;
        hidden[s + j] = y;
        if (o >= 0) {
          out[o + j] = y;
        }
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
    int h = g.units;
    int width = 3 * h;
    int state = g.stateOffset(batch, direction, step);
    int previous = step > 0 ? g.stateOffset(batch, direction, step - 1) : -1;
    int gateBase = g.gateOffset(batch, direction, step);
    for (int b = 0; b < batch; b++) {
      int p = g.projectionOffset(b, direction, step);
      int q = gateBase + b * width;
      int s = state + b * h;
      int o = g.outputOffset(b, direction, step);
      for (int j = 0; j < h; j++) {
        float dh = stateGrad[b * h + j] + (o >= 0 ? dy[o + j] : 0f);
        float reset = gates[q + j];
        float update = gates[q + h + j];
        float n = gates[q + 2 * h + j];
        float hPrev = previous < 0 ? 0f : hidden[previous + b * h + j];
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
        grads[biasIhOff + j] += dr;
        grads[biasIhOff + h + j] += dz;
        grads[biasIhOff + 2 * h + j] += dn;
        grads[biasHhOff + j] += dr;
        grads[biasHhOff + h + j] += dz;
        grads[biasHhOff + 2 * h + j] += dhn;
        stateGrad[b * h + j] = dh * update;
      }
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
    int h = g.units;
    int width = 4 * h;
    int state = g.stateOffset(batch, direction, step);
    int previous = step > 0 ? g.stateOffset(batch, direction, step - 1) : -1;
    int gateBase = g.gateOffset(batch, direction, step);
    boolean first = step == 0;
    for (int b = 0; b < batch; b++) {
      int p = g.projectionOffset(b, direction, step);
      int r = b * width;
      int q = gateBase + b * width;
      int s = state + b * h;
      int o = g.outputOffset(b, direction, step);
      for (int j = 0; j < h; j++) {
        float zi = projection[p + j] + params[biasIhOff + j] + params[biasHhOff + j];
        float zf = projection[p + h + j] + params[biasIhOff + h + j] + params[biasHhOff + h + j];
        float zg = projection[p + 2 * h + j] + params[biasIhOff + 2 * h + j] + params[biasHhOff + 2 * h + j];
        float zo = projection[p + 3 * h + j] + params[biasIhOff + 3 * h + j] + params[biasHhOff + 3 * h + j];
        float cPrev = 0f;
        if (!first) {
          zi += recurrent[r + j];
          zf += recurrent[r + h + j];
          zg += recurrent[r + 2 * h + j];
          zo += recurrent[r + 3 * h + j];
          cPrev = cells[previous + b * h + j];
        }
        float in = ActivationFunctions.sigmoid(zi);
        float forget = ActivationFunctions.sigmoid(zf);
        float candidate = tanh(zg);
        float output = ActivationFunctions.sigmoid(zo);
        float c = forget * cPrev + in * candidate;
        float tc = tanh(c);
        float y = output * tc;
        gates[q + j] = in;
        gates[q + h + j] = forget;
        gates[q + 2 * h + j] = candidate;
        gates[q + 3 * h + j] = output;
        cells[s + j] = c;
        cellTanh[s + j] = tc;
        hidden[s + j] = y;
        if (o >= 0) {
          out[o + j] = y;
        }
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
    int h = g.units;
    int width = 4 * h;
    int cellGrad = batch * h;
    int state = g.stateOffset(batch, direction, step);
    int previous = step > 0 ? g.stateOffset(batch, direction, step - 1) : -1;
    int gateBase = g.gateOffset(batch, direction, step);
    for (int b = 0; b < batch; b++) {
      int p = g.projectionOffset(b, direction, step);
      int q = gateBase + b * width;
      int s = state + b * h;
      int o = g.outputOffset(b, direction, step);
      for (int j = 0; j < h; j++) {
        float dh = stateGrad[b * h + j] + (o >= 0 ? dy[o + j] : 0f);
        float in = gates[q + j];
        float forget = gates[q + h + j];
        float candidate = gates[q + 2 * h + j];
        float output = gates[q + 3 * h + j];
        float tc = cellTanh[s + j];
        float cPrev = previous < 0 ? 0f : cells[previous + b * h + j];
        float dc = stateGrad[cellGrad + b * h + j] + dh * output * (1f - tc * tc);
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
        grads[biasIhOff + j] += di;
        grads[biasIhOff + h + j] += df;
        grads[biasIhOff + 2 * h + j] += dg;
        grads[biasIhOff + 3 * h + j] += dout;
        grads[biasHhOff + j] += di;
        grads[biasHhOff + h + j] += df;
        grads[biasHhOff + 2 * h + j] += dg;
        grads[biasHhOff + 3 * h + j] += dout;
        stateGrad[b * h + j] = 0f;
        stateGrad[cellGrad + b * h + j] = dc * forget;
      }
    }
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
