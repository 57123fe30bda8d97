package io.nabla.runtime.kernel;

import io.nabla.Activation;

/**
 * Scalar activations and their derivatives written as functions of the output {@code y}, so backward needs only
 * the forward's output: ReLU {@code y > 0}, leaky ReLU {@code y > 0 ? 1 : slope} (slope ≥ 0 keeps the sign of
 * {@code y} that of {@code x}), sigmoid {@code y(1 - y)}, tanh {@code 1 - y²}.
 */
public final class ActivationFunctions {
  private ActivationFunctions() {}

  /** Applies {@code act} in place to {@code v[from, to)}. Softmax is not element-wise and is not handled here. */
  public static void apply(float[] v, int from, int to, Activation act, float slope) {
    switch (act) {
      case IDENTITY:
        return;
      case RELU:
        for (int i = from; i < to; i++) {
          v[i] = Math.max(v[i], 0f);
        }
        return;
      case LEAKY_RELU:
        for (int i = from; i < to; i++) {
          float x = v[i];
          v[i] = x > 0f ? x : slope * x;
        }
        return;
      case SIGMOID:
        for (int i = from; i < to; i++) {
          v[i] = sigmoid(v[i]);
        }
        return;
      case TANH:
        for (int i = from; i < to; i++) {
          v[i] = (float) Math.tanh(v[i]);
        }
        return;
      default:
        throw new IllegalArgumentException(act + " is not an element-wise activation");
    }
  }

  /** {@code dy[i] *= act'(y[i])} for {@code i} in {@code [from, to)}. */
  public static void multiplyDerivative(float[] dy, float[] y, int from, int to, Activation act, float slope) {
    switch (act) {
      case IDENTITY:
        return;
      case RELU:
        for (int i = from; i < to; i++) {
          dy[i] = y[i] > 0f ? dy[i] : 0f;
        }
        return;
      case LEAKY_RELU:
        for (int i = from; i < to; i++) {
          dy[i] = y[i] > 0f ? dy[i] : slope * dy[i];
        }
        return;
      case SIGMOID:
        for (int i = from; i < to; i++) {
          float s = y[i];
          dy[i] *= s * (1f - s);
        }
        return;
      case TANH:
        for (int i = from; i < to; i++) {
          float t = y[i];
          dy[i] *= 1f - t * t;
        }
        return;
      default:
        throw new IllegalArgumentException(act + " is not an element-wise activation");
    }
  }

  /** The logistic function, stable for large {@code |x|} (never computes {@code e^x} for large positive x). */
  public static float sigmoid(float x) {
    if (x >= 0f) {
      return (float) (1.0 / (1.0 + Math.exp(-x)));
    }
    double e = Math.exp(x);
    return (float) (e / (1.0 + e));
  }
}
