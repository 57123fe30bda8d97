package io.nabla.runtime.kernel;

/**
 * The textbook recurrent layers, sample by sample and step by step with explicit sums, for tests: what a generated
 * layer's products and {@link RecurrentKernels} steps must equal. Buffers as in {@link RecurrentGeometry} (input
 * {@code (B, T, F)}, output {@code (B, T, D·H)} or {@code (B, D·H)}); each direction {@code d} has its tensors at
 * {@code weightIh[d]} {@code (G·H, F)}, {@code weightHh[d]} {@code (G·H, H)}, {@code biasIh[d]}, {@code biasHh[d]}
 * {@code (G·H)} in {@code params}, gates in PyTorch's order (GRU r, z, n; LSTM i, f, g, o).
 */
public final class ReferenceRecurrent {
  private ReferenceRecurrent() {}

  /** What one step of one sample computed: pre-activations, activations, states. */
  private static final class Step {
    /** {@code x_t · W_ihᵀ + b_ih} and {@code h · W_hhᵀ + b_hh}, per gate row. */
    final double[] fromInput;
    final double[] fromHidden;
    /** The gate activations, per gate row (SimpleRnn: h). */
    final double[] gates;
    final double[] hiddenBefore;
    final double[] cellBefore;
    final double[] hidden;
    final double[] cell;

    Step(int gateRows, int units) {
      fromInput = new double[gateRows];
      fromHidden = new double[gateRows];
      gates = new double[gateRows];
      hiddenBefore = new double[units];
      cellBefore = new double[units];
      hidden = new double[units];
      cell = new double[units];
    }
  }

  /** The layer's output for {@code batch} samples of {@code x}. */
  public static void forward(RecurrentGeometry g, float[] x, int batch, float[] params, int[] weightIh,
      int[] weightHh, int[] biasIh, int[] biasHh, float[] y) {
    for (int b = 0; b < batch; b++) {
      for (int d = 0; d < g.directions; d++) {
        Step[] steps = run(g, x, b, d, params, weightIh[d], weightHh[d], biasIh[d], biasHh[d]);
        for (int s = 0; s < g.time; s++) {
          int o = g.outputOffset(b, d, s);
          for (int j = 0; o >= 0 && j < g.units; j++) {
            y[o + j] = (float) steps[s].hidden[j];
          }
        }
      }
    }
  }

  /**
   * Backpropagation through time: adds {@code dLoss/dparameter} for the output gradient {@code dy} into
   * {@code grads} (same offsets as {@code params}) and {@code dLoss/dx} into {@code dx} unless it is {@code null}.
   */
  public static void backward(RecurrentGeometry g, float[] x, int batch, float[] params, int[] weightIh,
      int[] weightHh, int[] biasIh, int[] biasHh, float[] dy, float[] grads, float[] dx) {
    int h = g.units;
    int rows = g.gateWidth();
    for (int b = 0; b < batch; b++) {
      for (int d = 0; d < g.directions; d++) {
        Step[] steps = run(g, x, b, d, params, weightIh[d], weightHh[d], biasIh[d], biasHh[d]);
        double[] dh = new double[h];
        double[] dc = new double[h];
        for (int s = g.time - 1; s >= 0; s--) {
          Step step = steps[s];
          int t = g.timeOf(d, s);
          int o = g.outputOffset(b, d, s);
          for (int j = 0; o >= 0 && j < h; j++) {
            dh[j] += dy[o + j];
          }
          // Gradients of the pre-activations, from the input side and from the hidden side.
          double[] dInput = new double[rows];
          double[] dHidden = new double[rows];
          double[] dhBefore = new double[h];
          double[] a = step.gates;
          for (int j = 0; j < h; j++) {
            switch (g.cell) {
              case SIMPLE_RNN: {
                double dz = dh[j] * (1 - a[j] * a[j]);
                dInput[j] = dz;
                dHidden[j] = dz;
                break;
              }
              case GRU: {
                double r = a[j];
                double z = a[h + j];
                double n = a[2 * h + j];
                double dn = dh[j] * (1 - z) * (1 - n * n);
                double dz = dh[j] * (step.hiddenBefore[j] - n) * z * (1 - z);
                double dr = dn * step.fromHidden[2 * h + j] * r * (1 - r);
                dInput[j] = dr;
                dInput[h + j] = dz;
                dInput[2 * h + j] = dn;
                dHidden[j] = dr;
                dHidden[h + j] = dz;
                dHidden[2 * h + j] = dn * r;
                dhBefore[j] = dh[j] * z;
                break;
              }
              case LSTM: {
                double i = a[j];
                double f = a[h + j];
                double gg = a[2 * h + j];
                double out = a[3 * h + j];
                double tc = Math.tanh(step.cell[j]);
                double dcj = dc[j] + dh[j] * out * (1 - tc * tc);
                dInput[j] = dcj * gg * i * (1 - i);
                dInput[h + j] = dcj * step.cellBefore[j] * f * (1 - f);
                dInput[2 * h + j] = dcj * i * (1 - gg * gg);
                dInput[3 * h + j] = dh[j] * tc * out * (1 - out);
                for (int k = 0; k < 4; k++) {
                  dHidden[k * h + j] = dInput[k * h + j];
                }
                dc[j] = dcj * f;
                break;
              }
              default:
                throw new AssertionError(g.cell);
            }
          }
          int xRow = (b * g.time + t) * g.features;
          for (int k = 0; k < rows; k++) {
            grads[biasIh[d] + k] += (float) dInput[k];
            grads[biasHh[d] + k] += (float) dHidden[k];
            for (int f = 0; f < g.features; f++) {
              grads[weightIh[d] + k * g.features + f] += (float) (dInput[k] * x[xRow + f]);
              if (dx != null) {
                dx[xRow + f] += (float) (dInput[k] * params[weightIh[d] + k * g.features + f]);
              }
            }
            for (int i = 0; i < h; i++) {
              grads[weightHh[d] + k * h + i] += (float) (dHidden[k] * step.hiddenBefore[i]);
              dhBefore[i] += dHidden[k] * params[weightHh[d] + k * h + i];
            }
          }
          dh = dhBefore;
        }
      }
    }
  }

