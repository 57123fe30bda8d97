package io.nabla.runtime.checkpoint;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.Random;

/**
 * Writes a file so that a crash at any moment leaves either the old file or the new one at the target path, never
 * a mix: the bytes go to a temporary file in the same folder, named {@code .<name>.<digits>.tmp}, which is
 * flushed and forced to the device ({@link FileChannel#force(boolean)}), then renamed over the target with
 * {@link StandardCopyOption#ATOMIC_MOVE}. Where the file system cannot rename atomically, the rename falls back to
 * {@link StandardCopyOption#REPLACE_EXISTING}, which on such file systems may briefly leave no file at the target.
 * The folder is then forced too where the platform allows it (Linux; on Windows it is skipped), so that the
 * rename itself survives a power cut.
 *
 * <p>A crash mid-write leaves its temporary file behind. Readers never look at those; the next successful write
 * of the same target deletes them. Two processes writing the same target at once are not supported: the last
 * rename wins, and one may delete the other's temporary file, which then fails with an exception (the target
 * still holds a complete file).
 */
final class AtomicFiles {
  private static final Random RANDOM = new SecureRandom();

  /** What to write. */
  interface Body {
    void writeTo(OutputStream out) throws IOException;
  }

  private AtomicFiles() {}

  static void write(Path target, Body body) throws IOException {
    Path absolute = target.toAbsolutePath();
    Path dir = absolute.getParent();
    String name = absolute.getFileName().toString();
    Path temp = createTemp(dir, name);
    boolean moved = false;
    try {
      try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
        OutputStream out = Channels.newOutputStream(channel);
        body.writeTo(out);
        out.flush();
        channel.force(true);
      }
      try {
        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
      }
      moved = true;
    } finally {
      if (!moved) {
        try {
          Files.deleteIfExists(temp);
        } catch (IOException e) {
          // The write already failed; that exception is the one to report.
        }
      }
    }
    forceDirectory(dir);
    deleteStaleTemps(dir, name);
  }

  /** Whether {@code file} is named like a temporary file of a write to {@code name}. */
  static boolean isTempOf(String file, String name) {
    String prefix = "." + name + ".";
    if (!file.startsWith(prefix) || !file.endsWith(".tmp") || file.length() <= prefix.length() + 4) {
      return false;
    }
    for (int i = prefix.length(); i < file.length() - 4; i++) {
      if (file.charAt(i) < '0' || file.charAt(i) > '9') {
        return false;
      }
    }
    return true;
  }

  private static Path createTemp(Path dir, String name) throws IOException {
    for (int attempt = 0; ; attempt++) {
      Path temp = dir.resolve("." + name + "." + (RANDOM.nextLong() & Long.MAX_VALUE) + ".tmp");
      try {
        // Default permissions (as for any new file), unlike Files.createTempFile's owner-only ones.
        return Files.createFile(temp);
      } catch (FileAlreadyExistsException e) {
        if (attempt > 10) {
          throw e;
        }
      }
    }
  }

  private static void forceDirectory(Path dir) {
    try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
      channel.force(true);
    } catch (IOException | RuntimeException e) {
      // Not every platform can open or force a directory (Windows cannot); the rename is done either way.
    }
  }

  private static void deleteStaleTemps(Path dir, String name) {
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
      for (Path file : files) {
        if (isTempOf(file.getFileName().toString(), name)) {
          try {
            Files.deleteIfExists(file);
          } catch (IOException e) {
            // Left for the next write.
          }
        }
      }
    } catch (IOException | RuntimeException e) {
      // Cleaning up is a courtesy; the write succeeded.
    }
  }
}
