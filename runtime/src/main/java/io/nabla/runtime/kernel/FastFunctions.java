package io.nabla.runtime.kernel;

import io.nabla.Activation;

/**
 * Fast float versions of {@code exp}, GELU and SiLU for the {@link Kernels} implementations (the exact double
 * versions in {@link ActivationFunctions} remain the reference). Scalar, Java 8 (no {@code Math.fma}): each result
 * depends on its argument only, never on where or on which thread it is computed.
 *
 * <p>{@link #exp}: {@code e^x = 2^k · e^r}, {@code k = round(x/ln 2)}, {@code r = x − k·ln 2} with ln 2 split in
 * two (Cody–Waite; {@code k·LN2_HI} is exact), {@code e^r ≈ 1 + r + r²·P(r)} with Cephes' degree-5 {@code P}
 * ({@code |r| ≤ ln2/2}); {@code 2^k} as two exponent-field factors so that {@code k = 128} needs no special case.
 * Measured against {@code Math.exp} over every 97th float in [−87.3, 88.7]: at most 1 ulp ({@code FastFunctionsTest}).
 * Below {@value #EXP_UNDERFLOW} (where {@code e^x} would be subnormal) it returns 0, above {@code ln(FLT_MAX)}
 * {@code +∞}; NaN stays NaN.
 *
 * <p>GELU: {@code Φ(x) = 1 − erfc(x/√2)/2}, {@code erfc(a) ≈ (a1·t + … + a5·t⁵)·e^(−a²)},
 * {@code t = 1/(1 + p·a)} for {@code a = |x|/√2} (Abramowitz–Stegun 7.1.26, absolute error ≤ 1.5e-7, the form
 * PyTorch's vectorised CPU kernel uses); {@code e^(−x²/2)} serves both {@code Φ} and {@code φ} in the derivative.
 * GELU and GELU' are within {@code 2e-7·max(1, |x|)} of the double definitions (measured maximum in
 * {@code FastFunctionsTest}); in the far tails the values go to 0 (and {@code x}, 1) as they should, with an absolute
 * error below {@code 1e-8}. SiLU {@code x/(1 + e^−x)} and its derivative {@code σ·(1 + x·(1 − σ))} are within a few
 * float ulps (absolute {@code 1e-6·max(1, |x|)}).
 */
final class FastFunctions {
  private FastFunctions() {}

  static final float LOG2E = 1.44269504088896341f;
  /** ln 2 = LN2_HI + LN2_LO; LN2_HI = 355/512 has 9 significant bits, so {@code k·LN2_HI} is exact for |k| ≤ 2^15. */
  static final float LN2_HI = 0.693359375f;
  static final float LN2_LO = -2.12194440e-4f;
  /** e^x is subnormal below ln(FLT_MIN) = −87.3365: flushed to 0. */
  static final float EXP_UNDERFLOW = -87.33654f;
  /** Arguments are clamped here: e^89 overflows to +∞ anyway, and k stays ≤ 129. */
  static final float EXP_CLAMP = 89f;
  /** 1.5·2^23: adding it rounds a float of magnitude below 2^22 to an integer, read from the low mantissa bits. */
  static final float ROUND = 12582912f;
  static final int ROUND_BITS = 0x4B400000;
  /** Cephes expf: e^r ≈ 1 + r + r²·(P5 + P4·r + … + P0·r⁵) on |r| ≤ ln2/2. */
  static final float P0 = 1.9875691500e-4f;
  static final float P1 = 1.3981999507e-3f;
  static final float P2 = 8.3334519073e-3f;
  static final float P3 = 4.1665795894e-2f;
  static final float P4 = 1.6666665459e-1f;
  static final float P5 = 5.0000001201e-1f;

  /** Abramowitz–Stegun 7.1.26. */
  static final float ERF_P = 0.3275911f;
  static final float ERF_A1 = 0.254829592f;
  static final float ERF_A2 = -0.284496736f;
  static final float ERF_A3 = 1.421413741f;
  static final float ERF_A4 = -1.453152027f;
  static final float ERF_A5 = 1.061405429f;
  static final float SQRT_HALF = 0.70710678118654752f;
  static final float INV_SQRT_2PI = 0.39894228040143268f;

