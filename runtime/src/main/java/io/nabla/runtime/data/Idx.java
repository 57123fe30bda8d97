package io.nabla.runtime.data;

import io.nabla.runtime.train.Dataset;
import java.io.EOFException;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * Reads IDX files, the format MNIST and Fashion-MNIST ship in: two zero bytes, an element type code
 * ({@link IdxArray#UNSIGNED_BYTE} 0x08, {@link IdxArray#SIGNED_BYTE} 0x09, {@link IdxArray#SHORT} 0x0B,
 * {@link IdxArray#INT} 0x0C, {@link IdxArray#FLOAT} 0x0D, {@link IdxArray#DOUBLE} 0x0E), the rank, one big-endian
 * int per dimension, then the values, big-endian, row-major. Gzipped files are decompressed transparently; they
 * are recognised by their magic bytes, whatever their name. Every problem is a {@link DataException} naming the
 * file and the byte offset or the sizes involved.
 *
 * <p>Sizes are checked before anything is allocated, so a corrupt header is an exception, never an
 * out-of-memory error: the product of the dimensions is computed exactly; a plain file's length must be the
 * header's plus the declared data's (otherwise {@link DataException.Kind#TRUNCATED} or
 * {@link DataException.Kind#MISMATCH}, naming both sizes); the data must fit in one Java array. The size of
 * gzipped data, or of data from a stream, is not known before it is read (the gzip trailer's ISIZE field holds
 * it only modulo 2<sup>32</sup>, for the last member only, and is not reachable in a stream), so such data is
 * read into a buffer that starts at 1 MiB and doubles as data arrives, up to the declared size: a header that
 * declares more than is there fails as truncated once the data runs out, having allocated at most about twice
 * what was actually read.
 */
public final class Idx {
  /** The most bytes of data read into one array (the largest array size JVMs reliably allow). */
  static final int MAX_ARRAY = Integer.MAX_VALUE - 8;
  /** The buffer size data of unknown length is first read into; see {@link #readGrowing}. */
  static final int FIRST_CHUNK = 1 << 20;

  private Idx() {}

  /** Reads the IDX file {@code file}, plain or gzipped. */
  public static IdxArray read(File file) {
    Sources.Opened opened = Sources.open(file);
    try {
      return read(opened);
    } finally {
      Sources.closeQuietly(opened.in);
    }
  }

  /**
   * Reads IDX data, plain or gzipped, from {@code in} (e.g. an Android asset); {@code name} names it in error
   * messages. Does not close {@code in}.
   */
  public static IdxArray read(InputStream in, String name) {
    return read(Sources.wrap(in, name, -1));
  }

  /**
   * Reads images and their labels into a dataset of {@code images.samples()} samples: the features are the image
   * values times {@code scale} (e.g. {@code 1f / 255}), {@link IdxArray#sampleSize()} per sample; the labels are
   * the label file's ints (one per sample for a vector of labels).
   *
   * @throws DataException if a file is missing or malformed, the counts differ, or a label is not a
   *     non-negative integer
   */
  public static Dataset load(File images, File labels, float scale) {
    IdxArray labelArray = read(labels);
    IdxArray imageArray = read(images);
    return toDataset(imageArray, labelArray, scale);
  }

  /** Builds a labelled dataset from arrays already read, as {@link #load(File, File, float)} does. */
  public static Dataset toDataset(IdxArray images, IdxArray labels, float scale) {
    int count = images.samples();
    if (labels.samples() != count) {
      throw new DataException(DataException.Kind.MISMATCH, images.source(),
          images.source() + " holds " + count + " samples (" + IdxArray.shape(images.dims()) + ") but "
              + labels.source() + " holds " + labels.samples() + " labels (" + IdxArray.shape(labels.dims())
              + ")");
    }
    int featureSize = images.sampleSize();
    if (featureSize < 1) {
      throw DataException.of(DataException.Kind.BAD_FORMAT, images.source(),
          "samples of shape " + IdxArray.shape(images.dims()) + " hold no values");
    }
    int perSample = labels.sampleSize();
    if (perSample < 1) {
      throw DataException.of(DataException.Kind.BAD_FORMAT, labels.source(),
          "labels of shape " + IdxArray.shape(labels.dims()) + " hold no values");
    }
    int[] l = labels.ints();
    for (int i = 0; i < l.length; i++) {
      if (l[i] < 0) {
        throw DataException.of(DataException.Kind.BAD_FORMAT, labels.source(),
            "label " + l[i] + " at index " + i + " is negative");
      }
    }
    return Dataset.ofLabels(images.floats(scale), featureSize, l, perSample);
  }

  private static IdxArray read(Sources.Opened opened) {
    String name = opened.name;
    InputStream in = opened.in;
    String where = opened.gzip ? " of decompressed data" : "";
    byte[] head = new byte[4];
    long[] got = {0};
    readFully(opened, head, 0, 4, got, 4, null);
    if (head[0] != 0 || head[1] != 0) {
      throw DataException.of(DataException.Kind.BAD_FORMAT, name, String.format(
          "not an IDX file: magic number 0x%08X at byte 0%s should start with two zero bytes",
          IdxArray.readInt(head, 0), where));
    }
    int type = head[2] & 0xFF;
    int elementBytes = IdxArray.elementBytes(type);
    if (elementBytes == 0) {
      throw DataException.of(DataException.Kind.BAD_FORMAT, name, String.format(
          "unknown IDX element type 0x%02X at byte 2%s (expected 0x08, 0x09, 0x0B, 0x0C, 0x0D or 0x0E)", type,
          where));
    }
    int rank = head[3] & 0xFF;
    if (rank == 0) {
      throw DataException.of(DataException.Kind.BAD_FORMAT, name, "IDX rank 0 at byte 3" + where
          + " (an IDX array needs at least one dimension)");
    }
    int headerBytes = 4 + 4 * rank;
    byte[] dimBytes = new byte[4 * rank];
    readFully(opened, dimBytes, 0, dimBytes.length, got, headerBytes, null);
    int[] dims = new int[rank];
    for (int i = 0; i < rank; i++) {
      dims[i] = IdxArray.readInt(dimBytes, 4 * i);
      if (dims[i] < 0) {
        throw DataException.of(DataException.Kind.BAD_FORMAT, name,
            "dimension " + i + " is " + dims[i] + " (at byte " + (4 + 4 * i) + where + ")");
      }
    }
    // The declared size, exactly (a product of up to 255 dimensions overflows even a long), is checked against
    // the file's length, when known, and against what an array can hold before anything is allocated.
    BigInteger values = BigInteger.ONE;
    for (int d : dims) {
      values = values.multiply(BigInteger.valueOf(d));
    }
    BigInteger totalBytes = values.multiply(BigInteger.valueOf(elementBytes)).add(BigInteger.valueOf(headerBytes));
    String declared = "dimensions " + IdxArray.shape(dims) + " of " + IdxArray.typeName(type) + " declare "
        + totalBytes + " bytes";
    if (opened.length >= 0) {
      BigInteger length = BigInteger.valueOf(opened.length);
      int order = length.compareTo(totalBytes);
      if (order < 0) {
        throw truncated(name, opened.length, totalBytes.toString(), where, declared);
      }
      if (order > 0) {
        throw DataException.of(DataException.Kind.MISMATCH, name, "holds " + opened.length + " bytes but its "
            + declared + " (" + length.subtract(totalBytes) + " bytes too many)");
      }
    }
    if (values.multiply(BigInteger.valueOf(elementBytes)).compareTo(BigInteger.valueOf(MAX_ARRAY)) > 0) {
      throw DataException.of(DataException.Kind.BAD_FORMAT, name, declared
          + ", more data than a Java array can hold (" + MAX_ARRAY + " bytes)");
    }
    BigInteger sampleValues = BigInteger.ONE;
    for (int i = 1; i < rank; i++) {
      sampleValues = sampleValues.multiply(BigInteger.valueOf(dims[i]));
    }
    if (sampleValues.compareTo(BigInteger.valueOf(MAX_ARRAY)) > 0) {
      // only possible with a first dimension of 0
      throw DataException.of(DataException.Kind.BAD_FORMAT, name, "dimensions " + IdxArray.shape(dims)
          + " declare samples of " + sampleValues + " values, more than a Java array can hold");
    }
    int size = values.intValue();
    int dataBytes = size * elementBytes;
    long total = headerBytes + (long) dataBytes;
    byte[] data;
    if (opened.length >= 0) {
      // a plain file whose length matches the header
      data = new byte[dataBytes];
      readFully(opened, data, 0, dataBytes, got, total, declared);
    } else {
      data = readGrowing(opened, dataBytes, got, total, declared);
    }
    try {
      long extra = 0;
      byte[] skip = new byte[8192];
      for (int n; (n = in.read(skip)) > 0; ) {
        extra += n;
      }
      if (extra > 0) {
        throw DataException.of(DataException.Kind.MISMATCH, name, "holds " + (total + extra) + " bytes" + where
            + " but its " + declared + " (" + extra + " bytes too many)");
      }
    } catch (EOFException e) {
      // a truncated gzip trailer after complete data: the data itself is whole
      throw DataException.of(DataException.Kind.TRUNCATED, name, "compressed data is cut off after all "
          + total + " bytes (the gzip trailer is missing)");
    } catch (IOException e) {
      throw Sources.ioError(name, e);
    }
    return new IdxArray(name, type, dims, size, data);
  }

  /**
   * Reads {@code dataBytes} bytes from a source whose length is not known up front (a gzipped file or a stream):
   * into a buffer of at most {@link #FIRST_CHUNK} bytes, doubled (up to {@code dataBytes}) each time it fills,
   * so that a header that declares more data than the source holds fails as truncated after reading what is
   * there, having allocated at most about twice that, never the declared size.
   */
  private static byte[] readGrowing(Sources.Opened opened, int dataBytes, long[] got, long total,
      String declared) {
    byte[] data = new byte[Math.min(dataBytes, FIRST_CHUNK)];
    int filled = 0;
    while (true) {
      readFully(opened, data, filled, data.length - filled, got, total, declared);
      filled = data.length;
      if (filled == dataBytes) {
        return data;
      }
      data = Arrays.copyOf(data, (int) Math.min(dataBytes, 2L * filled));
    }
  }

  /**
   * Reads {@code len} bytes; {@code got} counts the bytes read so far, {@code total} is what the file needs and
   * {@code declared} (or {@code null}) says why.
   */
  private static void readFully(Sources.Opened opened, byte[] buf, int off, int len, long[] got, long total,
      @Nullable String declared) {
    String where = opened.gzip ? " of decompressed data" : "";
    try {
      while (len > 0) {
        int n = opened.in.read(buf, off, len);
        if (n < 0) {
          throw truncated(opened.name, got[0], String.valueOf(total), where, declared);
        }
        off += n;
        len -= n;
        got[0] += n;
      }
    } catch (EOFException e) {
      // GZIPInputStream: the compressed stream itself is cut off. Bytes inflated by the failing read are lost,
      // so the count is what could be delivered, not where the cut is.
      throw DataException.of(DataException.Kind.TRUNCATED, opened.name, "the compressed data is cut off: only "
          + got[0] + " of " + total + " bytes could be decompressed" + (declared == null ? "" : " (its " + declared
          + ")") + "; download or install the file again");
    } catch (IOException e) {
      throw Sources.ioError(opened.name, e);
    }
  }

  private static DataException truncated(String name, long got, String total, String where,
      @Nullable String declared) {
    return DataException.of(DataException.Kind.TRUNCATED, name, "ends after " + got + " of " + total + " bytes"
        + where + (declared == null ? "" : " (its " + declared + ")"));
  }
}
