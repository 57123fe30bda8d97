package io.nabla.runtime.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nabla.runtime.TinyDenseModel;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills a JVM while it saves a 32 MB checkpoint over an existing one, at random moments, and checks that the file
 * at the checkpoint's path always reads back complete, as the last version saved or the one being saved.
 */
class CheckpointCrashTest {
  private static final int MIN_ROUNDS = 4;
  private static final int MAX_ROUNDS = 12;
  private static final int WANTED_MID_WRITE_KILLS = 2;

  @TempDir File dir;

  @Test
  @Timeout(300)
  void killingAProcessThatIsSavingLeavesACompleteCheckpoint() throws Exception {
    File file = new File(dir, "big.ckpt");
    TinyDenseModel model = CrashingWriter.model();
    CrashingWriter.save(file, model, 0);
    long bytes = file.length();
    assertTrue(bytes > 32_000_000L, "a large checkpoint: " + bytes);

    Random random = new Random(20240611);
    long next = 1;
    int midWrite = 0;
    List<String> log = new ArrayList<>();
    for (int round = 0; round < MAX_ROUNDS && (round < MIN_ROUNDS || midWrite < WANTED_MID_WRITE_KILLS); round++) {
      Process child = new ProcessBuilder(javaExecutable(), "-Xmx256m", "-cp", System.getProperty("java.class.path"),
          CrashingWriter.class.getName(), file.toString(), String.valueOf(next))
          .redirectErrorStream(true).start();
      LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
      Thread reader = drain(child, lines);
      List<String> output = new ArrayList<>();
      // Wait for two saves, to time one, then kill at a random moment of the next one or two.
      long[] savedAt = new long[2];
      int saves = 0;
      while (saves < 2) {
        String line = lines.poll(120, TimeUnit.SECONDS);
        assertNotNull(line, "the child saves within two minutes; it printed " + output);
        output.add(line);
        if (line.startsWith("saved ")) {
          savedAt[saves++] = Long.parseLong(line.split(" ")[2]);
        } else if (!line.equals("ready")) {
          throw new AssertionError("the child printed: " + output);
        }
      }
      long saveNanos = Math.max(1, savedAt[1] - savedAt[0]);
      long delay = (long) (random.nextDouble() * 2 * saveNanos);
      TimeUnit.NANOSECONDS.sleep(delay);
      child.destroyForcibly();
      assertTrue(child.waitFor(60, TimeUnit.SECONDS), "the child dies");
      reader.join(10_000);
      lines.drainTo(output);
      long lastSaved = -1;
      for (String line : output) {
        if (line.startsWith("saved ")) {
          lastSaved = Long.parseLong(line.split(" ")[1]);
        }
      }

      Checkpoint checkpoint = Checkpoint.read(file); // complete, or this throws
      long version = (Long) checkpoint.trainerState().get("version");
      // Never older than the last save the child reported. It may be newer: the report of a save that completed
      // can still be in flight when the kill lands (seen on a loaded machine: two saves ahead).
      assertTrue(version >= lastSaved,
          "the checkpoint holds version " + version + "; the child had saved up to " + lastSaved);
      checkpoint.restoreInto(model);
      float[] values = model.parameters().values();
      for (int i = 0; i < values.length; i++) {
        if (values[i] != version) {
          throw new AssertionError("parameter " + i + " is " + values[i] + " in version " + version);
        }
      }
      List<File> temps = temps(dir, file);
      if (!temps.isEmpty()) {
        midWrite++;
      }
      log.add(String.format(Locale.ROOT, "round %d: a save takes %.0f ms; killed %.0f ms after the second; last"
          + " save reported: %d; the file holds version %d; %d temporary file(s) left", round, saveNanos / 1e6,
          delay / 1e6, lastSaved, version, temps.size()));
      next = version + 1;
    }
    System.out.println(String.join("\n", log));
    assertTrue(midWrite >= 1, "no kill landed in the middle of a save:\n" + String.join("\n", log));

    // The next save removes what the killed saves left behind.
    CrashingWriter.save(file, model, next);
    assertEquals(new ArrayList<File>(), temps(dir, file));
    assertEquals(next, (long) (Long) Checkpoint.read(file).trainerState().get("version"));
  }

  private static List<File> temps(File dir, File file) throws IOException {
    List<File> temps = new ArrayList<>();
    for (File p : CheckpointTest.list(dir)) {
      if (!p.equals(file)) {
        assertTrue(AtomicFiles.isTempOf(p.getName(), file.getName()),
            "only temporary files beside the checkpoint: " + p);
        temps.add(p);
      }
    }
    return temps;
  }

  private static String javaExecutable() {
    File java = new File(new File(System.getProperty("java.home"), "bin"), "java");
    return java.exists() ? java.getPath() : new File(java.getParentFile(), "java.exe").getPath();
  }

  private static Thread drain(Process child, LinkedBlockingQueue<String> lines) {
    Thread t = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(
          new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = r.readLine()) != null) {
          lines.add(line);
        }
      } catch (IOException e) {
        // the child was killed
      }
    });
    t.setDaemon(true);
    t.start();
    return t;
  }
}
