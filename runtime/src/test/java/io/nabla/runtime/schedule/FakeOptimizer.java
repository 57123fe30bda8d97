package io.nabla.runtime.schedule;

import io.nabla.runtime.Parameters;
import io.nabla.runtime.optim.Optimizer;
import java.util.ArrayList;
import java.util.List;

/** An optimizer that only holds a learning rate (in double, as PyTorch's param_group) and records every change. */
final class FakeOptimizer implements Optimizer {
  double learningRate;
  final List<Double> set = new ArrayList<>();

  FakeOptimizer(double learningRate) {
    this.learningRate = learningRate;
  }

  @Override
  public void step(Parameters parameters) {}

  @Override
  public double learningRate() {
    return learningRate;
  }

  @Override
  public void setLearningRate(double learningRate) {
    this.learningRate = learningRate;
    set.add(learningRate);
  }
}
