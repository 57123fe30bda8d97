package io.nabla.samples;

import io.nabla.runtime.Model;
import io.nabla.runtime.kernel.Kernels;
import io.nabla.runtime.data.DataException;
import io.nabla.runtime.data.Idx;
import io.nabla.runtime.train.Dataset;
import java.io.File;

/**
 * {@link FashionMlp} on Fashion-MNIST: the official 60,000 training images, pixels scaled by 1/255, and the test
 * accuracy on the official 10,000 test images.
 */
class FashionSample extends Sample {
  static final String NAME = "fashion-mlp";
  static final int EPOCHS = 10;
  static final int BATCH = 64;
  static final String DEFAULT_DIR = "/usr/share/datasets/fashion-mnist";
  static final String TRAIN_IMAGES = "train-images-idx3-ubyte";
  static final String TRAIN_LABELS = "train-labels-idx1-ubyte";
  static final String TEST_IMAGES = "t10k-images-idx3-ubyte";
  static final String TEST_LABELS = "t10k-labels-idx1-ubyte";
  static final int PIXELS = 28 * 28;
  static final int CLASSES = 10;

  FashionSample() {
    this(NAME, EPOCHS);
  }

  /** A sample on the same data under another name, e.g. with another network. */
  FashionSample(String name, int epochs) {
    super(name, epochs, BATCH);
  }

  @Override
  SampleData load(File data, long seed) {
    File dir = data == null ? new File(DEFAULT_DIR) : data;
    if (dir.isFile()) {
      throw new DataException(DataException.Kind.IO_ERROR, dir.getPath(),
          dir.getPath() + " is a file; --data takes the directory holding the four Fashion-MNIST files");
    }
    // Find all four before reading any, so that a missing set is reported by its first file.
    File trainImages = find(dir, TRAIN_IMAGES);
    File trainLabels = find(dir, TRAIN_LABELS);
    File testImages = find(dir, TEST_IMAGES);
    File testLabels = find(dir, TEST_LABELS);
    Dataset train = read(trainImages, trainLabels);
    Dataset test = read(testImages, testLabels);
    return new SampleData(train, test, dir.getPath() + ": " + train.size() + " training images, " + test.size()
        + " test images");
  }

  private static Dataset read(File images, File labels) {
    Dataset data = Idx.load(images, labels, 1f / 255);
    checkFeatures(data, PIXELS, images.getPath(), "28x28 images");
    checkLabels(data, CLASSES, labels.getPath());
    return data;
  }

  /** {@code dir/name.gz}, or {@code dir/name} if only the uncompressed file is there. */
  private static File find(File dir, String name) {
    File gz = new File(dir, name + ".gz");
    File plain = new File(dir, name);
    if (gz.exists() || !plain.exists()) {
      if (!gz.exists()) {
        throw new DataException(DataException.Kind.MISSING_FILE, gz.getPath(), gz.getPath() + " not found");
      }
      return gz;
    }
    return plain;
  }

  @Override
  Model newModel(int maxBatch, Kernels kernels) {
    return new FashionMlpNet(maxBatch, kernels);
  }
}
