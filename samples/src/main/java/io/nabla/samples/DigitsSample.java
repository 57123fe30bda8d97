package io.nabla.samples;

import io.nabla.runtime.Model;
import io.nabla.runtime.kernel.Kernels;
import io.nabla.runtime.data.Csv;
import io.nabla.runtime.data.DataException;
import io.nabla.runtime.train.Dataset;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;

/**
 * {@link DigitsMlp} on the UCI handwritten digits bundled in the jar (or a CSV file of the same layout given with
 * {@code --data}): pixels scaled by 1/16, 80 % of the samples (shuffled by the seed) for training, 20 % held out
 * for the test accuracy.
 */
class DigitsSample extends Sample {
  static final String NAME = "digits";
  static final int EPOCHS = 50;
  static final int BATCH = 32;
  /** The classpath resource, relative to this package. */
  static final String RESOURCE = "digits.csv.gz";
  static final String RESOURCE_NAME = "classpath:io/nabla/samples/" + RESOURCE;
  static final double TRAIN_FRACTION = 0.8;
  static final int PIXELS = 64;
  static final int CLASSES = 10;

  DigitsSample() {
    this(NAME, EPOCHS);
  }

  /** A sample on the same data under another name, e.g. with another network. */
  DigitsSample(String name, int epochs) {
    super(name, epochs, BATCH);
  }

  @Override
  SampleData load(File data, long seed) {
    String source;
    Dataset all;
    if (data == null) {
      source = RESOURCE_NAME;
      all = readResource();
    } else {
      source = data.getPath();
      all = Csv.format().readLabels(data);
    }
    checkFeatures(all, PIXELS, source, "an 8x8 image then its label per line");
    checkLabels(all, CLASSES, source);
    if (all.size() < 2) {
      throw new DataException(DataException.Kind.BAD_FORMAT, source,
          source + ": holds " + all.size() + " samples, too few to hold some out");
    }
    Dataset[] split = all.scaled(1f / 16).split(TRAIN_FRACTION, seed);
    return new SampleData(split[0], split[1], source + ": " + all.size() + " samples, " + split[0].size()
        + " for training, " + split[1].size() + " held out for testing (split by the seed)");
  }

  private static Dataset readResource() {
    InputStream in = DigitsSample.class.getResourceAsStream(RESOURCE);
    if (in == null) {
      throw new DataException(DataException.Kind.MISSING_FILE, RESOURCE_NAME, RESOURCE_NAME + " not found");
    }
    try {
      return Csv.format().header(false).readLabels(in, RESOURCE_NAME);
    } finally {
      try {
        in.close();
      } catch (IOException ignored) {
        // read already
      }
    }
  }

  @Override
  Model newModel(int maxBatch, Kernels kernels) {
    return new DigitsMlpNet(maxBatch, kernels);
  }
}
