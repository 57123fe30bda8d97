package io.nabla.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Every check here is on a fixed seed, so the statistical bounds are deterministic, not flaky. */
class RngTest {

  @Test
  void isSplitMix64() {
    // The published SplitMix64 outputs for seed 0: the algorithm is pinned, so seeds reproduce on every JVM.
    Rng rng = new Rng(0);
    assertEquals(0xE220A8397B1DCDAFL, rng.nextLong());
    assertEquals(0x6E789E6AA1B965F4L, rng.nextLong());
    assertEquals(0x06C45D188009454FL, rng.nextLong());
  }

  @Test
  void sameSeedSameSequence() {
    for (long seed : new long[] {0, 1, 42, -7, Long.MAX_VALUE, Long.MIN_VALUE}) {
      Rng a = new Rng(seed);
      Rng b = new Rng(seed);
      for (int i = 0; i < 1000; i++) {
        switch (i % 4) {
          case 0:
            assertEquals(a.nextLong(), b.nextLong());
            break;
          case 1:
            assertEquals(Float.floatToRawIntBits(a.nextFloat()), Float.floatToRawIntBits(b.nextFloat()));
            break;
          case 2:
            assertEquals(Double.doubleToRawLongBits(a.nextDouble()), Double.doubleToRawLongBits(b.nextDouble()));
            break;
          default:
            assertEquals(a.nextInt(1 + i), b.nextInt(1 + i));
        }
      }
    }
  }

  @Test
  void differentSeedsDiffer() {
    Set<Long> firsts = new HashSet<>();
    for (long seed = 0; seed < 1000; seed++) {
      firsts.add(new Rng(seed).nextLong());
    }
    assertEquals(1000, firsts.size());
    long[] a = new long[10];
    long[] b = new long[10];
    Rng ra = new Rng(1);
    Rng rb = new Rng(2);
    for (int i = 0; i < 10; i++) {
      a[i] = ra.nextLong();
      b[i] = rb.nextLong();
    }
    assertFalse(Arrays.equals(a, b));
  }

  @Test
  void nextIntStaysInBounds() {
    Rng rng = new Rng(9);
    for (int bound : new int[] {1, 2, 3, 7, 10, 1000, (1 << 30) + 1, Integer.MAX_VALUE}) {
      for (int i = 0; i < 10_000; i++) {
        int v = rng.nextInt(bound);
        assertTrue(v >= 0 && v < bound, v + " outside [0, " + bound + ")");
      }
    }
    assertEquals(0, new Rng(3).nextInt(1));
  }

