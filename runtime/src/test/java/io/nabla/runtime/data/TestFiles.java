package io.nabla.runtime.data;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.File;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;

/** Writes small IDX and CSV files for the tests. */
final class TestFiles {
  private TestFiles() {}

  /** The bytes of an IDX file of {@code type} with {@code dims} whose values are {@code values} (as the type). */
  static byte[] idx(int type, int[] dims, double... values) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(bytes);
    out.writeByte(0);
    out.writeByte(0);
    out.writeByte(type);
    out.writeByte(dims.length);
    for (int d : dims) {
      out.writeInt(d);
    }
    for (double v : values) {
      switch (type) {
        case IdxArray.UNSIGNED_BYTE:
        case IdxArray.SIGNED_BYTE:
          out.writeByte((int) v);
          break;
        case IdxArray.SHORT:
          out.writeShort((int) v);
          break;
        case IdxArray.INT:
          out.writeInt((int) v);
          break;
        case IdxArray.FLOAT:
          out.writeFloat((float) v);
          break;
        case IdxArray.DOUBLE:
          out.writeDouble(v);
          break;
        default:
          throw new IllegalArgumentException("type " + type);
      }
    }
    out.flush();
    return bytes.toByteArray();
  }

  static byte[] gzip(byte[] data) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (OutputStream out = new GZIPOutputStream(bytes)) {
      out.write(data);
    }
    return bytes.toByteArray();
  }

  static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  static byte[] cut(byte[] data, int length) {
    return Arrays.copyOf(data, length);
  }

  static File write(File dir, String name, byte[] data) throws IOException {
    File file = new File(dir, name);
    try (OutputStream out = new FileOutputStream(file)) {
      out.write(data);
    }
    return file;
  }
}
