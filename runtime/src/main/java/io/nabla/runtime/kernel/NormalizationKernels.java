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
    long n = (long) batch * spatial;
    for (int c = 0; c < channels; c++) {
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
    ActivationFunctions.apply(out, 0, batch * channels * spatial, act, slope);
  }

  /** Inference forward: the running statistics from {@code state}, which stay unchanged. */
  public static void batchNormInference(float[] x, int batch, int channels, int spatial, float[] params,
      int gammaOff, int betaOff, float[] state, int meanOff, int varOff, float epsilon, float[] xhat,
      float[] invStd, Activation act, float slope, float[] out) {
    for (int c = 0; c < channels; c++) {
      float r = (float) (1.0 / Math.sqrt((double) state[varOff + c] + epsilon));
      invStd[c] = r;
      normalize(x, batch, channels, spatial, c, state[meanOff + c], r, params[gammaOff + c],
          betaOff < 0 ? 0f : params[betaOff + c], xhat, out);
    }
    ActivationFunctions.apply(out, 0, batch * channels * spatial, act, slope);
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
    ActivationFunctions.multiplyDerivative(dy, y, 0, batch * channels * spatial, act, slope);
    long n = (long) batch * spatial;
    for (int c = 0; c < channels; c++) {
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