  @Test
  void nextIntRejectsNonPositiveBound() {
    for (int bound : new int[] {0, -1, Integer.MIN_VALUE}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Rng(1).nextInt(bound));
      assertTrue(e.getMessage().contains("bound") && e.getMessage().contains(String.valueOf(bound)),
          e.getMessage());
    }
  }

  @Test
  void nextIntIsRoughlyUniform() {
    // 10 buckets × 10,000 expected: the standard deviation of a count is ≈ 95, so ±500 is over 5σ.
    Rng rng = new Rng(123);
    int[] counts = new int[10];
    for (int i = 0; i < 100_000; i++) {
      counts[rng.nextInt(10)]++;
    }
    double chiSquare = 0;
    for (int c : counts) {
      assertEquals(10_000, c, 500, Arrays.toString(counts));
      chiSquare += (c - 10_000.0) * (c - 10_000.0) / 10_000.0;
    }
    assertTrue(chiSquare < 27.9, "chi-square " + chiSquare + " (9 dof, p = 0.001 at 27.9)");

    // A bound that is not a power of two and large: both halves of the range are hit evenly (no modulo bias).
    int bound = (int) (0.75 * Integer.MAX_VALUE);
    int low = 0;
    for (int i = 0; i < 100_000; i++) {
      if (rng.nextInt(bound) < bound / 2) {
        low++;
      }
    }
    assertEquals(50_000, low, 1_000);
  }

  @Test
  void nextFloatAndNextDoubleAreInUnitInterval() {
    Rng rng = new Rng(77);
    double sumF = 0;
    double sumD = 0;
    float minF = 1;
    float maxF = 0;
    int[] deciles = new int[10];
    int n = 100_000;
    for (int i = 0; i < n; i++) {
      float f = rng.nextFloat();
      double d = rng.nextDouble();
      assertTrue(f >= 0f && f < 1f, "nextFloat " + f);
      assertTrue(d >= 0.0 && d < 1.0, "nextDouble " + d);
      sumF += f;
      sumD += d;
      minF = Math.min(minF, f);
      maxF = Math.max(maxF, f);
      deciles[(int) (f * 10)]++;
    }
    // The mean of n uniforms has standard deviation √(1/12n) ≈ 0.0009.
    assertEquals(0.5, sumF / n, 0.005);
    assertEquals(0.5, sumD / n, 0.005);
    assertTrue(minF < 1e-3f && maxF > 1 - 1e-3f, minF + " .. " + maxF);
    for (int c : deciles) {
      assertEquals(n / 10, c, 500, Arrays.toString(deciles));
    }
  }

  @Test
  void nextFloatHas24BitsAndNeverRoundsUpToOne() {
    // The largest value nextFloat can produce is (2^24 - 1) / 2^24, which is exactly representable below 1.
    Rng rng = new Rng(5);
    for (int i = 0; i < 10_000; i++) {
      float f = rng.nextFloat();
      assertEquals(f, (float) Math.scalb(Math.rint(Math.scalb((double) f, 24)), -24), 0f, "a multiple of 2^-24");
    }
  }

  @Test
  void shuffleIsAPermutation() {
    Rng rng = new Rng(31);
    for (int n : new int[] {0, 1, 2, 5, 100, 1001}) {
      int[] a = new int[n];
      for (int i = 0; i < n; i++) {
        a[i] = i * 3; // arbitrary distinct values
      }
      int[] b = a.clone();
      rng.shuffle(b);
      int[] sorted = b.clone();
      Arrays.sort(sorted);
      assertArrayEquals(a, sorted, "shuffle of " + n + " must be a permutation");
      if (n >= 100) {
        assertFalse(Arrays.equals(a, b), "a shuffle of " + n + " elements left them in order");
      }
    }
  }

  @Test
  void shuffleIsDeterministicAndUnbiased() {
    int[] x = {1, 2, 3, 4, 5, 6, 7, 8};
    int[] y = x.clone();
    new Rng(8).shuffle(x);
    new Rng(8).shuffle(y);
    assertArrayEquals(x, y);

    // All 6 orders of 3 elements appear about equally often (60,000 shuffles: ±5σ ≈ ±450 of 10,000).
    Rng rng = new Rng(64);
    Map<String, Integer> counts = new HashMap<>();
    for (int i = 0; i < 60_000; i++) {
      int[] a = {0, 1, 2};
      rng.shuffle(a);
      counts.merge(Arrays.toString(a), 1, Integer::sum);
    }
    assertEquals(6, counts.size(), counts.toString());
    for (int c : counts.values()) {
      assertEquals(10_000, c, 450, counts.toString());
    }
  }

  @Test
  void forStreamIsDeterministicAndDiffersPerStream() {
    Set<Long> firsts = new HashSet<>();
    for (long stream = 0; stream < 100; stream++) {
      long v = Rng.forStream(42, stream).nextLong();
      assertEquals(v, Rng.forStream(42, stream).nextLong(), "same seed and stream, same numbers");
      firsts.add(v);
    }
    assertEquals(100, firsts.size(), "every stream starts differently");
    assertNotEquals(Rng.forStream(42, 0).nextLong(), Rng.forStream(43, 0).nextLong(), "seeds differ too");
    assertNotEquals(new Rng(42).nextLong(), Rng.forStream(42, 0).nextLong());

    // Neighbouring streams are not shifted copies of each other.
    Rng s0 = Rng.forStream(7, 0);
    Rng s1 = Rng.forStream(7, 1);
    Set<Long> seen = new HashSet<>();
    for (int i = 0; i < 1000; i++) {
      seen.add(s0.nextLong());
    }
    for (int i = 0; i < 1000; i++) {
      assertFalse(seen.contains(s1.nextLong()), "stream 1 repeats a value of stream 0");
    }
  }

  @Test
  void gaussianHasMeanZeroAndUnitVarianceAndRepeats() {
    Rng rng = new Rng(3);
    int n = 200_000;
    double sum = 0;
    double squares = 0;
    int beyondTwo = 0;
    for (int i = 0; i < n; i++) {
      double g = rng.nextGaussian();
      assertTrue(Double.isFinite(g));
      sum += g;
      squares += g * g;
      if (Math.abs(g) > 2) {
        beyondTwo++;
      }
    }
    assertEquals(0, sum / n, 0.01);
    assertEquals(1, squares / n - (sum / n) * (sum / n), 0.01);
    // A normal puts 4.55 % of its mass beyond two standard deviations.
    assertEquals(0.0455, beyondTwo / (double) n, 0.002);
    long state = new Rng(3).state();
    assertEquals(new Rng(3).nextGaussian(), new Rng(0).restore(state).nextGaussian());
  }
}
