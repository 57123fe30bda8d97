package io.nabla.runtime.kernel;

import org.jspecify.annotations.Nullable;

/**
 * The sigmoid and tanh of the recurrent cells' gates, applied in place over a span of a buffer, and the GRU's and
 * LSTM's element-wise forward and backward steps, one sample at a time (by default the scalar loops of
 * {@link RecurrentKernels}; the Vector API kernels override them with vector loops of the same operations, so the
 * same bits): each cell's forward
 * ({@link RecurrentKernels}) writes a sample's pre-activations, then activates them a span at a time. {@link #EXACT}
 * computes each value in double from {@code Math.exp} (the reference, and the portable kernels'); the Vector API
 * kernels pass float versions from their vector {@code exp}, a vector at a time. Either way a value depends on
 * its argument only, so the split of samples over threads changes no bits.
 */
abstract class GateFunctions {
  /** {@link ActivationFunctions#sigmoid} and {@link RecurrentKernels#tanh}, one value at a time. */
  static final GateFunctions EXACT = new GateFunctions() {
    @Override
    void sigmoid(float[] x, int from, int to) {
      for (int i = from; i < to; i++) {
        x[i] = ActivationFunctions.sigmoid(x[i]);
      }
    }

    @Override
    void tanh(float[] x, int from, int to) {
      for (int i = from; i < to; i++) {
        x[i] = RecurrentKernels.tanh(x[i]);
      }
    }
  };

  /** {@code x[i] = σ(x[i])} for {@code i} in {@code [from, to)}. */
  abstract void sigmoid(float[] x, int from, int to);

  /** {@code x[i] = tanh(x[i])} for {@code i} in {@code [from, to)}. */
  abstract void tanh(float[] x, int from, int to);

  /**
   * One sample's GRU forward step but for the recurrent product ({@link RecurrentKernels#gruForwardRow}, whose
   * arguments these are, with these gate functions); an override must compute every value with the same float
   * operations in the same order.
   */
  void gruForwardRow(int h, float[] projection, int p, float[] recurrent, int r, boolean first, float[] params,
      int biasIhOff, int biasHhOff, float[] gates, int q, float[] newRecurrent, int s, float[] hidden, int prev,
      float[] out, int o) {
    RecurrentKernels.gruForwardRow(this, h, projection, p, recurrent, r, first, params, biasIhOff, biasHhOff, gates,
        q, newRecurrent, s, hidden, prev, out, o);
  }

  /** As {@link #gruForwardRow}, for the LSTM ({@link RecurrentKernels#lstmForwardRow}). */
  void lstmForwardRow(int h, float[] projection, int p, float[] recurrent, int r, boolean first, float[] params,
      int biasIhOff, int biasHhOff, float[] gates, int q, float[] cells, float[] cellTanh, int s, float[] hidden,
      int prev, float[] out, int o) {
    RecurrentKernels.lstmForwardRow(this, h, projection, p, recurrent, r, first, params, biasIhOff, biasHhOff, gates,
        q, cells, cellTanh, s, hidden, prev, out, o);
  }

  /**
   * One sample's element-wise GRU backward step ({@link RecurrentKernels#gruBackwardRow}, whose arguments these are);
   * an override must compute every value with the same float operations in the same order, so the bits do not
   * depend on the kernels.
   */
  void gruBackwardRow(int h, float[] dy, int o, float[] gates, int q, float[] newRecurrent, int s, float[] hidden,
      int prev, float[] stateGrad, int sg, float[] projectionGrad, int p, float @Nullable [] partials, int pc) {
    RecurrentKernels.gruBackwardRow(0, h, dy, o, gates, q, newRecurrent, s, hidden, prev, stateGrad, sg,
        projectionGrad, p, partials, pc);
  }

  /** As {@link #gruBackwardRow}, for the LSTM ({@link RecurrentKernels#lstmBackwardRow}). */
  void lstmBackwardRow(int h, float[] dy, int o, float[] gates, int q, float[] cells, float[] cellTanh, int s,
      int prev, float[] stateGrad, int sh, int sc, float[] projectionGrad, int p, float @Nullable [] partials,
      int pc) {
    RecurrentKernels.lstmBackwardRow(0, h, dy, o, gates, q, cells, cellTanh, s, prev, stateGrad, sh, sc,
        projectionGrad, p, partials, pc);
  }
}
