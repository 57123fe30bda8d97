package io.nabla.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SamplesCliTest {

  /** A failure: exit 2, nothing on stdout, one line on stderr, no stack trace. */
  private static void assertUsageError(Run run) {
    assertEquals(2, run.exitCode, run.toString());
    assertEquals("", run.out, run.toString());
    assertEquals(1, run.errLines().length, run.toString());
    assertTrue(run.err.startsWith("error: "), run.toString());
    assertFalse(run.err.contains("\tat ") || run.err.contains("Exception"), run.toString());
  }

  @Test
  void unknownSampleIsNamed() {
    Run run = Run.of("mnist-cnn");
    assertUsageError(run);
    assertTrue(run.err.contains("unknown sample 'mnist-cnn'"), run.toString());
    assertTrue(run.err.contains("digits") && run.err.contains("fashion-mlp"), "lists the samples: " + run);
  }

  @Test
  void unknownOptionIsNamed() {
    Run run = Run.of("--frobnicate");
    assertUsageError(run);
    assertTrue(run.err.contains("--frobnicate"), run.toString());
  }

  @Test
  void unknownOptionAfterASampleIsNamed() {
    Run run = Run.of("fashion-mlp", "--epochz", "3");
    assertUsageError(run);
    assertTrue(run.err.contains("--epochz"), run.toString());
  }

  @ParameterizedTest
  @ValueSource(strings = {"--epochs=-1", "--epochs=0", "--epochs=many", "--batch=0", "--batch=-32",
      "--batch=1000000", "--lr=0", "--lr=-0.1", "--lr=NaN", "--seed=x", "--data", "--optimizer=adamx",
      "--schedule=sometimes", "--weight-decay=-1", "--clip-norm=0", "--resume=/nonexistent/run.nabla", "--threads=0", "--lr=1e39", "--lr=1e-50", "--clip-norm=1e39",
      "--weight-decay=1e39"})
  void invalidValuesAreOneLine(String arg) {
    Run run = Run.of("digits", arg);
    assertUsageError(run);
    assertTrue(run.err.contains(arg.contains("=") ? arg.substring(0, arg.indexOf('=')) : arg), run.toString());
  }

  @Test
  void checkpointThenResumeContinuesTheRun(@TempDir File dir) {
    File file = new File(dir, "digits.nabla");
    Run first = Run.of("digits", "--epochs", "2", "--optimizer", "nesterov", "--schedule", "step",
        "--checkpoint", file.getPath());
    assertEquals(0, first.exitCode, first.toString());
    assertTrue(file.isFile());
    Run resumed = Run.of("digits", "--epochs", "3", "--optimizer", "nesterov", "--schedule", "step",
        "--resume", file.getPath());
    assertEquals(0, resumed.exitCode, resumed.toString());
    assertFalse(resumed.out.contains("epoch 1/3 ["), "epochs 1 and 2 are not trained again: " + resumed);
    assertTrue(resumed.out.contains("epoch 3/3 ["), resumed.toString());
  }

  @Test
  void resumingAnotherSamplesCheckpointIsOneLine(@TempDir File dir) {
    File file = new File(dir, "digits.nabla");
    assertEquals(0, Run.of("digits", "--epochs", "1", "--checkpoint", file.getPath()).exitCode);
    Run run = Run.of("digits", "--data", writeDigitsCsv(dir, 20).getPath(), "--resume", file.getPath());
    assertEquals(2, run.exitCode, run.toString());
    assertTrue(run.err.startsWith("error: ") && run.err.contains("training set of"), run.toString());
  }

  @Test
  void threadsChangeNoBit() {
    // Batch 256 makes the products large enough to be split over threads.
    Run one = Run.of("digits", "--epochs", "3", "--batch", "256", "--threads", "1");
    Run two = Run.of("digits", "--epochs", "3", "--batch", "256", "--threads", "2");
    assertEquals(0, one.exitCode, one.toString());
    assertEquals(0, two.exitCode, two.toString());
    assertEquals(metrics(one), metrics(two));
  }

  /** The epoch lines without their timings. */
  private static String metrics(Run run) {
    StringBuilder sb = new StringBuilder();
    for (String line : run.outLines()) {
      if (line.startsWith("epoch ")) {
        sb.append(line.substring(line.indexOf("  loss"))).append('\n');
      }
    }
    return sb.toString();
  }

  @Test
  void reportWritesHistoryCsvAndSvg(@TempDir File dir) {
    Run run = Run.of("digits", "--epochs", "2", "--optimizer", "adamw", "--schedule", "warmup-cosine",
        "--clip-norm", "1", "--report", dir.getPath());
    assertEquals(0, run.exitCode, run.toString());
    assertTrue(new File(dir, "history.csv").length() > 0 && new File(dir, "history.svg").length() > 0);
  }

  private static File writeDigitsCsv(File dir, int rows) {
    File file = new File(dir, "few-digits.csv");
    StringBuilder sb = new StringBuilder();
    for (int r = 0; r < rows; r++) {
      for (int i = 0; i < 64; i++) {
        sb.append((r + i) % 17).append(',');
      }
      sb.append(r % 10).append('\n');
    }
    try (OutputStream out = new FileOutputStream(file)) {
      out.write(sb.toString().getBytes("UTF-8"));
    } catch (IOException e) {
      throw new AssertionError(e);
    }
    return file;
  }

  @Test
  void fashionWithAnEmptyDirectoryNamesTheMissingFile(@TempDir File dir) {
    Run run = Run.of("fashion-mlp", "--data", dir.getPath());
    assertUsageError(run);
    String file = new File(dir, "train-images-idx3-ubyte.gz").getPath();
    assertEquals("error: " + file + " not found; install it with `apt-get install dataset-fashion-mnist` or pass"
        + " --data DIR", run.err.trim());
  }

  @Test
  void fashionWithACorruptFileNamesIt(@TempDir File dir) throws IOException {
    for (String name : new String[] {"train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte",
        "t10k-labels-idx1-ubyte"}) {
      gzip(new File(dir, name + ".gz"), "not an IDX file".getBytes("UTF-8"));
    }
    Run run = Run.of("fashion-mlp", "--data", dir.getPath());
    assertUsageError(run);
    assertTrue(run.err.contains("-idx") && run.err.contains("not an IDX file"), run.toString());
  }

  @Test
  void digitsWithAMissingCsvNamesIt(@TempDir File dir) {
    String file = new File(dir, "nothing.csv").getPath();
    Run run = Run.of("--data", file);
    assertUsageError(run);
    assertTrue(run.err.startsWith("error: " + file + " not found"), run.toString());
  }

  @Test
  void digitsWithACorruptCsvNamesIt(@TempDir File dir) throws IOException {
    File file = new File(dir, "digits.csv");
    OutputStream out = new FileOutputStream(file);
    try {
      out.write("1,2,3\n4,five,6\n".getBytes("UTF-8"));
    } finally {
      out.close();
    }
    Run run = Run.of("digits", "--data", file.getPath());
    assertUsageError(run);
    assertTrue(run.err.startsWith("error: " + file.getPath() + ": "), run.toString());
  }

  @Test
  void helpListsTheSamplesAndOptions() {
    Run run = Run.of("--help");
    assertEquals(0, run.exitCode, run.toString());
    assertEquals("", run.err);
    for (String word : new String[] {"digits", "fashion-mlp", "--epochs", "--batch", "--lr", "--seed", "--data",
        "/usr/share/datasets/fashion-mnist"}) {
      assertTrue(run.out.contains(word), word + " in\n" + run.out);
    }
  }

  private static void gzip(File file, byte[] content) throws IOException {
    OutputStream out = new GZIPOutputStream(new FileOutputStream(file));
    try {
      out.write(content);
    } finally {
      out.close();
    }
  }
}
