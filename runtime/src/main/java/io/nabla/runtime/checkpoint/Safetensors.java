package io.nabla.runtime.checkpoint;

import io.nabla.runtime.Model;
import io.nabla.runtime.ParameterTensor;
import java.io.File;
import java.io.FileInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A model's parameters and buffers in the <a href="https://github.com/huggingface/safetensors">safetensors</a>
 * format, with PyTorch's names and layouts, to move weights to and from PyTorch (and anything else that reads it):
 *
 * <pre>{@code
 * Safetensors.save(new File("mlp.safetensors"), model);      // torch: model.load_state_dict(load_file(...))
 * Safetensors.load(new File("from-torch.safetensors"), model); // torch: save_file(model.state_dict(), ...)
 * }</pre>
 *
 * <p>The file is an 8-byte little-endian header length {@code N}, {@code N} bytes of JSON mapping each tensor's
 * name ({@code hidden.weight}, {@code hidden.bias}, as {@code nn.Linear}'s {@code state_dict}) to its
 * {@code dtype}, {@code shape} and {@code data_offsets} into the data that follows (and an optional
 * {@code "__metadata__"} map of strings), then the tensors' bytes, row-major, little-endian. A weight is
 * {@code (out, in)}, as PyTorch stores it. Nabla writes and reads {@code F32} only.
 *
 * <p>Buffers ({@link Model#buffers()}: a batch norm's {@code bn.running_mean} and {@code bn.running_var}) are
 * written after the parameters under their names, as in a PyTorch {@code state_dict}. PyTorch's batch norms also
 * hold {@code num_batches_tracked}, an int64 count of training batches that Nabla does not keep: it is left out on
 * export (PyTorch's {@code load_state_dict}, strict too, then sets it to 0; it matters only for
 * {@code momentum=None}) and ignored on import, whatever its dtype.
 *
 * <p>Reading validates the file as the reference implementation does (header size, JSON, offsets that tile the
 * data exactly, sizes that match shapes) and throws a {@link CheckpointException} naming the file and the header
 * or tensor at fault; a tensor of another dtype is {@link CheckpointException.Kind#UNSUPPORTED}. Restoring into a
 * model checks names and shapes, naming the first mismatching tensor, before copying anything. Unlike a
 * {@link Checkpoint}, a safetensors file has no checksum and no optimizer or trainer state. Saving is atomic, as
 * for checkpoints.
 */
public final class Safetensors {
  /** The only dtype Nabla reads and writes. */
  public static final String F32 = "F32";

  /** The reference implementation's limit on the header, which readers enforce too. */
  static final long MAX_HEADER = 100_000_000L;

  private static final String METADATA = "__metadata__";
  /** PyTorch's batch-norm step counter, which Nabla has no use for. */
  private static final String NUM_BATCHES_TRACKED = "num_batches_tracked";

  private final File source;
  private final Map<String, String> metadata;
  /** In file order (by data offset). */
  private final Map<String, int[]> shapes;
  private final Map<String, float[]> data;

  private Safetensors(File source, Map<String, String> metadata, Map<String, int[]> shapes,
      Map<String, float[]> data) {
    this.source = source;
    this.metadata = Collections.unmodifiableMap(metadata);
    this.shapes = shapes;
    this.data = data;
  }

  // ---- writing ----

  /**
   * Saves {@code model}'s parameters and buffers to {@code file} with the metadata {@code {"format": "pt"}}, which
   * Hugging Face's loaders look for in PyTorch checkpoints.
   */
  public static void save(File file, Model model) throws IOException {
    save(file, model, Collections.singletonMap("format", "pt"));
  }

  /**
   * Saves {@code model}'s parameters, then its buffers, to {@code file}, atomically, each in the model's order,
   * with {@code metadata} as {@code "__metadata__"} ({@code null}: none).
   */
  public static void save(File file, Model model, @Nullable Map<String, String> metadata) throws IOException {
    final List<ParameterTensor> tensors = new ArrayList<>(model.parameters().tensors());
    tensors.addAll(model.buffers().tensors());
    final int parameterTensors = model.parameters().tensors().size();
    final float[] values = model.parameters().values();
    final float[] buffers = model.buffers().values();
    StringBuilder json = new StringBuilder("{");
    if (metadata != null) {
      Json.string(json, METADATA).append(":{");
      boolean first = true;
      for (Map.Entry<String, String> e : metadata.entrySet()) {
        if (e.getKey() == null || e.getValue() == null) {
          throw new IllegalArgumentException("safetensors metadata must map strings to strings, got "
              + e.getKey() + " = " + e.getValue());
        }
        if (e.getKey().equals(METADATA)) {
          throw new IllegalArgumentException("a metadata key cannot be " + METADATA);
        }
        Json.string(json.append(first ? "" : ","), e.getKey()).append(':');
        Json.string(json, e.getValue());
        first = false;
      }
      json.append('}');
    }
    long offset = 0;
    for (ParameterTensor t : tensors) {
      Json.string(json.append(json.length() == 1 ? "" : ","), t.name()).append(":{\"dtype\":\"F32\",\"shape\":[");
      int[] shape = t.shape();
      for (int i = 0; i < shape.length; i++) {
        json.append(i == 0 ? "" : ",").append(shape[i]);
      }
      long end = offset + 4L * t.size();
      json.append("],\"data_offsets\":[").append(offset).append(',').append(end).append("]}");
      offset = end;
    }
    json.append('}');
    // Pad with spaces to a multiple of 8 bytes, as the reference writer does, so the data starts aligned.
    byte[] header = json.toString().getBytes(StandardCharsets.UTF_8);
    final byte[] padded = Arrays.copyOf(header, (header.length + 7) / 8 * 8);
    Arrays.fill(padded, header.length, padded.length, (byte) ' ');
    AtomicFiles.write(file, stream -> {
      BinaryOutput out = new BinaryOutput(stream);
      out.i64(padded.length);
      out.bytes(padded);
      for (int i = 0; i < tensors.size(); i++) {
        ParameterTensor t = tensors.get(i);
        out.floats(i < parameterTensors ? values : buffers, t.offset(), t.size());
      }
      out.drain();
    });
  }

  // ---- reading ----

  /** Reads {@code file} and copies its tensors into {@code model}, as {@link #read} then {@link #restoreInto}. */
  public static void load(File file, Model model) throws IOException {
    read(file).restoreInto(model);
  }

  /**
   * Reads a safetensors file whose tensors are all {@code F32}, except PyTorch's {@code num_batches_tracked},
   * which is checked for its place in the data like any tensor, then skipped.
   *
   * @throws CheckpointException naming the file and the header or tensor, if the file is not safetensors, is
   *     truncated or inconsistent, or holds a tensor of another dtype
   */
  public static Safetensors read(File file) throws IOException {
    try (FileInputStream stream = new FileInputStream(file)) {
      long size = stream.getChannel().size();
      BinaryInput in = new BinaryInput(stream, size);
      return read(file, in, size);
    }
  }

  private static final class Entry {
    final String name;
    final String dtype;
    /** Bytes per element. */
    final int width;
    final int[] shape;
    final long begin;
    final long end;

    Entry(String name, String dtype, int width, int[] shape, long begin, long end) {
      this.name = name;
      this.dtype = dtype;
      this.width = width;
      this.shape = shape;
      this.begin = begin;
      this.end = end;
    }

    /** Read for its place in the data, then dropped. */
    boolean ignored() {
      return isNumBatchesTracked(name);
    }
  }

  /** PyTorch's {@code <layer>.num_batches_tracked} (or the bare name, for a batch norm saved alone). */
  static boolean isNumBatchesTracked(String name) {
    return name.equals(NUM_BATCHES_TRACKED) || name.endsWith("." + NUM_BATCHES_TRACKED);
  }

  /** Bytes per element of the safetensors dtypes (as the reference's {@code Dtype::size}), or 0 if unknown. */
  static int dtypeWidth(String dtype) {
    switch (dtype) {
      case "BOOL":
      case "U8":
      case "I8":
      case "F8_E5M2":
      case "F8_E4M3":
        return 1;
      case "I16":
      case "U16":
      case "F16":
      case "BF16":
        return 2;
      case "I32":
      case "U32":
      case "F32":
        return 4;
      case "I64":
      case "U64":
      case "F64":
        return 8;
      default:
        return 0;
    }
  }

  private static Safetensors read(File file, BinaryInput in, long size) throws IOException {
    String header = "header";
    if (size < 8) {
      throw new CheckpointException(CheckpointException.Kind.TRUNCATED, file, header, "the file is " + size
          + " bytes long, shorter than the 8-byte header length: truncated, or not a safetensors file");
    }
    String text;
    try {
      long n = in.i64();
      if (n < 0 || n > MAX_HEADER) {
        throw new CheckpointException(CheckpointException.Kind.NOT_A_CHECKPOINT, file, header,
            "the header length " + BinaryInput.unsigned(n) + " exceeds safetensors' limit of " + MAX_HEADER
                + " bytes: not a safetensors file");
      }
      if (n > size - 8) {
        throw new CheckpointException(CheckpointException.Kind.TRUNCATED, file, header, "the header is " + n
            + " bytes long but only " + (size - 8) + " bytes follow its length: the file is truncated");
      }
      byte[] bytes = in.bytes((int) n, "the header");
      if (n == 0 || bytes[0] != '{') {
        throw new CheckpointException(CheckpointException.Kind.NOT_A_CHECKPOINT, file, header,
            "the header does not start with '{': not a safetensors file");
      }
      text = BinaryInput.utf8(bytes, "the header");
    } catch (BinaryInput.Problem p) {
      throw new CheckpointException(CheckpointException.Kind.MALFORMED, file, header, p.getMessage());
    }
    Object parsed;
    try {
      parsed = Json.parse(text);
    } catch (Json.Problem p) {
      throw new CheckpointException(CheckpointException.Kind.MALFORMED, file, header,
          "invalid JSON: " + p.getMessage());
    }
    if (!(parsed instanceof Map)) {
      throw new CheckpointException(CheckpointException.Kind.MALFORMED, file, header,
          "the header is not a JSON object");
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> top = (Map<String, Object>) parsed;
    Map<String, String> metadata = new LinkedHashMap<>();
    List<Entry> entries = new ArrayList<>();
    for (Map.Entry<String, Object> e : top.entrySet()) {
      if (e.getKey().equals(METADATA)) {
        readMetadata(file, e.getValue(), metadata);
      } else {
        entries.add(entry(file, e.getKey(), e.getValue()));
      }
    }
    // As the reference reader: sorted by offsets, the tensors must tile the data from 0 without gaps.
    Collections.sort(entries, new Comparator<Entry>() {
      @Override
      public int compare(Entry a, Entry b) {
        return a.begin != b.begin ? Long.compare(a.begin, b.begin) : Long.compare(a.end, b.end);
      }
    });
    long dataSize = size - in.position();
    long expected = 0;
    for (Entry entry : entries) {
      String where = "tensor '" + entry.name + "'";
      if (entry.begin != expected || entry.end < entry.begin) {
        throw new CheckpointException(CheckpointException.Kind.MALFORMED, file, where, "its data_offsets ["
            + entry.begin + ", " + entry.end + "] do not start where the previous tensor ends (" + expected
            + "): the tensors must tile the data without gaps or overlaps");
      }
      long bytes = entry.width * Architecture.elements(entry.shape);
      if (entry.end - entry.begin != bytes) {
        throw new CheckpointException(CheckpointException.Kind.MALFORMED, file, where, "its data_offsets ["
            + entry.begin + ", " + entry.end + "] span " + (entry.end - entry.begin) + " bytes but shape "
            + Architecture.shape(entry.shape) + " of " + entry.dtype + " takes " + bytes);
      }
      if (entry.end > dataSize) {
        throw new CheckpointException(CheckpointException.Kind.TRUNCATED, file, where, "its data ends at byte "
            + entry.end + " of the data, but the file holds only " + dataSize + " data bytes: it is truncated");
      }
      expected = entry.end;
    }
    if (expected != dataSize) {
      throw new CheckpointException(CheckpointException.Kind.MALFORMED, file, header, (dataSize - expected)
          + " bytes follow the last tensor's data: the header does not cover the whole file");
    }
    Map<String, int[]> shapes = new LinkedHashMap<>();
    Map<String, float[]> data = new LinkedHashMap<>();
    for (Entry entry : entries) {
      try {
        if (entry.ignored()) {
          in.skip(entry.end - entry.begin, "the data of tensor '" + entry.name + "'");
          continue;
        }
        float[] values = new float[(int) Architecture.elements(entry.shape)];
        in.floats(values, 0, values.length, "the data of tensor '" + entry.name + "'");
        shapes.put(entry.name, entry.shape);
        data.put(entry.name, values);
      } catch (BinaryInput.Problem p) {
        throw new CheckpointException(CheckpointException.Kind.TRUNCATED, file, "tensor '" + entry.name + "'",
            p.getMessage() + ": the file was shortened while being read");
      }
    }
    return new Safetensors(file, metadata, shapes, data);
  }

  private static void readMetadata(File file, Object value, Map<String, String> metadata)
      throws CheckpointException {
    if (!(value instanceof Map)) {
      throw new CheckpointException(CheckpointException.Kind.MALFORMED, file, "header",
          "\"__metadata__\" is not a JSON object");
    }
    for (Map.Entry<?, ?> m : ((Map<?, ?>) value).entrySet()) {
      if (!(m.getValue() instanceof String)) {
        throw new CheckpointException(CheckpointException.Kind.MALFORMED, file, "header",
            "\"__metadata__\" maps \"" + m.getKey() + "\" to " + m.getValue() + ", not a string");
      }
      metadata.put((String) m.getKey(), (String) m.getValue());
    }
  }

  private static Entry entry(File file, String name, Object value) throws CheckpointException {
    String where = "tensor '" + name + "'";
    if (!(value instanceof Map)) {
      throw new CheckpointException(CheckpointException.Kind.MALFORMED, file, where,
          "its header entry is not a JSON object");
    }
    Map<?, ?> info = (Map<?, ?>) value;
    Object dtype = info.get("dtype");
    if (!(dtype instanceof String)) {
      throw new CheckpointException(CheckpointException.Kind.MALFORMED, file, where,
          "its header entry has no \"dtype\" string");
    }
    int width = dtypeWidth((String) dtype);
    // num_batches_tracked is I64 in PyTorch (F32 after the conversion below): skipped, so any known dtype will do.
    if (!dtype.equals(F32) && !(isNumBatchesTracked(name) && width > 0)) {
      throw new CheckpointException(CheckpointException.Kind.UNSUPPORTED, file, where, "its dtype is " + dtype
          + "; Nabla reads F32 (float32) tensors only: convert before saving, e.g. in PyTorch"
          + " save_file({k: v.float() for k, v in model.state_dict().items()}, path)");
    }
    long[] shape = integers(file, where, info.get("shape"), "shape", -1);
    long[] offsets = integers(file, where, info.get("data_offsets"), "data_offsets", 2);
    int[] dims = new int[shape.length];
    for (int i = 0; i < shape.length; i++) {
      if (shape[i] > Integer.MAX_VALUE) {
        throw new CheckpointException(CheckpointException.Kind.MALFORMED, file, where,
            "its shape has a dimension of " + shape[i]);
      }
      dims[i] = (int) shape[i];
    }
    if (Architecture.elements(dims) > Integer.MAX_VALUE - 8) {
      throw new CheckpointException(CheckpointException.Kind.MALFORMED, file, where, "its shape "
          + Architecture.shape(dims) + " has more elements than a Java array holds");
    }
    return new Entry(name, (String) dtype, width, dims, offsets[0], offsets[1]);
  }

  /** A JSON array of non-negative integers ({@code length} of them, or any number if negative). */
  private static long[] integers(File file, String where, @Nullable Object value, String field, int length)
      throws CheckpointException {
    if (!(value instanceof List) || (length >= 0 && ((List<?>) value).size() != length)) {
      throw new CheckpointException(CheckpointException.Kind.MALFORMED, file, where, "its \"" + field
          + "\" is " + (value == null ? "missing" : value) + ", not an array of "
          + (length >= 0 ? length + " " : "") + "non-negative integers");
    }
    List<?> list = (List<?>) value;
    long[] out = new long[list.size()];
    for (int i = 0; i < out.length; i++) {
      Object v = list.get(i);
      if (!(v instanceof Long) || (Long) v < 0) {
        throw new CheckpointException(CheckpointException.Kind.MALFORMED, file, where, "its \"" + field
            + "\" holds " + v + ", not a non-negative integer");
      }
      out[i] = (Long) v;
    }
    return out;
  }

  // ---- using ----

  /**
   * Copies every tensor into {@code model.parameters().values()} and {@code model.buffers().values()}, after
   * checking that the file and the model have the same tensor names and shapes. A file with none of the model's
   * buffers (parameters only, e.g. saved from {@code model.named_parameters()} or by a Nabla without buffers)
   * loads the parameters and leaves the buffers as they are; a file with some of them must have all.
   *
   * @throws IllegalArgumentException naming the first model tensor or buffer missing from the file or of another
   *     shape (with both shapes), or a tensor of the file that the model lacks, before anything is copied
   */
  public void restoreInto(Model model) {
    List<ParameterTensor> parameters = model.parameters().tensors();
    List<ParameterTensor> buffers = model.buffers().tensors();
    boolean anyBuffer = false;
    for (ParameterTensor t : buffers) {
      anyBuffer |= shapes.containsKey(t.name());
    }
    List<ParameterTensor> tensors = new ArrayList<>(parameters);
    if (anyBuffer) {
      tensors.addAll(buffers);
    }
    for (ParameterTensor t : tensors) {
      int[] shape = shapes.get(t.name());
      if (shape == null) {
        boolean buffer = buffers.contains(t);
        throw new IllegalArgumentException(source + " has no tensor " + t.name() + " " + Architecture.shape(
            t.shape()) + " of model " + model.name() + "; its tensors are " + describeTensors()
            + (buffer ? " (it has other buffers of the model: all or none must be there)" : ""));
      }
      if (!Arrays.equals(shape, t.shape())) {
        throw new IllegalArgumentException("tensor " + t.name() + " has shape " + Architecture.shape(shape)
            + " in " + source + " and " + Architecture.shape(t.shape()) + " in model " + model.name());
      }
    }
    for (String name : shapes.keySet()) {
      boolean known = false;
      for (ParameterTensor t : tensors) {
        known |= t.name().equals(name);
      }
      if (!known) {
        throw new IllegalArgumentException(source + " has a tensor " + name + " "
            + Architecture.shape(shapes.get(name)) + " that model " + model.name() + " lacks; its tensors are "
            + tensors);
      }
    }
    float[] values = model.parameters().values();
    for (ParameterTensor t : parameters) {
      System.arraycopy(data.get(t.name()), 0, values, t.offset(), t.size());
    }
    if (anyBuffer) {
      float[] state = model.buffers().values();
      for (ParameterTensor t : buffers) {
        System.arraycopy(data.get(t.name()), 0, state, t.offset(), t.size());
      }
    }
  }

  /** The tensor names, in the order of their data in the file ({@code num_batches_tracked} left out). */
  public List<String> names() {
    return Collections.unmodifiableList(new ArrayList<>(shapes.keySet()));
  }

  /** The shape of tensor {@code name}. */
  public int[] shape(String name) {
    return check(shapes.get(name), name).clone();
  }

  /** A copy of tensor {@code name}'s values, row-major. */
  public float[] tensor(String name) {
    return check(data.get(name), name).clone();
  }

  /** The {@code "__metadata__"} map, empty if the file has none. */
  public Map<String, String> metadata() {
    return metadata;
  }

  /** The file read. */
  public File source() {
    return source;
  }

  private <T> T check(@Nullable T value, String name) {
    if (value == null) {
      throw new IllegalArgumentException(source + " has no tensor '" + name + "'; its tensors are "
          + describeTensors());
    }
    return value;
  }

  private String describeTensors() {
    List<String> list = new ArrayList<>();
    for (Map.Entry<String, int[]> e : shapes.entrySet()) {
      list.add(e.getKey() + " " + Architecture.shape(e.getValue()));
    }
    return list.toString();
  }

  @Override
  public String toString() {
    return "safetensors " + source + ": " + describeTensors();
  }
}
