package io.nabla.runtime.data;

import org.jspecify.annotations.Nullable;

/**
 * A data file is missing, unreadable or malformed. The message names the file (as given) and what is wrong, with
 * the line and column or byte offset where that applies; {@link #kind()} tells the cases apart, so that a command
 * line can, for example, suggest installing a missing data set.
 */
public class DataException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** What went wrong. */
  public enum Kind {
    /** The file does not exist. */
    MISSING_FILE,
    /** The file ends before the data its header (or format) promises. */
    TRUNCATED,
    /** The content is not in the expected format (bad magic, wrong field count, non-numeric value, ...). */
    BAD_FORMAT,
    /** Two files, or a file and its header, disagree (e.g. image and label counts, extra bytes). */
    MISMATCH,
    /** The file exists but could not be read (permissions, I/O error, a directory). */
    IO_ERROR
  }

  private final Kind kind;
  private final String source;

  /** An exception of {@code kind} about {@code source}; {@code message} is the whole message. */
  public DataException(Kind kind, String source, String message) {
    this(kind, source, message, null);
  }

  /** An exception of {@code kind} about {@code source}, caused by {@code cause} (or {@code null}). */
  public DataException(Kind kind, String source, String message, @Nullable Throwable cause) {
    super(message, cause);
    if (kind == null) {
      throw new NullPointerException("kind");
    }
    this.kind = kind;
    this.source = source;
  }

  /** {@code "<source> not found"}. */
  static DataException missing(String source) {
    return new DataException(Kind.MISSING_FILE, source, source + " not found");
  }

  /** {@code "<source>: <problem>"}. */
  static DataException of(Kind kind, String source, String problem) {
    return new DataException(kind, source, source + ": " + problem);
  }

  /** What went wrong. */
  public Kind kind() {
    return kind;
  }

  /** The file (path as given) or stream name the problem is in; for a mismatch between two files, the first. */
  public String source() {
    return source;
  }

  /** Whether the file does not exist: the case where a caller may suggest how to get it. */
  public boolean isMissingFile() {
    return kind == Kind.MISSING_FILE;
  }
}
