package io.nabla.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nabla.runtime.Model;
import io.nabla.runtime.kernel.Kernels;
import io.nabla.runtime.optim.Adam;
import io.nabla.runtime.optim.GradientClipping;
import io.nabla.runtime.train.Dataset;
import io.nabla.runtime.train.History;
import io.nabla.runtime.train.Trainer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The charlm sample: its networks' shapes, that they learn, and its command-line options. */
class CharLmSampleTest {

  @Test
  void bothNetworksReadTheContextAndPredictEveryNextCharacter() {
    CharLmSample sample = new CharLmSample();
    String[] names = {"CharTransformer", "CharLstm"};
    String[] architectures = {"default", "lstm"};
    CharCorpus corpus = CharCorpus.load();
    Dataset windows = corpus.training(CharCorpus.CONTEXT, CharLmSample.STRIDE).take(3);
    for (int m = 0; m < names.length; m++) {
      Model model = sample.newModel(architectures[m], 3, Kernels.portable());
      model.initialize(42);
      assertEquals(names[m], model.name());
      assertEquals(CharCorpus.CONTEXT, model.inputSize());
      assertEquals(CharCorpus.CONTEXT * CharCorpus.VOCABULARY, model.outputSize());
      assertEquals(CharCorpus.CONTEXT, model.targetsPerSample());
      model.zeroGradients();
      model.forward(windows.features(), 3);
      float loss = model.loss(windows.labels(), 3);
      model.backward();
      // At initialisation the prediction is near uniform: ln 85 ≈ 4.44 (wider for N(0, 1) embeddings).
      assertTrue(loss > 3 && loss < 7, model.name() + " starts near ln 85: " + loss);
      assertEquals(null, model.describeNonFinite(), model.name());
      float[] w = model.parameters().values();
      float[] g = model.parameters().gradients();
      float[] before = w.clone();
      for (int i = 0; i < w.length; i++) {
        w[i] -= 0.05f * g[i];
      }
      assertNotEquals(Arrays.toString(before), Arrays.toString(w), model.name() + " has gradients");
      model.forward(windows.features(), 3);
      float after = model.loss(windows.labels(), 3);
      assertTrue(after < loss, model.name() + ": a gradient step lowers the loss, " + loss + " → " + after);
    }
  }

  @Test
  void aShortRunBeatsTheUnigramReference() {
    CharCorpus corpus = CharCorpus.load();
    Dataset train = corpus.training(CharCorpus.CONTEXT, CharLmSample.STRIDE).take(1024);
    Dataset validation = corpus.validation(CharCorpus.CONTEXT).take(100);
    Model model = new CharLmSample().newModel(32, Kernels.best(2));
    model.initialize(42);
    History history = Trainer.builder()
        .optimizer(Adam.builder().learningRate(3e-3).build())
        .clipping(GradientClipping.byNorm(1.0))
        .epochs(1)
        .batchSize(32)
        .seed(42)
        .build()
        .fit(model, train, validation);
    double loss = history.last().validationLoss();
    assertTrue(loss < corpus.unigramEntropy(), "validation loss " + loss + " nats/char after " + train.size()
        + " windows, the unigram reference " + corpus.unigramEntropy());
  }

  @Test
  void generatedTextIsDeterministicForASeed() {
    CharCorpus corpus = CharCorpus.load();
    Model model = new CharLmSample().newModel(1, Kernels.portable());
    model.initialize(7);
    String one = TextGenerator.generate(model, corpus, CharLmSample.PROMPT, 80, 0.8, 42);
    String again = TextGenerator.generate(model, corpus, CharLmSample.PROMPT, 80, 0.8, 42);
    assertEquals(one, again);
    assertEquals(80, one.length());
    for (char c : one.toCharArray()) {
      assertTrue(corpus.id(c) >= 0, "'" + c + "' is in the vocabulary");
    }
    assertFalse(model.isTraining(), "generation runs in inference mode");
  }

  @Test
  void textOptionsAreRefusedBySamplesThatWriteNoText() {
    for (String option : new String[] {"--prompt=A", "--sample-length=10", "--temperature=1"}) {
      Run run = Run.of("digits", option);
      assertEquals(2, run.exitCode, run.toString());
      assertEquals("error: " + option.substring(0, option.indexOf('=')) + ": digits generates no text; only charlm"
          + " does (see --help)", run.err.trim());
    }
  }

  @Test
  void badTextOptionsAreOneLine() {
    String[][] cases = {
        {"--prompt=caf~", "error: --prompt: character 4 '~' is not one of the 85 characters of"},
        {"--prompt=", "error: --prompt must not be empty"},
        {"--temperature=-0.5", "error: --temperature must be zero or positive, got -0.5"},
        {"--sample-length=-1", "error: --sample-length must be in 0..100000, got -1"},
        {"--data=/tmp/other.txt", "error: --data /tmp/other.txt: charlm trains only on the bundled text"}};
    for (String[] c : cases) {
      Run run = Run.of("charlm", c[0]);
      assertEquals(2, run.exitCode, run.toString());
      assertEquals("", run.out, run.toString());
      assertTrue(run.err.startsWith(c[1]), run.toString());
      assertEquals(1, run.errLines().length, run.toString());
    }
  }

  @Test
  void helpListsTheLanguageModel() {
    Run run = Run.of("--help");
    assertEquals(0, run.exitCode, run.toString());
    for (String word : new String[] {"charlm", "The Devil's Dictionary", "--prompt", "--sample-length",
        "--temperature"}) {
      assertTrue(run.out.contains(word), word + " in\n" + run.out);
    }
  }
}
