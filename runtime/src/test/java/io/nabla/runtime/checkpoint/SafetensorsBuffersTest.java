package io.nabla.runtime.checkpoint;

import static io.nabla.runtime.checkpoint.SafetensorsTest.assertBitsEqual;
import static io.nabla.runtime.checkpoint.SafetensorsTest.data;
import static io.nabla.runtime.checkpoint.SafetensorsTest.fixture;
import static io.nabla.runtime.checkpoint.SafetensorsTest.shape;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nabla.runtime.ParameterTensor;
import io.nabla.runtime.TinyNormModel;
import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Buffers in safetensors: a PyTorch batch norm's state_dict (bn.safetensors, written by
 * tools/reference/make_safetensors_fixture.py, with its int64 {@code num_batches_tracked}) imported into the Java
 * twin and exported again, and the rules for files with some, none or other buffers.
 */
class SafetensorsBuffersTest {
  /** Where the export goes, for the script's --verify-bn-export (PyTorch loads it, strict). */
  static final File EXPORT = new File("target/safetensors-export/bn-from-nabla.safetensors");

  static final String[] BUFFERS = {"bn.running_mean", "bn.running_var"};

  @TempDir File dir;

  @SuppressWarnings("unchecked")
  static Map<String, Object> expected() throws Exception {
    String text = new String(Files.readAllBytes(fixture("bn.json").toPath()), StandardCharsets.UTF_8);
    return (Map<String, Object>) Json.parse(text);
  }

  /** Tensor {@code name}'s values in the model: a parameter or a buffer. */
  static float[] values(TinyNormModel model, String name) {
    for (ParameterTensor t : model.buffers().tensors()) {
      if (t.name().equals(name)) {
        return Arrays.copyOfRange(model.buffers().values(), t.offset(), t.offset() + t.size());
      }
    }
    ParameterTensor t = model.parameters().tensor(name);
    return Arrays.copyOfRange(model.parameters().values(), t.offset(), t.offset() + t.size());
  }

  @Test
  @SuppressWarnings("unchecked")
  void importsAPyTorchBatchNormStateDictIgnoringNumBatchesTracked() throws Exception {
    Map<String, Object> expected = expected();
    Map<String, Object> tensors = (Map<String, Object>) expected.get("tensors");
    assertEquals(3L, expected.get("num_batches_tracked"));
    Safetensors file = Safetensors.read(fixture("bn.safetensors"));
    // The reference writer's order (dtype, then name), without the int64 bn.num_batches_tracked.
    assertEquals(Arrays.asList("bn.bias", "bn.running_mean", "bn.running_var", "bn.weight", "fc.bias",
        "fc.weight"), file.names());
    IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
        () -> file.tensor("bn.num_batches_tracked"));
    assertTrue(missing.getMessage().contains("has no tensor 'bn.num_batches_tracked'"), missing.getMessage());

