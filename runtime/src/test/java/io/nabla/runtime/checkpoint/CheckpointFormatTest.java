package io.nabla.runtime.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nabla.runtime.optim.OptimizerState;
import java.io.ByteArrayOutputStream;
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
import java.util.Random;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reads a checkpoint with an independent reader written from docs/checkpoint-format.md (ByteBuffer, no code of the
 * package), and makes files by hand to check versioning and the handling of sections a reader does not know.
 */
class CheckpointFormatTest {
  @TempDir File dir;

  /** One section as the spec frames it. */
  static final class Section {
    final String tag;
    final byte[] payload;

    Section(String tag, byte[] payload) {
      this.tag = tag;
      this.payload = payload;
    }
  }

  static List<Section> sections(byte[] file) {
    ByteBuffer b = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
    b.position(24);
    List<Section> sections = new ArrayList<>();
    while (b.hasRemaining()) {
      int start = b.position();
      byte[] tag = new byte[4];
      b.get(tag);
      long length = b.getLong();
      byte[] payload = new byte[(int) length];
      b.get(payload);
      CRC32 crc = new CRC32();
      crc.update(file, start, 12 + (int) length);
      assertEquals(crc.getValue(), b.getInt() & 0xFFFFFFFFL, "CRC of " + new String(tag, StandardCharsets.US_ASCII));
      sections.add(new Section(new String(tag, StandardCharsets.US_ASCII), payload));
    }
    return sections;
  }

  static byte[] file(int major, int minor, List<Section> sections) {
    long length = 24;
    for (Section s : sections) {
      length += 16 + s.payload.length;
    }
    ByteBuffer header = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
    header.put("NABLACKP".getBytes(StandardCharsets.US_ASCII)).putShort((short) major).putShort((short) minor)
        .putLong(length);
    CRC32 crc = new CRC32();
    crc.update(header.array(), 0, 20);
    header.putInt((int) crc.getValue());
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(header.array(), 0, 24);
    for (Section s : sections) {
      ByteBuffer frame = ByteBuffer.allocate(12 + s.payload.length + 4).order(ByteOrder.LITTLE_ENDIAN);
      frame.put(s.tag.getBytes(StandardCharsets.US_ASCII)).putLong(s.payload.length).put(s.payload);
      crc.reset();
      crc.update(frame.array(), 0, 12 + s.payload.length);
      frame.putInt((int) crc.getValue());
      out.write(frame.array(), 0, frame.capacity());
    }
    return out.toByteArray();
  }

  private static String str16(ByteBuffer b) {
    byte[] s = new byte[b.getShort() & 0xFFFF];
    b.get(s);
    return new String(s, StandardCharsets.UTF_8);
  }

  private static int[] shape(ByteBuffer b) {
    int[] shape = new int[b.getInt()];
    for (int i = 0; i < shape.length; i++) {
      shape[i] = b.getInt();
    }
    return shape;
  }

