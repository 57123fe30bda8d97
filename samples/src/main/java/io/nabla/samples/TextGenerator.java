package io.nabla.samples;

import io.nabla.runtime.Model;
import io.nabla.runtime.Rng;

/**
 * Text from a trained character-level language model, one character at a time: the model reads the last
 * {@code T} characters (its context length), the next one is drawn from the softmax of its logits at the last
 * position, divided by a temperature, and appended.
 *
 * <p>While the text is shorter than {@code T}, it fills positions {@code 0 … n − 1} and the logits are read at
 * position {@code n − 1}; the positions after it hold id 0 and change nothing there, because the networks are
 * causal (attention masked to earlier positions, a forward LSTM). So a short prompt is read exactly as the start of
 * a training window is.
 */
final class TextGenerator {
  private TextGenerator() {}

  /**
   * {@code length} characters following {@code prompt} (whose characters must all be in {@code corpus}'s
   * vocabulary), from {@code model} in inference mode, drawn with {@code temperature} (0: always the most likely
   * character) from a random stream seeded with {@code seed}. The same model, prompt and seed give the same text.
   * The model is left in inference mode.
   *
   * @throws IllegalArgumentException if the prompt is empty or holds a character outside the vocabulary, or the
   *     model's output is not one row of {@code V} logits per input position
   */
  static String generate(Model model, CharCorpus corpus, String prompt, int length, double temperature, long seed) {
    int context = model.inputSize();
    int classes = corpus.vocabularySize();
    if (model.outputSize() != context * classes) {
      throw new IllegalArgumentException(model.name() + " outputs " + model.outputSize() + " values per sample, not "
          + context + " positions of " + classes + " logits");
    }
    if (prompt.isEmpty()) {
      throw new IllegalArgumentException("the prompt is empty");
    }
    checkTemperature(temperature);
    int[] prompted = corpus.encode(prompt);
    int[] text = new int[prompted.length + length];
    System.arraycopy(prompted, 0, text, 0, prompted.length);
    float[] input = new float[context];
    Rng rng = new Rng(seed);
    model.setTraining(false);
    for (int n = prompted.length; n < text.length; n++) {
      int from = Math.max(0, n - context);
      int filled = n - from;
      for (int t = 0; t < context; t++) {
        input[t] = t < filled ? text[from + t] : 0;
      }
      float[] logits = model.forward(input, 1);
      text[n] = sample(logits, (filled - 1) * classes, classes, temperature, rng);
    }
    int[] generated = new int[length];
    System.arraycopy(text, prompted.length, generated, 0, length);
    return corpus.decode(generated);
  }

  /**
   * A class drawn from the softmax of {@code logits[offset, offset + classes)} divided by {@code temperature};
   * with temperature 0, the first largest logit.
   */
  static int sample(float[] logits, int offset, int classes, double temperature, Rng rng) {
    checkTemperature(temperature);
    int best = offset;
    for (int i = offset + 1; i < offset + classes; i++) {
      if (logits[i] > logits[best]) {
        best = i;
      }
    }
    if (temperature == 0) {
      return best - offset;
    }
    double max = logits[best];
    double[] weights = new double[classes];
    double sum = 0;
    for (int i = 0; i < classes; i++) {
      weights[i] = Math.exp((logits[offset + i] - max) / temperature);
      sum += weights[i];
    }
    double u = rng.nextDouble() * sum;
    for (int i = 0; i < classes; i++) {
      u -= weights[i];
      if (u < 0) {
        return i;
      }
    }
    // Rounding left a sliver past the last weight: the most likely class.
    return best - offset;
  }

  private static void checkTemperature(double temperature) {
    if (!(temperature >= 0) || Double.isInfinite(temperature)) {
      throw new IllegalArgumentException("the temperature must be zero or positive, got " + temperature);
    }
  }
}
