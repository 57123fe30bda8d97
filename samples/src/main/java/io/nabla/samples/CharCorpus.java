package io.nabla.samples;

import io.nabla.runtime.data.DataException;
import io.nabla.runtime.train.Dataset;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;
import java.util.zip.GZIPInputStream;

/**
 * A text as a sequence of character ids, for a character-level language model: the bundled <i>The Devil's
 * Dictionary</i> ({@link #load()}) or any ASCII text ({@link #of}).
 *
 * <ul>
 *   <li>The vocabulary is the sorted distinct characters of the whole text; id {@code i} is the {@code i}-th
 *       of them. For the bundled text that is {@value #VOCABULARY} characters: the newline and 84 printable
 *       ones.
 *   <li>The first {@value #TRAIN_PERCENT} % of the characters (rounded down) are for training, the rest for
 *       validation: held out as one contiguous piece, so no validation text is seen in training, even inside a
 *       window.
 *   <li>An example is a window of {@code T} ids {@code x = ids[s, s + T)} whose targets are the same window
 *       shifted by one, {@code y = ids[s + 1, s + T + 1)}: the next character at every position. It is a
 *       {@link Dataset} of {@code T} features (the ids, as floats) and {@code T} labels per sample, so the mean
 *       softmax cross-entropy over it is in nats per character.
 * </ul>
 */
final class CharCorpus {
  /** The classpath resource of the bundled text, relative to this package. */
  static final String RESOURCE = "devils-dictionary.txt.gz";
  static final String RESOURCE_NAME = "classpath:io/nabla/samples/" + RESOURCE;
  /** The number of distinct characters of the bundled text: the vocabulary of the sample's networks. */
  static final int VOCABULARY = 85;
  /** The context length of the sample's networks, in characters. */
  static final int CONTEXT = 64;
  static final int TRAIN_PERCENT = 90;

  private final String text;
  private final String source;
  /** Id → character, sorted. */
  private final char[] characters;
  /** Character (0..127) → id, or −1 for a character that does not occur. */
  private final int[] idOf = new int[128];
  private final int[] ids;
  private final int trainLength;