  @Test
  void theBytesAreAsDocumented() throws IOException {
    MlpModel model = CheckpointTest.seeded(CheckpointTest.mlp(4), 3);
    Map<String, float[]> buffers = new LinkedHashMap<>();
    buffers.put("exp_avg", new float[] {1f, 2f});
    OptimizerState state = new OptimizerState("Adam", buffers, Collections.singletonMap("step", 7.0));
    Map<String, Object> trainer = new LinkedHashMap<>();
    trainer.put("epoch", 5);
    trainer.put("schedule", Collections.singletonMap("lr", 0.5));
    File path = new File(dir, "m.ckpt");
    Checkpoint.save(path, model, state, trainer);
    byte[] bytes = Files.readAllBytes(path.toPath());

    ByteBuffer header = ByteBuffer.wrap(bytes, 0, 24).order(ByteOrder.LITTLE_ENDIAN);
    assertEquals("NABLACKP", new String(bytes, 0, 8, StandardCharsets.US_ASCII));
    assertEquals(1, header.getShort(8));
    assertEquals(1, header.getShort(10));
    assertEquals(bytes.length, header.getLong(12));
    CRC32 crc = new CRC32();
    crc.update(bytes, 0, 20);
    assertEquals((int) crc.getValue(), header.getInt(20));

    List<Section> sections = sections(bytes);
    List<String> tags = new ArrayList<>();
    for (Section s : sections) {
      tags.add(s.tag);
    }
    assertEquals(Arrays.asList("ARCH", "PARM", "OPTM", "TRNR", "END "), tags);

    ByteBuffer arch = ByteBuffer.wrap(sections.get(0).payload).order(ByteOrder.LITTLE_ENDIAN);
    assertEquals("Mlp", str16(arch));
    assertEquals(3, arch.getInt());
    String[][] layers = {{"x", "Input"}, {"hidden", "Dense", "x"}, {"out", "Dense", "hidden"}};
    int[][] shapes = {{3}, {4}, {2}};
    long[] counts = {0, 16, 10};
    for (int i = 0; i < 3; i++) {
      assertEquals(layers[i][0], str16(arch));
      assertEquals(layers[i][1], str16(arch));
      int inputs = arch.getInt();
      assertEquals(layers[i].length - 2, inputs);
      for (int j = 0; j < inputs; j++) {
        assertEquals(layers[i][2 + j], str16(arch));
      }
      assertArrayEquals(shapes[i], shape(arch));
      assertEquals(counts[i], arch.getLong());
    }
    assertEquals(4, arch.getInt());
    String[] names = {"hidden.weight", "hidden.bias", "out.weight", "out.bias"};
    int[][] tensorShapes = {{4, 3}, {4}, {2, 4}, {2}};
    long[] offsets = {0, 12, 16, 24};
    for (int i = 0; i < 4; i++) {
      assertEquals(names[i], str16(arch));
      assertArrayEquals(tensorShapes[i], shape(arch));
      assertEquals(offsets[i], arch.getLong());
    }
    assertEquals(26, arch.getLong());
    assertEquals(0, arch.remaining());

    ByteBuffer parm = ByteBuffer.wrap(sections.get(1).payload).order(ByteOrder.LITTLE_ENDIAN);
    assertEquals(4, parm.getInt());
    float[] values = model.parameters().values();
    for (int i = 0; i < 4; i++) {
      assertEquals(names[i], str16(parm));
      assertEquals(1, parm.get());
      assertArrayEquals(tensorShapes[i], shape(parm));
      int n = 1;
      for (int d : tensorShapes[i]) {
        n *= d;
      }
      for (int j = 0; j < n; j++) {
        assertEquals(Float.floatToRawIntBits(values[(int) offsets[i] + j]), parm.getInt());
      }
    }
    assertEquals(0, parm.remaining());

    ByteBuffer optm = ByteBuffer.wrap(sections.get(2).payload).order(ByteOrder.LITTLE_ENDIAN);
    assertEquals("Adam", str16(optm));
    assertEquals(1, optm.getInt());
    assertEquals("exp_avg", str16(optm));
    assertEquals(2, optm.getLong());
    assertEquals(1f, optm.getFloat());
    assertEquals(2f, optm.getFloat());
    assertEquals(1, optm.getInt());
    assertEquals("step", str16(optm));
    assertEquals(7.0, optm.getDouble());
    assertEquals(0, optm.remaining());

    ByteBuffer trnr = ByteBuffer.wrap(sections.get(3).payload).order(ByteOrder.LITTLE_ENDIAN);
    assertEquals(2, trnr.getInt());
    assertEquals("epoch", str16(trnr));
    assertEquals(1, trnr.get());
    assertEquals(5, trnr.getLong());
    assertEquals("schedule", str16(trnr));
    assertEquals(5, trnr.get());
    assertEquals(1, trnr.getInt());
    assertEquals("lr", str16(trnr));
    assertEquals(2, trnr.get());
    assertEquals(0.5, trnr.getDouble());
    assertEquals(0, trnr.remaining());

    assertEquals(0, sections.get(4).payload.length);
  }

  @Test
  void aLaterMinorVersionsUnknownSectionIsSkipped() throws IOException {
    File path = new File(dir, "m.ckpt");
    MlpModel model = CheckpointTest.seeded(CheckpointTest.mlp(4), 3);
    Checkpoint.save(path, model);
    List<Section> sections = new ArrayList<>(sections(Files.readAllBytes(path.toPath())));
    sections.add(2, new Section("XTRA", new byte[] {1, 2, 3}));
    File later = new File(dir, "later.ckpt");
    Files.write(later.toPath(), file(1, 7, sections));
    Checkpoint read = Checkpoint.read(later);
    assertEquals("1.7", read.formatVersion());
    MlpModel other = CheckpointTest.mlp(4);
    read.restoreInto(other);
    assertArrayEquals(model.parameters().values(), other.parameters().values());
  }

