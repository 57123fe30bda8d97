package io.nabla.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nabla.runtime.Model;
import io.nabla.runtime.Rng;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import org.junit.jupiter.api.Test;

/** Sampling from logits, and the generation loop on a stand-in model whose next character is known. */
class TextGeneratorTest {
  private static final CharCorpus CORPUS = CharCorpus.load();

  @Test
  void temperatureZeroTakesTheLargestLogit() {
    float[] logits = {9, 0.5f, 3, 7, 3, 2};
    // Classes are read at an offset: here positions 1..5.
    assertEquals(2, TextGenerator.sample(logits, 1, 5, 0, new Rng(1)));
    assertEquals(1, TextGenerator.sample(new float[] {1, 4, 4}, 0, 3, 0, new Rng(1)), "the first of equals");
  }

  @Test
  void drawsFollowTheSoftmaxSharpenedByTheTemperature() {
    float[] logits = {(float) Math.log(1), (float) Math.log(3)};
    Rng rng = new Rng(7);
    int n = 40000;
    int[] ones = new int[2];
    double[] temperatures = {1, 0.5};
    for (int k = 0; k < 2; k++) {
      for (int i = 0; i < n; i++) {
        ones[k] += TextGenerator.sample(logits, 0, 2, temperatures[k], rng);
      }
    }
    assertEquals(0.75, ones[0] / (double) n, 0.01, "p ∝ exp(logit): 3/4");
    assertEquals(0.9, ones[1] / (double) n, 0.01, "p ∝ exp(logit / 0.5): 9/10");
    assertThrows(IllegalArgumentException.class, () -> TextGenerator.sample(logits, 0, 2, -1, new Rng(1)));
    assertThrows(IllegalArgumentException.class, () -> TextGenerator.sample(logits, 0, 2, Double.NaN, new Rng(1)));
  }

  @Test
  void greedyTextFollowsTheModelAtTheLastFilledPosition() {
    // The stand-in predicts, at each position, the character after the one there: a prompt ending in 'A' goes on
    // 'B', 'C', ... wherever the text is in the window, before and after it fills the context.
    Model next = successorModel(CharCorpus.CONTEXT);
    int length = 150;
    String text = TextGenerator.generate(next, CORPUS, "xyzA", length, 0, 1);
    assertEquals(length, text.length());
    String v = CORPUS.vocabulary();
    int a = v.indexOf('A');
    for (int i = 0; i < length; i++) {
      assertEquals(v.charAt((a + 1 + i) % v.length()), text.charAt(i), "character " + i + " of " + text);
    }
  }

  @Test
  void theSameSeedGivesTheSameTextOfVocabularyCharacters() {
    Model next = successorModel(CharCorpus.CONTEXT);
    String one = TextGenerator.generate(next, CORPUS, "NABLA, n.  ", 400, 3, 42);
    String again = TextGenerator.generate(next, CORPUS, "NABLA, n.  ", 400, 3, 42);
    String other = TextGenerator.generate(next, CORPUS, "NABLA, n.  ", 400, 3, 43);
    assertEquals(one, again);
    assertNotEquals(one, other);
    assertEquals(400, one.length());
    for (int i = 0; i < one.length(); i++) {
      assertTrue(CORPUS.id(one.charAt(i)) >= 0, "character " + i + " is in the vocabulary");
    }
  }

  @Test
  void aPromptOutsideTheVocabularyIsRefused() {
    Model next = successorModel(CharCorpus.CONTEXT);
    assertThrows(IllegalArgumentException.class, () -> TextGenerator.generate(next, CORPUS, "", 10, 1, 1));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> TextGenerator.generate(next, CORPUS, "a~b", 10, 1, 1));
    assertTrue(e.getMessage().contains("'~'"), e.getMessage());
  }

  /**
   * A stand-in {@link Model} over {@code context} positions whose logits at position {@code t} favour (by 20) the
   * id after {@code input[t]}; at a padding position (id 0) that is id 1, so reading the wrong position shows. It
   * records nothing and answers only what {@link TextGenerator} asks.
   */
  private static Model successorModel(final int context) {
    final int classes = CharCorpus.VOCABULARY;
    final float[] logits = new float[context * classes];
    InvocationHandler handler = new InvocationHandler() {
      @Override
      public Object invoke(Object proxy, Method method, Object[] args) {
        switch (method.getName()) {
          case "name":
            return "Successor";
          case "inputSize":
            return context;
          case "outputSize":
            return context * classes;
          case "setTraining":
            return null;
          case "forward": {
            float[] input = (float[]) args[0];
            assertEquals(1, args[1]);
            java.util.Arrays.fill(logits, 0);
            for (int t = 0; t < context; t++) {
              logits[t * classes + ((int) input[t] + 1) % classes] = 20;
            }
            return logits;
          }
          default:
            throw new UnsupportedOperationException(method.getName());
        }
      }
    };
    return (Model) Proxy.newProxyInstance(Model.class.getClassLoader(), new Class<?>[] {Model.class}, handler);
  }
}
