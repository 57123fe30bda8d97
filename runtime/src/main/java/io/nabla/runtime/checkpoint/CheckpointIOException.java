package io.nabla.runtime.checkpoint;

import java.io.File;
import java.io.IOException;

/**
 * A checkpoint could not be written or read where no checked exception can be thrown: the
 * {@link io.nabla.runtime.train.Trainer} saving one between epochs or resuming from one. The message names the
 * file and says what failed; {@link #getCause()} is the {@link IOException} (a {@link CheckpointException} for a
 * file that is not a valid checkpoint) and {@link #file()} the file. Plays the part of
 * {@code java.io.UncheckedIOException}, which Android gained only in API 24.
 */
public class CheckpointIOException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final File file;

  /** An exception about {@code file}; {@code message} is the whole message and should name the file. */
  public CheckpointIOException(File file, String message, IOException cause) {
    super(message, cause);
    if (cause == null) {
      throw new NullPointerException("cause");
    }
    this.file = file;
  }

  /** The checkpoint file, as given to the trainer. */
  public File file() {
    return file;
  }

  /** The I/O error (never {@code null}). */
  @Override
  public synchronized IOException getCause() {
    return (IOException) super.getCause();
  }
}
