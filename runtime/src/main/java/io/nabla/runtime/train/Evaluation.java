package io.nabla.runtime.train;

/** The mean loss and accuracy of a model on a dataset ({@code NaN} accuracy for MSE). */
public final class Evaluation {
  private final double loss;
  private final double accuracy;

  public Evaluation(double loss, double accuracy) {
    this.loss = loss;
    this.accuracy = accuracy;
  }

  public double loss() {
    return loss;
  }

  public double accuracy() {
    return accuracy;
  }

  @Override
  public String toString() {
    return String.format("loss %.4f  accuracy %.4f", loss, accuracy);
  }
}
