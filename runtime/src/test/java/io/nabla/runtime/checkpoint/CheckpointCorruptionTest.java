package io.nabla.runtime.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

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
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Damaged files: every one fails with a clear exception naming the file and the section, never with weights. */
class CheckpointCorruptionTest {
  @TempDir File dir;
  private byte[] good;
  private File file;
  private int reads;

  @BeforeEach
  void writeAGoodCheckpoint() throws IOException {
    MlpModel model = CheckpointTest.seeded(CheckpointTest.mlp(4), 5);
    Adam adam = Adam.of(0.01);
    Arrays.fill(model.parameters().gradients(), 0.5f);
    adam.step(model.parameters());
    File original = new File(dir, "original.ckpt");
    Checkpoint.save(original, model, adam.state(), CheckpointTest.trainerState());
    good = Files.readAllBytes(original.toPath());
    file = new File(dir, "damaged.ckpt");
  }

  /**
   * Reads {@code bytes} as the checkpoint {@code file}; returns the exception, failing if the read succeeds. Most
   * reads come from memory, for speed; every 50th from a real file.
   */
  private CheckpointException readFails(byte[] bytes, String what) throws IOException {
    try {
      Checkpoint c;
      if (reads++ % 50 == 0) {
        Files.write(file.toPath(), bytes);
        c = Checkpoint.read(file);
      } else {
        c = Checkpoint.read(file, new ByteArrayInputStream(bytes), bytes.length);
      }
      fail(what + ": read a damaged file without error: " + c);
      return null;
    } catch (CheckpointException e) {
      assertTrue(e.getMessage().startsWith(file + ": "), what + ": names the file: " + e.getMessage());
      assertEquals(file, e.file());
      assertTrue(e.section() != null && !e.section().isEmpty(), what + ": names the section: " + e.getMessage());
      assertTrue(e.getMessage().startsWith(file + ": " + e.section() + ": "), e.getMessage());
      return e;
    }
  }

  @Test
  void everyChangedByteIsDetected() throws IOException {
    Map<CheckpointException.Kind, Integer> kinds = new EnumMap<>(CheckpointException.Kind.class);
    for (int offset = 0; offset < good.length; offset++) {
      for (int mask : new int[] {0x01, 0x80, 0xFF, 0x5A}) {
        byte[] bad = good.clone();
        bad[offset] ^= (byte) mask;
        CheckpointException e = readFails(bad, "byte " + offset + " ^ " + mask);
        kinds.merge(e.kind(), 1, Integer::sum);
        if (offset >= 24) {
          assertTrue(e.section().startsWith("section ") || e.section().equals("end of file"), e.getMessage());
        }
      }
    }
    // Mostly CRC mismatches; a changed length may read as a truncation, a changed magic as a foreign file.
    assertTrue(kinds.get(CheckpointException.Kind.CORRUPT) > good.length * 3, kinds.toString());
    assertEquals(32, (int) kinds.get(CheckpointException.Kind.NOT_A_CHECKPOINT), kinds.toString());
  }

  @Test
  void randomDamageAtRandomOffsetsIsDetected() throws IOException {
    Random random = new Random(20240611);
    for (int trial = 0; trial < 3000; trial++) {
      byte[] bad = good.clone();
      int changes = 1 + random.nextInt(8);
      StringBuilder what = new StringBuilder("trial " + trial + ":");
      for (int c = 0; c < changes; c++) {
        int offset = random.nextInt(bad.length);
        bad[offset] ^= (byte) (1 + random.nextInt(255));
        what.append(' ').append(offset);
      }
      if (!Arrays.equals(bad, good)) {
        readFails(bad, what.toString());
      }
    }
  }

  @Test
  void aCorruptSectionIsNamed() throws IOException {
    List<CheckpointFormatTest.Section> sections = CheckpointFormatTest.sections(good);
    int start = 24;
    for (CheckpointFormatTest.Section s : sections) {
      if (s.payload.length > 0) {
        byte[] bad = good.clone();
        bad[start + 12 + s.payload.length / 2] ^= 0x10;
        CheckpointException e = readFails(bad, s.tag);
        assertEquals(CheckpointException.Kind.CORRUPT, e.kind(), e.getMessage());
        assertTrue(e.section().startsWith("section " + s.tag + " (") && e.section().endsWith(" at byte " + start),
            e.getMessage());
        assertTrue(e.getMessage().contains("CRC32 mismatch (stored "), e.getMessage());
        assertTrue(e.getMessage().endsWith("): the file is corrupt"), e.getMessage());
      }
      start += 16 + s.payload.length;
    }
    byte[] bad = good.clone();
    bad[9] = 1; // the version
    CheckpointException e = readFails(bad, "version");
    assertEquals(CheckpointException.Kind.CORRUPT, e.kind());
    assertEquals("header", e.section());
  }

