package io.nabla.runtime.checkpoint;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The typed map of a checkpoint's trainer state (section TRNR): string keys, values of a few types, nested maps.
 * See {@link Checkpoint} for the Java types each value becomes and {@code docs/checkpoint-format.md} for the bytes.
 */
final class StateCodec {
  static final int LONG = 1;
  static final int DOUBLE = 2;
  static final int STRING = 3;
  static final int BOOLEAN = 4;
  static final int MAP = 5;
  static final int FLOAT_ARRAY = 6;
  static final int DOUBLE_ARRAY = 7;
  static final int LONG_ARRAY = 8;

  /** Nesting deeper than this is refused on both sides. */
  static final int MAX_DEPTH = 32;

  private StateCodec() {}

  /**
   * A deep, unmodifiable copy of {@code map} with every value checked and converted to the type reading it back
   * gives: integers to {@link Long}, floats to {@link Double}, {@code int[]} to {@code long[]}, arrays copied,
   * maps copied in their iteration order.
   *
   * @throws IllegalArgumentException naming the key of a null value, a non-String key or an unsupported type
   */
  static Map<String, Object> normalize(Map<?, ?> map, String path, int depth) {
    if (depth > MAX_DEPTH) {
      throw new IllegalArgumentException("trainer state nests maps deeper than " + MAX_DEPTH + " at '" + path + "'");
    }
    Map<String, Object> copy = new LinkedHashMap<>();
    for (Map.Entry<?, ?> e : map.entrySet()) {
      if (!(e.getKey() instanceof String)) {
        throw new IllegalArgumentException("trainer state" + (path.isEmpty() ? "" : " map '" + path + "'")
            + " has a key that is not a String: " + e.getKey());
      }
      String key = (String) e.getKey();
      if (key.getBytes(StandardCharsets.UTF_8).length > 0xFFFF) {
        throw new IllegalArgumentException("trainer state key longer than 65535 UTF-8 bytes: "
            + key.substring(0, 40) + "…");
      }
      String where = path.isEmpty() ? key : path + "." + key;
      Object v = e.getValue();
      Object value;
      if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
        value = ((Number) v).longValue();
      } else if (v instanceof Double || v instanceof Float) {
        value = ((Number) v).doubleValue();
      } else if (v instanceof String || v instanceof Boolean) {
        value = v;
      } else if (v instanceof Map) {
        value = normalize((Map<?, ?>) v, where, depth + 1);
      } else if (v instanceof float[]) {
        value = ((float[]) v).clone();
      } else if (v instanceof double[]) {
        value = ((double[]) v).clone();
      } else if (v instanceof long[]) {
        value = ((long[]) v).clone();
      } else if (v instanceof int[]) {
        int[] a = (int[]) v;
        long[] l = new long[a.length];
        for (int i = 0; i < a.length; i++) {
          l[i] = a[i];
        }
        value = l;
      } else {
        throw new IllegalArgumentException("trainer state '" + where + "' is "
            + (v == null ? "null" : "a " + v.getClass().getName())
            + "; a checkpoint stores Long, Integer, Short, Byte, Double, Float, String, Boolean, float[], double[],"
            + " long[], int[] and Map<String, ?> of these");
      }
      copy.put(key, value);
    }
    return Collections.unmodifiableMap(copy);
  }

  /** Writes a {@link #normalize normalized} map: u32 count, then each entry's key, type and value. */
  static void writeMap(BinaryOutput out, Map<String, Object> map) throws IOException {
    out.u32(map.size());
    for (Map.Entry<String, Object> e : map.entrySet()) {
      Object v = e.getValue();
      out.string16(e.getKey());
      if (v instanceof Long) {
        out.u8(LONG);
        out.i64((Long) v);
      } else if (v instanceof Double) {
        out.u8(DOUBLE);
        out.f64((Double) v);
      } else if (v instanceof String) {
        out.u8(STRING);
        out.string32((String) v);
      } else if (v instanceof Boolean) {
        out.u8(BOOLEAN);
        out.u8((Boolean) v ? 1 : 0);
      } else if (v instanceof Map) {
        out.u8(MAP);
        @SuppressWarnings("unchecked")
        Map<String, Object> inner = (Map<String, Object>) v;
        writeMap(out, inner);
      } else if (v instanceof float[]) {
        float[] a = (float[]) v;
        out.u8(FLOAT_ARRAY);
        out.u32(a.length);
        out.floats(a, 0, a.length);
      } else if (v instanceof double[]) {
        double[] a = (double[]) v;
        out.u8(DOUBLE_ARRAY);
        out.u32(a.length);
        for (double d : a) {
          out.f64(d);
        }
      } else if (v instanceof long[]) {
        long[] a = (long[]) v;
        out.u8(LONG_ARRAY);
        out.u32(a.length);
        for (long l : a) {
          out.i64(l);
        }
      } else {
        throw new IllegalStateException("not normalized: " + e.getKey() + " = " + v);
      }
    }
  }

  static Map<String, Object> readMap(BinaryInput in, String path, int depth) throws IOException, BinaryInput.Problem {
    if (depth > MAX_DEPTH) {
      throw new BinaryInput.Problem("maps nest deeper than " + MAX_DEPTH + " at '" + path + "'");
    }
    long count = in.u32();
    // An entry takes at least 2 (key length) + 1 (type) + 1 (the smallest value) bytes.
    in.need(count * 4, count + " entries" + (path.isEmpty() ? "" : " of '" + path + "'"));
    Map<String, Object> map = new LinkedHashMap<>();
    for (long i = 0; i < count; i++) {
      String key = in.string16("a key" + (path.isEmpty() ? "" : " of '" + path + "'"));
      String where = path.isEmpty() ? key : path + "." + key;
      int type = in.u8();
      Object value;
      switch (type) {
        case LONG:
          value = in.i64();
          break;
        case DOUBLE:
          value = in.f64();
          break;
        case STRING:
          value = in.string32("the string '" + where + "'");
          break;
        case BOOLEAN: {
          int b = in.u8();
          if (b > 1) {
            throw new BinaryInput.Problem("the boolean '" + where + "' has the value " + b);
          }
          value = b == 1;
          break;
        }
        case MAP:
          value = readMap(in, where, depth + 1);
          break;
        case FLOAT_ARRAY: {
          long n = arrayLength(in, 4, "the float array '" + where + "'");
          float[] a = new float[(int) n];
          in.floats(a, 0, a.length, "the float array '" + where + "'");
          value = a;
          break;
        }
        case DOUBLE_ARRAY: {
          long n = arrayLength(in, 8, "the double array '" + where + "'");
          double[] a = new double[(int) n];
          for (int j = 0; j < a.length; j++) {
            a[j] = in.f64();
          }
          value = a;
          break;
        }
        case LONG_ARRAY: {
          long n = arrayLength(in, 8, "the long array '" + where + "'");
          long[] a = new long[(int) n];
          for (int j = 0; j < a.length; j++) {
            a[j] = in.i64();
          }
          value = a;
          break;
        }
        default:
          throw new BinaryInput.Problem("'" + where + "' has the unknown value type " + type);
      }
      if (map.put(key, value) != null) {
        throw new BinaryInput.Problem("the key '" + where + "' appears twice");
      }
    }
    return Collections.unmodifiableMap(map);
  }

  /** Reads an array's u32 length and checks that its elements lie inside the section, before any allocation. */
  static long arrayLength(BinaryInput in, int elementSize, String what) throws IOException, BinaryInput.Problem {
    long n = in.u32();
    if (n > Integer.MAX_VALUE - 8) {
      throw new BinaryInput.Problem(what + " has " + n + " elements, more than a Java array holds");
    }
    in.need(n * elementSize, what + " of " + n + " elements");
    return n;
  }
}
