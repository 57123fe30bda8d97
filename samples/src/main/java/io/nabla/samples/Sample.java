package io.nabla.samples;

import io.nabla.runtime.Model;
import io.nabla.runtime.kernel.Kernels;
import io.nabla.runtime.data.DataException;
import io.nabla.runtime.train.Dataset;
import java.io.File;
import java.io.PrintWriter;
import java.util.Collections;
import java.util.List;

/** One runnable sample: its name on the command line, defaults, data and network. */
abstract class Sample {
  static final String DEFAULT_ARCHITECTURE = "default";

  private final String name;
  private final int defaultEpochs;
  private final int defaultBatch;

  Sample(String name, int defaultEpochs, int defaultBatch) {
    this.name = name;
    this.defaultEpochs = defaultEpochs;
    this.defaultBatch = defaultBatch;
  }

  /** The name on the command line, e.g. {@code digits}. */
  final String name() {
    return name;
  }

  final int defaultEpochs() {
    return defaultEpochs;
  }

  final int defaultBatch() {
    return defaultBatch;
  }

  /**
   * Loads, scales and splits the data; {@code data} is the {@code --data} option or {@code null}, {@code seed}
   * the run's seed (for a split).
   *
   * @throws DataException if a file is missing, unreadable or not what the sample expects
   */
  abstract SampleData load(File data, long seed);

  /** A new network for batches of up to {@code maxBatch} samples, computing with {@code kernels}. */
  abstract Model newModel(int maxBatch, Kernels kernels);

  /** The learning rate when {@code --lr} is not given, for {@code optimizer}. */
  double defaultLearningRate(String optimizer) {
    return TrainingOptions.defaultLearningRate(optimizer);
  }

  /** The schedule when {@code --schedule} is not given, one of {@link TrainingOptions#SCHEDULES}. */
  String defaultSchedule() {
    return "cosine";
  }

  /** The gradient clipping norm when {@code --clip-norm} is not given; 0 for none. */
  double defaultClipNorm() {
    return 0;
  }

  /**
   * Whether the run reports the validation loss (a language model's nats per character) rather than the test
   * accuracy, and generates text after training ({@code --prompt}, {@code --sample-length}, {@code --temperature}).
   */
  boolean isLanguageModel() {
    return false;
  }

  /**
   * A language model's text after training: {@code length} characters continuing {@code prompt}, drawn with
   * {@code temperature} from a stream seeded with {@code seed}, printed to {@code out}. Nothing for other samples.
   */
  void generate(Model model, SampleData data, String prompt, int length, double temperature, long seed,
      PrintWriter out) {}

  /** The names {@code --arch} takes, the default first. */
  List<String> architectures() {
    return Collections.singletonList(DEFAULT_ARCHITECTURE);
  }

  /** The network of {@code architecture}, one of {@link #architectures()}. */
  Model newModel(String architecture, int maxBatch, Kernels kernels) {
    return newModel(maxBatch, kernels);
  }

  /**
   * Checks that every label of {@code data} (read from {@code source}) is a class of a {@code classes}-way
   * classifier, so that a wrong file fails with its name rather than in the middle of training.
   */
  static void checkLabels(Dataset data, int classes, String source) {
    int[] labels = data.labels();
    for (int i = 0; i < labels.length; i++) {
      if (labels[i] >= classes) {
        throw new DataException(DataException.Kind.BAD_FORMAT, source, source + ": label " + labels[i]
            + " of sample " + (i + 1) + " is not a class 0.." + (classes - 1));
      }
    }
  }

  /** Checks that samples of {@code data} (read from {@code source}) have {@code features} values. */
  static void checkFeatures(Dataset data, int features, String source, String what) {
    if (data.featureSize() != features) {
      throw new DataException(DataException.Kind.MISMATCH, source, source + ": samples have "
          + data.featureSize() + " values, expected " + features + " (" + what + ")");
    }
  }
}
