package io.nabla.tests.parity;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nabla.runtime.Model;
import io.nabla.runtime.ParameterTensor;
import io.nabla.runtime.checkpoint.Checkpoint;
import io.nabla.runtime.checkpoint.Safetensors;
import io.nabla.runtime.optim.ParameterGroup;
import io.nabla.tests.JvmOnly;
import java.io.File;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A recurrent layer's tensors as PyTorch has them: state_dict names and shapes, PyTorch's init, the weight/bias
 * classification of parameter groups, and round trips through checkpoints and safetensors files.
 */
@JvmOnly
class RecurrentWeightsTest {

  private static List<String> names(Model model, String layer) {
    List<String> names = new ArrayList<String>();
    for (ParameterTensor t : model.parameters().tensors()) {
      if (t.layer().equals(layer)) {
        names.add(t.name() + Arrays.toString(t.shape()));
      }
    }
    return names;
  }

  @Test
  void tensorsAreThoseOfPyTorchsStateDict() {
    Model lstm = new LstmLayersNet(2);
    // The names and shapes of nn.LSTM(4, 3, batch_first=True, bidirectional=True).state_dict() (lastBi reads
    // seqUni's (5, 4)); both input weights first, next to each other, for the one input projection.
    assertEquals(Arrays.asList("lastBi.weight_ih_l0[12, 4]", "lastBi.weight_ih_l0_reverse[12, 4]",
        "lastBi.weight_hh_l0[12, 3]", "lastBi.bias_ih_l0[12]", "lastBi.bias_hh_l0[12]",
        "lastBi.weight_hh_l0_reverse[12, 3]", "lastBi.bias_ih_l0_reverse[12]", "lastBi.bias_hh_l0_reverse[12]"),
        names(lstm, "lastBi"));
    // nn.GRU(3, 4, batch_first=True) over the input x (1, 3).
    assertEquals(Arrays.asList("lastUni.weight_ih_l0[12, 6]", "lastUni.weight_hh_l0[12, 4]",
        "lastUni.bias_ih_l0[12]", "lastUni.bias_hh_l0[12]"), names(new GruOneStepNet(2), "lastUni"));
    assertEquals(Arrays.asList("seqUni.weight_ih_l0[4, 4]", "seqUni.weight_hh_l0[4, 4]", "seqUni.bias_ih_l0[4]",
        "seqUni.bias_hh_l0[4]"), names(new SimpleRnnLayersNet(2), "seqUni"));
  }

  @Test
  void everyTensorIsUniformInPlusMinusOneOverSqrtUnits() {
    Model model = new LstmLayersNet(2);
    model.initialize(7);
    float[] w = model.parameters().values();
    double scaledSum = 0;
    int count = 0;
    for (ParameterTensor t : model.parameters().tensors()) {
      if (t.layer().equals("embedded") || t.layer().equals("logits")) {
        continue;
      }
      assertEquals(ParameterTensor.Init.RECURRENT_UNIFORM, t.init(), t.name());
      int units = t.layer().equals("seqUni") || t.layer().equals("lastUni") ? 4 : 3;
      double bound = 1 / Math.sqrt(units);
      double max = 0;
      for (int i = t.offset(); i < t.offset() + t.size(); i++) {
        max = Math.max(max, Math.abs(w[i]));
        scaledSum += w[i] / bound;
        count++;
      }
      assertTrue(max <= bound, t.name() + " reaches " + max + " beyond 1/√" + units);
      assertTrue(max > 0.5 * bound, t.name() + " stays within " + max + ": not uniform in ±1/√" + units);
    }
    // The mean of uniform(-1, 1) over `count` values has a standard deviation of 1/√(3·count), ≈0.017 here.
    assertTrue(Math.abs(scaledSum / count) < 0.07, "mean " + scaledSum / count + " of " + count + " values");
  }

  @Test
  void parameterGroupsTellBiasesFromWeights() {
    Model model = new GruLayersNet(2);
    int biases = 0;
    for (ParameterTensor t : model.parameters().tensors()) {
      boolean bias = t.name().contains(".bias");
      assertEquals(bias, ParameterGroup.biases().selects(t), t.name());
      assertEquals(!bias, ParameterGroup.weights().selects(t), t.name());
      biases += bias ? 1 : 0;
    }
    // embedded, logits; seqUni and lastUni 2 each; lastBi and seqBi 4 each.
    assertEquals(2 + 2 * 2 + 2 * 4, biases);
  }

  @Test
  void checkpointsAndSafetensorsRoundTrip(@TempDir File dir) throws IOException {
    Model trained = new GruLayersNet(3);
    trained.initialize(3);
    float[] x = new float[3 * trained.inputSize()];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) Math.sin(0.7 * i);
    }
    float[] expected = trained.predict(x, 3);

    File checkpoint = new File(dir, "gru.nabla");
    Checkpoint.save(checkpoint, trained);
    Model fromCheckpoint = new GruLayersNet(3);
    Checkpoint.read(checkpoint).restoreInto(fromCheckpoint);
    assertArrayEquals(trained.parameters().values(), fromCheckpoint.parameters().values());
    assertArrayEquals(expected, fromCheckpoint.predict(x, 3));

    File safetensors = new File(dir, "gru.safetensors");
    Safetensors.save(safetensors, trained);
    List<String> names = new ArrayList<String>();
    for (ParameterTensor t : trained.parameters().tensors()) {
      names.add(t.name());
    }
    List<String> inFile = new ArrayList<String>(Safetensors.read(safetensors).names());
    assertEquals(new java.util.TreeSet<String>(names), new java.util.TreeSet<String>(inFile));
    assertArrayEquals(new int[] {9, 3}, Safetensors.read(safetensors).shape("lastBi.weight_hh_l0_reverse"));
    Model fromSafetensors = new GruLayersNet(3);
    Safetensors.load(safetensors, fromSafetensors);
    assertArrayEquals(trained.parameters().values(), fromSafetensors.parameters().values());
    assertArrayEquals(expected, fromSafetensors.predict(x, 3));
  }
}
