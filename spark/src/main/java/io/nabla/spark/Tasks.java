package io.nabla.spark;

import io.nabla.runtime.optim.Optimizer;
import io.nabla.runtime.optim.OptimizerState;
import java.io.Serializable;
import java.util.Collections;
import java.util.Iterator;
import java.util.Map;
import org.apache.spark.api.java.function.Function;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.broadcast.Broadcast;

/**
 * The code that runs on the executors, as small serialisable classes that carry exactly what a task needs (never
 * the trainer, the driver's model or its optimizer): a broadcast handle, the step's shares, sizes and names.
 */
final class Tasks {
  private Tasks() {}

  /** What executors need to make and check their models, the same for every task of a run. */
  static final class Setup implements Serializable {
    private static final long serialVersionUID = 1L;

    final String poolKey;
    final ModelFactory factory;
    final DataShape shape;
    final int maxBatch;
    final int parameterCount;
    final long seed;

    Setup(String poolKey, ModelFactory factory, DataShape shape, int maxBatch, int parameterCount, long seed) {
      this.poolKey = poolKey;
      this.factory = factory;
      this.shape = shape;
      this.maxBatch = maxBatch;
      this.parameterCount = parameterCount;
      this.seed = seed;
    }

    Worker borrow() {
      return ExecutorModels.borrow(poolKey, factory, shape, maxBatch, parameterCount);
    }

    void giveBack(Worker worker) {
      ExecutorModels.giveBack(poolKey, worker);
    }
  }

  /** Packs a partition of examples into one checked {@link Block}. */
  static final class Pack implements Function2<Integer, Iterator<Example>, Iterator<Block>> {
    private static final long serialVersionUID = 1L;
    private final DataShape shape;

    Pack(DataShape shape) {
      this.shape = shape;
    }

    @Override
    public Iterator<Block> call(Integer partition, Iterator<Example> examples) {
      return Collections.singletonList(Block.pack(partition, examples, shape)).iterator();
    }
  }

  /** A block's example count. */
  static final class Size implements Function<Block, Long> {
    private static final long serialVersionUID = 1L;

    @Override
    public Long call(Block block) {
      return (long) block.count;
    }
  }

  /** Combines two partial sums (treeAggregate's combOp). */
  static final class Merge implements Function2<ContributionTree, ContributionTree, ContributionTree> {
    private static final long serialVersionUID = 1L;

    @Override
    public ContributionTree call(ContributionTree left, ContributionTree right) {
      return left.merge(right);
    }
  }

  /**
   * Gradient mode, one step: the gradient of this partition's share of the global batch, from the broadcast
   * parameters, weighted by {@code share / batch} so that the sum over partitions is the gradient of the global
   * batch's mean loss.
   */
  static final class GradientStep implements Function2<ContributionTree, Block, ContributionTree> {
    private static final long serialVersionUID = 1L;
    static final String[] ARRAYS = {"gradient"};

    private final Setup setup;
    private final Broadcast<float[]> parameters;
    private final int epoch;
    private final int[] starts;
    private final int[] counts;
    private final int batch;

    GradientStep(Setup setup, Broadcast<float[]> parameters, int epoch, int[] starts, int[] counts, int batch) {
      this.setup = setup;
      this.parameters = parameters;
      this.epoch = epoch;
      this.starts = starts;
      this.counts = counts;
      this.batch = batch;
    }

    @Override
    public ContributionTree call(ContributionTree sum, Block block) {
      int p = block.partition;
      int n = counts[p];
      if (n == 0) {
        return sum.add(p, Contribution.counts(0, 0, 0));
      }
      Worker worker = setup.borrow();
      worker.load(parameters.value());
      worker.model.zeroGradients();
      float loss = worker.forward(block, block.order(setup.seed, epoch), starts[p], n);
      worker.model.backward();
      float[] gradient = worker.model.parameters().gradients().clone();
      float weight = (float) n / batch;
      for (int i = 0; i < gradient.length; i++) {
        gradient[i] *= weight;
      }
      Contribution contribution = new Contribution(ARRAYS, new float[][] {gradient}, null, null,
          (double) loss * n, worker.correct, n);
      setup.giveBack(worker);
      return sum.add(p, contribution);
    }
  }

  /** Where an averaging round starts: the parameters and the optimizer's (averaged) state. */
  static final class RoundStart implements Serializable {
    private static final long serialVersionUID = 1L;
    final float[] parameters;
    final OptimizerSnapshot optimizer;

    RoundStart(float[] parameters, OptimizerSnapshot optimizer) {
      this.parameters = parameters;
      this.optimizer = optimizer;
    }
  }

