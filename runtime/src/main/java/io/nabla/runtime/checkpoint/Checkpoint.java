package io.nabla.runtime.checkpoint;

import io.nabla.runtime.Model;
import io.nabla.runtime.ParameterTensor;
import io.nabla.runtime.optim.OptimizerState;
import java.io.File;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A training checkpoint: a model's parameters with the fingerprint of its {@link Architecture}, its buffers
 * ({@link Model#buffers()}: the running statistics of batch norms) if it has any, and optionally an optimizer's
 * state and the trainer's state, in Nabla's binary format ({@code docs/checkpoint-format.md}).
 *
 * <pre>{@code
 * Map<String, Object> trainer = new LinkedHashMap<>();
 * trainer.put("epoch", epoch);
 * trainer.put("rng", rng.state());
 * trainer.put("schedule", scheduleState);            // a Map<String, Double>
 * Checkpoint.save(file, model, optimizer.state(), trainer);
 * ...
 * Checkpoint checkpoint = Checkpoint.read(file);      // checks every CRC before returning
 * checkpoint.restoreInto(model);                      // checks the architecture, then copies weights and buffers
 * optimizer.restore(checkpoint.optimizerState());
 * long epoch = (Long) checkpoint.trainerState().get("epoch");
 * }</pre>
 *
 * <p><b>Saving</b> is atomic: the file is written to a temporary file in the same folder, forced to the device and
 * renamed over {@code file} ({@link java.io.File#renameTo}), so a crash (or a kill) at any moment leaves the
 * previous checkpoint or the new one, never a mix; a crash can leave a temporary file {@code .<name>.<digits>.tmp},
 * deleted by the next save to the same file. On Windows, where a rename cannot replace a file, the previous
 * checkpoint is deleted first, so a crash there can leave the new checkpoint only under its temporary name
 * ({@code docs/checkpoint-format.md}, "Writing safely").
 *
 * <p><b>Reading</b> checks the magic, the version and a CRC32 for the header and each section, and every length
 * against the bytes left before allocating: a truncated, corrupt or foreign file throws a
 * {@link CheckpointException} naming the file and the section, and never yields weights.
 *
 * <p><b>Trainer state</b> is a map from strings to {@code Long} (also given as Integer, Short, Byte),
 * {@code Double} (also Float), {@code String}, {@code Boolean}, {@code float[]}, {@code double[]}, {@code long[]}
 * (also {@code int[]}) and nested {@code Map<String, ?>} of these; it reads back with the first of each
 * alternative (an {@code Integer} epoch reads back as a {@code Long}), keys in the order saved.
 *
 * <p>A {@code Checkpoint} is immutable: {@link #capture} copies what it is given, and {@link #tensor(String)}
 * returns copies.
 */
public final class Checkpoint {
  /** The format version this class writes; it reads every {@code 1.x}. */
  public static final int FORMAT_MAJOR = 1;

  /** 1 since the BUFS section (buffers); files of version 1.0 have none and still read. */
  public static final int FORMAT_MINOR = 1;

  static final byte[] MAGIC = "NABLACKP".getBytes(StandardCharsets.US_ASCII);
  static final int HEADER_SIZE = 24;
  /** Tag (4) and payload length (8) before a payload, its CRC32 (4) after. */
  static final int SECTION_OVERHEAD = 16;
  static final String ARCH = "ARCH";
  static final String PARM = "PARM";
  static final String BUFS = "BUFS";
  static final String OPTM = "OPTM";
  static final String TRNR = "TRNR";
  static final String END = "END ";
  static final int DTYPE_F32 = 1;

  private final @Nullable File source;
  private final int major;
  private final int minor;
  private final Architecture architecture;
  /** Tensor {@code i}'s values are {@code arrays[i]} from {@code offsets[i]}: copies, or the live model buffer. */
  private final float[][] arrays;
  private final int[] offsets;
  /** The buffer tensors (empty if none were saved), in the model's buffer order; values as for the parameters. */
  private final List<Buffer> buffers;
  private final @Nullable OptimizerState optimizerState;
  private final @Nullable Map<String, Object> trainerState;

  /**
   * One buffer tensor: name, shape, and its values in {@code array} from {@code offset}. The file does not record
   * where a buffer lies in the model's flat buffer; restoring matches buffers by position, name and shape.
   */
  private static final class Buffer {
    final String name;
    final int[] shape;
    final int size;
    final float[] array;
    final int offset;

    Buffer(String name, int[] shape, float[] array, int offset) {
      this.name = name;
      this.shape = shape.clone();
      this.size = (int) Architecture.elements(shape);
      this.array = array;
      this.offset = offset;
    }

    Buffer copy() {
      return new Buffer(name, shape, Arrays.copyOfRange(array, offset, offset + size), 0);
    }

    @Override
    public String toString() {
      return name + " " + Architecture.shape(shape);
    }
  }

  private Checkpoint(@Nullable File source, int major, int minor, Architecture architecture, float[][] arrays,
      int[] offsets, List<Buffer> buffers, @Nullable OptimizerState optimizerState,
      @Nullable Map<String, Object> trainerState) {
    this.source = source;
    this.major = major;
    this.minor = minor;
    this.architecture = architecture;
    this.arrays = arrays;
    this.offsets = offsets;
    this.buffers = Collections.unmodifiableList(buffers);
    this.optimizerState = optimizerState;
    this.trainerState = trainerState;
  }

  // ---- saving ----

  /** Saves {@code model}'s parameters, buffers and architecture to {@code file}, atomically. */
  public static void save(File file, Model model) throws IOException {
    save(file, model, null, null);
  }

  /**
   * Saves {@code model}'s parameters, buffers (if it has any) and architecture, {@code optimizerState} and
   * {@code trainerState} (each optional: {@code null} leaves its section out) to {@code file}, atomically. The
   * parameters and buffers are written straight from the model's arrays, without a copy; do not step the model
   * from another thread meanwhile.
   *
   * @throws IllegalArgumentException naming the key of a trainer-state value of an unsupported type, before
   *     anything is written
   * @throws IOException if the file cannot be written; the previous file at {@code file}, if any, is intact
   */
  public static void save(File file, Model model, @Nullable OptimizerState optimizerState,
      @Nullable Map<String, ?> trainerState) throws IOException {
    live(model, optimizerState, trainerState).write(file);
  }

  /**
   * A checkpoint of {@code model} as it is now (parameters and buffers), copied, to write later or to keep in
   * memory (e.g. the best weights so far). {@code optimizerState} and {@code trainerState} are optional
   * ({@code null}: none).
   *
   * @throws IllegalArgumentException naming the key of a trainer-state value of an unsupported type
   */
  public static Checkpoint capture(Model model, @Nullable OptimizerState optimizerState,
      @Nullable Map<String, ?> trainerState) {
    Checkpoint live = live(model, optimizerState, trainerState);
    float[][] copies = new float[live.arrays.length][];
    for (int i = 0; i < copies.length; i++) {
      int size = (int) live.architecture.tensors().get(i).size();
      copies[i] = Arrays.copyOfRange(live.arrays[i], live.offsets[i], live.offsets[i] + size);
    }
    List<Buffer> buffers = new ArrayList<>();
    for (Buffer b : live.buffers) {
      buffers.add(b.copy());
    }
    return new Checkpoint(null, FORMAT_MAJOR, FORMAT_MINOR, live.architecture, copies,
        new int[copies.length], buffers, optimizerState, live.trainerState);
  }

  private static Checkpoint live(Model model, @Nullable OptimizerState optimizerState,
      @Nullable Map<String, ?> trainerState) {
    Architecture architecture = Architecture.of(model);
    List<ParameterTensor> tensors = model.parameters().tensors();
    float[][] arrays = new float[tensors.size()][];
    int[] offsets = new int[tensors.size()];
    for (int i = 0; i < arrays.length; i++) {
      arrays[i] = model.parameters().values();
      offsets[i] = tensors.get(i).offset();
    }
    List<Buffer> buffers = new ArrayList<>();
    for (ParameterTensor t : model.buffers().tensors()) {
      buffers.add(new Buffer(t.name(), t.shape(), model.buffers().values(), t.offset()));
    }
    Map<String, Object> trainer = trainerState == null ? null : StateCodec.normalize(trainerState, "", 0);
    return new Checkpoint(null, FORMAT_MAJOR, FORMAT_MINOR, architecture, arrays, offsets, buffers,
        optimizerState, trainer);
  }

  /** Writes this checkpoint to {@code file}, atomically, as {@link #save(File, Model, OptimizerState, Map)}. */
  public void write(File file) throws IOException {
    final List<String> tags = new ArrayList<>();
    final List<Payload> payloads = new ArrayList<>();
    tags.add(ARCH);
    payloads.add(architecture::write);
    tags.add(PARM);
    payloads.add(this::writeParameters);
    // Only for a model with buffers, so that a model without them writes what version 1.0 wrote.
    if (!buffers.isEmpty()) {
      tags.add(BUFS);
      payloads.add(this::writeBuffers);
    }
    if (optimizerState != null) {
      tags.add(OPTM);
      payloads.add(this::writeOptimizerState);
    }
    if (trainerState != null) {
      tags.add(TRNR);
      payloads.add(out -> StateCodec.writeMap(out, trainerState));
    }
    tags.add(END);
    payloads.add(out -> { });
    // First pass: the lengths that precede each payload (and every check, before the disk is touched).
    final long[] lengths = new long[payloads.size()];
    for (int i = 0; i < lengths.length; i++) {
      BinaryOutput counter = BinaryOutput.counting();
      payloads.get(i).write(counter);
      lengths[i] = counter.count();
    }
    long total = HEADER_SIZE;
    for (long length : lengths) {
      total += SECTION_OVERHEAD + length;
    }
    final long fileLength = total;
    AtomicFiles.write(file, stream -> {
      BinaryOutput out = new BinaryOutput(stream);
      out.resetCrc();
      out.bytes(MAGIC);
      out.u16(FORMAT_MAJOR);
      out.u16(FORMAT_MINOR);
      out.i64(fileLength);
      out.u32(out.crc());
      for (int i = 0; i < lengths.length; i++) {
        out.resetCrc();
        out.bytes(tags.get(i).getBytes(StandardCharsets.US_ASCII));
        out.i64(lengths[i]);
        long before = out.count();
        payloads.get(i).write(out);
        if (out.count() - before != lengths[i]) {
          throw new IllegalStateException("section " + tags.get(i) + " changed length while being written ("
              + lengths[i] + " then " + (out.count() - before) + " bytes): was its content modified meanwhile?");
        }
        out.u32(out.crc());
      }
      out.drain();
      if (out.count() != fileLength) {
        throw new IllegalStateException("wrote " + out.count() + " bytes, announced " + fileLength);
      }
    });
  }

  private interface Payload {
    void write(BinaryOutput out) throws IOException;
  }

  private void writeParameters(BinaryOutput out) throws IOException {
    List<Architecture.Tensor> tensors = architecture.tensors();
    out.u32(tensors.size());
    for (int i = 0; i < tensors.size(); i++) {
      Architecture.Tensor t = tensors.get(i);
      out.string16(t.name());
      out.u8(DTYPE_F32);
      Architecture.writeShape(out, t.shapeUnsafe());
      out.floats(arrays[i], offsets[i], (int) t.size());
    }
  }

  private void writeBuffers(BinaryOutput out) throws IOException {
    out.u32(buffers.size());
    for (Buffer b : buffers) {
      out.string16(b.name);
      out.u8(DTYPE_F32);
      Architecture.writeShape(out, b.shape);
      out.floats(b.array, b.offset, b.size);
    }
  }

  private void writeOptimizerState(BinaryOutput out) throws IOException {
    out.string16(optimizerState.kind());
    out.u32(optimizerState.buffers().size());
    for (Map.Entry<String, float[]> e : optimizerState.buffers().entrySet()) {
      out.string16(e.getKey());
      out.i64(e.getValue().length);
      out.floats(e.getValue(), 0, e.getValue().length);
    }
    out.u32(optimizerState.scalars().size());
    for (Map.Entry<String, Double> e : optimizerState.scalars().entrySet()) {
      out.string16(e.getKey());
      out.f64(e.getValue());
    }
  }

  // ---- reading ----

  /**
   * Reads a checkpoint, checking its magic, version, every section's CRC32 and every length before using it.
   *
   * @throws CheckpointException naming the file and the section if the file is not a checkpoint, of an
   *     unsupported version, truncated, corrupt or malformed
   * @throws IOException if it cannot be read at all (e.g. {@link java.io.FileNotFoundException})
   */
  public static Checkpoint read(File file) throws IOException {
    try (FileInputStream in = new FileInputStream(file)) {
      return read(file, in, in.getChannel().size());
    }
  }

  /** Reads {@code size} bytes of checkpoint from {@code in}; {@code file} names them in messages. */
  static Checkpoint read(File file, InputStream in, long size) throws IOException {
    return new Reader(file, new BinaryInput(in, size)).read();
  }

  /** Reads one file; {@link #read()} returns a checkpoint only when every section checked out. */
  private static final class Reader {
    private final File file;
    private final BinaryInput in;
    private int major;
    private int minor;
    private @Nullable Architecture architecture;
    private float @Nullable [][] tensors;
    private List<Buffer> buffers = Collections.emptyList();
    private @Nullable OptimizerState optimizerState;
    private @Nullable Map<String, Object> trainerState;
    private final List<String> seen = new ArrayList<>();

    Reader(File file, BinaryInput in) {
      this.file = file;
      this.in = in;
    }

    Checkpoint read() throws IOException {
      long declared = readHeader();
      if (in.size() < declared) {
        throw truncated(declared);
      }
      if (in.size() > declared) {
        throw error(CheckpointException.Kind.MALFORMED, "end of file", "the file is " + in.size()
            + " bytes long but the header says " + declared + ": " + (in.size() - declared)
            + " bytes were appended after the checkpoint");
      }
      while (true) {
        String tag = readSection();
        if (tag.equals(END)) {
          break;
        }
      }
      if (in.position() < in.size()) {
        throw error(CheckpointException.Kind.MALFORMED, "end of file", (in.size() - in.position())
            + " bytes follow the END section at byte " + in.position() + "; a checkpoint ends with END");
      }
      return new Checkpoint(file, major, minor, architecture, tensors, new int[tensors.length], buffers,
          optimizerState, trainerState);
    }

    /** Checks the header and returns the file length it announces. */
    private long readHeader() throws IOException {
      String where = "header";
      long length;
      try {
        in.resetCrc();
        byte[] magic = in.bytes((int) Math.min(MAGIC.length, in.size()), "the magic bytes");
        if (!Arrays.equals(magic, Arrays.copyOf(MAGIC, magic.length)) || in.size() == 0) {
          throw error(CheckpointException.Kind.NOT_A_CHECKPOINT, where, (in.size() == 0 ? "the file is empty"
              : "the file starts with " + printable(magic)) + ", not the magic bytes \"NABLACKP\" ("
              + printable(MAGIC) + "): not a Nabla checkpoint");
        }
        if (in.size() < HEADER_SIZE) {
          throw error(CheckpointException.Kind.TRUNCATED, where, "the file is " + in.size()
              + " bytes long, shorter than the " + HEADER_SIZE + "-byte header: it is truncated");
        }
        major = in.u16();
        minor = in.u16();
        length = in.i64();
        long computed = in.crc();
        long stored = in.u32();
        if (stored != computed) {
          throw error(CheckpointException.Kind.CORRUPT, where, crcMismatch(stored, computed));
        }
      } catch (BinaryInput.Problem p) {
        throw error(CheckpointException.Kind.TRUNCATED, where, p.getMessage());
      }
      if (major != FORMAT_MAJOR) {
        throw error(CheckpointException.Kind.UNSUPPORTED, where, "format version " + major + "." + minor
            + "; this version of Nabla reads version " + FORMAT_MAJOR + ".x"
            + (major > FORMAT_MAJOR ? ": read it with the newer Nabla that wrote it" : ""));
      }
      if (length < HEADER_SIZE) {
        throw error(CheckpointException.Kind.MALFORMED, where, "it gives a file length of "
            + BinaryInput.unsigned(length) + " bytes, less than the header");
      }
      return length;
    }

    /** The error for a file shorter than its header says, naming the section the file ends in. */
    private CheckpointException truncated(long declared) throws IOException {
      long size = in.size();
      String where = "header";
      String problem = "it ends inside this section";
      try {
        long pos = in.position();
        String previous = null;
        while (true) {
          if (pos == size) {
            where = "section at byte " + pos;
            problem = "it ends where this section should start" + (previous == null ? "" : ", after section "
                + previous);
            break;
          }
          if (pos + 4 > size) {
            where = "section at byte " + pos;
            break;
          }
          String tag = tag(in.bytes(4, "the section tag"));
          where = "section " + describe(tag) + " at byte " + pos;
          if (pos + 12 > size) {
            break;
          }
          long length = in.i64();
          if (length < 0 || length > size - pos - SECTION_OVERHEAD) {
            break;
          }
          in.skip(length + 4, "section " + tag);
          pos += SECTION_OVERHEAD + length;
          previous = tag;
        }
      } catch (BinaryInput.Problem p) {
        // Best effort: name the last section found.
      }
      return error(CheckpointException.Kind.TRUNCATED, where, "the file is " + size + " bytes long but was written "
          + declared + " bytes long; " + problem + ": it is truncated");
    }

    /** Reads, checks and keeps one section; returns its tag. The file has the length its header gives. */
    private String readSection() throws IOException {
      long start = in.position();
      long left = in.size() - start;
      if (left < SECTION_OVERHEAD) {
        String last = seen.isEmpty() ? "the header" : "section " + seen.get(seen.size() - 1);
        throw error(CheckpointException.Kind.MALFORMED, left == 0 ? "end of file" : "section at byte " + start,
            "the file ends " + (left == 0 ? "" : left + " bytes ") + "after " + last + " at byte " + start
            + ", without the END section");
      }
      String tag;
      long length;
      in.resetCrc();
      in.limit(in.size());
      try {
        tag = tag(in.bytes(4, "the section tag"));
        length = in.i64();
      } catch (BinaryInput.Problem p) {
        throw error(CheckpointException.Kind.TRUNCATED, "section at byte " + start, p.getMessage()
            + ": the file was shortened while being read");
      }
      String where = "section " + describe(tag) + " at byte " + start;
      long after = in.size() - in.position() - 4;
      if (length < 0 || length > after) {
        throw error(CheckpointException.Kind.CORRUPT, where, "its length field says "
            + BinaryInput.unsigned(length) + " bytes but only " + after + " bytes remain before its CRC32 slot,"
            + " in a file of the length its header gives: the length is corrupt");
      }
      in.limit(in.position() + length);
      BinaryInput.Problem problem = null;
      try {
        if (parse(tag) && in.remaining() > 0) {
          problem = new BinaryInput.Problem(in.remaining() + " bytes are left over after its content");
        }
      } catch (BinaryInput.Problem p) {
        problem = p;
      }
      try {
        if (problem == null || !problem.endOfFile) {
          in.skip(in.remaining(), "the rest of the section");
        }
      } catch (BinaryInput.Problem p) {
        problem = p;
      }
      if (problem != null && problem.endOfFile) {
        throw error(CheckpointException.Kind.TRUNCATED, where, problem.getMessage()
            + ": the file was shortened while being read");
      }
      long computed = in.crc();
      in.limit(in.size());
      long stored;
      try {
        stored = in.u32();
      } catch (BinaryInput.Problem p) {
        throw error(CheckpointException.Kind.TRUNCATED, where, p.getMessage()
            + ": the file was shortened while being read");
      }
      if (stored != computed) {
        throw error(CheckpointException.Kind.CORRUPT, where, crcMismatch(stored, computed));
      }
      if (problem != null) {
        throw error(CheckpointException.Kind.MALFORMED, where, problem.getMessage());
      }
      if (seen.contains(tag)) {
        throw error(CheckpointException.Kind.MALFORMED, where, "a second " + tag + " section; each appears once");
      }
      seen.add(tag);
      if (tag.equals(END) && tensors == null) {
        throw error(CheckpointException.Kind.MALFORMED, where, "the file has no " + (architecture == null
            ? "ARCH (architecture)" : "PARM (parameters)") + " section");
      }
      return tag;
    }

    /**
     * Parses a payload, bounded by the section's limit, and says whether it did (then the content must fill the
     * payload). Unknown tags (sections of a later minor version) and repeated ones are skipped; their CRC is still
     * checked, and a repeat is an error after that.
     */
    private boolean parse(String tag) throws IOException, BinaryInput.Problem {
      if (!tag.equals(ARCH) && architecture == null) {
        throw new BinaryInput.Problem("it comes before the ARCH section, which must come first");
      }
      if (seen.contains(tag)) {
        return false;
      }
      switch (tag) {
        case ARCH:
          architecture = Architecture.read(in);
          return true;
        case PARM:
          tensors = readParameters();
          return true;
        case BUFS:
          buffers = readBuffers();
          return true;
        case OPTM:
          optimizerState = readOptimizerState();
          return true;
        case TRNR:
          trainerState = StateCodec.readMap(in, "", 0);
          return true;
        case END:
          return true;
        default:
          return false;
      }
    }

    private float[][] readParameters() throws IOException, BinaryInput.Problem {
      List<Architecture.Tensor> expected = architecture.tensors();
      long count = in.u32();
      if (count != expected.size()) {
        throw new BinaryInput.Problem("it holds " + count + " tensors; the ARCH section lists " + expected.size());
      }
      float[][] data = new float[expected.size()][];
      for (int i = 0; i < data.length; i++) {
        Architecture.Tensor t = expected.get(i);
        String name = in.string16("the name of tensor " + (i + 1));
        int dtype = in.u8();
        int[] shape = Architecture.readShape(in, "the shape of tensor " + name);
        if (!name.equals(t.name()) || !Arrays.equals(shape, t.shapeUnsafe())) {
          throw new BinaryInput.Problem("tensor " + (i + 1) + " is " + name + " " + Architecture.shape(shape)
              + " here but " + t + " in the ARCH section");
        }
        if (dtype != DTYPE_F32) {
          throw new BinaryInput.Problem("tensor " + name + " has the unknown data type " + dtype
              + " (1 is float32)");
        }
        in.need(4 * t.size(), "the " + t.size() + " floats of tensor " + name);
        data[i] = new float[(int) t.size()];
        in.floats(data[i], 0, data[i].length, "tensor " + name);
      }
      return data;
    }

    private List<Buffer> readBuffers() throws IOException, BinaryInput.Problem {
      long count = in.u32();
      // Each buffer takes at least 2 + 1 + 4 bytes: a lying count fails here, before anything is allocated.
      in.need(count * 7, count + " buffers");
      List<Buffer> read = new ArrayList<>();
      List<String> names = new ArrayList<>();
      for (long i = 0; i < count; i++) {
        String name = in.string16("the name of buffer " + (i + 1));
        int dtype = in.u8();
        int[] shape = Architecture.readShape(in, "the shape of buffer " + name);
        if (dtype != DTYPE_F32) {
          throw new BinaryInput.Problem("buffer " + name + " has the unknown data type " + dtype
              + " (1 is float32)");
        }
        if (names.contains(name)) {
          throw new BinaryInput.Problem("buffer " + name + " appears twice");
        }
        names.add(name);
        long size = Architecture.elements(shape);
        in.need(4 * size, "the " + size + " floats of buffer " + name);
        float[] values = new float[(int) size];
        in.floats(values, 0, values.length, "buffer " + name);
        read.add(new Buffer(name, shape, values, 0));
      }
      return read;
    }

    private OptimizerState readOptimizerState() throws IOException, BinaryInput.Problem {
      String kind = in.string16("the optimizer kind");
      long bufferCount = in.u32();
      in.need(bufferCount * 10, bufferCount + " optimizer buffers");
      Map<String, float[]> buffers = new LinkedHashMap<>();
      for (long i = 0; i < bufferCount; i++) {
        String name = in.string16("an optimizer buffer name");
        long n = in.i64();
        if (n < 0 || n > Integer.MAX_VALUE - 8) {
          throw new BinaryInput.Problem("optimizer buffer " + name + " has " + n + " elements");
        }
        in.need(4 * n, "the " + n + " floats of optimizer buffer " + name);
        float[] b = new float[(int) n];
        in.floats(b, 0, b.length, "optimizer buffer " + name);
        if (buffers.put(name, b) != null) {
          throw new BinaryInput.Problem("optimizer buffer " + name + " appears twice");
        }
      }
      long scalarCount = in.u32();
      in.need(scalarCount * 10, scalarCount + " optimizer scalars");
      Map<String, Double> scalars = new LinkedHashMap<>();
      for (long i = 0; i < scalarCount; i++) {
        String name = in.string16("an optimizer scalar name");
        if (scalars.put(name, in.f64()) != null) {
          throw new BinaryInput.Problem("optimizer scalar " + name + " appears twice");
        }
      }
      if (kind.equals(OptimizerState.empty().kind()) && buffers.isEmpty() && scalars.isEmpty()) {
        return OptimizerState.empty();
      }
      return new OptimizerState(kind, buffers, scalars);
    }

    private CheckpointException error(CheckpointException.Kind kind, String where, String problem) {
      return new CheckpointException(kind, file, where, problem);
    }
  }

  private static String crcMismatch(long stored, long computed) {
    return String.format(Locale.ROOT, "CRC32 mismatch (stored %08x, computed %08x): the file is corrupt", stored,
        computed);
  }

  private static String tag(byte[] b) {
    StringBuilder sb = new StringBuilder();
    for (byte c : b) {
      if (c < 0x20 || c > 0x7E) {
        return printable(b);
      }
      sb.append((char) c);
    }
    return sb.toString();
  }

  private static String printable(byte[] b) {
    StringBuilder sb = new StringBuilder("0x");
    for (byte c : b) {
      sb.append(String.format(Locale.ROOT, "%02x", c & 0xFF));
    }
    return sb.toString();
  }

  private static String describe(String tag) {
    switch (tag) {
      case ARCH:
        return "ARCH (architecture)";
      case PARM:
        return "PARM (parameters)";
      case BUFS:
        return "BUFS (buffers)";
      case OPTM:
        return "OPTM (optimizer state)";
      case TRNR:
        return "TRNR (trainer state)";
      case END:
        return "END";
      default:
        return "'" + tag + "' (unknown)";
    }
  }

  // ---- using ----

  /**
   * Copies the parameters into {@code model.parameters().values()} and the buffers into
   * {@code model.buffers().values()}, after checking that its architecture is the checkpoint's and that it has the
   * same buffers (names and shapes, in order). Gradients, the random stream ({@link Model#randomState()}), the
   * optimizer and the trainer are left alone.
   *
   * @throws IllegalArgumentException naming the first layer, tensor or buffer that differs, with both shapes (or
   *     both names, kinds or inputs), before anything is copied; also when the model has buffers and the checkpoint
   *     none (a version 1.0 file), or the other way round
   */
  public void restoreInto(Model model) {
    String difference = architecture.differenceFrom(Architecture.of(model));
    if (difference == null) {
      difference = bufferDifference(model.buffers().tensors());
    }
    if (difference != null) {
      throw new IllegalArgumentException(this.describe() + " does not fit model " + model.name() + ": "
          + difference);
    }
    float[] values = model.parameters().values();
    List<Architecture.Tensor> tensors = architecture.tensors();
    for (int i = 0; i < tensors.size(); i++) {
      Architecture.Tensor t = tensors.get(i);
      System.arraycopy(arrays[i], offsets[i], values, (int) t.offset(), (int) t.size());
    }
    float[] state = model.buffers().values();
    List<ParameterTensor> targets = model.buffers().tensors();
    for (int i = 0; i < buffers.size(); i++) {
      Buffer b = buffers.get(i);
      System.arraycopy(b.array, b.offset, state, targets.get(i).offset(), b.size);
    }
  }

  /** The first difference between the checkpoint's buffers and {@code model}'s, or {@code null}. */
  private @Nullable String bufferDifference(List<ParameterTensor> model) {
    if (buffers.isEmpty() && !model.isEmpty()) {
      ParameterTensor t = model.get(0);
      return "the model has buffers, starting with " + t.name() + " of shape " + Architecture.shape(t.shape())
          + ", but the checkpoint has none (no BUFS section" + (minor == 0 && major == 1 ? ": format version 1.0"
          : "") + ")";
    }
    int n = Math.max(buffers.size(), model.size());
    for (int i = 0; i < n; i++) {
      Buffer a = i < buffers.size() ? buffers.get(i) : null;
      ParameterTensor b = i < model.size() ? model.get(i) : null;
      if (a == null) {
        return "the model has a buffer " + b.name() + " of shape " + Architecture.shape(b.shape())
            + " that the checkpoint lacks";
      }
      if (b == null) {
        return "the checkpoint has a buffer " + a.name + " of shape " + Architecture.shape(a.shape)
            + " that the model lacks";
      }
      if (!a.name.equals(b.name())) {
        return "buffer " + (i + 1) + " is " + a.name + " of shape " + Architecture.shape(a.shape)
            + " in the checkpoint and " + b.name() + " of shape " + Architecture.shape(b.shape()) + " in the model";
      }
      if (!Arrays.equals(a.shape, b.shape())) {
        return "buffer " + a.name + " has shape " + Architecture.shape(a.shape) + " in the checkpoint and "
            + Architecture.shape(b.shape()) + " in the model";
      }
    }
    return null;
  }

  /** The architecture the checkpoint was saved from. */
  public Architecture architecture() {
    return architecture;
  }

  /**
   * A copy of the values of parameter tensor or buffer {@code name} (row-major, PyTorch's layout), e.g.
   * {@code hidden.weight} or {@code bn1.running_mean}.
   */
  public float[] tensor(String name) {
    List<Architecture.Tensor> tensors = architecture.tensors();
    for (int i = 0; i < tensors.size(); i++) {
      if (tensors.get(i).name().equals(name)) {
        return Arrays.copyOfRange(arrays[i], offsets[i], offsets[i] + (int) tensors.get(i).size());
      }
    }
    for (Buffer b : buffers) {
      if (b.name.equals(name)) {
        return b.copy().array;
      }
    }
    throw new IllegalArgumentException(describe() + " has no tensor or buffer '" + name + "'; it has "
        + architecture.tensors() + (buffers.isEmpty() ? "" : " and buffers " + buffers));
  }

  /** The names of the buffers saved (e.g. {@code bn1.running_mean}), in the model's order; empty if none. */
  public List<String> bufferNames() {
    List<String> names = new ArrayList<>();
    for (Buffer b : buffers) {
      names.add(b.name);
    }
    return Collections.unmodifiableList(names);
  }

  /** The shape of buffer {@code name}. */
  public int[] bufferShape(String name) {
    for (Buffer b : buffers) {
      if (b.name.equals(name)) {
        return b.shape.clone();
      }
    }
    throw new IllegalArgumentException(describe() + " has no buffer '" + name + "'; it has "
        + (buffers.isEmpty() ? "none" : buffers.toString()));
  }

  public boolean hasOptimizerState() {
    return optimizerState != null;
  }

  /**
   * The optimizer state saved with the parameters, for {@link io.nabla.runtime.optim.Optimizer#restore}, or
   * {@code null} if none was saved. A stateless optimizer's state reads back as {@link OptimizerState#empty()}.
   */
  public @Nullable OptimizerState optimizerState() {
    return optimizerState;
  }

  /** The trainer state, in the order saved (empty if none was saved); unmodifiable, nested maps too. */
  public Map<String, Object> trainerState() {
    return trainerState == null ? Collections.<String, Object>emptyMap() : trainerState;
  }

  /** The file this checkpoint was read from, or {@code null} for one {@link #capture captured} in memory. */
  public @Nullable File source() {
    return source;
  }

  /** The format version of the file read (e.g. {@code "1.0"}), or the one this class writes for a capture. */
  public String formatVersion() {
    return major + "." + minor;
  }

  private String describe() {
    return "checkpoint " + (source == null ? "" : source + " ") + "(model " + architecture.modelName() + ")";
  }

  @Override
  public String toString() {
    return describe() + ": " + architecture.tensors().size() + " tensors, " + architecture.parameterCount()
        + " parameters" + (buffers.isEmpty() ? "" : ", buffers " + buffers)
        + (optimizerState == null ? "" : ", " + optimizerState.kind() + " optimizer state")
        + (trainerState == null || trainerState.isEmpty() ? "" : ", trainer state " + trainerState.keySet());
  }
}
