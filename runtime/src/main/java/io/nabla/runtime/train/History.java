package io.nabla.runtime.train;

import java.io.File;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * What {@link Trainer#fit} measured, one {@link EpochResult} per epoch run (fewer than asked if early stopping
 * ended training), with where the best epoch was. Saves itself as CSV and as an SVG picture of the curves.
 */
public final class History extends AbstractList<EpochResult> {
  private final List<EpochResult> epochs;
  private final boolean stoppedEarly;
  private final int bestEpoch;

  public History(List<EpochResult> epochs, boolean stoppedEarly, int bestEpoch) {
    this.epochs = Collections.unmodifiableList(new ArrayList<>(epochs));
    this.stoppedEarly = stoppedEarly;
    this.bestEpoch = bestEpoch;
  }

  @Override
  public EpochResult get(int index) {
    return epochs.get(index);
  }

  @Override
  public int size() {
    return epochs.size();
  }

  /** The last epoch run. */
  public EpochResult last() {
    return epochs.get(epochs.size() - 1);
  }

  /** Whether early stopping ended training before the last epoch asked for. */
  public boolean stoppedEarly() {
    return stoppedEarly;
  }

  /** The 1-based epoch early stopping judged best (whose weights it restored, if asked), or 0 without it. */
  public int bestEpoch() {
    return bestEpoch;
  }

  /** The column names of {@link #toCsv()}: epoch, then every metric of the first epoch, then seconds. */
  public List<String> columns() {
    List<String> columns = new ArrayList<>();
    columns.add("epoch");
    if (!epochs.isEmpty()) {
      columns.addAll(epochs.get(0).metrics().keySet());
    }
    columns.add("seconds");
    columns.add("samples_per_second");
    return columns;
  }

  /** One header line and one line per epoch, comma-separated, {@code .} as decimal point, empty for NaN. */
  public String toCsv() {
    StringBuilder sb = new StringBuilder();
    List<String> columns = columns();
    for (int i = 0; i < columns.size(); i++) {
      sb.append(i == 0 ? "" : ",").append(columns.get(i));
    }
    sb.append('\n');
    for (EpochResult e : epochs) {
      sb.append(e.epoch());
      for (String column : columns.subList(1, columns.size() - 2)) {
        sb.append(',').append(format(e.metric(column)));
      }
      sb.append(',').append(format(e.seconds())).append(',').append(format(e.samplesPerSecond())).append('\n');
    }
    return sb.toString();
  }

  /**
   * Writes {@link #toCsv()} to {@code file}, creating its folder if needed, through a temporary file renamed over
   * it (so a crash leaves no half file where the platform renames over an existing file, as POSIX systems do).
   */
  public void writeCsv(File file) throws IOException {
    write(file, toCsv());
  }

  /**
   * Writes {@link HistoryPlot#svg(History)}: the loss and accuracy curves, to open in any browser; as
   * {@link #writeCsv(File)}.
   */
  public void writeSvg(File file) throws IOException {
    write(file, HistoryPlot.svg(this));
  }

  private static String format(double v) {
    return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%.6g", v);
  }

  static void write(File file, String text) throws IOException {
    File target = file.getAbsoluteFile();
    File dir = target.getParentFile();
    if (!dir.isDirectory() && !dir.mkdirs() && !dir.isDirectory()) {
      throw new IOException("cannot create the folder " + dir + " for " + file);
    }
    File tmp = File.createTempFile("." + target.getName() + ".", ".tmp", dir);
    boolean moved = false;
    try {
      try (Writer w = new OutputStreamWriter(new FileOutputStream(tmp), StandardCharsets.UTF_8)) {
        w.write(text);
      }
      // renameTo replaces the target atomically on POSIX systems (Android too); on Windows (backslash
      // separators) it fails when the target exists, so there the old file is deleted first.
      if (!tmp.renameTo(target) && !(File.separatorChar == '\\' && target.isFile() && target.delete()
          && tmp.renameTo(target))) {
        throw new IOException("cannot rename " + tmp + " to " + target + " (File.renameTo failed)");
      }
      moved = true;
    } finally {
      if (!moved) {
        tmp.delete();
      }
    }
  }
}
