package io.nabla.runtime.data;

import static io.nabla.runtime.data.TestFiles.cut;
import static io.nabla.runtime.data.TestFiles.gzip;
import static io.nabla.runtime.data.TestFiles.idx;
import static io.nabla.runtime.data.TestFiles.write;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nabla.runtime.train.Dataset;
import java.io.ByteArrayInputStream;
import java.io.File;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxTest {
  private static final int[] IMAGE_DIMS = {3, 2, 2};
  private static final double[] PIXELS = {0, 1, 2, 255, 10, 20, 30, 40, 128, 0, 0, 7};

  @TempDir File dir;

  private static DataException assertFails(DataException.Kind kind, File file, Runnable read, String... parts) {
    DataException e = assertThrows(DataException.class, read::run);
    assertEquals(kind, e.kind(), e.getMessage());
    assertTrue(e.getMessage().contains(file.getPath()), "names the file: " + e.getMessage());
    assertEquals(file.getPath(), e.source());
    for (String part : parts) {
      assertTrue(e.getMessage().contains(part), "says \"" + part + "\": " + e.getMessage());
    }
    return e;
  }

  @Test
  void readsUnsignedBytes() throws IOException {
    File file = write(dir, "images-idx3-ubyte", idx(IdxArray.UNSIGNED_BYTE, IMAGE_DIMS, PIXELS));
    IdxArray a = Idx.read(file);
    assertEquals(IdxArray.UNSIGNED_BYTE, a.type());
    assertArrayEquals(IMAGE_DIMS, a.dims());
    assertEquals(3, a.rank());
    assertEquals(12, a.size());
    assertEquals(3, a.samples());
    assertEquals(4, a.sampleSize());
    assertArrayEquals(new int[] {0, 1, 2, 255, 10, 20, 30, 40, 128, 0, 0, 7}, a.ints());
    assertArrayEquals(new float[] {0, 1, 2, 255, 10, 20, 30, 40, 128, 0, 0, 7}, a.floats());
    assertEquals(255f / 2, a.floats(0.5f)[3]);
    assertEquals(file.getPath(), a.source());
    assertTrue(a.toString().contains("unsigned byte 3x2x2"), a.toString());
  }

  @Test
  void readsGzipByMagicNotName() throws IOException {
    byte[] plain = idx(IdxArray.UNSIGNED_BYTE, IMAGE_DIMS, PIXELS);
    File gz = write(dir, "images.gz", gzip(plain));
    File gzWithoutSuffix = write(dir, "images-compressed", gzip(plain));
    File plainWithGzSuffix = write(dir, "plain.gz", plain);
    for (File f : new File[] {gz, gzWithoutSuffix, plainWithGzSuffix}) {
      IdxArray a = Idx.read(f);
      assertArrayEquals(IMAGE_DIMS, a.dims(), f.getName());
      assertArrayEquals(new int[] {0, 1, 2, 255, 10, 20, 30, 40, 128, 0, 0, 7}, a.ints(), f.getName());
    }
    assertArrayEquals(IMAGE_DIMS, Idx.read(new ByteArrayInputStream(gzip(plain)), "asset").dims());
  }

  @Test
  void readsEveryElementType() throws IOException {
    double[] values = {-3, 0, 5, 100};
    int[] dims = {2, 2};
    for (int type : new int[] {IdxArray.SIGNED_BYTE, IdxArray.SHORT, IdxArray.INT, IdxArray.FLOAT,
        IdxArray.DOUBLE}) {
      IdxArray a = Idx.read(write(dir, "t" + type, idx(type, dims, values)));
      assertEquals(type, a.type());
      assertArrayEquals(new float[] {-3, 0, 5, 100}, a.floats(), IdxArray.typeName(type));
      assertArrayEquals(new int[] {-3, 0, 5, 100}, a.ints(), IdxArray.typeName(type));
      assertArrayEquals(new double[] {-3, 0, 5, 100}, a.doubles(), IdxArray.typeName(type));
    }
    IdxArray big = Idx.read(write(dir, "big", idx(IdxArray.SHORT, new int[] {2}, -30000, 30000)));
    assertArrayEquals(new int[] {-30000, 30000}, big.ints());
    IdxArray fractional = Idx.read(write(dir, "d", idx(IdxArray.DOUBLE, new int[] {2}, 0.25, -1e10)));
    assertArrayEquals(new double[] {0.25, -1e10}, fractional.doubles());
  }

  @Test
  void loadsScaledDataset() throws IOException {
    File images = write(dir, "images.gz", gzip(idx(IdxArray.UNSIGNED_BYTE, IMAGE_DIMS, PIXELS)));
    File labels = write(dir, "labels", idx(IdxArray.UNSIGNED_BYTE, new int[] {3}, 7, 0, 9));
    Dataset d = Idx.load(images, labels, 1f / 255);
    assertEquals(3, d.size());
    assertEquals(4, d.featureSize());
    assertTrue(d.hasLabels());
    assertArrayEquals(new int[] {7, 0, 9}, d.labels());
    assertEquals(1f, d.features()[3]);
    assertEquals(7 * (1f / 255), d.features()[11]); // pixel * scale
  }

  @Test
  void missingFile() {
    File missing = new File(dir, "t10k-images-idx3-ubyte.gz");
    DataException e = assertFails(DataException.Kind.MISSING_FILE, missing, () -> Idx.read(missing), "not found");
    assertTrue(e.isMissingFile());
  }

  @Test
  void missingLabelsFileInLoad() throws IOException {
    File images = write(dir, "images", idx(IdxArray.UNSIGNED_BYTE, IMAGE_DIMS, PIXELS));
    File labels = new File(dir, "labels");
    assertTrue(assertFails(DataException.Kind.MISSING_FILE, labels, () -> Idx.load(images, labels, 1f))
        .isMissingFile());
  }

  @Test
  void directoryIsNotAFile() {
    DataException e = assertFails(DataException.Kind.IO_ERROR, dir, () -> Idx.read(dir), "directory");
    assertFalse(e.isMissingFile());
  }

  @Test
  void truncatedData() throws IOException {
    byte[] whole = idx(IdxArray.UNSIGNED_BYTE, IMAGE_DIMS, PIXELS); // 16 + 12 bytes
    File file = write(dir, "cut", cut(whole, 20));
    assertFails(DataException.Kind.TRUNCATED, file, () -> Idx.read(file), "ends after 20 of 28 bytes", "3x2x2");
  }

  @Test
  void truncatedDataInsideGzip() throws IOException {
    byte[] whole = idx(IdxArray.UNSIGNED_BYTE, IMAGE_DIMS, PIXELS);
    File file = write(dir, "cut.gz", gzip(cut(whole, 20)));
    assertFails(DataException.Kind.TRUNCATED, file, () -> Idx.read(file), "ends after 20 of 28 bytes");
  }

  @Test
  void truncatedGzipStream() throws IOException {
    double[] many = new double[4000];
    for (int i = 0; i < many.length; i++) {
      many[i] = (i * 7919) % 251; // not very compressible
    }
    byte[] gz = gzip(idx(IdxArray.UNSIGNED_BYTE, new int[] {4000}, many));
    File file = write(dir, "cut-stream.gz", cut(gz, gz.length / 2));
    assertFails(DataException.Kind.TRUNCATED, file, () -> Idx.read(file), "compressed data is cut off", "of 4008 bytes");
  }

  @Test
  void truncatedHeader() throws IOException {
    byte[] whole = idx(IdxArray.UNSIGNED_BYTE, IMAGE_DIMS, PIXELS);
    File file = write(dir, "header", cut(whole, 9));
    assertFails(DataException.Kind.TRUNCATED, file, () -> Idx.read(file), "ends after 9 of 16 bytes");
    File empty = write(dir, "empty", new byte[0]);
    assertFails(DataException.Kind.TRUNCATED, empty, () -> Idx.read(empty), "ends after 0 of 4 bytes");
  }

  @Test
  void wrongMagic() throws IOException {
    File file = write(dir, "text.idx", TestFiles.utf8("hello, world\n"));
    assertFails(DataException.Kind.BAD_FORMAT, file, () -> Idx.read(file), "not an IDX file",
        "0x68656C6C", "byte 0");
  }

  @Test
  void unknownType() throws IOException {
    byte[] data = idx(IdxArray.UNSIGNED_BYTE, new int[] {2}, 1, 2);
    data[2] = 0x0A;
    File file = write(dir, "type", data);
    assertFails(DataException.Kind.BAD_FORMAT, file, () -> Idx.read(file), "element type 0x0A", "byte 2");
  }

  @Test
  void rankZero() throws IOException {
    File file = write(dir, "rank0", new byte[] {0, 0, 8, 0, 5});
    assertFails(DataException.Kind.BAD_FORMAT, file, () -> Idx.read(file), "rank 0", "byte 3");
  }

  @Test
  void negativeDimension() throws IOException {
    File file = write(dir, "negative", idx(IdxArray.UNSIGNED_BYTE, new int[] {2, -1}));
    assertFails(DataException.Kind.BAD_FORMAT, file, () -> Idx.read(file), "dimension 1 is -1", "byte 8");
  }

  @Test
  void hugeDimensions() throws IOException {
    byte[] header = idx(IdxArray.INT, new int[] {100000, 100000});
    File plain = write(dir, "huge", header);
    assertFails(DataException.Kind.TRUNCATED, plain, () -> Idx.read(plain), "ends after 12 of 40000000012 bytes",
        "100000x100000 of int declare 40000000012 bytes");
    // without a file length to compare with, the size is refused before reading on
    File gz = write(dir, "huge.gz", gzip(header));
    assertFails(DataException.Kind.BAD_FORMAT, gz, () -> Idx.read(gz), "100000x100000 of int",
        "more data than a Java array can hold");
  }

  /** Bytes allocated by this thread so far, or -1 if the JVM cannot tell. */
  private static long allocatedBytes() {
    java.lang.management.ThreadMXBean bean = ManagementFactory.getThreadMXBean();
    if (bean instanceof com.sun.management.ThreadMXBean) {
      com.sun.management.ThreadMXBean b = (com.sun.management.ThreadMXBean) bean;
      if (b.isThreadAllocatedMemorySupported() && b.isThreadAllocatedMemoryEnabled()) {
        return b.getThreadAllocatedBytes(Thread.currentThread().getId());
      }
    }
    return -1;
  }

  /** Runs {@code read}, which must fail as {@code kind}, and checks that it allocated less than {@code limit}. */
  private static DataException failsAllocatingLittle(DataException.Kind kind, File file, Runnable read, long limit,
      String... parts) {
    long before = allocatedBytes();
    long start = System.nanoTime();
    DataException e = assertFails(kind, file, read, parts);
    long after = allocatedBytes();
    long millis = (System.nanoTime() - start) / 1000000;
    if (before >= 0 && after >= 0) {
      assertTrue(after - before < limit, "allocated " + (after - before) + " bytes, at most " + limit + " expected");
    } else {
      // zeroing a 2 GB array takes seconds
      assertTrue(millis < 2000, "fails at once, took " + millis + " ms");
    }
    return e;
  }

  @Test
  void oversizedHeaderOfPlainFileFailsBeforeAllocating() throws IOException {
    // a 100-byte file whose header declares 2^31 - 100 bytes of data
    byte[] file = cut(idx(IdxArray.UNSIGNED_BYTE, new int[] {Integer.MAX_VALUE - 99}), 100);
    File plain = write(dir, "oversized", file);
    failsAllocatingLittle(DataException.Kind.TRUNCATED, plain, () -> Idx.read(plain), 1 << 20,
        "ends after 100 of 2147483556 bytes", "2147483548 of unsigned byte declare 2147483556 bytes");
    // the same with dimensions that declare even more than an array can hold
    File bigger = write(dir, "oversized2", cut(idx(IdxArray.DOUBLE, new int[] {1 << 30, 1 << 30, 255}), 100));
    failsAllocatingLittle(DataException.Kind.TRUNCATED, bigger, () -> Idx.read(bigger), 1 << 20,
        "ends after 100 of 2351959869397967831056 bytes", "1073741824x1073741824x255 of double");
  }

  @Test
  void oversizedHeaderOfGzipFailsAfterReadingWhatIsThere() throws IOException {
    // a tiny .gz whose header declares almost 2 GB: read in growing chunks, it fails as truncated without the
    // 2 GB buffer ever being allocated
    byte[] data = cut(idx(IdxArray.UNSIGNED_BYTE, new int[] {Integer.MAX_VALUE - 99}), 100);
    File gz = write(dir, "oversized.gz", gzip(data));
    failsAllocatingLittle(DataException.Kind.TRUNCATED, gz, () -> Idx.read(gz), 16 << 20,
        "ends after 100 of 2147483556 bytes of decompressed data", "2147483548 of unsigned byte");
    // the same from a plain stream, whose length is not known either
    DataException e = assertThrows(DataException.class,
        () -> Idx.read(new ByteArrayInputStream(data), "asset"));
    assertEquals(DataException.Kind.TRUNCATED, e.kind());
    assertTrue(e.getMessage().startsWith("asset: ends after 100 of 2147483556 bytes"), e.getMessage());
    // 3 MB of real data spans several growth steps and arrives whole
    double[] values = new double[3 << 20];
    for (int i = 0; i < values.length; i++) {
      values[i] = (i * 7) % 251;
    }
    byte[] large = idx(IdxArray.UNSIGNED_BYTE, new int[] {3 << 10, 1 << 10}, values);
    for (IdxArray a : new IdxArray[] {Idx.read(write(dir, "large.gz", gzip(large))),
        Idx.read(new ByteArrayInputStream(large), "large")}) {
      assertArrayEquals(new int[] {3 << 10, 1 << 10}, a.dims());
      int[] ints = a.ints();
      for (int i = 0; i < ints.length; i += 4099) {
        assertEquals((i * 7) % 251, ints[i], "value " + i);
      }
      assertEquals(((values.length - 1) * 7) % 251, ints[values.length - 1]);
    }
  }

  @Test
  void dimensionsWhoseProductOverflowsInt() throws IOException {
    // 65536 x 65537 = 2^32 + 65536, which an int product wraps to 65536: exactly the bytes this file holds
    byte[] wraps = idx(IdxArray.UNSIGNED_BYTE, new int[] {65536, 65537}, new double[65536]);
    File plain = write(dir, "wraps", wraps);
    assertFails(DataException.Kind.TRUNCATED, plain, () -> Idx.read(plain), "ends after 65548 of 4295032844 bytes",
        "65536x65537 of unsigned byte declare 4295032844 bytes");
    File gz = write(dir, "wraps.gz", gzip(wraps));
    assertFails(DataException.Kind.BAD_FORMAT, gz, () -> Idx.read(gz), "declare 4295032844 bytes",
        "more data than a Java array can hold");
    // 65536 x 65536 = 2^32 wraps to 0
    File zero = write(dir, "zero", idx(IdxArray.UNSIGNED_BYTE, new int[] {65536, 65536}));
    assertFails(DataException.Kind.TRUNCATED, zero, () -> Idx.read(zero), "ends after 12 of 4294967308 bytes");
    // no samples, but samples of 10^10 values each
    File empty = write(dir, "empty-huge", idx(IdxArray.UNSIGNED_BYTE, new int[] {0, 100000, 100000}));
    assertFails(DataException.Kind.BAD_FORMAT, empty, () -> Idx.read(empty), "0x100000x100000",
        "samples of 10000000000 values");
  }

  @Test
  void extraBytesAfterDeclaredData() throws IOException {
    // the dims product (2x2 = 4 values) does not match the 12 values the file holds
    byte[] data = idx(IdxArray.UNSIGNED_BYTE, new int[] {2, 2}, PIXELS);
    File plain = write(dir, "extra", data);
    assertFails(DataException.Kind.MISMATCH, plain, () -> Idx.read(plain), "holds 24 bytes",
        "2x2 of unsigned byte declare 16 bytes", "8 bytes too many");
    File gz = write(dir, "extra.gz", gzip(data));
    assertFails(DataException.Kind.MISMATCH, gz, () -> Idx.read(gz), "holds 24 bytes", "8 bytes too many");
  }

  @Test
  void countMismatchNamesBothFiles() throws IOException {
    File images = write(dir, "images", idx(IdxArray.UNSIGNED_BYTE, IMAGE_DIMS, PIXELS));
    File labels = write(dir, "labels", idx(IdxArray.UNSIGNED_BYTE, new int[] {2}, 1, 2));
    DataException e = assertFails(DataException.Kind.MISMATCH, images, () -> Idx.load(images, labels, 1f),
        "holds 3 samples", "holds 2 labels", labels.getPath());
    assertFalse(e.isMissingFile());
  }

  @Test
  void nonIntegerLabels() throws IOException {
    File images = write(dir, "images", idx(IdxArray.UNSIGNED_BYTE, IMAGE_DIMS, PIXELS));
    File labels = write(dir, "labels", idx(IdxArray.FLOAT, new int[] {3}, 1, 2.5, 3));
    assertFails(DataException.Kind.BAD_FORMAT, labels, () -> Idx.load(images, labels, 1f),
        "value 2.5 at index 1 is not an integer");
    File negative = write(dir, "negative", idx(IdxArray.SIGNED_BYTE, new int[] {3}, 1, -2, 3));
    assertFails(DataException.Kind.BAD_FORMAT, negative, () -> Idx.load(images, negative, 1f),
        "label -2 at index 1 is negative");
  }

  @Test
  void fashionMnistTestSet() {
    File images = new File("/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz");
    File labels = new File("/usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz");
    Assumptions.assumeTrue(images.isFile() && labels.isFile(), "Fashion-MNIST is not installed");
    IdxArray a = Idx.read(images);
    assertEquals(IdxArray.UNSIGNED_BYTE, a.type());
    assertArrayEquals(new int[] {10000, 28, 28}, a.dims());
    Dataset d = Idx.load(images, labels, 1f / 255);
    assertEquals(10000, d.size());
    assertEquals(784, d.featureSize());
    int[] counts = new int[10];
    for (int label : d.labels()) {
      assertTrue(label >= 0 && label <= 9, "label " + label);
      counts[label]++;
    }
    for (int c : counts) {
      assertEquals(1000, c); // the test set is balanced
    }
    float max = 0;
    for (float f : d.features()) {
      assertTrue(f >= 0 && f <= 1);
      max = Math.max(max, f);
    }
    assertEquals(1f, max);
  }
}