  /** Runs direction {@code d} over sample {@code b}, keeping every step. */
  private static Step[] run(RecurrentGeometry g, float[] x, int b, int d, float[] params, int wIh, int wHh,
      int bIh, int bHh) {
    int h = g.units;
    int rows = g.gateWidth();
    Step[] steps = new Step[g.time];
    double[] hidden = new double[h];
    double[] cell = new double[h];
    for (int s = 0; s < g.time; s++) {
      Step step = new Step(rows, h);
      steps[s] = step;
      int xRow = (b * g.time + g.timeOf(d, s)) * g.features;
      for (int k = 0; k < rows; k++) {
        double in = params[bIh + k];
        for (int f = 0; f < g.features; f++) {
          in += params[wIh + k * g.features + f] * x[xRow + f];
        }
        double rec = params[bHh + k];
        for (int i = 0; i < h; i++) {
          rec += params[wHh + k * h + i] * hidden[i];
        }
        step.fromInput[k] = in;
        step.fromHidden[k] = rec;
      }
      System.arraycopy(hidden, 0, step.hiddenBefore, 0, h);
      System.arraycopy(cell, 0, step.cellBefore, 0, h);
      double[] a = step.gates;
      double[] zi = step.fromInput;
      double[] zh = step.fromHidden;
      for (int j = 0; j < h; j++) {
        switch (g.cell) {
          case SIMPLE_RNN:
            a[j] = Math.tanh(zi[j] + zh[j]);
            hidden[j] = a[j];
            break;
          case GRU:
            a[j] = sigmoid(zi[j] + zh[j]);
            a[h + j] = sigmoid(zi[h + j] + zh[h + j]);
            a[2 * h + j] = Math.tanh(zi[2 * h + j] + a[j] * zh[2 * h + j]);
            hidden[j] = (1 - a[h + j]) * a[2 * h + j] + a[h + j] * hidden[j];
            break;
          case LSTM:
            a[j] = sigmoid(zi[j] + zh[j]);
            a[h + j] = sigmoid(zi[h + j] + zh[h + j]);
            a[2 * h + j] = Math.tanh(zi[2 * h + j] + zh[2 * h + j]);
            a[3 * h + j] = sigmoid(zi[3 * h + j] + zh[3 * h + j]);
            cell[j] = a[h + j] * cell[j] + a[j] * a[2 * h + j];
            hidden[j] = a[3 * h + j] * Math.tanh(cell[j]);
            break;
          default:
            throw new AssertionError(g.cell);
        }
      }
      System.arraycopy(hidden, 0, step.hidden, 0, h);
      System.arraycopy(cell, 0, step.cell, 0, h);
    }
    return steps;
  }

  private static double sigmoid(double x) {
    return 1 / (1 + Math.exp(-x));
  }
}
