package io.nabla.runtime.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
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
 * Safetensors import and export against files written from a PyTorch state_dict by
 * tools/reference/make_safetensors_fixture.py, and the reader's checks.
 */
class SafetensorsTest {
  /** Where the export of the fixture's weights goes, for the script's --verify-export (PyTorch loads it). */
  static final File EXPORT = new File("target/safetensors-export/mlp-from-nabla.safetensors");

  @TempDir File dir;

  static File fixture(String name) throws URISyntaxException {
    URL url = SafetensorsTest.class.getResource("/fixtures/safetensors/" + name);
    assertTrue(url != null, name + " is on the test class path; run tools/reference/make_safetensors_fixture.py");
    return new File(url.toURI());
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> expected() throws Exception {
    String text = new String(Files.readAllBytes(fixture("mlp.json").toPath()), StandardCharsets.UTF_8);
    return (Map<String, Object>) Json.parse(text);
  }

  @SuppressWarnings("unchecked")
  static float[] data(Object tensor) {
    List<Object> values = (List<Object>) ((Map<String, Object>) tensor).get("data");
    float[] out = new float[values.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = ((Number) values.get(i)).floatValue(); // the script checks that double → float is exact
    }
    return out;
  }

  @SuppressWarnings("unchecked")
  static int[] shape(Object tensor) {
    List<Object> dims = (List<Object>) ((Map<String, Object>) tensor).get("shape");
    int[] out = new int[dims.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = ((Long) dims.get(i)).intValue();
    }
    return out;
  }

  static void assertBitsEqual(float[] expected, float[] actual, String what) {
    assertEquals(expected.length, actual.length, what);
    for (int i = 0; i < expected.length; i++) {
      assertEquals(Float.floatToRawIntBits(expected[i]), Float.floatToRawIntBits(actual[i]),
          what + "[" + i + "]: " + expected[i] + " vs " + actual[i]);
    }
  }

  @Test
  @SuppressWarnings("unchecked")
  void importsAPyTorchStateDictExactly() throws Exception {
    Map<String, Object> expected = expected();
    Map<String, Object> tensors = (Map<String, Object>) expected.get("tensors");
    Safetensors file = Safetensors.read(fixture("mlp.safetensors"));
    // The reference writer orders by dtype, then name.
    assertEquals(Arrays.asList("hidden.bias", "hidden.weight", "out.bias", "out.weight"), file.names());
    assertEquals(expected.get("metadata"), file.metadata());
    for (Map.Entry<String, Object> e : tensors.entrySet()) {
      assertArrayEquals(shape(e.getValue()), file.shape(e.getKey()), e.getKey());
      assertBitsEqual(data(e.getValue()), file.tensor(e.getKey()), e.getKey());
    }

    MlpModel model = MlpModel.torchTwin();
    Safetensors.load(fixture("mlp.safetensors"), model);
    for (Map.Entry<String, Object> e : tensors.entrySet()) {
      int offset = model.parameters().tensor(e.getKey()).offset();
      float[] values = data(e.getValue());
      assertBitsEqual(values, Arrays.copyOfRange(model.parameters().values(), offset, offset + values.length),
          e.getKey());
    }
    // The imported weights compute what PyTorch computed (tanh and summation order may differ in the last bit).
    float[] output = model.predict(data(expected.get("input")), 2);
    float[] torchOutput = data(expected.get("output"));
    for (int i = 0; i < output.length; i++) {
      assertEquals(torchOutput[i], output[i], 1e-6, "output " + i);
    }
  }

  @Test
  void exportsWhatPyTorchWrote() throws Exception {
    MlpModel model = MlpModel.torchTwin();
    Safetensors.load(fixture("mlp.safetensors"), model);
    Files.createDirectories(EXPORT.getAbsoluteFile().getParentFile().toPath());
    Safetensors.save(EXPORT, model);
    // Same tensors, same bytes, in the model's order; the script checks that PyTorch loads it.
    Safetensors torch = Safetensors.read(fixture("mlp.safetensors"));
    Safetensors nabla = Safetensors.read(EXPORT);
    assertEquals(Arrays.asList("hidden.weight", "hidden.bias", "out.weight", "out.bias"), nabla.names());
    for (String name : torch.names()) {
      assertArrayEquals(torch.shape(name), nabla.shape(name), name);
      assertBitsEqual(torch.tensor(name), nabla.tensor(name), name);
    }
    assertEquals(Collections.singletonMap("format", "pt"), nabla.metadata());
  }

  @Test
  @SuppressWarnings("unchecked")
  void theExportIsLaidOutAsTheSpecSays() throws Exception {
    MlpModel model = CheckpointTest.seeded(MlpModel.torchTwin(), 3);
    File path = new File(dir, "m.safetensors");
    Map<String, String> metadata = new LinkedHashMap<>();
    metadata.put("format", "pt");
    metadata.put("note", "quote \" backslash \\ newline \n tab \t é");
    Safetensors.save(path, model, metadata);
    byte[] bytes = Files.readAllBytes(path.toPath());
    ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    long n = b.getLong(0);
    assertEquals(0, n % 8, "the header is padded to 8 bytes");
    String header = new String(bytes, 8, (int) n, StandardCharsets.UTF_8);
    assertTrue(header.startsWith("{\"__metadata__\":{\"format\":\"pt\",\"note\":"), header);
    String json = header.replaceAll(" +$", "");
    assertTrue(n - json.length() < 8, header);
    assertEquals(8 + n + 4L * model.parameters().size(), bytes.length);
    Map<String, Object> parsed = (Map<String, Object>) Json.parse(json);
    assertEquals(metadata, parsed.get("__metadata__"));
    Map<String, Object> weight = (Map<String, Object>) parsed.get("hidden.weight");
    assertEquals("F32", weight.get("dtype"));
    assertEquals(Arrays.asList(4L, 3L), weight.get("shape"));
    assertEquals(Arrays.asList(0L, 48L), weight.get("data_offsets"));
    assertEquals(Arrays.asList(48L, 64L), ((Map<String, Object>) parsed.get("hidden.bias")).get("data_offsets"));
    assertEquals(Arrays.asList(2L), ((Map<String, Object>) parsed.get("out.bias")).get("shape"));
    // Little-endian float32 data, in the model's flat order.
    float[] values = model.parameters().values();
    for (int i = 0; i < values.length; i++) {
      assertEquals(Float.floatToRawIntBits(values[i]), b.getInt(8 + (int) n + 4 * i), "float " + i);
    }

    MlpModel other = MlpModel.torchTwin();
    Safetensors read = Safetensors.read(path);
    assertEquals(metadata, read.metadata());
    read.restoreInto(other);
    assertArrayEquals(values, other.parameters().values());

    Safetensors.save(path, model, null);
    assertTrue(new String(Files.readAllBytes(path.toPath()), 8, 20, StandardCharsets.UTF_8)
        .startsWith("{\"hidden.weight\""));
    assertEquals(Collections.emptyMap(), Safetensors.read(path).metadata());
  }

  @Test
  void anotherDtypeIsRefusedByName() throws Exception {
    File f64 = fixture("mlp_f64.safetensors");
    CheckpointException e = assertThrows(CheckpointException.class, () -> Safetensors.read(f64));
    assertEquals(CheckpointException.Kind.UNSUPPORTED, e.kind());
    assertEquals("tensor 'hidden.bias'", e.section());
    assertEquals(f64 + ": tensor 'hidden.bias': its dtype is F64; Nabla reads F32 (float32) tensors only: convert"
        + " before saving, e.g. in PyTorch save_file({k: v.float() for k, v in model.state_dict().items()}, path)",
        e.getMessage());
  }

  @Test
  void aModelOfOtherNamesOrShapesIsRefusedByTensor() throws Exception {
    File path = fixture("mlp.safetensors");
    Safetensors file = Safetensors.read(path);
    MlpModel wider = new MlpModel("Mlp", new String[] {"x", "hidden", "out"}, new int[] {3, 5, 2}, 4);
    float[] before = wider.parameters().values().clone();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> file.restoreInto(wider));
    assertEquals("tensor hidden.weight has shape (4, 3) in " + path + " and (5, 3) in model Mlp", e.getMessage());
    assertArrayEquals(before, wider.parameters().values(), "nothing is copied");

    MlpModel renamed = new MlpModel("Mlp", new String[] {"x", "hidden", "logits"}, new int[] {3, 4, 2}, 4);
    e = assertThrows(IllegalArgumentException.class, () -> file.restoreInto(renamed));
    assertEquals(path + " has no tensor logits.weight (2, 4) of model Mlp; its tensors are [hidden.bias (4,),"
        + " hidden.weight (4, 3), out.bias (2,), out.weight (2, 4)]", e.getMessage());

    MlpModel shorter = new MlpModel("Mlp", new String[] {"x", "hidden"}, new int[] {3, 4}, 4);
    e = assertThrows(IllegalArgumentException.class, () -> file.restoreInto(shorter));
    assertTrue(e.getMessage().startsWith(path + " has a tensor out.bias (2,) that model Mlp lacks"),
        e.getMessage());
  }

