package io.nabla.spark.sample;

import io.nabla.runtime.data.Csv;
import io.nabla.runtime.data.DataException;
import io.nabla.runtime.train.Dataset;
import io.nabla.spark.Example;
import java.io.IOException;
import java.io.InputStream;

/**
 * The UCI handwritten digits bundled with the project (the samples module's {@code digits.csv.gz}, copied into
 * this module's jar by the build; provenance in {@code samples/src/main/resources/io/nabla/samples/DATA.md}):
 * 1797 images of 8×8 pixels valued 0..16, then the label. Scaled by 1/16 and split as the samples module's
 * {@code digits} sample does, so accuracies compare.
 */
public final class DigitsData {
  /** The classpath resource. */
  public static final String RESOURCE = "/io/nabla/spark/sample/digits.csv.gz";
  public static final int PIXELS = 64;
  public static final int CLASSES = 10;
  public static final double TRAIN_FRACTION = 0.8;

  private DigitsData() {}

  /** All 1797 digits, pixels scaled to [0, 1]. */
  public static Dataset all() {
    InputStream in = DigitsData.class.getResourceAsStream(RESOURCE);
    if (in == null) {
      throw new DataException(DataException.Kind.MISSING_FILE, "classpath:" + RESOURCE,
          "classpath:" + RESOURCE + " not found");
    }
    try {
      return Csv.format().header(false).readLabels(in, "classpath:" + RESOURCE).scaled(1f / 16);
    } finally {
      try {
        in.close();
      } catch (IOException ignored) {
        // read already
      }
    }
  }

  /** 80 % for training and 20 % held out, chosen by {@code seed}: as the {@code digits} sample splits. */
  public static Dataset[] split(long seed) {
    return all().split(TRAIN_FRACTION, seed);
  }

  /**
   * One line of a digits CSV file ({@code 64 values 0..16, then the label}), scaled by 1/16.
   *
   * @throws IllegalArgumentException quoting the line, if it is not 65 numbers with a label 0..9
   */
  public static Example parseLine(String line) {
    String[] fields = line.split(",");
    if (fields.length != PIXELS + 1) {
      throw new IllegalArgumentException("the line '" + abbreviate(line) + "' has " + fields.length
          + " values; a digit is " + PIXELS + " pixels then its label");
    }
    float[] pixels = new float[PIXELS];
    try {
      for (int i = 0; i < PIXELS; i++) {
        pixels[i] = Float.parseFloat(fields[i].trim()) / 16;
      }
      double label = Double.parseDouble(fields[PIXELS].trim());
      if (label != Math.rint(label) || label < 0 || label >= CLASSES) {
        throw new IllegalArgumentException("the line '" + abbreviate(line) + "' has label " + fields[PIXELS].trim()
            + "; labels are 0.." + (CLASSES - 1));
      }
      return Example.ofLabel(pixels, (int) label);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("the line '" + abbreviate(line) + "' holds a value that is not a number: "
          + e.getMessage());
    }
  }

  private static String abbreviate(String line) {
    return line.length() <= 60 ? line : line.substring(0, 57) + "...";
  }
}
