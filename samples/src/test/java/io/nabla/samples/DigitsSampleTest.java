package io.nabla.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nabla.runtime.train.Dataset;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class DigitsSampleTest {
  private static final Pattern RESULT = Pattern.compile("result: \\{\"sample\":\"digits\",\"epochs\":(\\d+),"
      + "\"batch\":(\\d+),\"test_accuracy\":([0-9.]+),\"train_seconds\":([0-9.]+),"
      + "\"samples_per_second\":([0-9.]+)\\}");

  @Test
  void bundledDataIsTheUciDigits() {
    SampleData data = new DigitsSample().load(null, 42);
    Dataset train = data.train;
    Dataset test = data.test;
    assertEquals(1797, train.size() + test.size());
    assertEquals(1438, train.size());
    assertEquals(64, train.featureSize());
    float max = 0;
    for (float f : train.features()) {
      assertTrue(f >= 0, "scaled pixels are at least 0");
      max = Math.max(max, f);
    }
    assertEquals(1f, max, 0f, "pixels 0..16 are scaled by 1/16");
    int[] counts = new int[10];
    for (int label : train.labels()) {
      counts[label]++;
    }
    for (int label : test.labels()) {
      counts[label]++;
    }
    assertEquals(178, counts[0]);
    assertEquals(180, counts[9]);
  }

  @Test
  void trainsEndToEndAndReachesNinetyFivePercent() {
    Run run = Run.of("digits", "--seed", "42");
    assertEquals(0, run.exitCode, run.toString());
    assertEquals("", run.err, run.toString());
    assertTrue(run.out.contains("DigitsMlp (loss SOFTMAX_CROSS_ENTROPY)"), "prints the model summary");
    for (int epoch = 1; epoch <= DigitsSample.EPOCHS; epoch++) {
      assertTrue(run.out.contains("epoch " + epoch + "/" + DigitsSample.EPOCHS + " [="), "prints epoch " + epoch);
    }
    assertTrue(run.out.contains(" loss ") && run.out.contains(" val_accuracy "), "prints the metrics");

    String[] lines = run.outLines();
    String last = lines[lines.length - 1];
    Matcher m = RESULT.matcher(last);
    assertTrue(m.matches(), "the last line is the result: " + last);
    assertEquals(DigitsSample.EPOCHS, Integer.parseInt(m.group(1)));
    assertEquals(DigitsSample.BATCH, Integer.parseInt(m.group(2)));
    double accuracy = Double.parseDouble(m.group(3));
    assertTrue(accuracy >= 0.95, "test accuracy " + accuracy + " on the held-out 20 %");
    assertTrue(Double.parseDouble(m.group(4)) > 0);
    assertTrue(Double.parseDouble(m.group(5)) > 0);
    int results = 0;
    for (String line : lines) {
      if (line.startsWith("result:")) {
        results++;
      }
    }
    assertEquals(1, results, "exactly one result line");
  }

  @Test
  void isTheDefaultSampleAndTheSameSeedGivesTheSameAccuracy() {
    Run a = Run.of("--epochs", "3", "--seed", "7");
    Run b = Run.of("digits", "--epochs", "3", "--seed", "7");
    assertEquals(0, a.exitCode, a.toString());
    assertEquals(0, b.exitCode, b.toString());
    String lastA = a.outLines()[a.outLines().length - 1];
    String lastB = b.outLines()[b.outLines().length - 1];
    assertTrue(lastA.startsWith("result: {\"sample\":\"digits\",\"epochs\":3,\"batch\":32,"), lastA);
    assertEquals(accuracy(lastA), accuracy(lastB));
  }

  private static String accuracy(String resultLine) {
    Matcher m = RESULT.matcher(resultLine);
    assertTrue(m.matches(), resultLine);
    return m.group(3);
  }
}
