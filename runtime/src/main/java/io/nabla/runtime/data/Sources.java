package io.nabla.runtime.data;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.File;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/** Opens data files, plain or gzipped (recognised by their magic bytes, whatever the name). */
final class Sources {
  static final int BUFFER = 1 << 16;

  private Sources() {}

  /** An open, buffered stream of (decompressed) data. */
  static final class Opened {
    final InputStream in;
    final String name;
    final boolean gzip;
    /** Length of the plain file, or -1 when unknown (gzipped or not a file). */
    final long length;

    Opened(InputStream in, String name, boolean gzip, long length) {
      this.in = in;
      this.name = name;
      this.gzip = gzip;
      this.length = length;
    }
  }

  /** Opens {@code file} for reading, decompressing it if it is gzipped. */
  static Opened open(File file) {
    String name = file.getPath();
    if (!file.exists()) {
      throw DataException.missing(name);
    }
    if (file.isDirectory()) {
      throw DataException.of(DataException.Kind.IO_ERROR, name, "is a directory, not a file");
    }
    InputStream raw;
    try {
      raw = new FileInputStream(file);
    } catch (IOException e) {
      throw DataException.of(DataException.Kind.IO_ERROR, name, "cannot be opened: " + e.getMessage());
    }
    try {
      return wrap(raw, name, file.length());
    } catch (RuntimeException e) {
      closeQuietly(raw);
      throw e;
    }
  }

  /** Wraps {@code in} (buffered), decompressing it if it starts with the gzip magic bytes 0x1f 0x8b. */
  static Opened wrap(InputStream in, String name, long length) {
    BufferedInputStream buffered = new BufferedInputStream(in, BUFFER);
    try {
      buffered.mark(2);
      int b0 = buffered.read();
      int b1 = b0 < 0 ? -1 : buffered.read();
      buffered.reset();
      if (b0 == 0x1f && b1 == 0x8b) {
        return new Opened(new BufferedInputStream(new GZIPInputStream(buffered, BUFFER), BUFFER), name, true, -1);
      }
      return new Opened(buffered, name, false, length);
    } catch (EOFException e) {
      throw DataException.of(DataException.Kind.TRUNCATED, name, "gzip header is truncated");
    } catch (ZipException e) {
      throw DataException.of(DataException.Kind.BAD_FORMAT, name, "corrupt gzip data: " + e.getMessage());
    } catch (IOException e) {
      throw ioError(name, e);
    }
  }

  /** A read failure: corrupt gzip data is a format error, anything else an I/O error. */
  static DataException ioError(String name, IOException e) {
    if (e instanceof ZipException) {
      return new DataException(DataException.Kind.BAD_FORMAT, name,
          name + ": corrupt gzip data: " + e.getMessage(), e);
    }
    return new DataException(DataException.Kind.IO_ERROR, name, name + ": cannot be read: " + e, e);
  }

  static void closeQuietly(InputStream in) {
    try {
      in.close();
    } catch (IOException ignored) {
      // nothing useful to do
    }
  }
}
