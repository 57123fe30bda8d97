package io.nabla.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nabla.runtime.Model;
import io.nabla.runtime.kernel.Kernels;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The recurrent sample: both networks run forward and backward, learn a step, and --arch names its choices. */
class RecurrentSamplesTest {

  @Test
  void everyRecurrentNetworkRunsForwardAndBackward() {
    FashionGruSample sample = new FashionGruSample();
    String[] names = {"FashionGru", "FashionLstm"};
    String[] architectures = {"default", "lstm"};
    for (int m = 0; m < names.length; m++) {
      Model model = sample.newModel(architectures[m], 3, Kernels.portable());
      model.initialize(42);
      assertEquals(names[m], model.name());
      assertEquals(28 * 28, model.inputSize());
      float[] x = new float[3 * model.inputSize()];
      for (int i = 0; i < x.length; i++) {
        x[i] = (i % 11) / 11f;
      }
      int[] labels = {3, 5, 9};
      model.zeroGradients();
      model.forward(x, 3);
      float loss = model.loss(labels, 3);
      model.backward();
      assertTrue(loss > 1.5 && loss < 3.5, model.name() + " starts near ln 10: " + loss);
      assertEquals(null, model.describeNonFinite(), model.name());
      float[] before = model.parameters().values().clone();
      float[] w = model.parameters().values();
      float[] g = model.parameters().gradients();
      for (int i = 0; i < w.length; i++) {
        w[i] -= 0.5f * g[i];
      }
      assertNotEquals(Arrays.toString(before), Arrays.toString(w), model.name() + " has gradients");
      model.forward(x, 3);
      float after = model.loss(labels, 3);
      assertTrue(after < loss, model.name() + ": a gradient step lowers the loss, " + loss + " → " + after);
    }
  }

  @Test
  void unknownArchitectureIsNamed() {
    Run run = Run.of("fashion-gru", "--arch", "transformer");
    assertEquals(2, run.exitCode, run.toString());
    assertTrue(run.err.contains("--arch: fashion-gru has no architecture 'transformer'; choose one of default, lstm"),
        run.toString());
  }

  @Test
  void helpListsTheRecurrentSample() {
    Run run = Run.of("--help");
    assertEquals(0, run.exitCode, run.toString());
    assertTrue(run.out.contains("fashion-gru") && run.out.contains("--arch lstm"), run.out);
  }
}
