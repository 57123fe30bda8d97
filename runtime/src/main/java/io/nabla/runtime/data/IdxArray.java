package io.nabla.runtime.data;

/**
 * An array read from an IDX file: its element type, dimensions and values, kept as the file's raw big-endian
 * bytes and converted on request ({@link #floats()}, {@link #ints()}, {@link #doubles()}).
 */
public final class IdxArray {
  /** Type code of unsigned bytes (MNIST images and labels). */
  public static final int UNSIGNED_BYTE = 0x08;
  /** Type code of signed bytes. */
  public static final int SIGNED_BYTE = 0x09;
  /** Type code of 16-bit big-endian integers. */
  public static final int SHORT = 0x0B;
  /** Type code of 32-bit big-endian integers. */
  public static final int INT = 0x0C;
  /** Type code of 32-bit big-endian IEEE floats. */
  public static final int FLOAT = 0x0D;
  /** Type code of 64-bit big-endian IEEE doubles. */
  public static final int DOUBLE = 0x0E;

  private final String source;
  private final int type;
  private final int[] dims;
  private final int size;
  private final byte[] data;

  IdxArray(String source, int type, int[] dims, int size, byte[] data) {
    this.source = source;
    this.type = type;
    this.dims = dims;
    this.size = size;
    this.data = data;
  }

  /** Bytes per element of {@code type}, or 0 for an unknown type code. */
  static int elementBytes(int type) {
    switch (type) {
      case UNSIGNED_BYTE:
      case SIGNED_BYTE:
        return 1;
      case SHORT:
        return 2;
      case INT:
      case FLOAT:
        return 4;
      case DOUBLE:
        return 8;
      default:
        return 0;
    }
  }

  /** A readable name of type code {@code type}, e.g. {@code "unsigned byte"}. */
  public static String typeName(int type) {
    switch (type) {
      case UNSIGNED_BYTE:
        return "unsigned byte";
      case SIGNED_BYTE:
        return "signed byte";
      case SHORT:
        return "short";
      case INT:
        return "int";
      case FLOAT:
        return "float";
      case DOUBLE:
        return "double";
      default:
        return String.format("unknown type 0x%02X", type);
    }
  }

  /** Dimensions as {@code "10000x28x28"}. */
  static String shape(int[] dims) {
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < dims.length; i++) {
      s.append(i == 0 ? "" : "x").append(dims[i]);
    }
    return s.toString();
  }

  /** The file (path as given) or stream name this array was read from. */
  public String source() {
    return source;
  }

  /** The element type code, one of the constants of this class. */
  public int type() {
    return type;
  }

  /** The number of dimensions. */
  public int rank() {
    return dims.length;
  }

  /** The dimensions, outermost first (a copy). */
  public int[] dims() {
    return dims.clone();
  }

  /** Dimension {@code axis}, outermost first. */
  public int dim(int axis) {
    return dims[axis];
  }

  /** The number of values: the product of the dimensions. */
  public int size() {
    return size;
  }

  /** The number of samples: the first dimension. */
  public int samples() {
    return dims[0];
  }

  /** Values per sample: the product of the dimensions after the first (1 for a vector). */
  public int sampleSize() {
    int n = 1;
    for (int i = 1; i < dims.length; i++) {
      n *= dims[i];
    }
    return n;
  }

  /** The values as floats, in file order (row-major). */
  public float[] floats() {
    return floats(1f);
  }

  /** The values as floats, each multiplied by {@code scale} (e.g. {@code 1f / 255} for pixels). */
  public float[] floats(float scale) {
    float[] out = new float[size];
    byte[] d = data;
    switch (type) {
      case UNSIGNED_BYTE: {
        float[] table = new float[256];
        for (int i = 0; i < 256; i++) {
          table[i] = i * scale;
        }
        for (int i = 0; i < size; i++) {
          out[i] = table[d[i] & 0xFF];
        }
        break;
      }
      case SIGNED_BYTE:
        for (int i = 0; i < size; i++) {
          out[i] = d[i] * scale;
        }
        break;
      case SHORT:
        for (int i = 0; i < size; i++) {
          out[i] = readShort(d, i << 1) * scale;
        }
        break;
      case INT:
        for (int i = 0; i < size; i++) {
          out[i] = readInt(d, i << 2) * scale;
        }
        break;
      case FLOAT:
        for (int i = 0; i < size; i++) {
          out[i] = Float.intBitsToFloat(readInt(d, i << 2)) * scale;
        }
        break;
      case DOUBLE:
        for (int i = 0; i < size; i++) {
          out[i] = (float) (Double.longBitsToDouble(readLong(d, i << 3)) * scale);
        }
        break;
      default:
        throw new IllegalStateException(typeName(type));
    }
    return out;
  }

  /** The values as doubles, in file order. */
  public double[] doubles() {
    double[] out = new double[size];
    for (int i = 0; i < size; i++) {
      out[i] = doubleAt(i);
    }
    return out;
  }

  /**
   * The values as ints, in file order (e.g. class labels). Float and double values must be whole numbers in the
   * int range.
   *
   * @throws DataException naming the file and the index of the first value that is not an int
   */
  public int[] ints() {
    int[] out = new int[size];
    byte[] d = data;
    switch (type) {
      case UNSIGNED_BYTE:
        for (int i = 0; i < size; i++) {
          out[i] = d[i] & 0xFF;
        }
        break;
      case SIGNED_BYTE:
        for (int i = 0; i < size; i++) {
          out[i] = d[i];
        }
        break;
      case SHORT:
        for (int i = 0; i < size; i++) {
          out[i] = readShort(d, i << 1);
        }
        break;
      case INT:
        for (int i = 0; i < size; i++) {
          out[i] = readInt(d, i << 2);
        }
        break;
      default:
        for (int i = 0; i < size; i++) {
          double v = doubleAt(i);
          if (v != Math.rint(v) || v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
            throw DataException.of(DataException.Kind.BAD_FORMAT, source,
                typeName(type) + " value " + v + " at index " + i + " is not an integer");
          }
          out[i] = (int) v;
        }
    }
    return out;
  }

  private double doubleAt(int i) {
    byte[] d = data;
    switch (type) {
      case UNSIGNED_BYTE:
        return d[i] & 0xFF;
      case SIGNED_BYTE:
        return d[i];
      case SHORT:
        return readShort(d, i << 1);
      case INT:
        return readInt(d, i << 2);
      case FLOAT:
        return Float.intBitsToFloat(readInt(d, i << 2));
      case DOUBLE:
        return Double.longBitsToDouble(readLong(d, i << 3));
      default:
        throw new IllegalStateException(typeName(type));
    }
  }

  private static short readShort(byte[] d, int at) {
    return (short) ((d[at] << 8) | (d[at + 1] & 0xFF));
  }

  static int readInt(byte[] d, int at) {
    return (d[at] << 24) | ((d[at + 1] & 0xFF) << 16) | ((d[at + 2] & 0xFF) << 8) | (d[at + 3] & 0xFF);
  }

  private static long readLong(byte[] d, int at) {
    return ((long) readInt(d, at) << 32) | (readInt(d, at + 4) & 0xFFFFFFFFL);
  }

  @Override
  public String toString() {
    return "IdxArray[" + source + ": " + typeName(type) + " " + shape(dims) + "]";
  }
}
