package io.nabla.runtime.checkpoint;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;
import org.jspecify.annotations.Nullable;

/**
 * Little-endian primitives onto a stream, with a byte count and a running CRC32 that {@link #resetCrc()} restarts.
 * Without a stream it only counts: the checkpoint writer runs each section once that way to learn its length,
 * then again for real.
 */
final class BinaryOutput {
  private static final int BUFFER = 1 << 16;

  private final @Nullable OutputStream out;
  private final CRC32 crc = new CRC32();
  private final byte[] buf;
  private int used;
  private long count;

  /** Writes to {@code out}. */
  BinaryOutput(@Nullable OutputStream out) {
    this.out = out;
    this.buf = new byte[BUFFER];
  }

  /** Counts bytes, writes nothing. */
  static BinaryOutput counting() {
    return new BinaryOutput(null);
  }

  /** The number of bytes written so far. */
  long count() {
    return count;
  }

  void resetCrc() throws IOException {
    drain();
    crc.reset();
  }

  /** The CRC32 of what was written since the last {@link #resetCrc()}. */
  long crc() throws IOException {
    drain();
    return crc.getValue();
  }

  void u8(int v) throws IOException {
    room(1);
    buf[used++] = (byte) v;
    count++;
  }

  void u16(int v) throws IOException {
    room(2);
    buf[used++] = (byte) v;
    buf[used++] = (byte) (v >>> 8);
    count += 2;
  }

  void u32(long v) throws IOException {
    room(4);
    putInt((int) v);
    count += 4;
  }

  void i64(long v) throws IOException {
    room(8);
    putInt((int) v);
    putInt((int) (v >>> 32));
    count += 8;
  }

  void f64(double v) throws IOException {
    i64(Double.doubleToRawLongBits(v));
  }

  void bytes(byte[] b) throws IOException {
    bytes(b, 0, b.length);
  }

  void bytes(byte[] b, int off, int len) throws IOException {
    count += len;
    if (out == null) {
      return;
    }
    while (len > 0) {
      room(1);
      int n = Math.min(len, buf.length - used);
      System.arraycopy(b, off, buf, used, n);
      used += n;
      off += n;
      len -= n;
    }
  }

  /** {@code len} floats of {@code a} from {@code off}, as IEEE 754 binary32 (raw bits, NaN payloads kept). */
  void floats(float[] a, int off, int len) throws IOException {
    count += 4L * len;
    if (out == null) {
      return;
    }
    int end = off + len;
    while (off < end) {
      room(4);
      int n = Math.min(end - off, (buf.length - used) / 4);
      for (int i = 0; i < n; i++) {
        putInt(Float.floatToRawIntBits(a[off + i]));
      }
      off += n;
    }
  }

  /** Sends buffered bytes to the stream (not flushing the stream itself). */
  void drain() throws IOException {
    if (used > 0) {
      crc.update(buf, 0, used);
      out.write(buf, 0, used);
      used = 0;
    }
  }

  /** A UTF-8 string with a u16 byte length. */
  void string16(String s) throws IOException {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    if (b.length > 0xFFFF) {
      throw new IllegalArgumentException("name longer than 65535 UTF-8 bytes: " + s.substring(0, 40) + "…");
    }
    u16(b.length);
    bytes(b);
  }

  /** A UTF-8 string with a u32 byte length. */
  void string32(String s) throws IOException {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    u32(b.length);
    bytes(b);
  }

  private void putInt(int v) {
    buf[used++] = (byte) v;
    buf[used++] = (byte) (v >>> 8);
    buf[used++] = (byte) (v >>> 16);
    buf[used++] = (byte) (v >>> 24);
  }

  private void room(int n) throws IOException {
    if (out == null) {
      used = 0;
    } else if (buf.length - used < n) {
      drain();
    }
  }
}
