package io.nabla.runtime.kernel;

import io.nabla.Activation;
import org.jspecify.annotations.Nullable;

/**
 * The kernels whose work beyond the products (activations, the dense and add layers' element-wise passes,
 * attention, the convolution steps, layer and batch norm, {@link #forEachRange}) is split over their own threads by
 * a {@link ParallelWork}: the portable and the Vector API kernels, which differ only in the ranges {@link #work()}
 * runs.
 */
abstract class SplittingKernels implements Kernels {
  /** This instance's splitter, over the same threads as its products. */
  abstract ParallelWork work();

  /** Split by columns over the threads above a size threshold, each column's bias gradient summed by one thread. */
  @Override
  public final void activationBackward(float[] dy, float[] y, int rows, int n, Activation act, float slope,
      float[] grads, int biasGradOff) {
    work().activationBackward(dy, y, rows, n, act, slope, grads, biasGradOff);
  }

  @Override
  public final void addForward(float[] out, float[][] inputs, int n, Activation act, float slope) {
    work().addForward(out, inputs, n, act, slope);
  }

  @Override
  public final void accumulate(float[] dx, float[] dz, int n) {
    work().accumulate(dx, dz, n);
  }

  /**
   * GELU and SiLU in float with {@link FastFunctions}' exp (on vectors in the Vector API kernels), split over the
   * threads above a size threshold.
   */
  @Override
  public final void activate(float[] out, float[] z, int n, Activation act, float slope) {
    work().activate(out, z, n, act, slope);
  }

  @Override
  public final void multiplyDerivativeAtInput(float[] dy, float[] z, int n, Activation act, float slope) {
    work().multiplyDerivativeAtInput(dy, z, n, act, slope);
  }

  /** (Sample, head) pairs split over the threads ({@link AttentionPairs}). */
  @Override
  public final void attentionForward(float[] attended, float[] probabilities, float[] qkv, int batch, int time,
      int dim, int heads, boolean causal) {
    work().attentionForward(attended, probabilities, qkv, batch, time, dim, heads, causal);
  }

  /** As {@link #attentionForward}; {@code scratch} is not used (each thread has its own). */
  @Override
  public final void attentionBackward(float[] dQkv, float[] dAttended, float[] probabilities, float[] qkv,
      int batch, int time, int dim, int heads, boolean causal, float[] scratch) {
    work().attentionBackward(dQkv, dAttended, probabilities, qkv, batch, time, dim, heads, causal);
  }

  @Override
  public final void im2col(Conv2dGeometry g, float[] x, int batch, float[] columns) {
    work().im2col(g, x, batch, columns);
  }

  @Override
  public final void col2imAdd(Conv2dGeometry g, float[] columns, int batch, float[] dx) {
    work().col2imAdd(g, columns, batch, dx);
  }

  @Override
  public final void toBatchMajor(Conv2dGeometry g, float[] product, int batch, float[] params, int biasOff,
      Activation act, float slope, float[] out) {
    work().toBatchMajor(g, product, batch, params, biasOff, act, slope, out);
  }

  @Override
  public final void toFilterMajor(Conv2dGeometry g, float[] dy, float[] y, int batch, Activation act, float slope,
      float[] dz, float[] grads, int biasOff) {
    work().toFilterMajor(g, dy, y, batch, act, slope, dz, grads, biasOff);
  }

  @Override
  public final void maxPoolForward(Conv2dGeometry g, float[] x, int batch, float[] out, int[] argmax) {
    work().maxPoolForward(g, x, batch, out, argmax);
  }

  @Override
  public final void maxPoolBackward(Conv2dGeometry g, float[] dy, int[] argmax, int batch, float[] dx) {
    work().maxPoolBackward(g, dy, argmax, batch, dx);
  }

  @Override
  public final void averagePoolForward(Conv2dGeometry g, float[] x, int batch, float[] out) {
    work().averagePoolForward(g, x, batch, out);
  }

  @Override
  public final void averagePoolBackward(Conv2dGeometry g, float[] dy, int batch, float[] dx) {
    work().averagePoolBackward(g, dy, batch, dx);
  }

  /** Split over the threads from {@code splitFrom} elements, as {@link ParallelWork#forEachRange}. */
  @Override
  public final void forEachRange(int n, int splitFrom, RangeTask task) {
    work().forEachRange(n, splitFrom, task);
  }

  /** The parts side by side on this instance's threads, as {@link ParallelWork#forEachPart}. */
  @Override
  public final void forEachPart(int count, PartTask task) {
    work().forEachPart(count, task);
  }

