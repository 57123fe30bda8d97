package io.nabla.benchmarks;

import io.nabla.runtime.Rng;
import io.nabla.runtime.data.Idx;
import io.nabla.runtime.train.Dataset;
import java.io.File;

/** Training data in memory: Fashion-MNIST's training images when installed, otherwise random data of that shape. */
final class BenchData {
  static final String DEFAULT_DIR = "/usr/share/datasets/fashion-mnist";
  static final int PIXELS = 784;
  static final int CLASSES = 10;
  static final int TRAIN_SIZE = 60_000;

  private BenchData() {}

  /**
   * The 60,000 Fashion-MNIST training images scaled by 1/255 from {@code dir} (or the default directory when
   * {@code dir} is {@code null}); if the files are not there, or {@code dir} is {@code "random"}, 60,000 random
   * images (uniform in [0, 1)) with random labels, drawn from {@code seed}.
   */
  static Dataset load(String dir, long seed) {
    if (!"random".equals(dir)) {
      File d = new File(dir == null ? DEFAULT_DIR : dir);
      File images = find(d, "train-images-idx3-ubyte");
      File labels = find(d, "train-labels-idx1-ubyte");
      if (images != null && labels != null) {
        return Idx.load(images, labels, 1f / 255);
      }
      if (dir != null) {
        throw new IllegalArgumentException(d + " holds no Fashion-MNIST training files");
      }
    }
    return random(TRAIN_SIZE, seed);
  }

  /** Whether {@link #load} found the real data. */
  static String describe(Dataset data, String dir) {
    return "random".equals(dir) || (dir == null && find(new File(DEFAULT_DIR), "train-images-idx3-ubyte") == null)
        ? "random data, " + data.size() + " samples of 784 values"
        : "Fashion-MNIST training images from " + (dir == null ? DEFAULT_DIR : dir) + ", " + data.size() + " samples";
  }

  /** {@code count} random samples of 784 values in [0, 1) and labels in 0..9. */
  static Dataset random(int count, long seed) {
    Rng rng = new Rng(seed);
    float[] x = new float[count * PIXELS];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) rng.nextDouble();
    }
    int[] y = new int[count];
    for (int i = 0; i < count; i++) {
      y[i] = (int) (rng.nextDouble() * CLASSES);
    }
    return Dataset.ofLabels(x, PIXELS, y);
  }

  /**
   * {@code count} sequences of {@link TinyTransformer#CONTEXT} random token ids, uniform in [0,
   * {@link TinyTransformer#VOCABULARY}), each labelled with the next id at every position (windows of one random
   * stream drawn from {@code seed}): a language model's data, for throughput only.
   */
  static Dataset tokens(int count, long seed) {
    int context = TinyTransformer.CONTEXT;
    Rng rng = new Rng(seed);
    int[] stream = new int[count * context + 1];
    for (int i = 0; i < stream.length; i++) {
      stream[i] = (int) (rng.nextDouble() * TinyTransformer.VOCABULARY);
    }
    float[] x = new float[count * context];
    int[] y = new int[count * context];
    for (int i = 0; i < x.length; i++) {
      x[i] = stream[i];
      y[i] = stream[i + 1];
    }
    return Dataset.ofLabels(x, context, y, context);
  }

  private static File find(File dir, String name) {
    File gz = new File(dir, name + ".gz");
    if (gz.isFile()) {
      return gz;
    }
    File plain = new File(dir, name);
    return plain.isFile() ? plain : null;
  }
}
