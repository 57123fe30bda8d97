package io.nabla.runtime;

import io.nabla.runtime.kernel.Kernels;
import java.util.Collections;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A model's trainable parameters: one flat {@code float[]} of values and one of gradients with the same layout,
 * and the named tensors inside them. This is all an optimizer sees, so the same optimizer can step a model, or
 * the flat buffers that a distributed trainer all-reduced. A model's parameters also carry the model's
 * {@link Kernels}, so an optimizer's element-wise update runs on the model's threads ({@link #forEachRange}).
 */
public final class Parameters {
  private final float[] values;
  private final float[] gradients;
  private final List<ParameterTensor> tensors;
  private final @Nullable Kernels kernels;

  /** Parameters whose element-wise updates run on the calling thread. */
  public Parameters(float[] values, float[] gradients, List<ParameterTensor> tensors) {
    this(values, gradients, tensors, null);
  }

  /**
   * Parameters whose element-wise updates {@link #forEachRange} splits over the threads of {@code kernels} (a
   * model's own; {@code null}: the calling thread).
   */
  public Parameters(float[] values, float[] gradients, List<ParameterTensor> tensors, @Nullable Kernels kernels) {
    if (values.length != gradients.length) {
      throw new IllegalArgumentException(
          "values and gradients must have the same length, got " + values.length + " and " + gradients.length);
    }
    this.values = values;
    this.gradients = gradients;
    this.tensors = Collections.unmodifiableList(tensors);
    this.kernels = kernels;
    int[][] spans = new int[tensors.size()][];
    for (int t = 0; t < spans.length; t++) {
      ParameterTensor tensor = tensors.get(t);
      spans[t] = new int[] {tensor.offset(), tensor.offset() + tensor.size()};
    }
    java.util.Arrays.sort(spans, new java.util.Comparator<int[]>() {
      @Override
      public int compare(int[] a, int[] b) {
        return Integer.compare(a[0], b[0]);
      }
    });
    this.tensorStarts = new int[spans.length];
    this.tensorEnds = new int[spans.length];
    for (int t = 0; t < spans.length; t++) {
      tensorStarts[t] = spans[t][0];
      tensorEnds[t] = spans[t][1];
    }
  }

  /** The tensors' first and one-past-last indices, by first index ({@link #forEachRange}). */
  private final int[] tensorStarts;
  private final int[] tensorEnds;

  /**
   * Runs {@code task} over the parameter indices {@code [from, to)}, split over the model's threads when the range
   * holds at least {@code splitFrom} elements ({@link Kernels#forEachRange}); the task receives absolute indices,
   * consecutive ranges that together cover {@code [from, to)} once. Each tensor with at least {@code splitFrom}
   * elements in the range is a range of its own, split over the threads alone, and the elements between such
   * tensors are one range: a thread then updates the even share of each tensor that it computed (the kernels split a
   * dense layer's products at batch 1 by output units, the rows of its weights, in even shares too). Split as one
   * range, the shares ran across tensors, and a thread updated weights whose gradients the other had written and
   * whose rows the other reads in the next forward: when the host put the two cores of the project's Zen 1 VM on
   * cores that share no cache, the MLP at batch 1 trained 11 % faster on two threads this way (median of 49 pairs of
   * windows; 1 % slower, one more hand-off per step, in 11 pairs on cores that share one; at batch 256, 1 % faster
   * on far cores); round 16 in {@code bench/RESULTS.md}. A tensor that starts before the end of the last one run
   * alone joins the elements around it. For element-wise work, whose result is then the same for any thread count;
   * the built-in optimizers update through it. One call at a time: the model's kernels serve one thread. Allocates
   * nothing.
   *
   * @throws IndexOutOfBoundsException if the range is not within the parameters
   */
  public void forEachRange(int from, int to, int splitFrom, Kernels.RangeTask task) {
    if (from < 0 || to > values.length || from > to) {
      throw new IndexOutOfBoundsException(
          "range [" + from + ", " + to + ") is not within the " + values.length + " parameters");
    }
    int alone = Math.max(1, splitFrom);
    int position = from;
    for (int t = 0; t < tensorStarts.length; t++) {
      int start = Math.max(from, tensorStarts[t]);
      int end = Math.min(to, tensorEnds[t]);
      if (start < position || end - start < alone) {
        continue;
      }
      split(position, start, splitFrom, task);
      split(start, end, splitFrom, task);
      position = end;
    }
    split(position, to, splitFrom, task);
  }

  /** {@code [from, to)} as one range: on the calling thread, or split over the kernels' threads. */
  private void split(int from, int to, int splitFrom, Kernels.RangeTask task) {
    if (from == to) {
      return;
    }
    if (kernels == null) {
      task.run(from, to);
      return;
    }
    if (from == 0) {
      kernels.forEachRange(to, splitFrom, task);
      return;
    }
    offsetTask.set(from, task);
    try {
      kernels.forEachRange(to - from, splitFrom, offsetTask);
    } finally {
      offsetTask.task = null;
    }
  }

  private final OffsetTask offsetTask = new OffsetTask();

  /**
   * Sets every gradient to zero, split over the model's threads from {@value #ZERO_SPLIT_FROM} gradients (about
   * 4 µs of stores on one core), with no allocation.
   */
  public void zeroGradients() {
    forEachRange(0, gradients.length, ZERO_SPLIT_FROM, zeroRange);
  }

  static final int ZERO_SPLIT_FROM = 1 << 15;

  private final Kernels.RangeTask zeroRange = new Kernels.RangeTask() {
    @Override
    public void run(int from, int to) {
      java.util.Arrays.fill(gradients, from, to, 0f);
    }
  };

  /** Shifts the ranges of {@link Kernels#forEachRange}, which start at 0, to a segment's indices. */
  private static final class OffsetTask implements Kernels.RangeTask {
    private int offset;
    private Kernels.@Nullable RangeTask task;

    void set(int offset, Kernels.RangeTask task) {
      this.offset = offset;
      this.task = task;
    }

    @Override
    public void run(int from, int to) {
      task.run(offset + from, offset + to);
    }
  }

  /**
   * The kernels whose threads {@link #forEachRange} uses (a model's own), or {@code null} for the calling thread:
   * a trainer splits its other element-wise work, such as gathering a batch, over the same threads.
   */
  public @Nullable Kernels kernels() {
    return kernels;
  }

  /** The flat parameter buffer (live, not a copy). */
  public float[] values() {
    return values;
  }

  /** The flat gradient buffer, same layout as {@link #values()} (live, not a copy). */
  public float[] gradients() {
    return gradients;
  }

  /** The named tensors, in buffer order. */
  public List<ParameterTensor> tensors() {
    return tensors;
  }

  /** The number of parameters. */
  public int size() {
    return values.length;
  }

  /** The tensor with this name, e.g. {@code hidden.weight}. */
  public ParameterTensor tensor(String name) {
    for (ParameterTensor t : tensors) {
      if (t.name().equals(name)) {
        return t;
      }
    }
    throw new IllegalArgumentException("no parameter tensor named '" + name + "'; the model has " + tensors);
  }
}
