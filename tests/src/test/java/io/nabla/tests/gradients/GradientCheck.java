package io.nabla.tests.gradients;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nabla.Loss;
import io.nabla.runtime.Model;
import io.nabla.runtime.ParameterTensor;
import io.nabla.runtime.Rng;
import io.nabla.tests.JvmOnly;

/**
 * Compares a model's backward pass with central finite differences of its loss,
 * {@code (L(w + h) - L(w - h)) / 2h} for every parameter, tensor by tensor, as a norm-relative error
 * {@code ‖analytic − numeric‖ / max(‖numeric‖, 1e-6)}.
 */
@JvmOnly
final class GradientCheck {
  /** Perturbation; float32 losses make smaller steps noisier than the O(h²) truncation error. */
  static final float H = 5e-3f;
  /** Tolerance on the norm-relative error per tensor. */
  static final double TOLERANCE = 2e-3;

  private final float h;
  /** Whether the numeric derivative is the five-point stencil rather than the central difference. */
  private final boolean fivePoint;
  private final Model model;
  private final float[][] inputs;
  private final int batch;
  private final int[] labels;
  private final float[] targets;
  /** Every forward starts from this random state, so dropout draws the same mask each time. */
  private final long randomState;

  /** Random inputs in [-1, 1), random labels or targets in [0, 1) (binary targets for BCE). */
  GradientCheck(Model model, int batch, long seed) {
    this(model, batch, seed, H, false);
  }

  /**
   * As the other constructor, but with the five-point stencil {@code (8(L(w + h) - L(w - h)) - (L(w + 2h) -
   * L(w - 2h))) / 12h}, whose truncation error is O(h⁴), at step {@code h}: a step large enough that the float32
   * rounding of the loss does not drown the smallest gradients (deep in a recurrence, ≈1e-5 per value), which the
   * default step would. For smooth networks only: at such a step the one-sided differences of a smooth loss differ
   * by its curvature, so no value is taken for a kink.
   */
  GradientCheck(Model model, int batch, long seed, float h) {
    this(model, batch, seed, h, true);
  }

  private GradientCheck(Model model, int batch, long seed, float h, boolean fivePoint) {
    this.h = h;
    this.fivePoint = fivePoint;
    this.model = model;
    this.batch = batch;
    Rng rng = new Rng(seed);
    model.initialize(seed);
    inputs = new float[model.inputs().size()][];
    for (int i = 0; i < inputs.length; i++) {
      inputs[i] = new float[batch * model.inputs().get(i).outputSize()];
      int vocabulary = vocabulary(model, model.inputs().get(i).name());
      for (int j = 0; j < inputs[i].length; j++) {
        inputs[i][j] = vocabulary > 0 ? rng.nextInt(vocabulary) : 2 * rng.nextFloat() - 1;
      }
    }
    int n = batch * model.targetsPerSample();
    if (model.loss() == Loss.SOFTMAX_CROSS_ENTROPY) {
      labels = new int[n];
      for (int i = 0; i < n; i++) {
        labels[i] = rng.nextInt(model.classCount());
      }
      targets = null;
    } else {
      labels = null;
      targets = new float[n];
      for (int i = 0; i < n; i++) {
        targets[i] = model.loss() == Loss.MSE ? rng.nextFloat() : rng.nextInt(2);
      }
    }
    // Biases start at zero and batch-norm scales at one; move them so their gradients are exercised away from
    // symmetric points.
    float[] w = model.parameters().values();
    for (ParameterTensor t : model.parameters().tensors()) {
      boolean scale = t.kind() == ParameterTensor.Kind.WEIGHT && t.init() == ParameterTensor.Init.ONES;
      if ((t.kind().isBias() && t.init() == ParameterTensor.Init.ZEROS) || scale) {
        for (int i = 0; i < t.size(); i++) {
          w[t.offset() + i] = (scale ? 1f : 0f) + 0.2f * (2 * rng.nextFloat() - 1);
        }
      }
    }
    randomState = model.randomState();
  }

  /**
   * For a token input, the smallest vocabulary of the embeddings reading it (the rows of their tables), so the
   * random ids are valid; 0 for an input of features.
   */
  static int vocabulary(Model model, String input) {
    int vocabulary = 0;
    for (io.nabla.runtime.LayerInfo layer : model.layers()) {
      if (layer.kind().equals("Embedding") && layer.inputs().contains(input)) {
        for (ParameterTensor t : model.parameters().tensors()) {
          if (t.layer().equals(layer.name())) {
            int rows = t.shape()[0];
            vocabulary = vocabulary == 0 ? rows : Math.min(vocabulary, rows);
          }
        }
      }
    }
    return vocabulary;
  }

  float loss() {
    model.restoreRandomState(randomState);
    model.forward(inputs, batch);
    return labels != null ? model.loss(labels, batch) : model.loss(targets, batch);
  }

  /**
   * Asserts that every tensor's gradient matches finite differences; returns the largest error seen. A parameter
   * whose one-sided differences disagree sits on a kink within h (a max-pool window changing its winner, a ReLU
   * changing sign): there the central difference is meaningless, so it is left out, and at most a tenth of a
   * tensor (or one value) may be. A wrong gradient is no kink: its one-sided differences agree with each other, not with it.
   */
  double run() {
    model.zeroGradients();
    double base = loss();
    model.backward();
    float[] analytic = model.parameters().gradients().clone();
    float[] w = model.parameters().values();
    double worst = 0;
    for (ParameterTensor t : model.parameters().tensors()) {
      double diff = 0;
      double norm = 0;
      int kinks = 0;
      for (int i = t.offset(); i < t.offset() + t.size(); i++) {
        float saved = w[i];
        w[i] = saved + h;
        double plus = loss();
        w[i] = saved - h;
        double minus = loss();
        w[i] = saved;
        double right = (plus - base) / h;
        double left = (base - minus) / h;
        if (!fivePoint && Math.abs(right - left) > 0.05 * (Math.abs(right) + Math.abs(left)) + 2e-3) {
          kinks++;
          continue;
        }
        double numeric = (plus - minus) / (2.0 * h);
        if (fivePoint) {
          w[i] = saved + 2 * h;
          double plus2 = loss();
          w[i] = saved - 2 * h;
          double minus2 = loss();
          w[i] = saved;
          numeric = (8 * (plus - minus) - (plus2 - minus2)) / (12.0 * h);
        }
        diff += (analytic[i] - numeric) * (analytic[i] - numeric);
        norm += numeric * numeric;
      }
      assertTrue(kinks <= Math.max(1, t.size() / 10), model.name() + ": " + kinks + " of " + t.size() + " values of " + t.name()
          + " sit on kinks; choose smoother test data");
      double error = Math.sqrt(diff) / Math.max(Math.sqrt(norm), 1e-6);
      worst = Math.max(worst, error);
      assertTrue(error <= TOLERANCE, model.name() + ": gradient of " + t.name() + " differs from finite differences"
          + " by " + error + " (norm-relative; tolerance " + TOLERANCE + ")");
    }
    return worst;
  }
}
