package io.nabla.runtime.kernel;

import io.nabla.Activation;
import org.jspecify.annotations.Nullable;

/**
 * Batch normalisation over batch-major {@code (B, C, S)} buffers ({@code S} positions per channel, 1 for features):
 * per channel {@code c}, {@code y = act(γ_c · x̂ + β_c)} with {@code x̂ = (x - μ_c) · r_c}, {@code r_c = 1/√(σ²_c + ε)}.
 * Forward keeps {@code x̂} and {@code r} for backward, which then needs no second pass over the input. Sums are
 * taken in double, channel by channel in a fixed order, so results do not depend on threads.
 */
public final class NormalizationKernels {
  private NormalizationKernels() {}

  /**
   * Training forward: batch statistics ({@code σ²} biased), then the running statistics in {@code state} updated
   * as PyTorch does, {@code running = (1 - momentum)·running + momentum·batch} with the unbiased variance.
   */
  public static void batchNormTraining(float[] x, int batch, int channels, int spatial, float[] params,
      int gammaOff, int betaOff, float[] state, int meanOff, int varOff, float momentum, float epsilon,
      float[] xhat, float[] invStd, Activation act, float slope, float[] out) {
    batchNormTrainingChannels(x, batch, channels, spatial, params, gammaOff, betaOff, state, meanOff, varOff,
        momentum, epsilon, xhat, invStd, act, slope, out, 0, channels);
  }

  /**
   * {@link #batchNormTraining} for the channels {@code [from, to)}: each channel's statistics, running statistics
   * and output by the same code in the same order whichever range it is in, then the activation on those channels.
   */
  static void batchNormTrainingChannels(float[] x, int batch, int channels, int spatial, float[] params,
      int gammaOff, int betaOff, float[] state, int meanOff, int varOff, float momentum, float epsilon,
      float[] xhat, float[] invStd, Activation act, float slope, float[] out, int from, int to) {
    long n = (long) batch * spatial;
    for (int c = from; c < to; c++) {
      double sum = 0;
      for (int b = 0; b < batch; b++) {
        int base = (b * channels + c) * spatial;
        for (int s = 0; s < spatial; s++) {
          sum += x[base + s];
        }
      }
      double mean = sum / n;
      double squares = 0;
      for (int b = 0; b < batch; b++) {
        int base = (b * channels + c) * spatial;
        for (int s = 0; s < spatial; s++) {
          double d = x[base + s] - mean;
          squares += d * d;
        }
      }
      double variance = squares / n;
      float r = (float) (1.0 / Math.sqrt(variance + epsilon));
      invStd[c] = r;
      state[meanOff + c] = (float) ((1 - momentum) * state[meanOff + c] + momentum * mean);
      double unbiased = n > 1 ? squares / (n - 1) : variance;
      state[varOff + c] = (float) ((1 - momentum) * state[varOff + c] + momentum * unbiased);
      normalize(x, batch, channels, spatial, c, (float) mean, r, params[gammaOff + c],
          betaOff < 0 ? 0f : params[betaOff + c], xhat, out);
    }
    applyToChannels(out, batch, channels, spatial, act, slope, from, to);
  }

  /** Inference forward: the running statistics from {@code state}, which stay unchanged. */
  public static void batchNormInference(float[] x, int batch, int channels, int spatial, float[] params,
      int gammaOff, int betaOff, float[] state, int meanOff, int varOff, float epsilon, float[] xhat,
      float[] invStd, Activation act, float slope, float[] out) {
    batchNormInferenceChannels(x, batch, channels, spatial, params, gammaOff, betaOff, state, meanOff, varOff,
        epsilon, xhat, invStd, act, slope, out, 0, channels);
  }

  /** {@link #batchNormInference} for the channels {@code [from, to)}, as {@link #batchNormTrainingChannels}. */
  static void batchNormInferenceChannels(float[] x, int batch, int channels, int spatial, float[] params,
      int gammaOff, int betaOff, float[] state, int meanOff, int varOff, float epsilon, float[] xhat,
      float[] invStd, Activation act, float slope, float[] out, int from, int to) {
    for (int c = from; c < to; c++) {
      float r = (float) (1.0 / Math.sqrt((double) state[varOff + c] + epsilon));
      invStd[c] = r;
      normalize(x, batch, channels, spatial, c, state[meanOff + c], r, params[gammaOff + c],
          betaOff < 0 ? 0f : params[betaOff + c], xhat, out);
    }
    applyToChannels(out, batch, channels, spatial, act, slope, from, to);
  }

  /**
   * The activation on the channels {@code [from, to)} of every sample: one contiguous span per sample, or one
   * span in all when the range is every channel. Element-wise, so the same values however the channels are split.
   */
  private static void applyToChannels(float[] out, int batch, int channels, int spatial, Activation act,
      float slope, int from, int to) {
    if (act == Activation.IDENTITY) {
      return;
    }
    if (from == 0 && to == channels) {
      ActivationFunctions.apply(out, 0, batch * channels * spatial, act, slope);
      return;
    }
    for (int b = 0; b < batch; b++) {
      ActivationFunctions.apply(out, (b * channels + from) * spatial, (b * channels + to) * spatial, act, slope);
    }
  }

