package io.nabla.spark.sample;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sample's command line, in local mode as the README runs it. */
class SparkDigitsTest {
  private static final Pattern ACCURACY = Pattern.compile("\"test_accuracy\":([0-9.]+)");

  @TempDir
  Path folder;

  /** Runs the sample; returns {exit code, standard output, standard error}. */
  private static String[] run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = SparkDigits.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    return new String[] {Integer.toString(code), out.toString(StandardCharsets.UTF_8),
        err.toString(StandardCharsets.UTF_8)};
  }

  private static double accuracy(String out) {
    Matcher m = ACCURACY.matcher(out);
    assertTrue(m.find(), out);
    return Double.parseDouble(m.group(1));
  }

  @Test
  void trainsTheBundledDigitsInLocalMode() {
    String[] gradient = run("--master", "local[2]", "--epochs", "8", "--checkpoint",
        new File(folder.toFile(), "digits.nabla").getPath());
    assertEquals("0", gradient[0], gradient[2]);
    assertTrue(gradient[1].contains("spark-digits: DigitsMlp on local[2], 2 partitions, gradient mode, global batch"
        + " 64, 8 epochs"), gradient[1]);
    assertTrue(gradient[1].contains("epoch 8/8 "), gradient[1]);
    System.out.println("sample, gradient mode, 8 epochs: test accuracy " + accuracy(gradient[1]));
    assertTrue(accuracy(gradient[1]) > 0.93, gradient[1]);
    assertTrue(new File(folder.toFile(), "digits.nabla").isFile());

    String[] averaging = run("--master", "local[2]", "--mode", "averaging", "--epochs", "5", "--lr", "0.004");
    assertEquals("0", averaging[0], averaging[2]);
    assertTrue(averaging[1].contains("averaging mode every 4 local steps"), averaging[1]);
    System.out.println("sample, averaging mode, 5 epochs: test accuracy " + accuracy(averaging[1]));
    assertTrue(accuracy(averaging[1]) > 0.93, averaging[1]);
  }

  @Test
  void readsACsvFileThroughSpark() throws IOException {
    Path data = folder.resolve("digits.csv");
    StringBuilder lines = new StringBuilder();
    io.nabla.runtime.train.Dataset all = DigitsData.all();
    for (int i = 0; i < 400; i++) {
      for (int p = 0; p < 64; p++) {
        lines.append(Math.round(all.features()[i * 64 + p] * 16)).append(',');
      }
      lines.append(all.labels()[i]).append('\n');
    }
    Files.write(data, lines.toString().getBytes(StandardCharsets.UTF_8));
    String[] result = run("--master", "local[2]", "--epochs", "3", "--batch", "32", "--data", data.toString());
    assertEquals("0", result[0], result[2]);
    assertTrue(result[1].contains("data: " + data), result[1]);

    Files.write(data, "1,2,3\n".getBytes(StandardCharsets.UTF_8));
    String[] bad = run("--master", "local[2]", "--epochs", "1", "--data", data.toString());
    assertEquals("2", bad[0]);
    assertTrue(bad[2].contains("the line '1,2,3' has 3 values; a digit is 64 pixels then its label"), bad[2]);
  }

  @Test
  void aBadOptionIsOneLineAndExitCodeTwo() {
    String[] result = run("--mode", "fast");
    assertEquals("2", result[0]);
    assertTrue(result[2].startsWith("error: --mode must be gradient or averaging, got 'fast'\nusage: SparkDigits"),
        result[2]);
    assertEquals("2", run("--epochs", "0")[0]);
    assertEquals("2", run("--epochs")[0]);
    assertEquals("2", run("--wat", "1")[0]);
    assertEquals("0", run("--help")[0]);
  }
}
