package io.nabla.runtime;

import io.nabla.Loss;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A network generated from a {@code @Network} declaration. A training step is
 * {@code zeroGradients(); forward(x, batch); loss(labels, batch); backward();} then an optimizer step on
 * {@link #parameters()}. Buffers are sized once for {@link #maxBatch()} samples, so a step allocates nothing.
 *
 * <p>Data is row-major and flat: a batch of {@code B} samples of an input of shape {@code (28, 28)} is
 * {@code B·784} floats, sample after sample. An instance is not thread-safe.
 */
public interface Model {

  /** The simple name of the declaration, e.g. {@code FashionMlp}. */
  String name();

  Loss loss();

  /** The largest batch {@link #forward(float[], int)} accepts. */
  int maxBatch();

  /** The trainable parameters and their gradients, flat, with their named tensors. */
  Parameters parameters();

  /** The running statistics of batch norms (empty without them): not trained, saved in checkpoints. */
  Buffers buffers();

  /** Every layer, inputs first, in the order forward runs them; the last is the output. */
  List<LayerInfo> layers();

  /** The input layers, in declaration order. */
  List<LayerInfo> inputs();

  /** The output layer. */
  LayerInfo output();

  /** Per-sample size of the only input (an exception if there are several). */
  int inputSize();

  /** Per-sample size of the output. */
  int outputSize();

  /**
   * How many labels one sample has for {@link #loss(int[], int)} (softmax cross-entropy: one per row of the
   * output's last dimension, so 1 for a rank-1 output), or how many float targets for {@link #loss(float[], int)}
   * (the output size).
   */
  int targetsPerSample();

  /** The number of classes for softmax cross-entropy (the output's last dimension); 0 for other losses. */
  int classCount();

  /**
   * Sets every parameter from {@code seed}: weights He-uniform (ReLU family) or Glorot-uniform (also an attention's
   * {@code in_proj_weight} and {@code out_proj.weight}), biases zero, batch and layer norm scales one, every tensor of
   * a recurrent layer uniform in ±1/√units (PyTorch's RNN init), embedding and positional tables N(0, 1) (PyTorch's
   * {@code nn.Embedding}); resets the
   * running statistics (mean 0, variance 1) and seeds the random stream of dropout. The same seed gives the same
   * bits on every JVM. A new model is initialised with seed 0.
   */
  void initialize(long seed);

  /**
   * Training or inference behaviour for layers that differ: dropout drops only in training; batch norm uses and
   * updates batch statistics in training, and uses its running statistics in inference. A new model is in training
   * mode; inference is deterministic.
   */
  void setTraining(boolean training);

  boolean isTraining();

  /**
   * The state of the model's random stream (dropout masks), to save with a checkpoint. {@link #initialize(long)}
   * seeds it, so a seeded run repeats exactly.
   */
  long randomState();

  /** Restores the random stream saved by {@link #randomState()}. */
  void restoreRandomState(long state);

  /**
   * Runs the network on {@code batch} samples of the only input. Returns the output buffer itself, whose first
   * {@code batch · outputSize()} values are valid until the next call; copy what you keep.
   *
   * @throws IllegalArgumentException naming the input if it holds fewer than {@code batch · inputSize()} values,
   *     or if {@code batch} is not in {@code [1, maxBatch()]}
   */
  float[] forward(float[] input, int batch);

  /** As {@link #forward(float[], int)} for a network with several inputs, in declaration order. */
  float[] forward(float[][] inputs, int batch);

  /**
   * The mean loss of the last forward against integer class labels ({@link Loss#SOFTMAX_CROSS_ENTROPY}), and
   * the gradient at the output that {@link #backward()} starts from.
   *
   * @throws IllegalArgumentException naming the index and value of a label out of range
   */
  float loss(int[] labels, int batch);

  /** The mean loss of the last forward against float targets ({@link Loss#MSE}, binary cross-entropy). */
  float loss(float[] targets, int batch);

  /** Adds the gradient of the last loss to {@link Parameters#gradients()}. */
  void backward();

  /**
   * One training step's forward, loss (against {@code labels} or {@code targets}, as the loss takes) and backward
   * on {@code batch} samples: returns the loss, with its gradient added to {@link Parameters#gradients()} and the
   * output rows in {@link #lastOutput()}. When the loss is not finite the backward is skipped. This default runs
   * {@link #forward(float[][], int)}, {@code loss} and {@link #backward()}; generated networks run large batches
   * in parts side by side ({@link GeneratedModel#trainStep}).
   */
  default float trainStep(float[][] inputs, int @Nullable [] labels, float @Nullable [] targets, int batch) {
    forward(inputs, batch);
    float value = loss() == Loss.SOFTMAX_CROSS_ENTROPY
        ? loss(java.util.Objects.requireNonNull(labels, "labels"), batch)
        : loss(java.util.Objects.requireNonNull(targets, "targets"), batch);
    if (!Float.isNaN(value) && !Float.isInfinite(value)) {
      backward();
    }
    return value;
  }

  /**
   * The output of the last forward or {@link #trainStep}: generated networks return their output buffer, whose
   * first {@code batch · outputSize()} values are valid until the next call. This default returns a copy,
   * {@link #activations}{@code (output().name())}.
   */
  default float[] lastOutput() {
    return activations(output().name());
  }

  /** Sets every gradient to zero (gradients accumulate across {@link #backward()} calls, as in PyTorch). */
  void zeroGradients();

  /** The outputs for {@code batch} samples, copied into a new array ({@link #predict(float[], int, float[])}: none). */
  float[] predict(float[] input, int batch);

  /**
   * The outputs for {@code batch} samples, written into the first {@code batch · outputSize()} values of
   * {@code into}, which is returned; the rest of {@code into} is left as it was. Generated networks allocate nothing
   * here after warm-up, so an app can predict per frame without garbage. This default copies {@link #predict(float[],
   * int)}.
   *
   * @throws IllegalArgumentException if {@code into} is shorter than {@code batch · outputSize()} (generated
   *     networks check it before they run), or as {@link #predict(float[], int)}
   * @throws NullPointerException if {@code into} is null
   */
  default float[] predict(float[] input, int batch, float[] into) {
    java.util.Objects.requireNonNull(into, "into");
    float[] out = predict(input, batch);
    if (into.length < out.length) {
      throw new IllegalArgumentException(name() + ".predict's output array holds " + into.length + " values, the "
          + "outputs of " + batch + " samples need " + out.length);
    }
    System.arraycopy(out, 0, into, 0, out.length);
    return into;
  }

  /**
   * The most likely class of each output row: the argmax over the last dimension, or, for one output per row
   * (binary cross-entropy), 1 when the logit is positive (the probability above 0.5) and 0 otherwise.
   */
  int[] predictClasses(float[] input, int batch);

  /**
   * {@link #predictClasses(float[], int)} written into the first values of {@code into} (one per output row), which
   * is returned; the rest is left as it was. Generated networks allocate nothing here after warm-up. This default
   * copies {@link #predictClasses(float[], int)}.
   *
   * @throws IllegalArgumentException if {@code into} is shorter than the output rows (generated networks check it
   *     before they run), or as {@link #predictClasses(float[], int)}
   * @throws NullPointerException if {@code into} is null
   */
  default int[] predictClasses(float[] input, int batch, int[] into) {
    java.util.Objects.requireNonNull(into, "into");
    int[] classes = predictClasses(input, batch);
    if (into.length < classes.length) {
      throw new IllegalArgumentException(name() + ".predictClasses's output array holds " + into.length
          + " values, the " + batch + " samples have " + classes.length + " output rows");
    }
    System.arraycopy(classes, 0, into, 0, classes.length);
    return into;
  }

  /**
   * Counts the correct predictions of the last forward over {@code batch} samples: the argmax of each output row
   * against {@code labels} for softmax cross-entropy; for binary cross-entropy, a positive logit (or probability
   * above 0.5) against a target above 0.5, per element; always 0 for MSE. Pass the one of labels and targets
   * that the loss takes.
   */
  int countCorrect(int @Nullable [] labels, float @Nullable [] targets, int batch);

  /** A copy of layer {@code name}'s output for the last forward ({@code batch · size} values). */
  float[] activations(String layer);

  /**
   * Where non-finite values first appear: the first parameter tensor or layer output (in forward order) holding
   * a NaN or infinity, with its index and value; {@code null} if everything is finite.
   */
  @Nullable String describeNonFinite();

  /** A table of layers: name, kind, inputs, output shape, parameter count, and the totals. */
  String summary();
}