  private static void normalize(float[] x, int batch, int channels, int spatial, int c, float mean, float r,
      float gamma, float beta, float[] xhat, float[] out) {
    for (int b = 0; b < batch; b++) {
      int base = (b * channels + c) * spatial;
      for (int s = 0; s < spatial; s++) {
        float h = (x[base + s] - mean) * r;
        xhat[base + s] = h;
        out[base + s] = gamma * h + beta;
      }
    }
  }

  /**
   * Backward: {@code dz = dy ⊙ act'(y)} (written over {@code dy}), {@code dγ += Σ dz·x̂}, {@code dβ += Σ dz}, and
   * {@code dx +=} in training {@code γ·r/n · (n·dz - Σdz - x̂·Σ(dz·x̂))} (the statistics depend on x), in inference
   * {@code γ·r·dz}. {@code dx == null}: the input takes no gradient.
   */
  public static void batchNormBackward(float[] dy, float[] y, Activation act, float slope, float[] xhat,
      float[] invStd, int batch, int channels, int spatial, float[] params, int gammaOff, float[] grads,
      int betaOff, boolean training, float @Nullable [] dx) {
    batchNormBackwardChannels(dy, y, act, slope, xhat, invStd, batch, channels, spatial, params, gammaOff, grads,
        betaOff, training, dx, 0, channels);
  }

  /**
   * {@link #batchNormBackward} for the channels {@code [from, to)}: {@code dz} on those channels of every sample,
   * then each channel's sums and input gradient by the same code in the same order whichever range it is in.
   */
  static void batchNormBackwardChannels(float[] dy, float[] y, Activation act, float slope, float[] xhat,
      float[] invStd, int batch, int channels, int spatial, float[] params, int gammaOff, float[] grads,
      int betaOff, boolean training, float @Nullable [] dx, int from, int to) {
    if (from == 0 && to == channels) {
      ActivationFunctions.multiplyDerivative(dy, y, 0, batch * channels * spatial, act, slope);
    } else if (act != Activation.IDENTITY && from < to) {
      for (int b = 0; b < batch; b++) {
        ActivationFunctions.multiplyDerivative(dy, y, (b * channels + from) * spatial, (b * channels + to) * spatial,
            act, slope);
      }
    }
    long n = (long) batch * spatial;
    for (int c = from; c < to; c++) {
      double sumDz = 0;
      double sumDzXhat = 0;
      for (int b = 0; b < batch; b++) {
        int base = (b * channels + c) * spatial;
        for (int s = 0; s < spatial; s++) {
          sumDz += dy[base + s];
          sumDzXhat += (double) dy[base + s] * xhat[base + s];
        }
      }
      grads[gammaOff + c] += (float) sumDzXhat;
      if (betaOff >= 0) {
        grads[betaOff + c] += (float) sumDz;
      }
      if (dx == null) {
        continue;
      }
      float scale = params[gammaOff + c] * invStd[c];
      if (training) {
        float meanDz = (float) (sumDz / n);
        float meanDzXhat = (float) (sumDzXhat / n);
        for (int b = 0; b < batch; b++) {
          int base = (b * channels + c) * spatial;
          for (int s = 0; s < spatial; s++) {
            dx[base + s] += scale * (dy[base + s] - meanDz - xhat[base + s] * meanDzXhat);
          }
        }
      } else {
        for (int b = 0; b < batch; b++) {
          int base = (b * channels + c) * spatial;
          for (int s = 0; s < spatial; s++) {
            dx[base + s] += scale * dy[base + s];
          }
        }
      }
    }
  }

  /**
   * Folds an inference-mode batch norm into the convolution before it: for filter {@code f},
   * {@code W'_f = W_f · γ_f·r_f} and {@code b'_f = (b_f - μ_f)·γ_f·r_f + β_f}, written to {@code folded} (weights
   * first, {@code filters × weightsPerFilter}, then the {@code filters} biases). {@code convBiasOff = -1}: the
   * convolution has no bias.
   */
  public static void foldIntoConvolution(float[] params, int convWeightOff, int convBiasOff, int filters,
      int weightsPerFilter, int gammaOff, int betaOff, float[] state, int meanOff, int varOff, float epsilon,
      float[] folded) {
    int biases = filters * weightsPerFilter;
    for (int f = 0; f < filters; f++) {
      float scale = (float) (params[gammaOff + f] / Math.sqrt((double) state[varOff + f] + epsilon));
      for (int k = 0; k < weightsPerFilter; k++) {
        folded[f * weightsPerFilter + k] = params[convWeightOff + f * weightsPerFilter + k] * scale;
      }
      float bias = convBiasOff < 0 ? 0f : params[convBiasOff + f];
      folded[biases + f] = (bias - state[meanOff + f]) * scale + (betaOff < 0 ? 0f : params[betaOff + f]);
    }
  }
}