  /**
   * Averaging mode, one round: from the broadcast parameters and optimizer state, this partition's share of each
   * of the round's steps as a local step with its own optimizer; then its parameters and optimizer buffers,
   * weighted by {@code its examples / the round's examples}, so that the sum is their weighted average.
   */
  static final class AveragingRound implements Function2<ContributionTree, Block, ContributionTree> {
    private static final long serialVersionUID = 1L;
    static final String PARAMETERS = "parameters";

    private final Setup setup;
    private final OptimizerFactory optimizerFactory;
    private final Broadcast<RoundStart> start;
    private final int epoch;
    private final int[][] starts;
    private final int[][] counts;
    private final long roundExamples;
    /** The learning rate of each local step, or {@code null} to keep the optimizer's. */
    private final double[] rates;

    AveragingRound(Setup setup, OptimizerFactory optimizerFactory, Broadcast<RoundStart> start, int epoch,
        int[][] starts, int[][] counts, long roundExamples, double[] rates) {
      this.setup = setup;
      this.optimizerFactory = optimizerFactory;
      this.start = start;
      this.epoch = epoch;
      this.starts = starts;
      this.counts = counts;
      this.roundExamples = roundExamples;
      this.rates = rates;
    }

    @Override
    public ContributionTree call(ContributionTree sum, Block block) {
      int p = block.partition;
      long examples = 0;
      for (int[] step : counts) {
        examples += step[p];
      }
      if (examples == 0) {
        return sum.add(p, Contribution.counts(0, 0, 0));
      }
      RoundStart from = start.value();
      Worker worker = setup.borrow();
      worker.load(from.parameters);
      Optimizer optimizer = optimizerFactory.create();
      optimizer.restore(from.optimizer.toState());
      int[] order = block.order(setup.seed, epoch);
      double lossSum = 0;
      long correct = 0;
      for (int k = 0; k < counts.length; k++) {
        int n = counts[k][p];
        if (n == 0) {
          continue;
        }
        if (rates != null) {
          optimizer.setLearningRate(rates[k]);
        }
        worker.model.zeroGradients();
        float loss = worker.forward(block, order, starts[k][p], n);
        worker.model.backward();
        optimizer.step(worker.model.parameters());
        lossSum += (double) loss * n;
        correct += worker.correct;
      }
      float weight = (float) ((double) examples / roundExamples);
      OptimizerState state = optimizer.state();
      String[] names = new String[1 + state.buffers().size()];
      float[][] arrays = new float[names.length][];
      names[0] = PARAMETERS;
      arrays[0] = weighted(worker.model.parameters().values(), weight);
      int i = 1;
      for (Map.Entry<String, float[]> buffer : state.buffers().entrySet()) {
        names[i] = buffer.getKey();
        arrays[i++] = weighted(buffer.getValue(), weight);
      }
      OptimizerSnapshot scalars = OptimizerSnapshot.of(state);
      setup.giveBack(worker);
      return sum.add(p, new Contribution(names, arrays, scalars.scalarNames, scalars.scalars, lossSum, correct,
          examples));
    }

    private static float[] weighted(float[] values, float weight) {
      float[] out = new float[values.length];
      for (int i = 0; i < out.length; i++) {
        out[i] = values[i] * weight;
      }
      return out;
    }
  }

  /** The loss and correct predictions of the broadcast parameters on a whole partition, in inference mode. */
  static final class Evaluate implements Function2<ContributionTree, Block, ContributionTree> {
    private static final long serialVersionUID = 1L;

    private final Setup setup;
    private final Broadcast<float[]> parameters;

    Evaluate(Setup setup, Broadcast<float[]> parameters) {
      this.setup = setup;
      this.parameters = parameters;
    }

    @Override
    public ContributionTree call(ContributionTree sum, Block block) {
      if (block.count == 0) {
        return sum.add(block.partition, Contribution.counts(0, 0, 0));
      }
      Worker worker = setup.borrow();
      worker.load(parameters.value());
      int[] order = new int[block.count];
      for (int i = 0; i < order.length; i++) {
        order[i] = i;
      }
      double lossSum = 0;
      long correct = 0;
      worker.model.setTraining(false);
      for (int from = 0; from < block.count; from += setup.maxBatch) {
        int n = Math.min(setup.maxBatch, block.count - from);
        lossSum += (double) worker.forward(block, order, from, n) * n;
        correct += worker.correct;
      }
      worker.model.setTraining(true);
      setup.giveBack(worker);
      return sum.add(block.partition, Contribution.counts(lossSum, correct, block.count));
    }
  }
}