  @Test
  void anotherMajorVersionIsRefused() throws IOException {
    File path = new File(dir, "m.ckpt");
    Checkpoint.save(path, CheckpointTest.mlp(4));
    File v2 = new File(dir, "v2.ckpt");
    Files.write(v2.toPath(), file(2, 0, sections(Files.readAllBytes(path.toPath()))));
    CheckpointException e = assertThrows(CheckpointException.class, () -> Checkpoint.read(v2));
    assertEquals(CheckpointException.Kind.UNSUPPORTED, e.kind());
    assertEquals(v2 + ": header: format version 2.0; this version of Nabla reads version 1.x: read it with the"
        + " newer Nabla that wrote it", e.getMessage());
  }

  @Test
  void missingRepeatedOrMisplacedSectionsAreMalformed() throws IOException {
    File path = new File(dir, "m.ckpt");
    Checkpoint.save(path, CheckpointTest.mlp(4));
    List<Section> s = sections(Files.readAllBytes(path.toPath())); // ARCH PARM END
    assertMalformed(Arrays.asList(s.get(0), s.get(2)), "section END at byte", "the file has no PARM (parameters)");
    assertMalformed(Arrays.asList(s.get(1), s.get(0), s.get(2)), "section PARM (parameters) at byte 24",
        "it comes before the ARCH section");
    assertMalformed(Arrays.asList(s.get(0), s.get(1), s.get(1), s.get(2)), "section PARM (parameters) at byte",
        "a second PARM section");
    assertMalformed(Arrays.asList(s.get(0), s.get(1)), "end of file",
        "the file ends after section PARM at byte ");
    byte[] trailing = file(1, 0, s);
    trailing = Arrays.copyOf(trailing, trailing.length + 3);
    File p = new File(dir, "trailing.ckpt");
    Files.write(p.toPath(), trailing);
    CheckpointException e = assertThrows(CheckpointException.class, () -> Checkpoint.read(p));
    assertEquals(CheckpointException.Kind.MALFORMED, e.kind());
    assertEquals(p + ": end of file: the file is " + trailing.length + " bytes long but the header says "
        + (trailing.length - 3) + ": 3 bytes were appended after the checkpoint", e.getMessage());
    // Bytes after END that the header's length includes.
    byte[] afterEnd = file(1, 0, Arrays.asList(s.get(0), s.get(1), s.get(2), new Section("XTRA", new byte[0])));
    Files.write(p.toPath(), afterEnd);
    e = assertThrows(CheckpointException.class, () -> Checkpoint.read(p));
    assertEquals(CheckpointException.Kind.MALFORMED, e.kind());
    assertTrue(e.getMessage().contains("16 bytes follow the END section"), e.getMessage());
  }

  private void assertMalformed(List<Section> sections, String where, String what) throws IOException {
    File p = new File(dir, "bad.ckpt");
    Files.write(p.toPath(), file(1, 0, sections));
    CheckpointException e = assertThrows(CheckpointException.class, () -> Checkpoint.read(p));
    assertEquals(CheckpointException.Kind.MALFORMED, e.kind(), e.getMessage());
    assertTrue(e.section().startsWith(where), e.getMessage());
    assertTrue(e.getMessage().contains(what), e.getMessage());
  }

  @Test
  void unsignedLengthsInMessagesPrintAsLongToUnsignedStringDoes() {
    long[] edges = {0, 1, 9, 10, 11, Long.MAX_VALUE, Long.MIN_VALUE, Long.MIN_VALUE + 9, -1, -9, -10, -11};
    for (long v : edges) {
      assertEquals(Long.toUnsignedString(v), BinaryInput.unsigned(v));
    }
    Random random = new Random(21);
    for (int i = 0; i < 10_000; i++) {
      long v = random.nextLong();
      assertEquals(Long.toUnsignedString(v), BinaryInput.unsigned(v));
    }
  }
}