    TinyNormModel model = TinyNormModel.torchTwin();
    Safetensors.load(fixture("bn.safetensors"), model);
    for (Map.Entry<String, Object> e : tensors.entrySet()) {
      assertArrayEquals(shape(e.getValue()), file.shape(e.getKey()), e.getKey());
      assertBitsEqual(data(e.getValue()), values(model, e.getKey()), e.getKey());
    }
    // In inference mode the imported running statistics give what PyTorch's eval() gave.
    model.setTraining(false);
    float[] output = model.predict(data(expected.get("input")), 2);
    float[] torchOutput = data(expected.get("output"));
    for (int i = 0; i < output.length; i++) {
      assertEquals(torchOutput[i], output[i], 1e-6, "output " + i);
    }
  }

  @Test
  void exportsTheBuffersAfterTheParametersUnderTheirNames() throws Exception {
    TinyNormModel model = TinyNormModel.torchTwin();
    Safetensors.load(fixture("bn.safetensors"), model);
    Files.createDirectories(EXPORT.getAbsoluteFile().getParentFile().toPath());
    Safetensors.save(EXPORT, model);
    Safetensors torch = Safetensors.read(fixture("bn.safetensors"));
    Safetensors nabla = Safetensors.read(EXPORT);
    assertEquals(Arrays.asList("bn.weight", "bn.bias", "fc.weight", "fc.bias", "bn.running_mean",
        "bn.running_var"), nabla.names());
    for (String name : torch.names()) {
      assertArrayEquals(torch.shape(name), nabla.shape(name), name);
      assertBitsEqual(torch.tensor(name), nabla.tensor(name), name);
    }
    String header = new String(Files.readAllBytes(EXPORT.toPath()), StandardCharsets.UTF_8);
    assertFalse(header.contains("num_batches_tracked"), "left out on export");

    TinyNormModel other = TinyNormModel.torchTwin();
    nabla.restoreInto(other);
    assertArrayEquals(model.parameters().values(), other.parameters().values());
    assertArrayEquals(model.buffers().values(), other.buffers().values());
  }

  // ---- hand-made files ----

  private static String entry(String name, String dtype, String shape, long begin, long end) {
    return "\"" + name + "\":{\"dtype\":\"" + dtype + "\",\"shape\":[" + shape + "],\"data_offsets\":[" + begin
        + "," + end + "]}";
  }

  private File write(String name, String header, float... data) throws IOException {
    byte[] h = header.getBytes(StandardCharsets.UTF_8);
    ByteBuffer b = ByteBuffer.allocate(8 + h.length + 4 * data.length).order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(h.length).put(h);
    for (float f : data) {
      b.putFloat(f);
    }
    File file = new File(dir, name);
    Files.write(file.toPath(), b.array());
    return file;
  }

  @Test
  void numBatchesTrackedIsIgnoredWhateverItsDtypeButStillChecked() throws IOException {
    // I64 (PyTorch's), F32 (after v.float()) and I32, with and without a prefix: skipped, the rest read.
    File file = write("nbt.safetensors", "{" + entry("bn.num_batches_tracked", "I64", "", 0, 8) + ","
        + entry("w", "F32", "2", 8, 16) + "," + entry("num_batches_tracked", "F32", "", 16, 20) + ","
        + entry("a.b.num_batches_tracked", "I32", "1", 20, 24) + "}", 7f, 7f, 1.5f, -2f, 3f, 9f);
    Safetensors read = Safetensors.read(file);
    assertEquals(Arrays.asList("w"), read.names());
    assertArrayEquals(new float[] {1.5f, -2f}, read.tensor("w"));

    // Still a tensor of the data: its span must match its dtype and shape.
    File wrong = write("wrong.safetensors", "{" + entry("bn.num_batches_tracked", "I64", "", 0, 4) + ","
        + entry("w", "F32", "1", 4, 8) + "}", 7f, 1f);
    CheckpointException e = assertThrows(CheckpointException.class, () -> Safetensors.read(wrong));
    assertEquals(CheckpointException.Kind.MALFORMED, e.kind());
    assertEquals(wrong + ": tensor 'bn.num_batches_tracked': its data_offsets [0, 4] span 4 bytes but shape () of"
        + " I64 takes 8", e.getMessage());

    // Any other int64 tensor, or a num_batches_tracked of no known dtype, is refused by name.
    File other = write("i64.safetensors", "{" + entry("bn.steps", "I64", "", 0, 8) + "}", 0f, 0f);
    e = assertThrows(CheckpointException.class, () -> Safetensors.read(other));
    assertEquals(CheckpointException.Kind.UNSUPPORTED, e.kind());
    assertEquals("tensor 'bn.steps'", e.section());
    File unknown = write("x.safetensors", "{" + entry("bn.num_batches_tracked", "Q7", "", 0, 8) + "}", 0f, 0f);
    e = assertThrows(CheckpointException.class, () -> Safetensors.read(unknown));
    assertEquals(CheckpointException.Kind.UNSUPPORTED, e.kind());
    assertTrue(e.getMessage().contains("its dtype is Q7"), e.getMessage());
  }

  /**
   * The fixture's tensors as F32 (so without num_batches_tracked), minus {@code drop}, plus tensor
   * {@code extra} of shape {@code extraShape} (zeros) unless it is {@code null}.
   */
  private File variant(String name, List<String> drop, String extra, int... extraShape) throws Exception {
    Safetensors torch = Safetensors.read(fixture("bn.safetensors"));
    Map<String, int[]> shapes = new LinkedHashMap<>();
    Map<String, float[]> tensors = new LinkedHashMap<>();
    for (String tensor : torch.names()) {
      if (!drop.contains(tensor)) {
        shapes.put(tensor, torch.shape(tensor));
        tensors.put(tensor, torch.tensor(tensor));
      }
    }
    if (extra != null) {
      shapes.put(extra, extraShape);
      tensors.put(extra, new float[(int) Architecture.elements(extraShape)]);
    }
    StringBuilder header = new StringBuilder("{");
    List<Float> data = new ArrayList<>();
    for (Map.Entry<String, float[]> e : tensors.entrySet()) {
      StringBuilder dims = new StringBuilder();
      for (int d : shapes.get(e.getKey())) {
        dims.append(dims.length() == 0 ? "" : ",").append(d);
      }
      header.append(header.length() == 1 ? "" : ",").append(entry(e.getKey(), "F32", dims.toString(),
          4L * data.size(), 4L * (data.size() + e.getValue().length)));
      for (float f : e.getValue()) {
        data.add(f);
      }
    }
    float[] values = new float[data.size()];
    for (int i = 0; i < values.length; i++) {
      values[i] = data.get(i);
    }
    return write(name, header.append('}').toString(), values);
  }

  @Test
  void aFileWithoutBuffersLoadsTheParametersAndLeavesTheBuffers() throws Exception {
    File parametersOnly = variant("params.safetensors", Arrays.asList(BUFFERS), null);
    TinyNormModel model = TinyNormModel.torchTwin();
    model.buffers().values()[0] = 42f;
    float[] buffers = model.buffers().values().clone();
    Safetensors.load(parametersOnly, model);
    assertArrayEquals(buffers, model.buffers().values(), "left as they were");
    TinyNormModel reference = TinyNormModel.torchTwin();
    Safetensors.load(fixture("bn.safetensors"), reference);
    assertArrayEquals(reference.parameters().values(), model.parameters().values());
  }

  @Test
  void someButNotAllBuffersOrBuffersOfAnotherShapeAreRefusedByName() throws Exception {
    File halfway = variant("half.safetensors", Arrays.asList("bn.running_var"), null);
    TinyNormModel model = TinyNormModel.torchTwin();
    float[] parameters = model.parameters().values().clone();
    float[] buffers = model.buffers().values().clone();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Safetensors.load(halfway, model));
    assertTrue(e.getMessage().startsWith(halfway + " has no tensor bn.running_var (3,) of model BnNet; its tensors"
        + " are ["), e.getMessage());
    assertTrue(e.getMessage().endsWith("(it has other buffers of the model: all or none must be there)"),
        e.getMessage());
    assertArrayEquals(parameters, model.parameters().values(), "nothing is copied");
    assertArrayEquals(buffers, model.buffers().values(), "nothing is copied");

    File reshaped = variant("reshaped.safetensors", Arrays.asList("bn.running_mean"), "bn.running_mean", 1, 3);
    e = assertThrows(IllegalArgumentException.class, () -> Safetensors.load(reshaped, model));
    assertEquals("tensor bn.running_mean has shape (1, 3) in " + reshaped + " and (3,) in model BnNet",
        e.getMessage());
    assertArrayEquals(buffers, model.buffers().values(), "nothing is copied");

    // A buffer the model does not have, beside all it has.
    File extra = variant("extra.safetensors", Collections.<String>emptyList(), "bn2.running_mean", 3);
    e = assertThrows(IllegalArgumentException.class, () -> Safetensors.load(extra, model));
    assertTrue(e.getMessage().startsWith(extra + " has a tensor bn2.running_mean (3,) that model BnNet lacks"),
        e.getMessage());
    assertArrayEquals(buffers, model.buffers().values(), "nothing is copied");
  }
}
