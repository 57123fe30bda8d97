package io.nabla.runtime.train;

/**
 * Stops training when a monitored metric has not improved for {@code patience} epochs, as Keras's
 * {@code EarlyStopping}: an epoch improves on the best if it is better by more than {@code minDelta}. With
 * {@code restoreBestWeights}, the model ends with the weights (and batch-norm running statistics) of its best epoch.
 *
 * <pre>{@code EarlyStopping.monitor("val_loss").patience(3).restoreBestWeights(true)}</pre>
 */
public final class EarlyStopping {
  private final String monitor;
  private final boolean maximize;
  private final int patience;
  private final double minDelta;
  private final boolean restoreBestWeights;

  private EarlyStopping(String monitor, boolean maximize, int patience, double minDelta, boolean restore) {
    this.monitor = monitor;
    this.maximize = maximize;
    this.patience = patience;
    this.minDelta = minDelta;
    this.restoreBestWeights = restore;
  }

  /**
   * Watches metric {@code name} ({@code val_loss}, {@code val_accuracy}, {@code loss}, ...): higher is better
   * for names containing "acc", lower otherwise, as Keras's "auto" mode; {@link #maximize()} or
   * {@link #minimize()} say it explicitly. Patience 0, no restore.
   */
  public static EarlyStopping monitor(String name) {
    return new EarlyStopping(name, name.contains("acc"), 0, 0, false);
  }

  public EarlyStopping patience(int epochs) {
    if (epochs < 0) {
      throw new IllegalArgumentException("early stopping patience must be >= 0, got " + epochs);
    }
    return new EarlyStopping(monitor, maximize, epochs, minDelta, restoreBestWeights);
  }

  public EarlyStopping minDelta(double delta) {
    if (!(delta >= 0)) {
      throw new IllegalArgumentException("early stopping minDelta must be >= 0, got " + delta);
    }
    return new EarlyStopping(monitor, maximize, patience, delta, restoreBestWeights);
  }

  public EarlyStopping restoreBestWeights(boolean restore) {
    return new EarlyStopping(monitor, maximize, patience, minDelta, restore);
  }

  /** Higher is better. */
  public EarlyStopping maximize() {
    return new EarlyStopping(monitor, true, patience, minDelta, restoreBestWeights);
  }

  /** Lower is better. */
  public EarlyStopping minimize() {
    return new EarlyStopping(monitor, false, patience, minDelta, restoreBestWeights);
  }

  public String monitored() {
    return monitor;
  }

  public int patience() {
    return patience;
  }

  public boolean restoresBestWeights() {
    return restoreBestWeights;
  }

  /** Whether {@code value} improves on {@code best} ({@code NaN}: nothing yet). */
  boolean improves(double value, double best) {
    if (Double.isNaN(value)) {
      return false;
    }
    if (Double.isNaN(best)) {
      return true;
    }
    return maximize ? value > best + minDelta : value < best - minDelta;
  }
}
