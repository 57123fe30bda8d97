package io.nabla.runtime.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nabla.runtime.Rng;
import org.junit.jupiter.api.Test;

/** Products split over threads give the single-threaded bits, for every shape and thread count. */
class ThreadedKernelsTest {
  /** Including one whose threads' columns cross column blocks (784) at other places than one thread's. */
  private static final int[][] SHAPES = {{64, 256, 784}, {64, 784, 256}, {256, 784, 64}, {33, 100, 97},
      {5, 40, 2000}, {1, 300, 300}, {64, 10, 128}, {40, 1700, 200},
      // Split by rows: at least twice as tall as wide (192 columns or more, or shallower than 32: not transposed),
      // narrower than 32 columns, or NT of under 384 columns with 32 rows per thread (96 x 300 with 4 threads by
      // columns); also by rows not in fours.
      {800, 200, 64}, {2000, 20, 31}, {3000, 4, 200}, {256, 256, 300}, {96, 300, 50},
      // Computed transposed (at least twice as tall as wide, under 192 columns), the transpose split over the threads
      // (also 64 x 10 x 128 above).
      {300, 40, 200}, {1000, 20, 64}, {37, 10, 3000}, {256, 128, 256}, {500, 60, 40},
      // Few rows (NT: dot products split by columns, not in sixteens) and outer products (split by rows).
      {1, 256, 784}, {3, 300, 100}, {4, 1000, 50}, {256, 784, 1}, {77, 500, 1}, {3, 20000, 1}};

  private static float[] random(int n, long seed) {
    Rng rng = new Rng(seed);
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = 2 * rng.nextFloat() - 1;
    }
    return v;
  }

  @Test
  void everyThreadCountGivesTheSameBits() {
    PortableKernels one = new PortableKernels(1);
    PortableKernels[] many = {new PortableKernels(2), new PortableKernels(3), new PortableKernels(4)};
    for (int[] shape : SHAPES) {
      int m = shape[0], n = shape[1], k = shape[2];
      float[] a = random(m * k, 1), b = random(n * k, 2), start = random(m * n, 3);
      for (int op = 0; op < 3; op++) {
        for (boolean accumulate : new boolean[] {false, true}) {
          float[] expected = start.clone();
          run(one, op, expected, a, b, m, n, k, accumulate);
          for (PortableKernels kernels : many) {
            float[] actual = start.clone();
            run(kernels, op, actual, a, b, m, n, k, accumulate);
            assertArrayEquals(expected, actual, "op " + op + " shape " + m + "x" + n + "x" + k + " threads "
                + kernels.threads());
          }
        }
      }
    }
  }

  @Test
  void threadedProductsMatchTheReference() {
    float[] a = random(64 * 300, 4), b = random(300 * 200, 5);
    float[] expected = new float[64 * 200];
    float[] actual = new float[64 * 200];
    new ReferenceKernels().matmulNN(expected, 0, a, 0, b, 0, 64, 200, 300, false);
    new PortableKernels(2).matmulNN(actual, 0, a, 0, b, 0, 64, 200, 300, false);
    double diff = 0, norm = 0;
    for (int i = 0; i < expected.length; i++) {
      diff += (expected[i] - actual[i]) * (expected[i] - actual[i]);
      norm += expected[i] * expected[i];
    }
    assertEquals(0, Math.sqrt(diff / norm), 1e-5);
  }

  @Test
  void aFailureInAWorkerReachesTheCaller() {
    PortableKernels kernels = new PortableKernels(2);
    float[] small = new float[10];
    // An output far too short: some thread indexes out of bounds; the caller must see the exception.
    assertThrows(ArrayIndexOutOfBoundsException.class,
        () -> kernels.matmulNN(small, 0, new float[64 * 128], 0, new float[128 * 128], 0, 64, 128, 128, false));
    // And the pool still works afterwards.
    float[] c = new float[64 * 128];
    kernels.matmulNN(c, 0, new float[64 * 128], 0, new float[128 * 128], 0, 64, 128, 128, false);
  }

  @Test
  void instancesShareOnePoolPerThreadCount() {
    int before = Thread.activeCount();
    for (int i = 0; i < 50; i++) {
      new PortableKernels(4).matmulNN(new float[64 * 128], 0, new float[64 * 128], 0, new float[128 * 128], 0, 64,
          128, 128, false);
    }
    assertTrue(Thread.activeCount() <= before + 3, "threads grew from " + before + " to " + Thread.activeCount());
  }

  @Test
  void twoCallersOnOneInstanceNeverHang() throws InterruptedException {
    final PortableKernels shared = new PortableKernels(2);
    final float[] a = random(256 * 512, 6), b = random(512 * 512, 7);
    final java.util.concurrent.atomic.AtomicInteger refused = new java.util.concurrent.atomic.AtomicInteger();
    Thread[] threads = new Thread[2];
    for (int t = 0; t < threads.length; t++) {
      threads[t] = new Thread(new Runnable() {
        @Override
        public void run() {
          float[] c = new float[256 * 512];
          for (int i = 0; i < 20; i++) {
            try {
              shared.matmulNN(c, 0, a, 0, b, 0, 256, 512, 512, false);
            } catch (IllegalStateException e) {
              refused.incrementAndGet();
            }
          }
        }
      });
      threads[t].start();
    }
    for (Thread thread : threads) {
      thread.join(60_000);
      assertFalse(thread.isAlive(), "a caller hangs");
    }
    // Whether two calls overlapped depends on timing; an overlapping one is refused with IllegalStateException
    // (counted above) instead of corrupting the other's result or waiting forever.
  }

  @Test
  void separateInstancesOnSeparateThreadsGiveTheSameBits() throws InterruptedException {
    final float[] a = random(64 * 784, 8), b = random(256 * 784, 9);
    final float[] expected = new float[64 * 256];
    new PortableKernels(1).matmulNT(expected, 0, a, 0, b, 0, 64, 256, 784, false);
    final float[][] results = new float[2][64 * 256];
    Thread[] threads = new Thread[2];
    for (int t = 0; t < 2; t++) {
      final int id = t;
      threads[t] = new Thread(new Runnable() {
        @Override
        public void run() {
          PortableKernels own = new PortableKernels(2);
          for (int i = 0; i < 10; i++) {
            own.matmulNT(results[id], 0, a, 0, b, 0, 64, 256, 784, false);
          }
        }
      });
      threads[t].start();
    }
    for (Thread thread : threads) {
      thread.join(60_000);
    }
    assertArrayEquals(expected, results[0]);
    assertArrayEquals(expected, results[1]);
  }

  @Test
  void threadCountIsChecked() {
    assertThrows(IllegalArgumentException.class, () -> new PortableKernels(0));
  }

  private static void run(Kernels kernels, int op, float[] c, float[] a, float[] b, int m, int n, int k,
      boolean accumulate) {
    switch (op) {
      case 0:
        kernels.matmulNN(c, 0, a, 0, b, 0, m, n, k, accumulate);
        break;
      case 1:
        kernels.matmulNT(c, 0, a, 0, b, 0, m, n, k, accumulate);
        break;
      default:
        kernels.matmulTN(c, 0, a, 0, b, 0, m, n, k, accumulate);
    }
  }
}
