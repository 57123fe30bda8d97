package io.nabla.runtime;

/**
 * A small seeded random number generator (SplitMix64). Its algorithm is fixed here, not borrowed from the JDK, so
 * a seed gives the same numbers on every JVM and Android version: seeded runs are reproducible bit for bit.
 */
public final class Rng {
  private long state;

  public Rng(long seed) {
    this.state = seed;
  }

  /** An independent generator for sub-stream {@code stream} of {@code seed} (e.g. one per parameter tensor). */
  public static Rng forStream(long seed, long stream) {
    return new Rng(mix(seed ^ mix(stream + 0x632BE59BD9B4E019L)));
  }

  /** The whole state: {@code new Rng(0).restore(r.state())} continues {@code r}'s sequence (for checkpoints). */
  public long state() {
    return state;
  }

  /** Continues from a {@link #state()}. */
  public Rng restore(long state) {
    this.state = state;
    return this;
  }

  public long nextLong() {
    return mix(state += 0x9E3779B97F4A7C15L);
  }

  /** Uniform in [0, 1), 24 random bits. */
  public float nextFloat() {
    return (nextLong() >>> 40) * 0x1.0p-24f;
  }

  /** Uniform in [0, 1), 53 random bits. */
  public double nextDouble() {
    return (nextLong() >>> 11) * 0x1.0p-53;
  }

  /**
   * Standard normal (mean 0, standard deviation 1), by the Box–Muller transform: two uniform draws per value, no
   * cached second value, so the stream's state alone says what comes next.
   */
  public double nextGaussian() {
    double u = 1.0 - nextDouble(); // in (0, 1]: the logarithm stays finite
    double v = nextDouble();
    return Math.sqrt(-2.0 * Math.log(u)) * Math.cos(2.0 * Math.PI * v);
  }

  /** Uniform in [0, bound), without modulo bias. */
  public int nextInt(int bound) {
    if (bound <= 0) {
      throw new IllegalArgumentException("bound must be positive, got " + bound);
    }
    long threshold = (1L << 32) % bound;
    while (true) {
      long r = nextLong() >>> 32;
      if (r >= threshold) {
        return (int) (r % bound);
      }
    }
  }

  /** Shuffles {@code a} in place (Fisher–Yates). */
  public void shuffle(int[] a) {
    for (int i = a.length - 1; i > 0; i--) {
      int j = nextInt(i + 1);
      int t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
  }

  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
