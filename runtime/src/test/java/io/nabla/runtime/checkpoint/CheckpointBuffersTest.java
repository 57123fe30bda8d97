package io.nabla.runtime.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nabla.runtime.ParameterTensor;
import io.nabla.runtime.TinyNormModel;
import io.nabla.runtime.optim.Adam;
import java.io.ByteArrayInputStream;
import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Buffers (a batch norm's running statistics) in checkpoints: the BUFS section of format 1.1, its round trip,
 * its damage, files of version 1.0 without it, and models whose buffers differ from the checkpoint's.
 */
class CheckpointBuffersTest {
  @TempDir File dir;

  /** A model whose parameters and buffers are all distinct floats, none the initial 0 or 1. */
  static TinyNormModel seeded(TinyNormModel model, long seed) {
    model.initialize(seed);
    float[] v = model.parameters().values();
    for (int i = 0; i < v.length; i++) {
      v[i] += 1e-3f * (i + 1);
    }
    float[] b = model.buffers().values();
    for (int i = 0; i < b.length; i++) {
      b[i] = 0.25f + 0.125f * i + seed;
    }
    return model;
  }

  static TinyNormModel model() {
    return TinyNormModel.classifier(4);
  }

  /** The classifier's layers and parameters with other buffers. */
  static TinyNormModel withBuffers(ParameterTensor... buffers) {
    return new TinyNormModel("NormClassifier", 4, 2, 3, 0.25f, Arrays.asList(buffers));
  }

  static ParameterTensor buffer(String layer, ParameterTensor.Kind kind, int offset, int... shape) {
    return new ParameterTensor(layer, kind, offset, shape, ParameterTensor.Init.ZEROS, 2, 2);
  }

  @Test
  void buffersRoundTripThroughSaveReadAndRestore() throws IOException {
    TinyNormModel model = seeded(model(), 3);
    Adam adam = Adam.of(0.01);
    Arrays.fill(model.parameters().gradients(), 0.5f);
    adam.step(model.parameters());
    File file = new File(dir, "bn.ckpt");
    Checkpoint.save(file, model, adam.state(), CheckpointTest.trainerState());

    Checkpoint read = Checkpoint.read(file);
    assertEquals("1.1", read.formatVersion());
    assertEquals(Arrays.asList("bn.running_mean", "bn.running_var"), read.bufferNames());
    assertArrayEquals(new int[] {2}, read.bufferShape("bn.running_var"));
    assertArrayEquals(new float[] {3.25f, 3.375f}, read.tensor("bn.running_mean"));
    assertArrayEquals(new float[] {3.5f, 3.625f}, read.tensor("bn.running_var"));
    assertArrayEquals(Arrays.copyOfRange(model.parameters().values(), 0, 2), read.tensor("bn.weight"));
    assertTrue(read.toString().contains("buffers [bn.running_mean (2,), bn.running_var (2,)]"), read.toString());

    TinyNormModel other = seeded(model(), 99);
    read.restoreInto(other);
    assertArrayEquals(model.parameters().values(), other.parameters().values());
    assertArrayEquals(model.buffers().values(), other.buffers().values());
    assertArrayEquals(adam.state().buffer("exp_avg"), read.optimizerState().buffer("exp_avg"));

    // The restored running statistics are the ones inference uses: same predictions, bit for bit.
    float[] x = {0.5f, -1f, 2f, 0.25f};
    model.setTraining(false);
    other.setTraining(false);
    assertArrayEquals(model.predict(x, 2), other.predict(x, 2));

    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> read.tensor("bn.nope"));
    assertTrue(e.getMessage().contains("has no tensor or buffer 'bn.nope'"), e.getMessage());
    assertTrue(e.getMessage().endsWith(" and buffers [bn.running_mean (2,), bn.running_var (2,)]"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> read.bufferShape("bn.weight"));
    assertTrue(e.getMessage().contains(file + " (model NormClassifier) has no buffer 'bn.weight'"), e.getMessage());
  }

  @Test
  void captureCopiesTheBuffers() throws IOException {
    TinyNormModel model = seeded(model(), 1);
    float[] parameters = model.parameters().values().clone();
    float[] buffers = model.buffers().values().clone();
    Checkpoint best = Checkpoint.capture(model, null, null);
    Arrays.fill(model.parameters().values(), 0f);
    Arrays.fill(model.buffers().values(), 7f);
    assertArrayEquals(Arrays.copyOfRange(buffers, 2, 4), best.tensor("bn.running_var"), "a copy, not a view");

    best.restoreInto(model);
    assertArrayEquals(parameters, model.parameters().values());
    assertArrayEquals(buffers, model.buffers().values());
    File file = new File(dir, "best.ckpt");
    best.write(file);
    TinyNormModel other = model();
    Checkpoint.read(file).restoreInto(other);
    assertArrayEquals(buffers, other.buffers().values());
  }

  @Test
  void theBufsSectionIsLaidOutAsDocumented() throws IOException {
    TinyNormModel model = seeded(model(), 2);
    File file = new File(dir, "m.ckpt");
    Checkpoint.save(file, model, Adam.of(0.1).state(), Collections.singletonMap("epoch", 1));
    byte[] bytes = Files.readAllBytes(file.toPath());
    assertEquals(1, ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getShort(10), "minor version");
    List<CheckpointFormatTest.Section> sections = CheckpointFormatTest.sections(bytes);
    List<String> tags = new ArrayList<>();
    for (CheckpointFormatTest.Section s : sections) {
      tags.add(s.tag);
    }
    assertEquals(Arrays.asList("ARCH", "PARM", "BUFS", "OPTM", "TRNR", "END "), tags);

    ByteBuffer bufs = ByteBuffer.wrap(sections.get(2).payload).order(ByteOrder.LITTLE_ENDIAN);
    assertEquals(2, bufs.getInt());
    float[] values = model.buffers().values();
    String[] names = {"bn.running_mean", "bn.running_var"};
    for (int i = 0; i < 2; i++) {
      byte[] name = new byte[bufs.getShort()];
      bufs.get(name);
      assertEquals(names[i], new String(name, StandardCharsets.UTF_8));
      assertEquals(1, bufs.get(), "dtype f32");
      assertEquals(1, bufs.getInt(), "rank");
      assertEquals(2, bufs.getInt());
      for (int j = 0; j < 2; j++) {
        assertEquals(Float.floatToRawIntBits(values[2 * i + j]), bufs.getInt());
      }
    }
    assertEquals(0, bufs.remaining());
  }

  @Test
  void aModelWithoutBuffersWritesNoBufsSection() throws IOException {
    File file = new File(dir, "mlp.ckpt");
    Checkpoint.save(file, CheckpointTest.seeded(CheckpointTest.mlp(4), 1));
    List<String> tags = new ArrayList<>();
    for (CheckpointFormatTest.Section s : CheckpointFormatTest.sections(Files.readAllBytes(file.toPath()))) {
      tags.add(s.tag);
    }
    assertEquals(Arrays.asList("ARCH", "PARM", "END "), tags);
    Checkpoint read = Checkpoint.read(file);
    assertEquals("1.1", read.formatVersion());
    assertEquals(Collections.emptyList(), read.bufferNames());
  }

  // ---- damage ----

  @Test
  void everyChangedByteOfTheBufsSectionIsDetectedAndTheSectionNamed() throws IOException {
    File original = new File(dir, "original.ckpt");
    Checkpoint.save(original, seeded(model(), 4), null, Collections.singletonMap("epoch", 2));
    byte[] good = Files.readAllBytes(original.toPath());
    List<CheckpointFormatTest.Section> sections = CheckpointFormatTest.sections(good);
    int start = 24 + 16 + sections.get(0).payload.length + 16 + sections.get(1).payload.length;
    assertEquals("BUFS", sections.get(2).tag);
    int end = start + 16 + sections.get(2).payload.length;
    File file = new File(dir, "damaged.ckpt");
    for (int offset = start; offset < end; offset++) {
      byte[] bad = good.clone();
      bad[offset] ^= 0x10;
      CheckpointException e = assertThrows(CheckpointException.class,
          () -> Checkpoint.read(file, new ByteArrayInputStream(bad), bad.length), "byte " + offset);
      assertTrue(e.getMessage().startsWith(file + ": "), e.getMessage());
      if (offset >= start + 12) { // the payload and the CRC; a changed tag or length may read otherwise
        assertEquals(CheckpointException.Kind.CORRUPT, e.kind(), e.getMessage());
        assertEquals("section BUFS (buffers) at byte " + start, e.section(), e.getMessage());
        assertTrue(e.getMessage().contains("CRC32 mismatch (stored "), e.getMessage());
      }
    }
  }

  private CheckpointException malformedBufs(byte[] payload) throws IOException {
    File saved = new File(dir, "saved.ckpt");
    Checkpoint.save(saved, seeded(model(), 5));
    List<CheckpointFormatTest.Section> sections = new ArrayList<>(
        CheckpointFormatTest.sections(Files.readAllBytes(saved.toPath())));
    sections.set(2, new CheckpointFormatTest.Section("BUFS", payload));
    File file = new File(dir, "bad.ckpt");
    Files.write(file.toPath(), CheckpointFormatTest.file(1, 1, sections));
    CheckpointException e = assertThrows(CheckpointException.class, () -> Checkpoint.read(file));
    assertEquals(CheckpointException.Kind.MALFORMED, e.kind(), e.getMessage());
    assertTrue(e.getMessage().startsWith(file + ": section BUFS (buffers) at byte "), e.getMessage());
    return e;
  }

  private static ByteBuffer payload(int size) {
    return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
  }

  private static ByteBuffer str16(ByteBuffer b, String s) {
    byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
    return b.putShort((short) bytes.length).put(bytes);
  }

  @Test
  void aBufsSectionThatDoesNotParseIsMalformedWithAValidCrc() throws IOException {
    // A count of 2^32 - 1 buffers in 4 bytes: refused before anything is allocated.
    CheckpointException e = malformedBufs(payload(8).putInt(-1).array());
    assertTrue(e.getMessage().contains("4294967295 buffers needs 30064771065 bytes"), e.getMessage());
    // A data type other than float32.
    ByteBuffer b = str16(payload(4 + 2 + 4 + 1 + 8 + 8).putInt(1), "bn.m").put((byte) 2).putInt(1).putInt(2);
    e = malformedBufs(b.array());
    assertTrue(e.getMessage().contains("buffer bn.m has the unknown data type 2 (1 is float32)"), e.getMessage());
    // A shape of 2^30 floats in a few bytes.
    b = str16(payload(4 + 2 + 4 + 1 + 8 + 8).putInt(1), "bn.m").put((byte) 1).putInt(1).putInt(1 << 30);
    e = malformedBufs(b.array());
    assertTrue(e.getMessage().contains("the 1073741824 floats of buffer bn.m needs 4294967296 bytes"),
        e.getMessage());
    // The same name twice.
    b = payload(4 + 2 * (2 + 4 + 1 + 8 + 4)).putInt(2);
    for (int i = 0; i < 2; i++) {
      str16(b, "bn.m").put((byte) 1).putInt(1).putInt(1).putFloat(1f);
    }
    e = malformedBufs(b.array());
    assertTrue(e.getMessage().contains("buffer bn.m appears twice"), e.getMessage());
    // Bytes left over after the last buffer.
    b = str16(payload(4 + 2 + 4 + 1 + 8 + 4 + 3).putInt(1), "bn.m").put((byte) 1).putInt(1).putInt(1).putFloat(1f);
    e = malformedBufs(b.array());
    assertTrue(e.getMessage().contains("3 bytes are left over after its content"), e.getMessage());
  }

  // ---- version 1.0 ----

  /** {@code file} written again as version 1.0 would have written it: header minor 0, no BUFS section. */
  private File asVersion10(File file, String name) throws IOException {
    List<CheckpointFormatTest.Section> sections = new ArrayList<>();
    for (CheckpointFormatTest.Section s : CheckpointFormatTest.sections(Files.readAllBytes(file.toPath()))) {
      if (!s.tag.equals("BUFS")) {
        sections.add(s);
      }
    }
    File old = new File(dir, name);
    Files.write(old.toPath(), CheckpointFormatTest.file(1, 0, sections));
    return old;
  }

  @Test
  void aVersion10FileStillReadsIntoAModelWithoutBuffers() throws IOException {
    File file = new File(dir, "mlp.ckpt");
    MlpModel model = CheckpointTest.seeded(CheckpointTest.mlp(4), 6);
    Checkpoint.save(file, model, Adam.of(0.1).state(), Collections.singletonMap("epoch", 4));
    Checkpoint read = Checkpoint.read(asVersion10(file, "v10.ckpt"));
    assertEquals("1.0", read.formatVersion());
    assertEquals(Collections.emptyList(), read.bufferNames());
    MlpModel other = CheckpointTest.mlp(4);
    read.restoreInto(other);
    assertArrayEquals(model.parameters().values(), other.parameters().values());
    assertEquals(4L, read.trainerState().get("epoch"));
  }

  @Test
  void aFileWithoutBuffersDoesNotFitAModelWithBuffers() throws IOException {
    File file = new File(dir, "bn.ckpt");
    Checkpoint.save(file, seeded(model(), 7));
    File old = asVersion10(file, "v10.ckpt");
    TinyNormModel target = seeded(model(), 8);
    float[] parameters = target.parameters().values().clone();
    float[] buffers = target.buffers().values().clone();
    Checkpoint read = Checkpoint.read(old);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> read.restoreInto(target));
    assertEquals("checkpoint " + old + " (model NormClassifier) does not fit model NormClassifier: the model has"
        + " buffers, starting with bn.running_mean of shape (2,), but the checkpoint has none (no BUFS section:"
        + " format version 1.0)", e.getMessage());
    assertArrayEquals(parameters, target.parameters().values(), "nothing is copied");
    assertArrayEquals(buffers, target.buffers().values(), "nothing is copied");
  }

  // ---- mismatches ----

  private IllegalArgumentException mismatch(TinyNormModel saved, TinyNormModel target) throws IOException {
    File file = new File(dir, "saved.ckpt");
    Checkpoint.save(file, saved);
    float[] parameters = target.parameters().values().clone();
    float[] buffers = target.buffers().values().clone();
    Checkpoint read = Checkpoint.read(file);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> read.restoreInto(target));
    assertTrue(e.getMessage().startsWith("checkpoint " + file + " (model NormClassifier) does not fit model"
        + " NormClassifier: "), e.getMessage());
    assertArrayEquals(parameters, target.parameters().values(), "nothing is copied");
    assertArrayEquals(buffers, target.buffers().values(), "nothing is copied");
    return e;
  }

  @Test
  void buffersThatDifferAreNamedBeforeAnythingIsCopied() throws IOException {
    TinyNormModel saved = seeded(model(), 9);
    IllegalArgumentException e = mismatch(saved, withBuffers());
    assertTrue(e.getMessage().endsWith(": the checkpoint has a buffer bn.running_mean of shape (2,) that the model"
        + " lacks"), e.getMessage());

    e = mismatch(saved, withBuffers(buffer("bn", ParameterTensor.Kind.RUNNING_MEAN, 0, 2),
        buffer("norm", ParameterTensor.Kind.RUNNING_VAR, 2, 2)));
    assertTrue(e.getMessage().endsWith(": buffer 2 is bn.running_var of shape (2,) in the checkpoint and"
        + " norm.running_var of shape (2,) in the model"), e.getMessage());

    e = mismatch(saved, withBuffers(buffer("bn", ParameterTensor.Kind.RUNNING_MEAN, 0, 1, 2),
        buffer("bn", ParameterTensor.Kind.RUNNING_VAR, 2, 2)));
    assertTrue(e.getMessage().endsWith(": buffer bn.running_mean has shape (2,) in the checkpoint and (1, 2) in the"
        + " model"), e.getMessage());

    e = mismatch(saved, withBuffers(buffer("bn", ParameterTensor.Kind.RUNNING_MEAN, 0, 2),
        buffer("bn", ParameterTensor.Kind.RUNNING_VAR, 2, 2), buffer("extra", ParameterTensor.Kind.RUNNING_MEAN, 4,
            3)));
    assertTrue(e.getMessage().endsWith(": the model has a buffer extra.running_mean of shape (3,) that the"
        + " checkpoint lacks"), e.getMessage());

    // A checkpoint with buffers of no model's: the other way round.
    e = mismatch(withBuffers(buffer("bn", ParameterTensor.Kind.RUNNING_MEAN, 0, 2)), seeded(model(), 10));
    assertTrue(e.getMessage().endsWith(": the model has a buffer bn.running_var of shape (2,) that the checkpoint"
        + " lacks"), e.getMessage());
  }
}