  // ---- damaged and hand-made files ----

  private static byte[] file(String header, int dataBytes) {
    byte[] h = header.getBytes(StandardCharsets.UTF_8);
    return ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN).putLong(h.length).put(h)
        .array();
  }

  private CheckpointException fails(byte[] bytes, CheckpointException.Kind kind, String section, String message)
      throws IOException {
    File path = new File(dir, "bad.safetensors");
    Files.write(path.toPath(), bytes);
    CheckpointException e = assertThrows(CheckpointException.class, () -> Safetensors.read(path));
    assertEquals(kind, e.kind(), e.getMessage());
    assertEquals(section, e.section(), e.getMessage());
    assertTrue(e.getMessage().startsWith(path + ": " + section + ": "), e.getMessage());
    assertTrue(e.getMessage().contains(message), e.getMessage());
    return e;
  }

  @Test
  void invalidFilesAreNamedWithWhatIsWrong() throws IOException {
    String w = "\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}";
    fails(new byte[5], CheckpointException.Kind.TRUNCATED, "header", "shorter than the 8-byte header length");
    fails(ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(Long.MAX_VALUE).array(),
        CheckpointException.Kind.NOT_A_CHECKPOINT, "header", "exceeds safetensors' limit of 100000000 bytes");
    fails(ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(1000).array(),
        CheckpointException.Kind.TRUNCATED, "header", "the header is 1000 bytes long but only 8 bytes follow");
    fails(file("[1]", 0), CheckpointException.Kind.NOT_A_CHECKPOINT, "header", "does not start with '{'");
    fails(file("{" + w + "", 8), CheckpointException.Kind.MALFORMED, "header",
        "invalid JSON: expected ',' or '}', found the end of the JSON at character 53");
    fails(file("{" + w + "," + w + "}", 8), CheckpointException.Kind.MALFORMED, "header",
        "the key \"w\" appears twice");
    fails(file("{\"__metadata__\":{\"epoch\":3}}", 0), CheckpointException.Kind.MALFORMED, "header",
        "\"__metadata__\" maps \"epoch\" to 3, not a string");
    fails(file("{" + w + "}", 4), CheckpointException.Kind.TRUNCATED, "tensor 'w'",
        "its data ends at byte 8 of the data, but the file holds only 4 data bytes");
    fails(file("{" + w + "}", 12), CheckpointException.Kind.MALFORMED, "header",
        "4 bytes follow the last tensor's data");
    fails(file("{\"w\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", 8),
        CheckpointException.Kind.MALFORMED, "tensor 'w'", "span 8 bytes but shape (3,) of F32 takes 12");
    fails(file("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 12),
        CheckpointException.Kind.MALFORMED, "tensor 'w'", "do not start where the previous tensor ends (0)");
    fails(file("{\"w\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}", 8),
        CheckpointException.Kind.MALFORMED, "tensor 'w'", "its \"shape\" holds -2, not a non-negative integer");
    fails(file("{\"w\":{\"dtype\":\"F32\",\"shape\":[2]}}", 8), CheckpointException.Kind.MALFORMED, "tensor 'w'",
        "its \"data_offsets\" is missing");
    fails(file("{\"w\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[0,4]}}", 4),
        CheckpointException.Kind.UNSUPPORTED, "tensor 'w'", "its dtype is BF16");
    fails(file("{\"w\":{\"dtype\":\"F32\",\"shape\":[65536,65536],\"data_offsets\":[0,8]}}", 8),
        CheckpointException.Kind.MALFORMED, "tensor 'w'", "has more elements than a Java array holds");
    // Valid: no tensors at all, extra fields ignored, a scalar (shape []), zero-size tensors, padding.
    File ok = new File(dir, "ok.safetensors");
    Files.write(ok.toPath(), file("{\"s\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[0,4],\"extra\":1},"
        + "\"z\":{\"dtype\":\"F32\",\"shape\":[0,3],\"data_offsets\":[4,4]}}   ", 4));
    Safetensors read = Safetensors.read(ok);
    assertEquals(Arrays.asList("s", "z"), read.names());
    assertArrayEquals(new int[0], read.shape("s"));
    assertArrayEquals(new float[] {0f}, read.tensor("s"));
    assertArrayEquals(new int[] {0, 3}, read.shape("z"));
  }

  @Test
  void everyTruncationFailsAndNoChangedHeaderByteLoadsOtherWeights() throws Exception {
    byte[] good = Files.readAllBytes(fixture("mlp.safetensors").toPath());
    File path = new File(dir, "damaged.safetensors");
    for (int length = 0; length < good.length; length++) {
      Files.write(path.toPath(), Arrays.copyOf(good, length));
      CheckpointException e = assertThrows(CheckpointException.class, () -> Safetensors.read(path),
          "length " + length);
      assertTrue(e.getMessage().startsWith(path + ": "), e.getMessage());
    }
    // The data has no checksum in this format, but damage to the length or the header never goes unnoticed
    // into a model: it fails to read, fails to fit the model, or only changes metadata.
    MlpModel reference = MlpModel.torchTwin();
    Safetensors.load(fixture("mlp.safetensors"), reference);
    int headerEnd = 8 + (int) ByteBuffer.wrap(good).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
    List<String> outcomes = new ArrayList<>();
    for (int offset = 0; offset < headerEnd; offset++) {
      for (int mask : new int[] {0x01, 0x20, 0x80}) {
        byte[] bad = good.clone();
        bad[offset] ^= (byte) mask;
        Files.write(path.toPath(), bad);
        MlpModel model = MlpModel.torchTwin();
        try {
          Safetensors.load(path, model);
          assertArrayEquals(reference.parameters().values(), model.parameters().values(),
              "byte " + offset + " ^ " + mask + " loaded other weights");
          outcomes.add("loaded");
        } catch (CheckpointException | IllegalArgumentException e) {
          assertTrue(e.getMessage().contains(path.toString()), e.getMessage());
          outcomes.add(e.getClass().getSimpleName());
        }
      }
    }
    assertTrue(Collections.frequency(outcomes, "CheckpointException") > outcomes.size() / 2, outcomes.toString());
  }
}
