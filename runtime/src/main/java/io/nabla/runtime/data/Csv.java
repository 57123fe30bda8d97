package io.nabla.runtime.data;

import io.nabla.runtime.train.Dataset;
import java.io.EOFException;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.Charset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Reads numeric CSV files into datasets: one sample per line, one column of labels (or targets), the other columns
 * features. Lines are UTF-8, fields are separated by {@link #separator(char) a separator} (comma by default) and
 * may be surrounded by spaces or double quotes; blank lines are skipped. The first line is a header when one of
 * its fields is not a number, unless {@link #header(boolean)} forces it either way. Gzipped files are
 * decompressed transparently (recognised by their magic bytes). Every problem is a {@link DataException} naming the
 * file and, for content, the line and column (both 1-based). A line longer than {@value #MAX_LINE_CHARS}
 * characters (say, a binary file without line breaks) is an error too, rather than an out-of-memory error.
 *
 * <p>An instance is an immutable format description:
 * {@code Csv.format().labelColumn("species").readLabels(file)}.
 */
public final class Csv {
  private static final Charset UTF_8 = Charset.forName("UTF-8");
  private static final Csv DEFAULT = new Csv(',', null, -1, null);
  /** The longest line read, in characters: a million features of 15 characters each fit. */
  public static final int MAX_LINE_CHARS = 1 << 24;
  /** The largest array a dataset is read into. */
  private static final int MAX_ARRAY = Integer.MAX_VALUE - 8;

  private final char separator;
  /** {@code null}: detect. */
  private final @Nullable Boolean header;
  private final int labelIndex;
  /** {@code null}: use {@link #labelIndex}. */
  private final @Nullable String labelName;

  private Csv(char separator, @Nullable Boolean header, int labelIndex, @Nullable String labelName) {
    this.separator = separator;
    this.header = header;
    this.labelIndex = labelIndex;
    this.labelName = labelName;
  }

  /** The default format: comma-separated, header detected, label in the last column. */
  public static Csv format() {
    return DEFAULT;
  }

  /** This format with fields separated by {@code separator} (e.g. {@code ';'} or {@code '\t'}). */
  public Csv separator(char separator) {
    if (separator == '"' || separator == '\n' || separator == '\r') {
      throw new IllegalArgumentException("cannot separate fields by " + (int) separator);
    }
    return new Csv(separator, header, labelIndex, labelName);
  }

  /** This format with the first line always ({@code true}) or never ({@code false}) a header. */
  public Csv header(boolean present) {
    return new Csv(separator, present, labelIndex, labelName);
  }

  /** This format with the header detected: the first line is one if a field of it is not a number. */
  public Csv detectHeader() {
    return new Csv(separator, null, labelIndex, labelName);
  }

  /**
   * This format with the label (or target) in column {@code index}: 0 is the first, negative counts from the end
   * ({@code -1} is the last).
   */
  public Csv labelColumn(int index) {
    return new Csv(separator, header, index, null);
  }

  /** This format with the label (or target) in the column headed {@code name} (the file needs a header). */
  public Csv labelColumn(String name) {
    if (name == null) {
      throw new NullPointerException("name");
    }
    return new Csv(separator, header, labelIndex, name);
  }

  /**
   * Reads {@code file} into a dataset of integer class labels: the label column must hold non-negative whole
   * numbers (written as {@code 3} or {@code 3.0}).
   */
  public Dataset readLabels(File file) {
    return read(Sources.open(file), true);
  }

  /** {@link #readLabels(File)} from a stream, plain or gzipped, named {@code name} in errors; does not close it. */
  public Dataset readLabels(InputStream in, String name) {
    return read(Sources.wrap(in, name, -1), true);
  }

  /** Reads {@code file} into a dataset of float targets, one per sample, from the label column. */
  public Dataset readTargets(File file) {
    return read(Sources.open(file), false);
  }

  /** {@link #readTargets(File)} from a stream, plain or gzipped, named {@code name} in errors; does not close it. */
  public Dataset readTargets(InputStream in, String name) {
    return read(Sources.wrap(in, name, -1), false);
  }

  private Dataset read(Sources.Opened opened, boolean labels) {
    LineReader reader = new LineReader(new InputStreamReader(opened.in, UTF_8), opened.name);
    try {
      return read(reader, opened.name, labels);
    } finally {
      Sources.closeQuietly(opened.in);
    }
  }

  private Dataset read(LineReader reader, String name, boolean labels) {
    List<String> fields = new ArrayList<String>();
    String[] columnNames = null;
    int columns = -1;
    int firstLine = 0;
    int label = -1;
    float[] features = new float[1024];
    int featureCount = 0;
    int[] labelValues = labels ? new int[256] : null;
    float[] targetValues = labels ? null : new float[256];
    int rows = 0;
    int lineNumber = 0;
    String line = null;
    try {
      while ((line = reader.readLine(lineNumber + 1)) != null) {
        lineNumber++;
        if (lineNumber == 1 && line.startsWith("\uFEFF")) {
          line = line.substring(1);
        }
        if (line.trim().isEmpty()) {
          continue;
        }
        split(line, name, lineNumber, fields);
        if (columns < 0) {
          columns = fields.size();
          firstLine = lineNumber;
          boolean isHeader = header != null ? header : !allNumbers(fields);
          if (isHeader) {
            columnNames = fields.toArray(new String[0]);
          }
          label = labelColumn(name, columns, columnNames);
          if (isHeader) {
            continue;
          }
        } else if (fields.size() != columns) {
          throw DataException.of(DataException.Kind.BAD_FORMAT, name, "line " + lineNumber + " has "
              + fields.size() + " fields, expected " + columns + " (as on line " + firstLine + ")");
        }
        if ((long) featureCount + columns - 1 > features.length) {
          features = Arrays.copyOf(features, grow(features.length, (long) featureCount + columns - 1, name,
              lineNumber));
        }
        for (int c = 0; c < columns; c++) {
          String field = fields.get(c);
          if (c == label) {
            continue;
          }
          features[featureCount++] = (float) number(field, name, lineNumber, c, columnNames);
        }
        String field = fields.get(label);
        if (labels) {
          if (rows == labelValues.length) {
            labelValues = Arrays.copyOf(labelValues, grow(rows, rows + 1L, name, lineNumber));
          }
          double v = number(field, name, lineNumber, label, columnNames);
          if (v != Math.rint(v) || v < 0 || v > Integer.MAX_VALUE) {
            throw DataException.of(DataException.Kind.BAD_FORMAT, name, "line " + lineNumber + ", column "
                + column(label, columnNames) + ": label \"" + field + "\" is not a non-negative integer");
          }
          labelValues[rows] = (int) v;
        } else {
          if (rows == targetValues.length) {
            targetValues = Arrays.copyOf(targetValues, grow(rows, rows + 1L, name, lineNumber));
          }
          targetValues[rows] = (float) number(field, name, lineNumber, label, columnNames);
        }
        rows++;
      }
    } catch (EOFException e) {
      throw DataException.of(DataException.Kind.TRUNCATED, name,
          "compressed data is cut off after line " + lineNumber);
    } catch (IOException e) {
      throw Sources.ioError(name, e);
    }
    if (rows == 0) {
      throw DataException.of(DataException.Kind.BAD_FORMAT, name,
          columns < 0 ? "is empty" : "has a header but no data rows");
    }
    float[] f = Arrays.copyOf(features, featureCount);
    int featureSize = columns - 1;
    return labels ? Dataset.ofLabels(f, featureSize, Arrays.copyOf(labelValues, rows))
        : Dataset.ofTargets(f, featureSize, Arrays.copyOf(targetValues, rows), 1);
  }

  /** A new length for an array of {@code length} that must hold {@code needed}: doubled, at most the limit. */
  private static int grow(int length, long needed, String name, int lineNumber) {
    if (needed > MAX_ARRAY) {
      throw DataException.of(DataException.Kind.BAD_FORMAT, name, "line " + lineNumber + " brings the data to "
          + needed + " values, more than a Java array can hold");
    }
    return (int) Math.min(MAX_ARRAY, Math.max(2L * length, needed));
  }

  /**
   * Reads lines ending in {@code \n}, {@code \r\n} or {@code \r}, as {@link java.io.BufferedReader#readLine()}
   * does, but refuses a line longer than {@link #MAX_LINE_CHARS}.
   */
  private static final class LineReader {
    private final Reader in;
    private final String name;
    private final char[] buffer = new char[Sources.BUFFER];
    private final StringBuilder line = new StringBuilder();
    private int position;
    private int end;
    /** The last line ended with {@code \r}: a {@code \n} right after it belongs to it. */
    private boolean skipLineFeed;

    LineReader(Reader in, String name) {
      this.in = in;
      this.name = name;
    }

    /** Line {@code lineNumber} (for the error message), or {@code null} at the end of the input. */
    @Nullable String readLine(int lineNumber) throws IOException {
      line.setLength(0);
      boolean any = false;
      while (true) {
        if (position == end) {
          int n = in.read(buffer, 0, buffer.length);
          if (n < 0) {
            return any ? line.toString() : null;
          }
          position = 0;
          end = n;
          continue;
        }
        if (skipLineFeed) {
          skipLineFeed = false;
          if (buffer[position] == '\n') {
            position++;
            continue;
          }
        }
        int start = position;
        while (position < end && buffer[position] != '\n' && buffer[position] != '\r') {
          position++;
        }
        int length = position - start;
        if (line.length() + length > MAX_LINE_CHARS) {
          throw DataException.of(DataException.Kind.BAD_FORMAT, name, "line " + lineNumber + " is longer than "
              + MAX_LINE_CHARS + " characters; is this a text file?");
        }
        line.append(buffer, start, length);
        any |= length > 0;
        if (position < end) {
          skipLineFeed = buffer[position++] == '\r';
          return line.toString();
        }
      }
    }
  }

  /** The 0-based label column for a file of {@code columns} columns. */
  private int labelColumn(String name, int columns, String @Nullable [] columnNames) {
    if (columns < 2) {
      throw DataException.of(DataException.Kind.BAD_FORMAT, name, "has " + columns
          + " column; it needs at least two (features and a label)");
    }
    if (labelName != null) {
      if (columnNames == null) {
        throw DataException.of(DataException.Kind.BAD_FORMAT, name, "has no header line, so no column named \""
            + labelName + "\" for the label");
      }
      for (int c = 0; c < columnNames.length; c++) {
        if (columnNames[c].equals(labelName)) {
          return c;
        }
      }
      throw DataException.of(DataException.Kind.BAD_FORMAT, name, "has no column named \"" + labelName
          + "\" for the label (its columns: " + join(columnNames) + ")");
    }
    int c = labelIndex < 0 ? columns + labelIndex : labelIndex;
    if (c < 0 || c >= columns) {
      throw DataException.of(DataException.Kind.BAD_FORMAT, name, "has " + columns
          + " columns, so no label column " + labelIndex);
    }
    return c;
  }

  private static String join(String[] names) {
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < names.length; i++) {
      s.append(i == 0 ? "" : ", ").append(names[i]);
    }
    return s.toString();
  }

  /** {@code "3"}, or {@code "3 (width)"} with a header. */
  private static String column(int c, String @Nullable [] columnNames) {
    return (c + 1) + (columnNames == null ? "" : " (" + columnNames[c] + ")");
  }

  /**
   * Splits {@code line} into trimmed, unquoted fields. A field may be enclosed in double quotes, inside which the
   * separator is literal and {@code ""} stands for a quote.
   */
  private void split(String line, String name, int lineNumber, List<String> out) {
    out.clear();
    int n = line.length();
    int i = 0;
    while (true) {
      while (i < n && line.charAt(i) == ' ' && separator != ' ') {
        i++;
      }
      String field;
      if (i < n && line.charAt(i) == '"') {
        int open = i;
        StringBuilder s = new StringBuilder();
        i++;
        while (true) {
          if (i >= n) {
            throw DataException.of(DataException.Kind.BAD_FORMAT, name, "line " + lineNumber + ", column "
                + (out.size() + 1) + ": quote at character " + (open + 1) + " is not closed");
          }
          char ch = line.charAt(i++);
          if (ch == '"') {
            if (i < n && line.charAt(i) == '"') {
              s.append('"');
              i++;
            } else {
              break;
            }
          } else {
            s.append(ch);
          }
        }
        while (i < n && line.charAt(i) != separator) {
          if (!Character.isWhitespace(line.charAt(i))) {
            throw DataException.of(DataException.Kind.BAD_FORMAT, name, "line " + lineNumber + ", column "
                + (out.size() + 1) + ": text after the closing quote at character " + (i + 1));
          }
          i++;
        }
        field = s.toString();
      } else {
        int end = line.indexOf(separator, i);
        if (end < 0) {
          end = n;
        }
        field = line.substring(i, end).trim();
        i = end;
      }
      out.add(field);
      if (i >= n) {
        return;
      }
      i++; // the separator
    }
  }

  private static boolean allNumbers(List<String> fields) {
    for (String f : fields) {
      if (Double.isNaN(parse(f)) && !isNaN(f)) {
        return false;
      }
    }
    return true;
  }

  private static double number(String field, String name, int lineNumber, int c,
      String @Nullable [] columnNames) {
    double v = parse(field);
    if (Double.isNaN(v) && !isNaN(field)) {
      throw DataException.of(DataException.Kind.BAD_FORMAT, name, "line " + lineNumber + ", column "
          + column(c, columnNames) + ": " + (field.isEmpty() ? "empty value" : "\"" + field + "\"")
          + " is not a number");
    }
    return v;
  }

  private static boolean isNaN(String s) {
    return s.equalsIgnoreCase("nan") || s.equalsIgnoreCase("+nan") || s.equalsIgnoreCase("-nan");
  }

  /**
   * A decimal number ({@code 1}, {@code -2.5}, {@code 1e-3}, {@code nan}, {@code inf}, {@code -Infinity}), or
   * NaN if {@code s} is not one. Stricter than {@link Double#parseDouble}: no hex, no {@code f}/{@code d} suffix.
   */
  static double parse(String s) {
    int n = s.length();
    boolean digit = false;
    for (int i = 0; i < n; i++) {
      char ch = s.charAt(i);
      if (ch >= '0' && ch <= '9') {
        digit = true;
      } else if (ch != '.' && ch != 'e' && ch != 'E' && ch != '+' && ch != '-') {
        return special(s);
      }
    }
    if (!digit) {
      return Double.NaN;
    }
    try {
      return Double.parseDouble(s);
    } catch (NumberFormatException e) {
      return Double.NaN;
    }
  }

  private static double special(String s) {
    boolean signed = s.startsWith("+") || s.startsWith("-");
    String body = signed ? s.substring(1) : s;
    if (body.equalsIgnoreCase("inf") || body.equalsIgnoreCase("infinity")) {
      return s.startsWith("-") ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
    }
    return Double.NaN;
  }
}
