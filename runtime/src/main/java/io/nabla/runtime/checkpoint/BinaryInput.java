package io.nabla.runtime.checkpoint;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;

/**
 * Little-endian primitives from a stream, with the position, a running CRC32 of the bytes consumed and a limit
 * (the end of the current section) that no read may cross: a read past it throws {@link Problem} without
 * consuming anything, so a corrupt length or count can never make a reader allocate or read beyond its section.
 */
final class BinaryInput {
  /** A read past the limit or the end of the file, or content that makes no sense; the message says which. */
  static final class Problem extends Exception {
    private static final long serialVersionUID = 1L;
    final boolean endOfFile;

    Problem(String message) {
      this(message, false);
    }

    Problem(String message, boolean endOfFile) {
      super(message);
      this.endOfFile = endOfFile;
    }
  }

  private static final int BUFFER = 1 << 16;

  private final InputStream in;
  private final long size;
  private final CRC32 crc = new CRC32();
  private final byte[] buf = new byte[BUFFER];
  private int start;
  private int end;
  private long position;
  private long limit;

  /** Reads {@code in}, a file of {@code size} bytes. */
  BinaryInput(InputStream in, long size) {
    this.in = in;
    this.size = size;
    this.limit = size;
  }

  long position() {
    return position;
  }

  /** The file size given to the constructor. */
  long size() {
    return size;
  }

  /** Bytes left before the limit. */
  long remaining() {
    return limit - position;
  }

  void limit(long limit) {
    this.limit = limit;
  }

  void resetCrc() {
    crc.reset();
  }

  long crc() {
    return crc.getValue();
  }

  /** Throws unless {@code n} more bytes lie before the limit; {@code what} names them in the message. */
  void need(long n, String what) throws Problem {
    if (n < 0 || n > limit - position) {
      throw new Problem(what + " needs " + (n < 0 ? "more than 2^63" : String.valueOf(n)) + " bytes at byte "
          + position + " but only " + (limit - position) + " remain in the section");
    }
  }

  int u8() throws IOException, Problem {
    fill(1, "a byte");
    int v = buf[start] & 0xFF;
    consume(1);
    return v;
  }

  int u16() throws IOException, Problem {
    fill(2, "a 16-bit integer");
    int v = (buf[start] & 0xFF) | (buf[start + 1] & 0xFF) << 8;
    consume(2);
    return v;
  }

  long u32() throws IOException, Problem {
    fill(4, "a 32-bit integer");
    long v = getInt(start) & 0xFFFFFFFFL;
    consume(4);
    return v;
  }

  long i64() throws IOException, Problem {
    fill(8, "a 64-bit integer");
    long v = (getInt(start) & 0xFFFFFFFFL) | ((long) getInt(start + 4)) << 32;
    consume(8);
    return v;
  }

  double f64() throws IOException, Problem {
    return Double.longBitsToDouble(i64());
  }

  byte[] bytes(int n, String what) throws IOException, Problem {
    need(n, what);
    byte[] out = new byte[n];
    int done = 0;
    while (done < n) {
      fill(1, what);
      int k = Math.min(n - done, end - start);
      System.arraycopy(buf, start, out, done, k);
      consume(k);
      done += k;
    }
    return out;
  }

  /** Reads {@code n} binary32 floats into {@code a} from {@code off}; checks the limit first. */
  void floats(float[] a, int off, int n, String what) throws IOException, Problem {
    need(4L * n, what);
    int i = off;
    int stop = off + n;
    while (i < stop) {
      fill(4, what);
      int k = Math.min(stop - i, (end - start) / 4);
      int p = start;
      for (int j = 0; j < k; j++, p += 4) {
        a[i + j] = Float.intBitsToFloat(getInt(p));
      }
      consume(4 * k);
      i += k;
    }
  }

  /** Consumes {@code n} bytes (into the CRC) without keeping them. */
  void skip(long n, String what) throws IOException, Problem {
    need(n, what);
    while (n > 0) {
      fill(1, what);
      int k = (int) Math.min(n, end - start);
      consume(k);
      n -= k;
    }
  }

  /** A UTF-8 string with a u16 byte length. */
  String string16(String what) throws IOException, Problem {
    int n = u16();
    return utf8(bytes(n, what), what);
  }

  /** A UTF-8 string with a u32 byte length. */
  String string32(String what) throws IOException, Problem {
    long n = u32();
    need(n, what);
    return utf8(bytes((int) n, what), what);
  }

  static String utf8(byte[] b, String what) throws Problem {
    try {
      return StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(b)).toString();
    } catch (java.nio.charset.CharacterCodingException e) {
      throw new Problem(what + " is not valid UTF-8");
    }
  }

  /** {@code v} read as an unsigned 64-bit integer, in decimal (Long.toUnsignedString, which Android 21 lacks). */
  static String unsigned(long v) {
    if (v >= 0) {
      return Long.toString(v);
    }
    long quotient = (v >>> 1) / 5; // v / 10, unsigned
    return Long.toString(quotient) + (v - quotient * 10);
  }

  private int getInt(int p) {
    return (buf[p] & 0xFF) | (buf[p + 1] & 0xFF) << 8 | (buf[p + 2] & 0xFF) << 16 | (buf[p + 3] & 0xFF) << 24;
  }

  private void consume(int n) {
    crc.update(buf, start, n);
    start += n;
    position += n;
  }

  /** Makes at least {@code n} (≤ 8, or 1 for bulk reads) bytes available, checking the limit first. */
  private void fill(int n, String what) throws IOException, Problem {
    need(n, what);
    if (end - start >= n) {
      return;
    }
    System.arraycopy(buf, start, buf, 0, end - start);
    end -= start;
    start = 0;
    while (end < n) {
      int r = in.read(buf, end, buf.length - end);
      if (r < 0) {
        throw new Problem("the file ends at byte " + (position + end) + ", before " + what
            + " (it was " + size + " bytes long when opened)", true);
      }
      end += r;
    }
  }
}
