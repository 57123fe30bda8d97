package io.nabla.runtime.optim;

import io.nabla.runtime.ParameterTensor;
import io.nabla.runtime.Parameters;
import io.nabla.runtime.kernel.Kernels;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * What the built-in optimizers share: the learning rate and weight decay of the default group, the
 * {@link ParameterGroup}s, their resolution into contiguous segments of the flat buffer at the first step, and the
 * learning rates of schedules and checkpoints. A subclass only allocates its state and updates one segment.
 */
abstract class GroupedOptimizer implements Optimizer {
  /** PyTorch's class name, e.g. {@code Adam}: the state's kind and the name in messages. */
  final String kind;
  private final double initialLearningRate;
  private float learningRate;
  private final float weightDecay;
  private final List<ParameterGroup> groups;
  /** The current learning rate of each group that sets one; NaN for the others. */
  private final float[] groupLearningRates;

  /** The number of parameters this optimizer is bound to, -1 before the first step. */
  private int size = -1;
  // The resolved segments: [from[s], to[s]) uses lrGroup[s]'s learning rate (-1: the default) and decay[s].
  private int @Nullable [] from;
  private int @Nullable [] to;
  private int @Nullable [] lrGroup;
  private float @Nullable [] decay;

  GroupedOptimizer(String kind, double learningRate, double weightDecay, List<ParameterGroup> groups) {
    this.kind = kind;
    this.initialLearningRate = learningRate;
    this.learningRate = (float) learningRate;
    this.weightDecay = (float) weightDecay;
    this.groups = Collections.unmodifiableList(new ArrayList<>(groups));
    this.groupLearningRates = new float[groups.size()];
    for (int i = 0; i < groups.size(); i++) {
      groupLearningRates[i] = (float) groups.get(i).ownLearningRate();
    }
  }

  /**
   * Allocates the state on the first step (or checks the length of a restored state against {@code size}) and
   * advances per-step counters, before {@link #update} runs on each segment.
   *
   * @throws IllegalStateException if a restored state holds a different number of parameters
   */
  abstract void beginStep(int size);

  /**
   * Updates {@code w[from, to)} from {@code g[from, to)} with this learning rate and weight decay, touching no
   * other element: ranges of one segment may run at the same time on different threads. With
   * {@code clearGradients}, each {@code g[i]} is set to zero right after it is read (in the same loop: a separate
   * pass would read the gradients back from memory at batch 1).
   */
  abstract void update(float[] w, float[] g, int from, int to, float learningRate, float weightDecay,
      boolean clearGradients);

  @Override
  public final void step(Parameters parameters) {
    step(parameters, false);
  }

  /** {@link #step}, each gradient set to zero in the same loop, just after the update reads it. */
  @Override
  public final void stepAndZeroGradients(Parameters parameters) {
    step(parameters, true);
  }

  private void step(Parameters parameters, boolean zeroGradients) {
    float[] w = parameters.values();
    float[] g = parameters.gradients();
    if (size < 0) {
      resolve(parameters);
    } else if (w.length != size) {
      throw new IllegalStateException(
          "this " + kind + " was used with " + size + " parameters, now given " + w.length);
    }
    beginStep(w.length);
    segmentUpdate.w = w;
    segmentUpdate.g = g;
    segmentUpdate.zeroGradients = zeroGradients;
    try {
      for (int s = 0; s < from.length; s++) {
        int k = lrGroup[s];
        segmentUpdate.learningRate = k < 0 ? learningRate : groupLearningRates[k];
        segmentUpdate.weightDecay = decay[s];
        parameters.forEachRange(from[s], to[s], SPLIT_FROM, segmentUpdate);
      }
    } finally {
      segmentUpdate.w = null;
      segmentUpdate.g = null;
    }
  }

  /**
   * A segment's update splits over the model's threads from this many parameters (Adam: ≈ 8 µs on one core), in
   * ranges the threads claim as they go ({@link io.nabla.runtime.kernel.Kernels#forEachRange}); a tensor this large
   * is split alone, so each thread updates the share of it that it computed ({@link Parameters#forEachRange}).
   */
  static final int SPLIT_FROM = 1 << 14;

  private final SegmentUpdate segmentUpdate = new SegmentUpdate();

  /** One segment's {@link #update}, element-wise, so {@link Parameters#forEachRange} may split it. */
  private final class SegmentUpdate implements Kernels.RangeTask {
    float @Nullable [] w;
    float @Nullable [] g;
    float learningRate;
    float weightDecay;
    boolean zeroGradients;

    @Override
    public void run(int from, int to) {
      update(w, g, from, to, learningRate, weightDecay, zeroGradients);
    }
  }