  // ---------------------------------------------------------------------------------------------------------
  // Layer and batch normalisation, split by row, feature or channel (ParallelWork's normalisation block).

  @Override
  public final void layerNormForward(float[] y, float[] x, int rows, int n, float epsilon, float[] params,
      int weightOff, int biasOff, float[] mean, float[] rstd) {
    work().layerNormForward(y, x, rows, n, epsilon, params, weightOff, biasOff, mean, rstd);
  }

  @Override
  public final void layerNormBackward(float[] dy, float[] x, int rows, int n, float[] mean, float[] rstd,
      float[] params, int weightOff, float[] grads, int weightGradOff, int biasGradOff,
      float @org.jspecify.annotations.Nullable [] dx) {
    work().layerNormBackward(dy, x, rows, n, mean, rstd, params, weightOff, grads, weightGradOff, biasGradOff, dx);
  }

  @Override
  public final void batchNormTraining(float[] x, int batch, int channels, int spatial, float[] params,
      int gammaOff, int betaOff, float[] state, int meanOff, int varOff, float momentum, float epsilon,
      float[] xhat, float[] invStd, Activation act, float slope, float[] out) {
    work().batchNormTraining(x, batch, channels, spatial, params, gammaOff, betaOff, state, meanOff, varOff,
        momentum, epsilon, xhat, invStd, act, slope, out);
  }

  @Override
  public final void batchNormInference(float[] x, int batch, int channels, int spatial, float[] params,
      int gammaOff, int betaOff, float[] state, int meanOff, int varOff, float epsilon, float[] xhat,
      float[] invStd, Activation act, float slope, float[] out) {
    work().batchNormInference(x, batch, channels, spatial, params, gammaOff, betaOff, state, meanOff, varOff,
        epsilon, xhat, invStd, act, slope, out);
  }

  @Override
  public final void batchNormBackward(float[] dy, float[] y, Activation act, float slope, float[] xhat,
      float[] invStd, int batch, int channels, int spatial, float[] params, int gammaOff, float[] grads,
      int betaOff, boolean training, float @org.jspecify.annotations.Nullable [] dx) {
    work().batchNormBackward(dy, y, act, slope, xhat, invStd, batch, channels, spatial, params, gammaOff, grads,
        betaOff, training, dx);
  }

  // ---------------------------------------------------------------------------------------------------------
  // Zeroing, the loss and the embeddings (StepWork), over the threads and busy flag of work().

  private @Nullable StepWork step;

  private StepWork step() {
    StepWork s = step;
    if (s == null) {
      s = new StepWork(work().pool(), work().busy());
      step = s;
    }
    return s;
  }

  /** Split by aligned ranges above {@link StepWork#THRESHOLD} elements. */
  @Override
  public final void zero(float[] x, int n) {
    step().zero(x, n);
  }

  /** Split by rows above {@link StepWork#LOSS_THRESHOLD} logits; the loss terms summed in row order. */
  @Override
  public final float softmaxCrossEntropy(float[] z, int[] labels, int rows, int classes, float[] dz) {
    return step().softmaxCrossEntropy(z, labels, rows, classes, dz);
  }

  /** Ids checked on this thread, then the rows split above {@link StepWork#THRESHOLD} elements. */
  @Override
  public final void embeddingForward(String layer, float[] out, float[] ids, int idsOff, int batch, int time,
      float[] params, int tableOff, int vocabulary, int dimension) {
    step().embeddingForward(layer, out, ids, idsOff, batch, time, params, tableOff, vocabulary, dimension);
  }

  /** Split by aligned ranges above {@link StepWork#THRESHOLD} elements. */
  @Override
  public final void positionalForward(float[] out, float[] x, int batch, int time, int dimension, float[] params,
      int off) {
    step().positionalForward(out, x, batch, time, dimension, params, off);
  }

  /** The table split by elements, {@code dx} by aligned ranges, above {@link StepWork#THRESHOLD} elements. */
  @Override
  public final void positionalBackward(float[] dOut, int batch, int time, int dimension, float[] grads, int off,
      float @Nullable [] dx) {
    step().positionalBackward(dOut, batch, time, dimension, grads, off, dx);
  }

  // ---------------------------------------------------------------------------------------------------------
  // Recurrences, split by samples over the threads (RecurrentWork).

  private @Nullable RecurrentWork recurrence;

  /** This instance's splitter of the recurrences, over the threads and busy flag of {@link #work()}. */
  private RecurrentWork recurrence() {
    RecurrentWork r = recurrence;
    if (r == null) {
      r = new RecurrentWork(this, work().pool(), work().busy());
      recurrence = r;
    }
    return r;
  }

