package io.nabla.runtime.kernel;

/**
 * The sizes of a recurrent layer ({@code @SimpleRnn}, {@code @Gru}, {@code @Lstm}) and where each of its values
 * lives. Letters: {@code B} batch, {@code T} time steps, {@code F} features, {@code H} units, {@code G} gates per
 * unit (1, 3, 4), {@code D} directions (1, or 2 when bidirectional). Buffers are row-major:
 *
 * <pre>
 * input       (B, T, F)          batch-major, as every buffer between layers (PyTorch's batch_first)
 * output      (B, T, D·H)        with returnSequences, else (B, D·H); the forward direction first
 * projection  (B·T, D·G·H)       x · W_ihᵀ of every step, gate and direction (row b·T + t); backward writes the
 *                                gradient of the input pre-activations over it
 * gates       (D, T, B, G·H)     per step, time-major: the gate activations; backward writes the gradient of
 *                                the recurrent pre-activations over them
 * states      (D, T, B, H)       per step, time-major: h (and c, tanh(c), or W_hn·h + b_hn)
 * </pre>
 *
 * Step {@code s} of direction {@code d} reads time {@link #timeOf(int, int) t} = {@code s} forwards and
 * {@code T - 1 - s} backwards, so both directions run the same loop, and the states of consecutive steps are
 * consecutive {@code (B, H)} blocks: the recurrent product of a step reads one block, and the recurrent weight
 * gradient of every step is one product over {@code (T - 1)·B} rows. Offsets are computed for the current batch
 * ({@code ≤ maxBatch}), so buffers sized for {@code maxBatch} hold any batch.
 */
public final class RecurrentGeometry {
  /** The recurrent cells, with their number of gates per unit (stacked in PyTorch's order). */
  public enum Cell {
    /** {@code h = tanh(x·W_ihᵀ + b_ih + h·W_hhᵀ + b_hh)}: one block. */
    SIMPLE_RNN(1),
    /** Gates r, z, n. */
    GRU(3),
    /** Gates i, f, g, o. */
    LSTM(4);

    private final int gates;

    Cell(int gates) {
      this.gates = gates;
    }

    /** The number of blocks of {@code units} rows in the weights: 1, 3 or 4. */
    public int gates() {
      return gates;
    }
  }

  public final Cell cell;
  public final int time;
  public final int features;
  public final int units;
  public final int directions;
  public final boolean returnSequences;

  /**
   * @throws IllegalArgumentException if a size is not positive, or a buffer of one sample would not fit an array
   */
  public RecurrentGeometry(Cell cell, int time, int features, int units, boolean bidirectional,
      boolean returnSequences) {
    if (cell == null) {
      throw new NullPointerException("cell");
    }
    if (time < 1 || features < 1 || units < 1) {
      throw new IllegalArgumentException("time, features and units must be positive, got " + time + ", "
          + features + ", " + units);
    }
    this.cell = cell;
    this.time = time;
    this.features = features;
    this.units = units;
    this.directions = bidirectional ? 2 : 1;
    this.returnSequences = returnSequences;
    if ((long) directions * time * cell.gates * units > Integer.MAX_VALUE / 8) {
      throw new IllegalArgumentException("a recurrent layer of " + units + " units over " + time
          + " steps needs more than 2^28 values per sample");
    }
  }

  /** {@code G·H}: the pre-activations of one step and one direction. */
  public int gateWidth() {
    return cell.gates * units;
  }

  /** {@code D·H}: the last dimension of the output. */
  public int outputWidth() {
    return directions * units;
  }

  /** The time step that step {@code step} of {@code direction} reads: {@code step}, or {@code T - 1 - step}. */
  public int timeOf(int direction, int step) {
    return direction == 0 ? step : time - 1 - step;
  }

  /** Where the {@code G·H} input pre-activations of {@code sample} at (direction, step) start in the projection. */
  public int projectionOffset(int sample, int direction, int step) {
    return ((sample * time + timeOf(direction, step)) * directions + direction) * gateWidth();
  }

  /** Where the {@code (B, G·H)} block of (direction, step) starts in the gates. */
  public int gateOffset(int batch, int direction, int step) {
    return (direction * time + step) * batch * gateWidth();
  }

  /** Where the {@code (B, H)} block of (direction, step) starts in a buffer of states. */
  public int stateOffset(int batch, int direction, int step) {
    return (direction * time + step) * batch * units;
  }

  /**
   * Where the {@code H} values of {@code sample} at (direction, step) go in the output, or {@code -1} when the
   * output does not hold that step (without returnSequences it holds each direction's last step only).
   */
  public int outputOffset(int sample, int direction, int step) {
    if (returnSequences) {
      return (sample * time + timeOf(direction, step)) * outputWidth() + direction * units;
    }
    return step == time - 1 ? sample * outputWidth() + direction * units : -1;
  }

  /**
   * Checks that buffers for {@code maxBatch} samples fit Java arrays: the largest, the projection and the gates,
   * hold {@code maxBatch·T·D·G·H} values.
   *
   * @throws IllegalArgumentException naming {@code layer} if they do not
   */
  public void checkCapacity(String layer, int maxBatch) {
    long perSample = (long) time * directions * gateWidth();
    if (maxBatch * perSample > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("maxBatch " + maxBatch + " × " + perSample + " values of the per-step"
          + " buffers of layer '" + layer + "' do not fit a Java array; use a smaller maxBatch");
    }
  }

  @Override
  public String toString() {
    return cell + " " + time + "×" + features + " → " + units + " units" + (directions == 2 ? " ×2 directions" : "")
        + (returnSequences ? ", every step" : ", last step");
  }
}
