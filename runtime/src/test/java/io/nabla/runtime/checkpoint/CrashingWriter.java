package io.nabla.runtime.checkpoint;

import io.nabla.Activation;
import io.nabla.Loss;
import io.nabla.runtime.TinyDenseModel;
import io.nabla.runtime.kernel.Kernels;
import java.io.File;
import java.io.File;
import java.io.IOException;
import java.util.Arrays;
import java.util.Collections;

/**
 * The child process of {@link CheckpointCrashTest}: saves version after version of a 32 MB checkpoint over the
 * same file, printing {@code saved <version>} after each, until it is killed. Version {@code v} has every
 * parameter equal to {@code v} and the trainer state {@code version = v}.
 */
public final class CrashingWriter {
  /** 2048 inputs × 4096 units + 4096 biases = 8,392,704 floats, 32 MB. */
  static final int IN = 2048;

  static final int UNITS = 4096;

  private CrashingWriter() {}

  static TinyDenseModel model() {
    return new TinyDenseModel("Big", Loss.MSE, 1, Kernels.portable(), IN, UNITS, Activation.IDENTITY);
  }

  static void save(File file, TinyDenseModel model, long version) throws IOException {
    Arrays.fill(model.parameters().values(), (float) version);
    Checkpoint.save(file, model, null, Collections.singletonMap("version", version));
  }

  /** Arguments: the checkpoint's path and the first version to write. */
  public static void main(String[] args) throws IOException {
    File file = new File(args[0]);
    TinyDenseModel model = model();
    System.out.println("ready");
    System.out.flush();
    for (long version = Long.parseLong(args[1]); ; version++) {
      save(file, model, version);
      System.out.println("saved " + version + " " + System.nanoTime());
      System.out.flush();
    }
  }
}