  private CharCorpus(String text, String source) {
    this.text = text;
    this.source = source;
    boolean[] seen = new boolean[128];
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c >= 128) {
        throw new DataException(DataException.Kind.BAD_FORMAT, source, source + ": character " + (i + 1)
            + " is not ASCII (U+" + String.format(Locale.ROOT, "%04X", (int) c) + ")");
      }
      seen[c] = true;
    }
    int v = 0;
    for (boolean s : seen) {
      v += s ? 1 : 0;
    }
    characters = new char[v];
    v = 0;
    for (int c = 0; c < 128; c++) {
      idOf[c] = seen[c] ? v : -1;
      if (seen[c]) {
        characters[v++] = (char) c;
      }
    }
    ids = encode(text);
    trainLength = (int) ((long) text.length() * TRAIN_PERCENT / 100);
  }

  /** The bundled <i>The Devil's Dictionary</i>. */
  static CharCorpus load() {
    InputStream in = CharCorpus.class.getResourceAsStream(RESOURCE);
    if (in == null) {
      throw new DataException(DataException.Kind.MISSING_FILE, RESOURCE_NAME, RESOURCE_NAME + " not found");
    }
    try {
      return of(readAscii(new GZIPInputStream(in)), RESOURCE_NAME);
    } catch (IOException e) {
      throw new DataException(DataException.Kind.IO_ERROR, RESOURCE_NAME, RESOURCE_NAME + ": cannot be read: "
          + e.getMessage(), e);
    } finally {
      try {
        in.close();
      } catch (IOException ignored) {
        // read already
      }
    }
  }

  /**
   * {@code text} (read from {@code source}, for messages) as a corpus.
   *
   * @throws DataException if it is not ASCII, or too short to hold out a part
   */
  static CharCorpus of(String text, String source) {
    if (text.length() < 20) {
      throw new DataException(DataException.Kind.BAD_FORMAT, source, source + ": holds " + text.length()
          + " characters, too few to hold some out");
    }
    return new CharCorpus(text, source);
  }

  private static String readAscii(InputStream in) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(1 << 19);
    byte[] buffer = new byte[1 << 16];
    for (int n; (n = in.read(buffer)) > 0; ) {
      bytes.write(buffer, 0, n);
    }
    // ISO-8859-1 maps each byte to one char, so that a non-ASCII byte is reported at its offset.
    return bytes.toString("ISO-8859-1");
  }

  /** Where the text came from, e.g. {@code classpath:io/nabla/samples/devils-dictionary.txt.gz}. */
  String source() {
    return source;
  }

  String text() {
    return text;
  }

  /** The number of characters of the text. */
  int length() {
    return ids.length;
  }

  /** Characters {@code [0, trainLength())} are for training. */
  int trainLength() {
    return trainLength;
  }

  /** Characters {@code [trainLength(), length())} are held out. */
  int validationLength() {
    return ids.length - trainLength;
  }

  int vocabularySize() {
    return characters.length;
  }

  /** The vocabulary in id order: character {@code i} has id {@code i}. */
  String vocabulary() {
    return new String(characters);
  }

  /** The id of {@code c}, or −1 if it is not in the vocabulary. */
  int id(char c) {
    return c < 128 ? idOf[c] : -1;
  }

  /** The character of {@code id}. */
  char character(int id) {
    return characters[id];
  }

  /**
   * The ids of {@code s}.
   *
   * @throws IllegalArgumentException naming the first character that is not in the vocabulary
   */
  int[] encode(CharSequence s) {
    int[] out = new int[s.length()];
    for (int i = 0; i < out.length; i++) {
      int id = id(s.charAt(i));
      if (id < 0) {
        throw new IllegalArgumentException("character " + (i + 1) + " '" + s.charAt(i)
            + "' is not in the vocabulary of " + source);
      }
      out[i] = id;
    }
    return out;
  }

  /** The characters of {@code ids}. */
  String decode(int[] ids) {
    char[] out = new char[ids.length];
    for (int i = 0; i < ids.length; i++) {
      out[i] = characters[ids[i]];
    }
    return new String(out);
  }

  /** The training part's ids, copied. */
  int[] trainIds() {
    return copy(0, trainLength);
  }

  /** The validation part's ids, copied. */
  int[] validationIds() {
    return copy(trainLength, ids.length);
  }

  private int[] copy(int from, int to) {
    int[] out = new int[to - from];
    System.arraycopy(ids, from, out, 0, out.length);
    return out;
  }

  /** Training windows of {@code context} characters, one every {@code stride} characters of the training part. */
  Dataset training(int context, int stride) {
    return windows(trainIds(), context, stride);
  }

  /** Non-overlapping windows of {@code context} characters over the validation part (a last partial one dropped). */
  Dataset validation(int context) {
    return windows(validationIds(), context, context);
  }

  /**
   * The windows of {@code context} ids starting at {@code 0, stride, 2·stride, …} while the window and its
   * next-character targets fit in {@code ids}: features {@code ids[s, s + context)} as floats, labels
   * {@code ids[s + 1, s + context + 1)}.
   */
  static Dataset windows(int[] ids, int context, int stride) {
    if (context < 1 || stride < 1) {
      throw new IllegalArgumentException("context and stride must be positive, got " + context + " and " + stride);
    }
    int n = windowCount(ids.length, context, stride);
    float[] x = new float[n * context];
    int[] y = new int[n * context];
    for (int w = 0; w < n; w++) {
      int s = w * stride;
      for (int t = 0; t < context; t++) {
        x[w * context + t] = ids[s + t];
        y[w * context + t] = ids[s + t + 1];
      }
    }
    return Dataset.ofLabels(x, context, y, context);
  }

  /** How many windows {@link #windows} makes from {@code length} ids. */
  static int windowCount(int length, int context, int stride) {
    return length < context + 1 ? 0 : (length - context - 1) / stride + 1;
  }

  /** The cross-entropy of a uniform guess, {@code ln V} nats per character. */
  double uniformEntropy() {
    return Math.log(characters.length);
  }

  /**
   * The cross-entropy, in nats per character, of the validation characters under the training part's character
   * frequencies with add-one (Laplace) smoothing, {@code p(c) = (count(c) + 1) / (trainLength + V)}: what a model
   * that ignores context can reach, the bar a language model must clear.
   */
  double unigramEntropy() {
    long[] counts = new long[characters.length];
    for (int i = 0; i < trainLength; i++) {
      counts[ids[i]]++;
    }
    double total = trainLength + characters.length;
    double nats = 0;
    for (int i = trainLength; i < ids.length; i++) {
      nats -= Math.log((counts[ids[i]] + 1) / total);
    }
    return nats / (ids.length - trainLength);
  }
}
