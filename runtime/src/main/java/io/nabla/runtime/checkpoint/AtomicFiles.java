package io.nabla.runtime.checkpoint;

import java.io.File;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.security.SecureRandom;
import java.util.Random;

/**
 * Writes a file so that a crash at any moment leaves either the old file or the new one at the target path, never
 * a mix: the bytes go to a temporary file in the same folder, named {@code .<name>.<digits>.tmp}, which is
 * flushed and forced to the device ({@link FileChannel#force(boolean)}), then renamed over the target with
 * {@link File#renameTo(File)}. Only {@code java.io} and {@code java.nio.channels} are used, so this runs on
 * Android (API 21) as on Java 8.
 *
 * <p>On Linux, macOS, Android and other POSIX systems the rename replaces the target atomically (both files are
 * in the same folder, hence on the same file system). On Windows {@code renameTo} fails when the target exists;
 * there, as a last resort, the target is deleted and the rename retried: a reader may briefly find no file, and a
 * crash between the two leaves no file at the target, only the complete new one under its temporary name (rename
 * it by hand; the next successful write of the target deletes it).
 *
 * <p>The folder itself is not forced ({@code java.io} cannot open a folder): a power cut shortly after a write may
 * leave the previous file at the target instead of the new one, never a mix of both.
 *
 * <p>A crash mid-write leaves its temporary file behind. Readers never look at those; the next successful write
 * of the same target deletes them. Two processes writing the same target at once are not supported: the last
 * rename wins, and one may delete the other's temporary file, which then fails with an exception (the target
 * still holds a complete file).
 */
final class AtomicFiles {
  private static final Random RANDOM = new SecureRandom();
  /** Windows, where renameTo does not replace an existing file (the only platform with backslash separators). */
  private static final boolean WINDOWS = File.separatorChar == '\\';

  /** What to write. */
  interface Body {
    void writeTo(OutputStream out) throws IOException;
  }

  private AtomicFiles() {}

  static void write(File target, Body body) throws IOException {
    File absolute = target.getAbsoluteFile();
    File dir = absolute.getParentFile();
    String name = absolute.getName();
    File temp = createTemp(dir, name);
    boolean moved = false;
    try {
      try (FileOutputStream stream = new FileOutputStream(temp)) {
        body.writeTo(stream);
        stream.flush();
        stream.getChannel().force(true);
      }
      replace(temp, absolute);
      moved = true;
    } finally {
      if (!moved) {
        // The write already failed; that exception is the one to report.
        temp.delete();
      }
    }
    deleteStaleTemps(dir, name);
  }

  /** Renames {@code temp} over {@code target}: atomically where the platform can, else delete then rename. */
  private static void replace(File temp, File target) throws IOException {
    if (temp.renameTo(target)) {
      return;
    }
    // Windows only: renameTo does not replace an existing file there. Delete the old one and retry; see the class
    // comment for what a crash between the two leaves. Elsewhere rename(2) replaces files, so a failure is a real
    // error (a folder in the way, the temporary file deleted meanwhile) and the target must stay as it is.
    if (WINDOWS && temp.isFile() && target.isFile() && target.delete() && temp.renameTo(target)) {
      return;
    }
    throw new IOException("cannot rename " + temp + " to " + target
        + (target.isDirectory() ? ": the target is a folder" : !temp.exists() ? ": the temporary file is gone" : "")
        + " (File.renameTo failed)");
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

  private static File createTemp(File dir, String name) throws IOException {
    for (int attempt = 0; ; attempt++) {
      File temp = new File(dir, "." + name + "." + (RANDOM.nextLong() & Long.MAX_VALUE) + ".tmp");
      boolean created;
      try {
        // Default permissions, as for any new file; a name that isTempOf recognises.
        created = temp.createNewFile();
      } catch (IOException e) {
        // createNewFile's message is only the OS error ("No such file or directory"): name the file.
        throw new IOException("cannot create " + temp + ": " + e.getMessage(), e);
      }
      if (created) {
        return temp;
      }
      if (attempt > 10) {
        throw new IOException("cannot create a temporary file next to " + new File(dir, name) + ": " + temp
            + " and " + attempt + " other random names already exist");
      }
    }
  }

  private static void deleteStaleTemps(File dir, String name) {
    // Cleaning up is a courtesy; the write succeeded. list() returns null when the folder cannot be read.
    String[] files = dir.list();
    if (files == null) {
      return;
    }
    for (String file : files) {
      if (isTempOf(file, name)) {
        new File(dir, file).delete(); // a failure leaves it for the next write
      }
    }
  }
}
