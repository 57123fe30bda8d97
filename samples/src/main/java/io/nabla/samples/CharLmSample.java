package io.nabla.samples;

import io.nabla.runtime.Model;
import io.nabla.runtime.data.DataException;
import io.nabla.runtime.kernel.Kernels;
import io.nabla.runtime.train.Dataset;
import java.io.File;
import java.io.PrintWriter;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * A character-level language model of <i>The Devil's Dictionary</i> ({@link CharCorpus}, bundled in the jar):
 * {@link CharTransformer}, or with {@code --arch lstm} {@link CharLstm}, learns to predict the next character at
 * each of 64 positions. It reports the validation loss in nats per character on the held-out last 10 % of the
 * text, then writes some text of its own ({@link TextGenerator}).
 *
 * <p>Training windows start every {@value #STRIDE} characters (half the context): the trainer shuffles the same
 * windows every epoch, so with a stride of the whole context each character would always be predicted from the
 * same position, the first of every window from one character of context; overlapping by half gives every
 * character two positions (and twice the windows per epoch). Validation windows do not overlap, so each held-out
 * character is predicted once.
 */
final class CharLmSample extends Sample {
  static final String NAME = "charlm";
  static final String LSTM = "lstm";
  static final int EPOCHS = 8;
  static final int BATCH = 32;
  static final int STRIDE = CharCorpus.CONTEXT / 2;
  static final double LEARNING_RATE = 3e-3;
  static final String SCHEDULE = "warmup-cosine";
  static final double CLIP_NORM = 1.0;
  static final String PROMPT = "NABLA, n.  ";
  static final int SAMPLE_LENGTH = 400;
  static final double TEMPERATURE = 0.8;

  CharLmSample() {
    super(NAME, EPOCHS, BATCH);
  }

  @Override
  SampleData load(File data, long seed) {
    if (data != null) {
      throw new DataException(DataException.Kind.MISMATCH, data.getPath(), "--data " + data.getPath() + ": "
          + NAME + " trains only on the bundled text, whose " + CharCorpus.VOCABULARY
          + " characters its networks are declared for");
    }
    CharCorpus corpus = CharCorpus.load();
    if (corpus.vocabularySize() != CharCorpus.VOCABULARY) {
      throw new DataException(DataException.Kind.MISMATCH, corpus.source(), corpus.source() + ": holds "
          + corpus.vocabularySize() + " distinct characters, the networks expect " + CharCorpus.VOCABULARY);
    }
    Dataset train = corpus.training(CharCorpus.CONTEXT, STRIDE);
    Dataset validation = corpus.validation(CharCorpus.CONTEXT);
    return new SampleData(train, validation, describe(corpus, train, validation), corpus);
  }

  static String describe(CharCorpus corpus, Dataset train, Dataset validation) {
    return String.format(Locale.ROOT, "%s: %d characters, %d distinct; the first %d for training (%d windows"
        + " of %d, one every %d), the last %d held out (%d windows); a uniform guess scores %.3f nats/char, the"
        + " training unigram frequencies %.3f", corpus.source(), corpus.length(), corpus.vocabularySize(),
        corpus.trainLength(), train.size(), CharCorpus.CONTEXT, STRIDE, corpus.validationLength(),
        validation.size(), corpus.uniformEntropy(), corpus.unigramEntropy());
  }

  @Override
  List<String> architectures() {
    return Arrays.asList(DEFAULT_ARCHITECTURE, LSTM);
  }

  @Override
  Model newModel(int maxBatch, Kernels kernels) {
    return new CharTransformerNet(maxBatch, kernels);
  }

  @Override
  Model newModel(String architecture, int maxBatch, Kernels kernels) {
    return LSTM.equals(architecture) ? new CharLstmNet(maxBatch, kernels) : newModel(maxBatch, kernels);
  }

  @Override
  double defaultLearningRate(String optimizer) {
    return optimizer.equals("adam") || optimizer.equals("adamw") ? LEARNING_RATE
        : super.defaultLearningRate(optimizer);
  }

  @Override
  String defaultSchedule() {
    return SCHEDULE;
  }

  @Override
  double defaultClipNorm() {
    return CLIP_NORM;
  }

  @Override
  boolean isLanguageModel() {
    return true;
  }

  @Override
  void generate(Model model, SampleData data, String prompt, int length, double temperature, long seed,
      PrintWriter out) {
    String text = TextGenerator.generate(model, data.corpus, prompt, length, temperature, seed);
    out.println(String.format(Locale.ROOT, "text (%d characters after the prompt, temperature %s, seed %d):",
        length, temperature, seed));
    out.println();
    out.println(prompt + text);
    out.println();
  }

  /** Nats (natural-log cross-entropy) to bits. */
  static double bits(double nats) {
    return nats / Math.log(2);
  }
}