  @Test
  void everyTruncationIsDetectedAndTheSectionItEndsInNamed() throws IOException {
    List<CheckpointFormatTest.Section> sections = CheckpointFormatTest.sections(good);
    for (int length = 0; length < good.length; length++) {
      CheckpointException e = readFails(Arrays.copyOf(good, length), "length " + length);
      if (length == 0) {
        assertEquals(CheckpointException.Kind.NOT_A_CHECKPOINT, e.kind(), e.getMessage());
        assertTrue(e.getMessage().contains("the file is empty"), e.getMessage());
        continue;
      }
      assertEquals(CheckpointException.Kind.TRUNCATED, e.kind(), e.getMessage());
      assertTrue(e.getMessage().endsWith(": it is truncated"), e.getMessage());
      if (length < 24) {
        assertEquals("header", e.section(), e.getMessage());
        continue;
      }
      assertTrue(e.getMessage().contains("the file is " + length + " bytes long but was written " + good.length
          + " bytes long; "), e.getMessage());
      int start = 24;
      for (CheckpointFormatTest.Section s : sections) {
        int end = start + 16 + s.payload.length;
        if (length < end) {
          String expected = length >= start + 4
              ? "section " + s.tag.trim() + (s.tag.equals("END ") ? "" : " (") : "section at byte " + start;
          assertTrue(e.section().startsWith(expected) && e.section().endsWith(" at byte " + start),
              "length " + length + ": " + e.getMessage());
          break;
        }
        start = end;
      }
    }
    // Cut at a section boundary.
    int endStart = good.length - 16;
    CheckpointException e = readFails(Arrays.copyOf(good, endStart), "without END");
    assertEquals(file + ": section at byte " + endStart + ": the file is " + endStart + " bytes long but was"
        + " written " + good.length + " bytes long; it ends where this section should start, after section TRNR:"
        + " it is truncated", e.getMessage());
  }

  @Test
  void foreignFilesAreNotCheckpoints() throws IOException {
    CheckpointException e = readFails("epoch,loss\n1,0.5\n".getBytes(StandardCharsets.UTF_8), "csv");
    assertEquals(CheckpointException.Kind.NOT_A_CHECKPOINT, e.kind());
    assertEquals(file + ": header: the file starts with 0x65706f63682c6c6f, not the magic bytes \"NABLACKP\""
        + " (0x4e41424c41434b50): not a Nabla checkpoint", e.getMessage());
    File safetensors = new File(dir, "m.safetensors");
    Safetensors.save(safetensors, CheckpointTest.mlp(4));
    e = readFails(Files.readAllBytes(safetensors.toPath()), "safetensors");
    assertEquals(CheckpointException.Kind.NOT_A_CHECKPOINT, e.kind());
    e = readFails("NABL".getBytes(StandardCharsets.US_ASCII), "prefix of the magic");
    assertEquals(CheckpointException.Kind.TRUNCATED, e.kind());
  }

  // ---- lengths that lie, with valid checksums: checked before allocating ----

  private static byte[] str16(String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    return ByteBuffer.allocate(2 + b.length).order(ByteOrder.LITTLE_ENDIAN).putShort((short) b.length).put(b)
        .array();
  }

  private static byte[] concat(byte[]... parts) {
    int n = 0;
    for (byte[] p : parts) {
      n += p.length;
    }
    ByteBuffer b = ByteBuffer.allocate(n);
    for (byte[] p : parts) {
      b.put(p);
    }
    return b.array();
  }

  private static byte[] le(int... values) {
    ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
    for (int v : values) {
      b.putInt(v);
    }
    return b.array();
  }

  private static byte[] le64(long v) {
    return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array();
  }

