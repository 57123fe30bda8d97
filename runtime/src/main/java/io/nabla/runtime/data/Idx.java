package io.nabla.runtime.data;

import io.nabla.runtime.train.Dataset;
import java.io.EOFException;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;

/**
 * Reads IDX files, the format MNIST and Fashion-MNIST ship in: two zero bytes, an element type code
 * ({@link IdxArray#UNSIGNED_BYTE} 0x08, {@link IdxArray#SIGNED_BYTE} 0x09, {@link IdxArray#SHORT} 0x0B,
 * {@link IdxArray#INT} 0x0C, {@link IdxArray#FLOAT} 0x0D, {@link IdxArray#DOUBLE} 0x0E), the rank, one big-endian
 * int per dimension, then the values, big-endian, row-major. Gzipped files are decompressed transparently; they
 * are recognised by their magic bytes, whatever their name. Every problem is a {@link DataException}.
 */
public final class Idx {
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

  /** Reads the IDX file {@code path}, plain or gzipped. */
  public static IdxArray read(Path path) {
    return read(path.toFile());
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

  /** {@link #load(File, File, float)} with paths. */
  public static Dataset load(Path images, Path labels, float scale) {
    return load(images.toFile(), labels.toFile(), scale);
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
    long size = 1;
    for (int i = 0; i < rank && size > 0; i++) {
      size *= dims[i];
      if (size * elementBytes > Integer.MAX_VALUE - 8) {
        throw DataException.of(DataException.Kind.BAD_FORMAT, name, "dimensions " + IdxArray.shape(dims)
            + " of " + IdxArray.typeName(type) + " declare more data than a Java array can hold");
      }
    }
    int dataBytes = (int) (size * elementBytes);
    long total = headerBytes + (long) dataBytes;
    String declared = "dimensions " + IdxArray.shape(dims) + " of " + IdxArray.typeName(type) + " declare "
        + total + " bytes";
    if (opened.length >= 0 && opened.length != total) {
      if (opened.length < total) {
        throw truncated(name, opened.length, total, where, declared);
      }
      throw DataException.of(DataException.Kind.MISMATCH, name, "holds " + opened.length + " bytes but its "
          + declared + " (" + (opened.length - total) + " bytes too many)");
    }
    byte[] data = new byte[dataBytes];
    readFully(opened, data, 0, dataBytes, got, total, declared);
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
    return new IdxArray(name, type, dims, (int) size, data);
  }

  /**
   * Reads {@code len} bytes; {@code got} counts the bytes read so far, {@code total} is what the file needs and
   * {@code declared} (or {@code null}) says why.
   */
  private static void readFully(Sources.Opened opened, byte[] buf, int off, int len, long[] got, long total,
      String declared) {
    String where = opened.gzip ? " of decompressed data" : "";
    try {
      while (len > 0) {
        int n = opened.in.read(buf, off, len);
        if (n < 0) {
          throw truncated(opened.name, got[0], total, where, declared);
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

  private static DataException truncated(String name, long got, long total, String where, String declared) {
    return DataException.of(DataException.Kind.TRUNCATED, name, "ends after " + got + " of " + total + " bytes"
        + where + (declared == null ? "" : " (its " + declared + ")"));
  }
}