  /** Splits the buffer into segments of equal hyperparameters. */
  private void resolve(Parameters parameters) {
    int n = parameters.size();
    List<int[]> segments = new ArrayList<>(); // {from, to, lrGroup}
    List<Float> decays = new ArrayList<>();
    if (groups.isEmpty()) {
      segments.add(new int[] {0, n, -1});
      decays.add(weightDecay);
    } else {
      List<ParameterTensor> tensors = parameters.tensors();
      for (ParameterGroup group : groups) {
        group.checkNames(tensors);
      }
      List<ParameterTensor> sorted = new ArrayList<>(tensors);
      Collections.sort(sorted, new Comparator<ParameterTensor>() {
        @Override
        public int compare(ParameterTensor a, ParameterTensor b) {
          return Integer.compare(a.offset(), b.offset());
        }
      });
      int pos = 0;
      for (ParameterTensor t : sorted) {
        int end = t.offset() + t.size();
        if (t.offset() < pos || end > n) {
          throw new IllegalArgumentException("parameter tensor " + t + " overlaps another or lies outside the "
              + n + " parameters; cannot resolve parameter groups for " + tensors);
        }
        if (t.offset() > pos) {
          add(segments, decays, pos, t.offset(), -1, weightDecay);
        }
        int lr = -1;
        float wd = weightDecay;
        for (int i = 0; i < groups.size(); i++) {
          ParameterGroup group = groups.get(i);
          if (group.selects(t)) {
            if (group.setsLearningRate()) {
              lr = i;
            }
            if (group.setsWeightDecay()) {
              wd = (float) group.ownWeightDecay();
            }
          }
        }
        add(segments, decays, t.offset(), end, lr, wd);
        pos = end;
      }
      if (pos < n) {
        add(segments, decays, pos, n, -1, weightDecay);
      }
    }
    int count = segments.size();
    from = new int[count];
    to = new int[count];
    lrGroup = new int[count];
    decay = new float[count];
    for (int s = 0; s < count; s++) {
      from[s] = segments.get(s)[0];
      to[s] = segments.get(s)[1];
      lrGroup[s] = segments.get(s)[2];
      decay[s] = decays.get(s);
    }
    size = n;
  }

  /** Appends a segment, merged with the previous one when contiguous with the same hyperparameters. */
  private static void add(List<int[]> segments, List<Float> decays, int from, int to, int lr, float wd) {
    if (from == to) {
      return;
    }
    int last = segments.size() - 1;
    if (last >= 0 && segments.get(last)[1] == from && segments.get(last)[2] == lr
        && Float.floatToIntBits(decays.get(last)) == Float.floatToIntBits(wd)) {
      segments.get(last)[1] = to;
      return;
    }
    segments.add(new int[] {from, to, lr});
    decays.add(wd);
  }

  /** The learning rate of the default group (tensors that no group gives a learning rate of its own). */
  @Override
  public double learningRate() {
    return learningRate;
  }

  /**
   * Sets the learning rate of the default group and so of every tensor whose groups set no learning rate of their
   * own; a group that sets one keeps it (see {@link #scaleLearningRates(double)} for schedules that move every
   * group).
   */
  @Override
  public void setLearningRate(double learningRate) {
    Checks.nonNegative(kind + " learning rate", learningRate);
    this.learningRate = (float) learningRate;
  }

  /**
   * Sets every learning rate to its initial value (the builder's, and each group's) times {@code factor}, as
   * PyTorch's schedulers set {@code group["lr"] = group["initial_lr"] · factor} for every group.
   */
  @Override
  public void scaleLearningRates(double factor) {
    Checks.nonNegative(kind + " learning rate factor", factor);
    learningRate = (float) (initialLearningRate * factor);
    for (int i = 0; i < groups.size(); i++) {
      if (groups.get(i).setsLearningRate()) {
        groupLearningRates[i] = (float) (groups.get(i).ownLearningRate() * factor);
      }
    }
  }

  /** The weight decay of the default group (tensors that no group gives a weight decay of its own). */
  public double weightDecay() {
    return weightDecay;
  }

  /** The parameter groups, in the order they were added. */
  public List<ParameterGroup> groups() {
    return groups;
  }

  /** Writes {@code lr} and, for each group {@code i} with its own learning rate, {@code groups.<i>.lr}. */
  void putLearningRates(Map<String, Double> scalars) {
    scalars.put("lr", (double) learningRate);
    for (int i = 0; i < groups.size(); i++) {
      if (groups.get(i).setsLearningRate()) {
        scalars.put("groups." + i + ".lr", (double) groupLearningRates[i]);
      }
    }
  }

  /**
   * Checks the kind and restores the learning rates that {@link #putLearningRates} wrote.
   *
   * @throws IllegalArgumentException if the state is of another kind, or has the learning rate of a group that
   *     this optimizer does not have or that sets none here
   */
  void restoreLearningRates(OptimizerState state) {
    state.checkKind(kind);
    for (String name : state.scalars().keySet()) {
      if (name.startsWith("groups.") && name.endsWith(".lr")) {
        int i;
        try {
          i = Integer.parseInt(name.substring("groups.".length(), name.length() - ".lr".length()));
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException("unknown scalar '" + name + "' in the state of a " + kind);
        }
        if (i < 0 || i >= groups.size() || !groups.get(i).setsLearningRate()) {
          throw new IllegalArgumentException("the state has a learning rate for parameter group " + i
              + ", which this " + kind + " does not have or which sets no learning rate here; its groups are "
              + groups);
        }
      }
    }
    learningRate = (float) state.scalar("lr", learningRate);
    for (int i = 0; i < groups.size(); i++) {
      if (groups.get(i).setsLearningRate()) {
        groupLearningRates[i] = (float) state.scalar("groups." + i + ".lr", groupLearningRates[i]);
      }
    }
  }

  /**
   * Throws unless {@code buffer} is absent or holds {@code size} values.
   *
   * @throws IllegalStateException naming the buffer and both lengths
   */
  final void checkRestored(String name, float @Nullable [] buffer, int size) {
    if (buffer != null && buffer.length != size) {
      throw new IllegalStateException("the " + name + " restored into this " + kind + " holds " + buffer.length
          + " parameters, now given " + size);
    }
  }

  /** {@code , groups=[...]} when there are groups, else nothing: for {@code toString}. */
  String groupsSuffix() {
    return groups.isEmpty() ? "" : ", groups=" + groups;
  }
}