  private CheckpointException malformed(List<CheckpointFormatTest.Section> sections, String what)
      throws IOException {
    CheckpointException e = readFails(CheckpointFormatTest.file(1, 0, sections), what);
    assertEquals(CheckpointException.Kind.MALFORMED, e.kind(), e.getMessage());
    return e;
  }

  @Test
  void hugeCountsInValidSectionsFailBeforeAllocating() throws IOException {
    // ARCH: one Input layer and a tensor of 40000 × 40000 floats (6.4 GB) in a buffer that size.
    byte[] arch = concat(str16("Huge"), le(1), str16("x"), str16("Input"), le(0), le(1, 3), le64(0), le(1),
        str16("w.weight"), le(2, 40000, 40000), le64(0), le64(1_600_000_000L));
    byte[] parm = concat(le(1), str16("w.weight"), new byte[] {1}, le(2, 40000, 40000), new byte[64]);
    List<CheckpointFormatTest.Section> sections = new ArrayList<>();
    sections.add(new CheckpointFormatTest.Section("ARCH", arch));
    sections.add(new CheckpointFormatTest.Section("PARM", parm));
    sections.add(new CheckpointFormatTest.Section("END ", new byte[0]));
    CheckpointException e = malformed(sections, "huge tensor");
    assertTrue(e.getMessage().contains("PARM (parameters)"), e.getMessage());
    assertTrue(e.getMessage().contains("the 1600000000 floats of tensor w.weight needs 6400000000 bytes"),
        e.getMessage());

    // A layer count of 2^32 - 1.
    sections.set(0, new CheckpointFormatTest.Section("ARCH", concat(str16("Huge"), le(-1), new byte[40])));
    e = malformed(sections, "layer count");
    assertTrue(e.getMessage().contains("4294967295 layers needs"), e.getMessage());

    // Good ARCH and PARM, then trainer state with a float array of 2^31 - 9 elements and an 8-byte payload.
    List<CheckpointFormatTest.Section> real = CheckpointFormatTest.sections(good);
    List<CheckpointFormatTest.Section> withTrainer = new ArrayList<>();
    withTrainer.add(real.get(0));
    withTrainer.add(real.get(1));
    withTrainer.add(new CheckpointFormatTest.Section("TRNR",
        concat(le(1), str16("h"), new byte[] {6}, le(Integer.MAX_VALUE - 9), new byte[8])));
    withTrainer.add(real.get(real.size() - 1));
    e = malformed(withTrainer, "trainer array");
    assertTrue(e.getMessage().contains("TRNR (trainer state)"), e.getMessage());
    assertTrue(e.getMessage().contains("the float array 'h' of 2147483638 elements needs 8589934552 bytes"),
        e.getMessage());

    // An optimizer buffer of 2^31 - 9 floats.
    withTrainer.set(2, new CheckpointFormatTest.Section("OPTM",
        concat(str16("Adam"), le(1), str16("exp_avg"), le64(Integer.MAX_VALUE - 9), new byte[16])));
    e = malformed(withTrainer, "optimizer buffer");
    assertTrue(e.getMessage().contains("OPTM (optimizer state)"), e.getMessage());
    assertTrue(e.getMessage().contains("needs 8589934552 bytes"), e.getMessage());

    // A section length of 2^62 in the frame: compared with the file's length, nothing is read.
    byte[] bytes = good.clone();
    ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putLong(24 + 4, 1L << 62);
    CheckpointException corrupt = readFails(bytes, "section length");
    assertEquals(CheckpointException.Kind.CORRUPT, corrupt.kind());
    assertTrue(corrupt.getMessage().contains("section ARCH (architecture) at byte 24: its length field says "
        + (1L << 62) + " bytes but only"), corrupt.getMessage());
  }

  @Test
  void parametersThatDisagreeWithTheArchitectureAreMalformed() throws IOException {
    List<CheckpointFormatTest.Section> real = new ArrayList<>(CheckpointFormatTest.sections(good));
    byte[] parm = real.get(1).payload.clone();
    // The first tensor's name "hidden.weight" becomes "hidden.weighs".
    parm[4 + 2 + 12] = 's';
    real.set(1, new CheckpointFormatTest.Section("PARM", parm));
    CheckpointException e = malformed(real, "renamed tensor");
    assertTrue(e.getMessage().contains("tensor 1 is hidden.weighs (4, 3) here but hidden.weight (4, 3) in the ARCH"
        + " section"), e.getMessage());
  }
}
