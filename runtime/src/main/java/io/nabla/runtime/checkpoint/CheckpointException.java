package io.nabla.runtime.checkpoint;

import java.io.File;
import java.io.IOException;
import org.jspecify.annotations.Nullable;

/**
 * A checkpoint or safetensors file that cannot be read: not of the format, of an unsupported version or data
 * type, truncated, corrupt (a CRC32 that does not match) or malformed. The message names the file, the section
 * (or the safetensors header or tensor) and what is wrong; {@link #kind()} tells the cases apart. Nothing is
 * returned from a file that fails to read, so a caller never sees partly read or corrupt weights.
 *
 * <p>I/O errors that have nothing to do with the content (a missing file, no permission) are plain
 * {@link IOException}s such as {@link java.io.FileNotFoundException}.
 */
public class CheckpointException extends IOException {
  private static final long serialVersionUID = 1L;

  /** What is wrong with the file. */
  public enum Kind {
    /** The file does not start with the format's magic bytes (or, for safetensors, a plausible header). */
    NOT_A_CHECKPOINT,
    /** A format version, or a safetensors data type, that this version of Nabla does not read. */
    UNSUPPORTED,
    /** The file ends before the data its headers announce. */
    TRUNCATED,
    /** A CRC32 does not match: bytes changed after the file was written. */
    CORRUPT,
    /** The checksums match but the content is inconsistent (a writer's bug or a hand-made file). */
    MALFORMED
  }

  private final Kind kind;
  private final File file;
  private final String section;

  /** An exception about {@code section} of {@code file}; the message is {@code "<file>: <section>: <problem>"}. */
  public CheckpointException(Kind kind, File file, String section, String problem) {
    this(kind, file, section, problem, null);
  }

  /** As {@link #CheckpointException(Kind, File, String, String)}, caused by {@code cause} (or {@code null}). */
  public CheckpointException(Kind kind, File file, String section, String problem,
      @Nullable Throwable cause) {
    super(file + ": " + section + ": " + problem, cause);
    if (kind == null) {
      throw new NullPointerException("kind");
    }
    this.kind = kind;
    this.file = file;
    this.section = section;
  }

  public Kind kind() {
    return kind;
  }

  /** The file, as given to the reader. */
  public File file() {
    return file;
  }

  /**
   * Where in the file: {@code "header"}, a section such as {@code "section PARM (parameters) at byte 84"}, or for
   * safetensors {@code "header"} or {@code "tensor 'hidden.weight'"}.
   */
  public String section() {
    return section;
  }
}
