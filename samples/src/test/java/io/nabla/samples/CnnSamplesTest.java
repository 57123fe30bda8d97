package io.nabla.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nabla.runtime.Model;
import io.nabla.runtime.kernel.Kernels;
import java.io.File;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The convolutional samples: the bundled-data CNN learns, checkpoints resume, and every network builds. */
class CnnSamplesTest {

  @Test
  void digitsCnnLearnsTheBundledDigits() {
    Run run = Run.of("digits-cnn", "--epochs", "8", "--seed", "42");
    assertEquals(0, run.exitCode, run.toString());
    assertTrue(run.out.contains("DigitsCnn (loss SOFTMAX_CROSS_ENTROPY)"), "prints the model summary");
    double accuracy = accuracy(run);
    assertTrue(accuracy >= 0.95, "held-out accuracy after 8 epochs: " + accuracy);
  }

  @Test
  void digitsCnnResumesFromACheckpointWithItsBatchNormStatistics(@TempDir File dir) {
    File file = new File(dir, "digits-cnn.nabla");
    Run first = Run.of("digits-cnn", "--epochs", "2", "--schedule", "constant", "--checkpoint", file.getPath());
    assertEquals(0, first.exitCode, first.toString());
    Run resumed = Run.of("digits-cnn", "--epochs", "3", "--schedule", "constant", "--resume", file.getPath());
    Run straight = Run.of("digits-cnn", "--epochs", "3", "--schedule", "constant");
    assertEquals(0, resumed.exitCode, resumed.toString());
    assertEquals(0, straight.exitCode, straight.toString());
    assertEquals(lossesOfEpoch3(straight), lossesOfEpoch3(resumed), "a resumed run continues bit for bit");
    assertEquals(accuracy(straight), accuracy(resumed));
  }

  @Test
  void unknownArchitectureIsNamed() {
    Run run = Run.of("fashion-cnn", "--arch", "huge");
    assertEquals(2, run.exitCode, run.toString());
    assertTrue(run.err.contains("--arch: fashion-cnn has no architecture 'huge'; choose one of default, small"),
        run.toString());
  }

  @Test
  void everyConvolutionalNetworkRunsForwardAndBackward() {
    Model[] models = {new FashionCnnSample().newModel("default", 2, Kernels.portable()),
        new FashionCnnSample().newModel("small", 2, Kernels.portable()),
        new FashionResNetSample().newModel(2, Kernels.portable()),
        new DigitsCnnSample().newModel(2, Kernels.portable())};
    String[] names = {"FashionCnn", "FashionSmallCnn", "FashionResNet", "DigitsCnn"};
    for (int m = 0; m < models.length; m++) {
      Model model = models[m];
      assertEquals(names[m], model.name());
      float[] x = new float[2 * model.inputSize()];
      for (int i = 0; i < x.length; i++) {
        x[i] = (i % 7) / 7f;
      }
      model.forward(x, 2);
      float loss = model.loss(new int[] {3, 5}, 2);
      model.backward();
      assertTrue(loss > 0 && loss < 10, model.name() + " loss " + loss);
      assertEquals(null, model.describeNonFinite(), model.name());
    }
  }

  /** The losses of epoch 3's line, without its timing. */
  private static String lossesOfEpoch3(Run run) {
    for (String line : run.outLines()) {
      if (line.startsWith("epoch 3/3 ")) {
        return line.replaceAll(".*?(  loss .*)", "$1");
      }
    }
    throw new AssertionError("no epoch 3 line in " + run);
  }

  private static double accuracy(Run run) {
    return Double.parseDouble(run.out.replaceAll("(?s).*\"test_accuracy\":([0-9.]+).*", "$1"));
  }
}
