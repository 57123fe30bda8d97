package io.nabla.runtime.kernel;

import io.nabla.Activation;

/**
 * Scalar activations and their derivatives. Most derivatives are written as functions of the output {@code y}, so
 * backward needs only the forward's output: ReLU {@code y > 0}, leaky ReLU {@code y > 0 ? 1 : slope} (slope ≥ 0
 * keeps the sign of {@code y} that of {@code x}), sigmoid {@code y(1 - y)}, tanh {@code 1 - y²}
 * ({@link #multiplyDerivative}). GELU and SiLU are not invertible, so their derivatives need the pre-activation
 * {@code x} ({@link #multiplyDerivativeAtInput}, which handles every element-wise activation):
 *
 * <pre>
 * GELU(x) = x · Φ(x) = x/2 · (1 + erf(x/√2))      GELU'(x) = Φ(x) + x · φ(x),   φ(x) = e^(-x²/2) / √(2π)
 * SiLU(x) = x · σ(x)                              SiLU'(x) = σ(x) · (1 + x · (1 - σ(x)))
 * </pre>
 *
 * GELU is the exact (erf) form, PyTorch's {@code nn.GELU()} default; {@code Φ} is computed from {@link #erfc} for
 * negative {@code x}, so the tail {@code GELU(-6) ≈ -5.9e-9} keeps its relative precision where
 * {@code 1 + erf(x/√2)} would cancel to 0.
 */
public final class ActivationFunctions {
  private ActivationFunctions() {}

