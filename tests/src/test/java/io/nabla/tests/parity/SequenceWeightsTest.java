package io.nabla.tests.parity;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nabla.runtime.GeneratedInference;
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
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sequence layers' tensors as PyTorch has them (state_dict names and shapes, PyTorch's init of embeddings and
 * layer norm, the weight/bias classification of parameter groups), round trips of the dotted attention names
 * through checkpoints and safetensors files, and token ids that are refused, end to end through generated code.
 */
@JvmOnly
class SequenceWeightsTest {

  private static List<String> names(Model model, String layer) {
    List<String> names = new ArrayList<String>();
    for (ParameterTensor t : model.parameters().tensors()) {
      if (t.layer().equals(layer)) {
        names.add(t.name() + Arrays.toString(t.shape()));
      }
    }
    return names;
  }

  private static ParameterTensor tensor(Model model, String name) {
    for (ParameterTensor t : model.parameters().tensors()) {
      if (t.name().equals(name)) {
        return t;
      }
    }
    throw new AssertionError("no tensor " + name);
  }

  private static float[] values(Model model, String name) {
    ParameterTensor t = tensor(model, name);
    return Arrays.copyOfRange(model.parameters().values(), t.offset(), t.offset() + t.size());
  }

  /** Integer ids in [0, vocabulary), as floats. */
  private static float[] ids(int n, int vocabulary) {
    float[] ids = new float[n];
    for (int i = 0; i < n; i++) {
      ids[i] = (7 * i + 3) % vocabulary;
    }
    return ids;
  }

  @Test
  void tensorsAreThoseOfPyTorchsStateDict() {
    Model model = new TransformerBlockNet(2);
    // nn.Embedding(11, 8), the positions (5, 8), nn.LayerNorm(8), nn.MultiheadAttention(8, 2).state_dict().
    assertEquals(Arrays.asList("embed.weight[11, 8]"), names(model, "embed"));
    assertEquals(Arrays.asList("positioned.weight[5, 8]"), names(model, "positioned"));
    assertEquals(Arrays.asList("norm1.weight[8]", "norm1.bias[8]"), names(model, "norm1"));
    assertEquals(Arrays.asList("attention.in_proj_weight[24, 8]", "attention.in_proj_bias[24]",
        "attention.out_proj.weight[8, 8]", "attention.out_proj.bias[8]"), names(model, "attention"));
  }

  @Test
  void initialisation() {
    Model model = new TransformerBlockNet(2);
    model.initialize(11);
    // Embedding tables and positions from N(0, 1), as nn.Embedding: 88 + 40 values.
    double sum = 0;
    double squares = 0;
    int n = 0;
    for (String name : new String[] {"embed.weight", "positioned.weight"}) {
      for (float v : values(model, name)) {
        sum += v;
        squares += v * v;
        n++;
      }
    }
    double mean = sum / n;
    double variance = squares / n - mean * mean;
    assertTrue(Math.abs(mean) < 0.35, "mean " + mean);
    assertTrue(variance > 0.6 && variance < 1.5, "variance " + variance);
    for (String norm : new String[] {"norm1", "norm2", "norm3"}) {
      for (float v : values(model, norm + ".weight")) {
        assertEquals(1f, v, norm + ".weight");
      }
      for (float v : values(model, norm + ".bias")) {
        assertEquals(0f, v, norm + ".bias");
      }
    }
    // Glorot-uniform: in_proj_weight (3d, d) as nn.MultiheadAttention's xavier_uniform_, biases zero.
    checkUniform(values(model, "attention.in_proj_weight"), Math.sqrt(6.0 / (8 + 24)), "in_proj_weight");
    checkUniform(values(model, "attention.out_proj.weight"), Math.sqrt(6.0 / (8 + 8)), "out_proj.weight");
    for (String bias : new String[] {"attention.in_proj_bias", "attention.out_proj.bias"}) {
      for (float v : values(model, bias)) {
        assertEquals(0f, v, bias);
      }
    }
  }

  private static void checkUniform(float[] values, double bound, String what) {
    double max = 0;
    for (float v : values) {
      max = Math.max(max, Math.abs(v));
    }
    assertTrue(max <= bound, what + " reaches " + max + " beyond " + bound);
    assertTrue(max > 0.5 * bound, what + " stays within " + max + ": not uniform in ±" + bound);
  }