  /** {@code e^x} in float, within 1 ulp of the correctly rounded value (see the class comment). */
  static float exp(float x) {
    if (!(x >= EXP_UNDERFLOW)) {
      return x != x ? x : 0f;
    }
    if (x > EXP_CLAMP) {
      x = EXP_CLAMP;
    }
    float t = x * LOG2E + ROUND;
    float kf = t - ROUND;
    int k = Float.floatToRawIntBits(t) - ROUND_BITS;
    float r = (x - kf * LN2_HI) - kf * LN2_LO;
    float p = ((((P0 * r + P1) * r + P2) * r + P3) * r + P4) * r + P5;
    p = p * (r * r) + r + 1f;
    int half = k >> 1;
    return p * Float.intBitsToFloat((half + 127) << 23) * Float.intBitsToFloat((k - half + 127) << 23);
  }

  /** {@code Φ(−|x|) = erfc(|x|/√2)/2} given {@code e = e^(−x²/2)}. */
  private static float lowerTail(float x, float e) {
    // In double: the polynomial cancels (its terms reach 1.45 for a sum near 1), and float rounding would add
    // 2e-7 to A&S's 0.75e-7 near x = 0.
    double t = 1.0 / (1.0 + ERF_P * (Math.abs(x) * (double) SQRT_HALF));
    double poly = ((((ERF_A5 * t + ERF_A4) * t + ERF_A3) * t + ERF_A2) * t + ERF_A1) * t;
    return (float) (0.5 * poly * e);
  }

  /**
   * {@code Φ(x)} from {@code half = Φ(−|x|)}: {@code 1 − half} for {@code x > 0}, {@code half} otherwise, without a
   * branch (the sign of random activations defeats branch prediction): {@code m + (1 − 2m)·half} with
   * {@code m = 1} for a clear sign bit is exactly one of the two ({@code ±half} is exact).
   */
  private static float cdf(float x, float half) {
    float m = (float) ((Float.floatToRawIntBits(x) >>> 31) ^ 1);
    return m + (1f - 2f * m) * half;
  }

  /** {@code GELU(x) = x·Φ(x)}. */
  static float gelu(float x) {
    return x * cdf(x, lowerTail(x, exp(-0.5f * (x * x))));
  }

  /** {@code GELU'(x) = Φ(x) + x·φ(x)}, one {@code exp}. */
  static float geluDerivative(float x) {
    float e = exp(-0.5f * (x * x));
    return cdf(x, lowerTail(x, e)) + x * (INV_SQRT_2PI * e);
  }

  /** {@code SiLU(x) = x/(1 + e^−x)}: for {@code x → −∞} the quotient is −0. */
  static float silu(float x) {
    return x / (1f + exp(-x));
  }

  /** {@code SiLU'(x) = σ(x)·(1 + x·(1 − σ(x)))}. */
  static float siluDerivative(float x) {
    float s = 1f / (1f + exp(-x));
    return s * (1f + x * (1f - s));
  }

  /** {@code out[i] = act(z[i])} for {@code i} in {@code [from, to)}; {@code out} may be {@code z}. */
  static void activate(float[] out, float[] z, int from, int to, Activation act, float slope) {
    switch (act) {
      case GELU:
        for (int i = from; i < to; i++) {
          out[i] = gelu(z[i]);
        }
        return;
      case SILU:
        for (int i = from; i < to; i++) {
          out[i] = silu(z[i]);
        }
        return;
      case SOFTMAX:
        throw new IllegalArgumentException(act + " is not an element-wise activation");
      default:
        if (out != z) {
          System.arraycopy(z, from, out, from, to - from);
        }
        ActivationFunctions.apply(out, from, to, act, slope);
    }
  }

  /** {@code dy[i] *= act'(z[i])} for {@code i} in {@code [from, to)}, the derivative at the pre-activation. */
  static void multiplyDerivativeAtInput(float[] dy, float[] z, int from, int to, Activation act, float slope) {
    switch (act) {
      case GELU:
        for (int i = from; i < to; i++) {
          dy[i] *= geluDerivative(z[i]);
        }
        return;
      case SILU:
        for (int i = from; i < to; i++) {
          dy[i] *= siluDerivative(z[i]);
        }
        return;
      default:
        ActivationFunctions.multiplyDerivativeAtInput(dy, z, from, to, act, slope);
    }
  }

  /** Whether {@code act} costs enough per element (an {@code exp}) to split short arrays over threads. */
  static boolean expensive(Activation act) {
    return act == Activation.GELU || act == Activation.SILU || act == Activation.SIGMOID
        || act == Activation.TANH;
  }
}