  /** {@code 1/√2}. */
  private static final double SQRT_HALF = 0.70710678118654752440;
  /** {@code 1/√(2π)}. */
  private static final double INV_SQRT_2PI = 0.39894228040143267794;
  /** {@code 1/√π}. */
  private static final double INV_SQRT_PI = 0.56418958354775628695;

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
      case GELU:
        for (int i = from; i < to; i++) {
          double x = v[i];
          v[i] = (float) (x * phi(x));
        }
        return;
      case SILU:
        for (int i = from; i < to; i++) {
          double x = v[i];
          // x / (1 + e^-x) needs no branch: for x → -∞, e^-x overflows to ∞ and the quotient is -0.
          v[i] = (float) (x / (1.0 + Math.exp(-x)));
        }
        return;
      default:
        throw notElementWise(act);
    }
  }

  /**
   * {@code out[i] = act(x[i])} for {@code i < n}, leaving {@code x} unchanged (a layer that keeps its
   * pre-activation for backward, as GELU and SiLU need). {@code out} may be {@code x}.
   */
  public static void applyTo(float[] out, float[] x, int n, Activation act, float slope) {
    if (act == Activation.SOFTMAX) {
      throw notElementWise(act);
    }
    if (out != x) {
      System.arraycopy(x, 0, out, 0, n);
    }
    apply(out, 0, n, act, slope);
  }

  /**
   * {@code dy[i] *= act'(y[i])} for {@code i} in {@code [from, to)}, the derivative written as a function of the
   * output {@code y}. GELU and SiLU have no such form and are rejected: use {@link #multiplyDerivativeAtInput}.
   */
  public static void multiplyDerivative(float[] dy, float[] y, int from, int to, Activation act, float slope) {
    switch (act) {
      case IDENTITY:
        return;
      case RELU:
        // Branch-free: after a ReLU, y > 0 is a coin toss the branch predictor loses.
        for (int i = from; i < to; i++) {
          dy[i] = Float.intBitsToFloat(Float.floatToRawIntBits(dy[i]) & Convolution.positiveMask(y[i]));
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
        checkDerivativeFromOutput(act);
        throw notElementWise(act);
    }
  }

  /**
   * Throws unless {@code act}'s derivative can be computed from its output (everything but GELU, SiLU and
   * softmax), so that a backward pass fails before it writes anything rather than computing a wrong gradient.
   */
  static void checkDerivativeFromOutput(Activation act) {
    if (act == Activation.GELU || act == Activation.SILU) {
      throw new IllegalArgumentException(act + "'s derivative is not a function of its output: it needs the"
          + " pre-activation x (ActivationFunctions.multiplyDerivativeAtInput)");
    }
    if (act == Activation.SOFTMAX) {
      throw notElementWise(act);
    }
  }

  /**
   * {@code dy[i] *= act'(x[i])} for {@code i} in {@code [from, to)}, the derivative at the pre-activation
   * {@code x}; every element-wise activation. At the kinks, as PyTorch: {@code relu'(0) = 0},
   * {@code leaky_relu'(0) = slope}.
   */
  public static void multiplyDerivativeAtInput(float[] dy, float[] x, int from, int to, Activation act,
      float slope) {
    switch (act) {
      case IDENTITY:
        return;
      case RELU:
        for (int i = from; i < to; i++) {
          dy[i] = x[i] > 0f ? dy[i] : 0f;
        }
        return;
      case LEAKY_RELU:
        for (int i = from; i < to; i++) {
          dy[i] = x[i] > 0f ? dy[i] : slope * dy[i];
        }
        return;
      case SIGMOID:
        for (int i = from; i < to; i++) {
          double s = 1.0 / (1.0 + Math.exp(-x[i]));
          dy[i] = (float) (dy[i] * (s * (1.0 - s)));
        }
        return;
      case TANH:
        for (int i = from; i < to; i++) {
          double t = Math.tanh(x[i]);
          dy[i] = (float) (dy[i] * (1.0 - t * t));
        }
        return;
      case GELU:
        for (int i = from; i < to; i++) {
          dy[i] = (float) (dy[i] * geluDerivative(x[i]));
        }
        return;
      case SILU:
        for (int i = from; i < to; i++) {
          double v = x[i];
          // σ(x) = 1/(1 + e^-x) is 0 (not NaN) when e^-x overflows, and 1 - σ keeps full absolute precision.
          double s = 1.0 / (1.0 + Math.exp(-v));
          dy[i] = (float) (dy[i] * (s * (1.0 + v * (1.0 - s))));
        }
        return;
      default:
        throw notElementWise(act);
    }
  }

  private static IllegalArgumentException notElementWise(Activation act) {
    return new IllegalArgumentException(act + " is not an element-wise activation");
  }

  /** The logistic function, stable for large {@code |x|} (never computes {@code e^x} for large positive x). */
  public static float sigmoid(float x) {
    if (x >= 0f) {
      return (float) (1.0 / (1.0 + Math.exp(-x)));
    }
    double e = Math.exp(x);
    return (float) (e / (1.0 + e));
  }

  /**
   * The standard normal CDF {@code Φ(x) = erfc(-x/√2) / 2}, with full relative precision in the lower tail. One
   * {@code exp} (not {@link #erfc}'s two): the rounding of the exponent costs at most 1e-14 relative where float
   * GELU is not yet 0, far below float precision.
   */
  static double phi(double x) {
    double z = x * SQRT_HALF;
    double y = Math.abs(z);
    if (y <= ERF_SMALL) {
      return 0.5 + 0.5 * erfSmall(z);
    }
    double tail = 0.5 * Math.exp(-y * y) * erfcScaled(y);
    return z > 0 ? 1.0 - tail : tail;
  }

  /**
   * {@code GELU'(x) = Φ(x) + x·φ(x)}. For {@code |x|/√2 > 0.46875} the one {@code e^(-x²/2)} serves both
   * {@code erfc} and {@code φ}.
   */
  static double geluDerivative(double x) {
    double z = x * SQRT_HALF;
    double y = Math.abs(z);
    if (y <= ERF_SMALL) {
      // Φ = 1/2 + erf(z)/2; e^(-x²/2) ≥ 0.8 here, no cancellation.
      return 0.5 + 0.5 * erfSmall(z) + x * INV_SQRT_2PI * Math.exp(-z * z);
    }
    double e = Math.exp(-y * y);
    double tail = 0.5 * e * erfcScaled(y);
    double cdf = z > 0 ? 1.0 - tail : tail;
    return cdf + x * INV_SQRT_2PI * e;
  }

  // ---- erf: W. J. Cody, "Rational Chebyshev approximations for the error function", Math. Comp. 23 (1969)
  // 631-638, coefficients of the SPECFUN routine CALERF (netlib.org/specfun/erf): relative error near 1e-16. ----

  /** Below this, erf is one rational function of x²; above, erfc is e^(-x²) times a rational function. */
  private static final double ERF_SMALL = 0.46875;
  /** erfc(6) ≈ 2.2e-17 is below half an ulp of 1: erf(x) rounds to ±1 from here. */
  private static final double ERF_ONE = 6.0;
  /** erfc(x) underflows to 0 beyond this. */
  private static final double ERFC_ZERO = 26.6;

  private static final double[] A = {3.16112374387056560e00, 1.13864154151050156e02, 3.77485237685302021e02,
      3.20937758913846947e03, 1.85777706184603153e-1};
  private static final double[] B = {2.36012909523441209e01, 2.44024637934444173e02, 1.28261652607737228e03,
      2.84423683343917062e03};
  private static final double[] C = {5.64188496988670089e-1, 8.88314979438837594e00, 6.61191906371416295e01,
      2.98635138197400131e02, 8.81952221241769090e02, 1.71204761263407058e03, 2.05107837782607147e03,
      1.23033935479799725e03, 2.15311535474403846e-8};
  private static final double[] D = {1.57449261107098347e01, 1.17693950891312499e02, 5.37181101862009858e02,
      1.62138957456669019e03, 3.29079923573345963e03, 4.36261909014324716e03, 3.43936767414372164e03,
      1.23033935480374942e03};
  private static final double[] P = {3.05326634961232344e-1, 3.60344899949804439e-1, 1.25781726111229246e-1,
      1.60837851487422766e-2, 6.58749161529837803e-4, 1.63153871373020978e-2};
  private static final double[] Q = {2.56852019228982242e00, 1.87295284992346047e00, 5.27905102951428412e-1,
      6.05183413124413191e-2, 2.33520497626869185e-3};

  /**
   * The error function {@code erf(x) = 2/√π ∫_0^x e^(-t²) dt}, to about 1e-16 relative (Cody's rational
   * approximations); {@code erf(±∞) = ±1}, {@code erf(NaN) = NaN}.
   */
  public static double erf(double x) {
    double y = Math.abs(x);
    if (y <= ERF_SMALL) {
      return erfSmall(x);
    }
    if (y < ERF_ONE) {
      double r = Math.exp(-y * y) * erfcScaled(y);
      return x > 0 ? 1.0 - r : r - 1.0;
    }
    if (y >= ERF_ONE) {
      return Math.copySign(1.0, x);
    }
    return x; // NaN
  }

  /**
   * The complementary error function {@code erfc(x) = 1 - erf(x)}, to about 1e-15 relative also in the tail
   * where {@code 1 - erf(x)} would cancel (it underflows to 0 beyond x ≈ 26.6); {@code erfc(NaN) = NaN}.
   */
  public static double erfc(double x) {
    double y = Math.abs(x);
    if (y <= ERF_SMALL) {
      return 1.0 - erfSmall(x);
    }
    double r;
    if (y < ERFC_ZERO) {
      // e^(-y²) as e^(-s²)·e^(-(y-s)(y+s)) with s = y rounded down to 1/16: s² is exact, so the large exponent
      // carries no rounding error (Cody's trick), which keeps erfc's relative precision in the tail.
      double s = Math.floor(16.0 * y) / 16.0;
      double del = (y - s) * (y + s);
      r = Math.exp(-s * s) * Math.exp(-del) * erfcScaled(y);
    } else if (y >= ERFC_ZERO) {
      r = 0.0;
    } else {
      return x; // NaN
    }
    return x > 0 ? r : 2.0 - r;
  }

  /** erf on {@code |x| ≤ 0.46875}: {@code x · A(x²) / B(x²)}. */
  private static double erfSmall(double x) {
    double t = x * x;
    double num = A[4] * t;
    double den = t;
    for (int i = 0; i < 3; i++) {
      num = (num + A[i]) * t;
      den = (den + B[i]) * t;
    }
    return x * (num + A[3]) / (den + B[3]);
  }

  /** {@code e^(y²) · erfc(y)} for {@code y > 0.46875}: C/D up to 4, then the asymptotic P/Q form in 1/y². */
  private static double erfcScaled(double y) {
    if (y <= 4.0) {
      double num = C[8] * y;
      double den = y;
      for (int i = 0; i < 7; i++) {
        num = (num + C[i]) * y;
        den = (den + D[i]) * y;
      }
      return (num + C[7]) / (den + D[7]);
    }
    double t = 1.0 / (y * y);
    double num = P[5] * t;
    double den = t;
    for (int i = 0; i < 4; i++) {
      num = (num + P[i]) * t;
      den = (den + Q[i]) * t;
    }
    return (INV_SQRT_PI - t * (num + P[4]) / (den + Q[4])) / y;
  }
}