  @Test
  void parameterGroupsTellBiasesFromWeights() {
    Model model = new TransformerBlockNet(2);
    List<String> biases = new ArrayList<String>();
    for (ParameterTensor t : model.parameters().tensors()) {
      assertTrue(ParameterGroup.biases().selects(t) != ParameterGroup.weights().selects(t), t.name());
      if (ParameterGroup.biases().selects(t)) {
        biases.add(t.name());
      }
    }
    assertEquals(new TreeSet<String>(Arrays.asList("norm1.bias", "norm2.bias", "norm3.bias",
        "attention.in_proj_bias", "attention.out_proj.bias", "ff1.bias", "ff2.bias", "logits.bias")),
        new TreeSet<String>(biases));
  }

  @Test
  void checkpointsAndSafetensorsRoundTrip(@TempDir File dir) throws IOException {
    Model trained = new TransformerBlockNet(3);
    trained.initialize(3);
    float[] tokens = ids(3 * 5, 11);
    float[] expected = Arrays.copyOf(trained.forward(tokens, 3), 3 * trained.outputSize());

    File checkpoint = new File(dir, "block.nabla");
    Checkpoint.save(checkpoint, trained);
    Model fromCheckpoint = new TransformerBlockNet(3);
    Checkpoint.read(checkpoint).restoreInto(fromCheckpoint);
    assertArrayEquals(trained.parameters().values(), fromCheckpoint.parameters().values());
    assertArrayEquals(expected, Arrays.copyOf(fromCheckpoint.forward(tokens, 3), expected.length));

    File safetensors = new File(dir, "block.safetensors");
    Safetensors.save(safetensors, trained);
    TreeSet<String> names = new TreeSet<String>();
    for (ParameterTensor t : trained.parameters().tensors()) {
      names.add(t.name());
    }
    assertEquals(names, new TreeSet<String>(Safetensors.read(safetensors).names()));
    assertArrayEquals(new int[] {8, 8}, Safetensors.read(safetensors).shape("attention.out_proj.weight"));
    assertArrayEquals(new int[] {24}, Safetensors.read(safetensors).shape("attention.in_proj_bias"));
    Model fromSafetensors = new TransformerBlockNet(3);
    Safetensors.load(safetensors, fromSafetensors);
    assertArrayEquals(trained.parameters().values(), fromSafetensors.parameters().values());
    assertArrayEquals(expected, Arrays.copyOf(fromSafetensors.forward(tokens, 3), expected.length));

    GeneratedInference inference = new TransformerBlockInference(3);
    inference.load(safetensors);
    assertArrayEquals(expected, Arrays.copyOf(inference.forward(tokens, 3), expected.length));
  }

  /**
   * SequenceEdges reads `ids` with two embeddings, of vocabularies 5 and 7: an id of 5 or 6 is refused by the
   * first; the message names the layer, the sample and the position, in the training and the inference class.
   */
  @Test
  void badTokenIdsAreRefusedNamingLayerSampleAndPosition() {
    Model model = new SequenceEdgesNet(2);
    model.initialize(1);
    GeneratedInference inference = new SequenceEdgesInference(2);
    float[] x = new float[2 * 12];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) Math.sin(i);
    }
    Object[][] cases = {
        {5f, "layer 'small': token id 5 at sample 1, position 2 is outside [0, 5)"},
        {6f, "layer 'small': token id 6 at sample 1, position 2 is outside [0, 5)"},
        {-1f, "layer 'small': token id -1 at sample 1, position 2 is outside [0, 5)"},
        {2.5f, "layer 'small': token id 2.5 at sample 1, position 2 is not an integer"},
        {Float.NaN, "layer 'small': token id NaN at sample 1, position 2 is not an integer"},
    };
    for (Object[] c : cases) {
      float[] ids = ids(6, 5);
      ids[5] = (Float) c[0];
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> model.forward(new float[][] {x, ids}, 2), "id " + c[0]);
      assertTrue(e.getMessage().contains((String) c[1]), e.getMessage());
      e = assertThrows(IllegalArgumentException.class, () -> inference.forward(new float[][] {x, ids}, 2),
          "id " + c[0] + " (inference class)");
      assertTrue(e.getMessage().contains((String) c[1]), e.getMessage());
    }
    // Every id below the smaller vocabulary is fine, and a refused batch leaves nothing behind.
    float[] ids = ids(6, 5);
    float[] first = Arrays.copyOf(model.forward(new float[][] {x, ids}, 2), 2 * model.outputSize());
    ids[5] = 5f;
    final float[] bad = ids;
    assertThrows(IllegalArgumentException.class, () -> model.forward(new float[][] {x, bad}, 2));
    float[] again = Arrays.copyOf(model.forward(new float[][] {x, ids(6, 5)}, 2), first.length);
    assertArrayEquals(first, again);
  }
}