  /**
   * Rows {@code [0, m)} of a product {@code c (+)= a · b} ({@code b} of shape {@code (k, n)}, or {@code (n, k)}
   * read transposed when {@code transposedB}) that has {@code fullRows} rows in all, on thread {@code thread} with
   * its own scratch, nothing else touched: each row is bitwise the row of the whole product this instance's
   * {@code matmulNN} or {@code matmulNT} computes. With {@code samePackedB}, {@code b} is the operand of this
   * thread's previous call, unchanged since, and a kernel that kept it packed may skip packing it again.
   */
  abstract void productRows(int thread, boolean transposedB, float[] c, int cOff, float[] a, int aOff, float[] b,
      int bOff, int m, int n, int k, boolean accumulate, int fullRows, boolean samePackedB);

  /**
   * The sigmoid and tanh of the recurrent cells' forward gates: {@link GateFunctions#EXACT} (double, from
   * {@code Math.exp}); the Vector API kernels use float ones from their vector {@code exp}.
   */
  GateFunctions gateFunctions() {
    return GateFunctions.EXACT;
  }

  /** {@code dst[dstOff + i] += src[srcOff + i]} for {@code i < n}; the Vector API kernels add vectors. */
  void addTo(float[] dst, int dstOff, float[] src, int srcOff, int n) {
    for (int i = 0; i < n; i++) {
      dst[dstOff + i] += src[srcOff + i];
    }
  }

  @Override
  public final void simpleRnnRecurrenceForward(RecurrentGeometry g, int direction, int batch, float[] projection,
      float[] recurrent, float[] params, int weightHhOff, int biasIhOff, int biasHhOff, float[] hidden,
      float[] out) {
    recurrence().simpleRnnForward(g, direction, batch, projection, recurrent, params, weightHhOff, biasIhOff,
        biasHhOff, hidden, out);
  }

  @Override
  public final void simpleRnnRecurrenceBackward(RecurrentGeometry g, int direction, int batch, float[] dy,
      float[] hidden, float[] stateGrad, float[] projectionGrad, float[] gateGrad, float[] params, int weightHhOff,
      float[] grads, int biasIhOff, int biasHhOff) {
    recurrence().simpleRnnBackward(g, direction, batch, dy, hidden, stateGrad, projectionGrad, gateGrad, params,
        weightHhOff, grads, biasIhOff, biasHhOff);
  }

  @Override
  public final void gruRecurrenceForward(RecurrentGeometry g, int direction, int batch, float[] projection,
      float[] recurrent, float[] params, int weightHhOff, int biasIhOff, int biasHhOff, float[] gates,
      float[] newRecurrent, float[] hidden, float[] out) {
    recurrence().gruForward(g, direction, batch, projection, recurrent, params, weightHhOff, biasIhOff, biasHhOff,
        gates, newRecurrent, hidden, out);
  }

  @Override
  public final void gruRecurrenceBackward(RecurrentGeometry g, int direction, int batch, float[] dy, float[] gates,
      float[] newRecurrent, float[] hidden, float[] stateGrad, float[] projectionGrad, float[] params,
      int weightHhOff, float[] grads, int biasIhOff, int biasHhOff) {
    recurrence().gruBackward(g, direction, batch, dy, gates, newRecurrent, hidden, stateGrad, projectionGrad, params,
        weightHhOff, grads, biasIhOff, biasHhOff);
  }

  @Override
  public final void lstmRecurrenceForward(RecurrentGeometry g, int direction, int batch, float[] projection,
      float[] recurrent, float[] params, int weightHhOff, int biasIhOff, int biasHhOff, float[] gates, float[] cells,
      float[] cellTanh, float[] hidden, float[] out) {
    recurrence().lstmForward(g, direction, batch, projection, recurrent, params, weightHhOff, biasIhOff, biasHhOff,
        gates, cells, cellTanh, hidden, out);
  }

  @Override
  public final void lstmRecurrenceBackward(RecurrentGeometry g, int direction, int batch, float[] dy, float[] gates,
      float[] cells, float[] cellTanh, float[] stateGrad, float[] projectionGrad, float[] params, int weightHhOff,
      float[] grads, int biasIhOff, int biasHhOff) {
    recurrence().lstmBackward(g, direction, batch, dy, gates, cells, cellTanh, stateGrad, projectionGrad, params,
        weightHhOff, grads, biasIhOff, biasHhOff);
  }
}
