package io.nabla.samples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nabla.runtime.data.DataException;
import io.nabla.runtime.train.Dataset;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The bundled text, its vocabulary, its 90/10 split and its next-character windows. */
class CharCorpusTest {
  private static CharCorpus corpus;

  @BeforeAll
  static void load() {
    corpus = CharCorpus.load();
  }

  @Test
  void vocabularyIsTheOneTheNetworksDeclare() {
    assertEquals(CharCorpus.VOCABULARY, corpus.vocabularySize());
    String v = corpus.vocabulary();
    assertEquals('\n', v.charAt(0));
    assertEquals(' ', v.charAt(1));
    for (int i = 1; i < v.length(); i++) {
      assertTrue(v.charAt(i - 1) < v.charAt(i), "sorted and distinct at " + i);
    }
    for (int i = 0; i < v.length(); i++) {
      assertEquals(i, corpus.id(v.charAt(i)));
      assertEquals(v.charAt(i), corpus.character(i));
    }
    assertEquals(-1, corpus.id('~'));
    assertEquals(-1, corpus.id('\u00e9'));
  }

  @Test
  void theFirstNinetyPercentTrainTheLastTenAreHeldOut() {
    assertEquals(383656, corpus.length());
    assertEquals(345290, corpus.trainLength());
    assertEquals(38366, corpus.validationLength());
    int[] train = corpus.trainIds();
    int[] validation = corpus.validationIds();
    String text = corpus.text();
    assertEquals(text.substring(0, 345290), corpus.decode(train));
    assertEquals(text.substring(345290), corpus.decode(validation));
  }

  @Test
  void idsRoundTrip() {
    assertEquals(corpus.text(), corpus.decode(corpus.encode(corpus.text())));
    assertArrayEquals(new int[] {corpus.id('A'), corpus.id(' '), corpus.id('\n')}, corpus.encode("A \n"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> corpus.encode("ab~"));
    assertTrue(e.getMessage().contains("character 3 '~'"), e.getMessage());
  }

  @Test
  void trainingWindowsAreStridedAndTargetsAreTheNextCharacters() {
    int context = CharCorpus.CONTEXT;
    int stride = CharLmSample.STRIDE;
    Dataset train = corpus.training(context, stride);
    int[] ids = corpus.trainIds();
    assertEquals((345290 - context - 1) / stride + 1, train.size());
    assertEquals(context, train.featureSize());
    assertEquals(context, train.targetsPerSample());
    float[] x = train.features();
    int[] y = train.labels();
    for (int w : new int[] {0, 1, 2, 777, train.size() - 1}) {
      for (int t = 0; t < context; t++) {
        assertEquals(ids[w * stride + t], (int) x[w * context + t], "window " + w + " position " + t);
        assertEquals(ids[w * stride + t + 1], y[w * context + t], "window " + w + " target " + t);
        if (t + 1 < context) {
          assertEquals((int) x[w * context + t + 1], y[w * context + t], "the target is the next input");
        }
      }
    }
    // The last window's last target is inside the training part.
    int last = (train.size() - 1) * stride + context;
    assertTrue(last < ids.length);
  }

  @Test
  void validationWindowsTileTheHeldOutPart() {
    int context = CharCorpus.CONTEXT;
    Dataset validation = corpus.validation(context);
    assertEquals((38366 - 1) / context, validation.size());
    assertEquals(599, validation.size());
    float[] x = validation.features();
    int[] y = validation.labels();
    int[] ids = corpus.validationIds();
    // Non-overlapping: window w covers ids[w·T, (w + 1)·T), its targets one further.
    for (int i = 0; i < x.length; i++) {
      assertEquals(ids[i], (int) x[i]);
      assertEquals(ids[i + 1], y[i]);
    }
  }

  @Test
  void referencePointsOfTheSplit() {
    assertEquals(Math.log(85), corpus.uniformEntropy(), 1e-12);
    // The figure: ≈ 3.09 nats/char for unigram frequencies of the training part, add-one smoothed.
    assertEquals(3.09, corpus.unigramEntropy(), 0.05);
    assertEquals(3.0976, corpus.unigramEntropy(), 1e-4);
  }

  @Test
  void windowsOfAShortText() {
    CharCorpus small = CharCorpus.of("abcabcabcabcabcabcabcabcabcabcabcabcabcabcabcabcabcabcabcabcab", "test");
    assertEquals(3, small.vocabularySize());
    assertEquals(62, small.length());
    assertEquals(55, small.trainLength());
    Dataset d = CharCorpus.windows(small.trainIds(), 4, 2);
    assertEquals(CharCorpus.windowCount(55, 4, 2), d.size());
    assertEquals(26, d.size());
    assertArrayEquals(new float[] {2, 0, 1, 2}, java.util.Arrays.copyOfRange(d.features(), 4, 8));
    assertArrayEquals(new int[] {0, 1, 2, 0}, java.util.Arrays.copyOfRange(d.labels(), 4, 8));
    assertEquals(0, CharCorpus.windowCount(4, 4, 1));
    assertEquals(1, CharCorpus.windowCount(5, 4, 1));
  }

  @Test
  void aNonAsciiTextIsRefusedNamingTheCharacter() {
    DataException e = assertThrows(DataException.class,
        () -> CharCorpus.of("plain text, then caf\u00e9 and more text", "menu.txt"));
    assertEquals("menu.txt: character 21 is not ASCII (U+00E9)", e.getMessage());
  }
}
