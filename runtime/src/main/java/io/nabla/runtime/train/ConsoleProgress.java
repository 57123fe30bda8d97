package io.nabla.runtime.train;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.Map;

/**
 * Keras-like progress: on a terminal, one line per epoch that updates in place (a bar, samples/s, ETA, the
 * running loss and accuracy) and is completed with the epoch's metrics; elsewhere (a file, a pipe, CI), only the
 * completed line, so logs stay readable.
 *
 * <pre>
 * epoch 3/10 [=================>............] 36480/60000  7012 samples/s  ETA 3s  loss 0.3158  accuracy 0.8834
 * epoch 3/10 [==============================] 60000/60000  8.54s  7029 samples/s  loss 0.3158  accuracy 0.8834  val_loss 0.3432  val_accuracy 0.8736
 * </pre>
 */
public final class ConsoleProgress implements TrainingListener {
  private static final int BAR = 30;
  private static final long REDRAW_NANOS = 100_000_000L;

  private final PrintWriter out;
  private final boolean interactive;
  private int samplesPerEpoch;
  private long lastDraw;
  private int lastLength;

  /** Progress to {@code out}; {@code interactive} redraws a line in place with carriage returns. */
  public ConsoleProgress(PrintStream out, boolean interactive) {
    this(new PrintWriter(out, true), interactive);
  }

  /** Progress to {@code out}; {@code interactive} redraws a line in place with carriage returns. */
  public ConsoleProgress(PrintWriter out, boolean interactive) {
    this.out = out;
    this.interactive = interactive;
  }

  /** To standard output, interactive when it is a terminal. */
  public static ConsoleProgress toStandardOutput() {
    return new ConsoleProgress(System.out, System.console() != null);
  }

  @Override
  public void onTrainBegin(int epochs, int stepsPerEpoch, int samplesPerEpoch) {
    this.samplesPerEpoch = samplesPerEpoch;
  }

  @Override
  public void onBatch(BatchResult b) {
    if (!interactive) {
      return;
    }
    long now = System.nanoTime();
    if (now - lastDraw < REDRAW_NANOS && b.step() < b.steps()) {
      return;
    }
    lastDraw = now;
    double rate = b.samplesSeen() / Math.max(b.seconds(), 1e-9);
    double eta = (samplesPerEpoch - b.samplesSeen()) / Math.max(rate, 1e-9);
    StringBuilder line = new StringBuilder();
    line.append(String.format(Locale.ROOT, "epoch %d %s %d/%d  %.0f samples/s  ETA %s  loss %.4f", b.epoch(),
        bar(b.samplesSeen()), b.samplesSeen(), samplesPerEpoch, rate, duration(eta), b.runningLoss()));
    if (!Double.isNaN(b.runningAccuracy())) {
      line.append(String.format(Locale.ROOT, "  accuracy %.4f", b.runningAccuracy()));
    }
    draw(line.toString());
  }

  @Override
  public void onEpoch(EpochResult r) {
    StringBuilder line = new StringBuilder();
    line.append(String.format(Locale.ROOT, "epoch %d/%d %s %d/%d  %.2fs  %.0f samples/s", r.epoch(), r.epochs(),
        bar(r.samples()), r.samples(), r.samples(), r.seconds(), r.samplesPerSecond()));
    for (Map.Entry<String, Double> m : r.metrics().entrySet()) {
      if (!Double.isNaN(m.getValue())) {
        line.append(String.format(Locale.ROOT, m.getKey().equals("lr") ? "  %s %.3g" : "  %s %.4f", m.getKey(),
            m.getValue()));
      }
    }
    draw(line.toString());
    out.println();
    lastLength = 0;
    out.flush();
  }

  private void draw(String line) {
    if (interactive) {
      out.print('\r');
      out.print(line);
      for (int i = line.length(); i < lastLength; i++) {
        out.print(' ');
      }
      lastLength = line.length();
    } else {
      out.print(line);
    }
    out.flush();
  }

  private String bar(int done) {
    int filled = samplesPerEpoch == 0 ? BAR : (int) ((long) BAR * done / samplesPerEpoch);
    StringBuilder sb = new StringBuilder("[");
    for (int i = 0; i < BAR; i++) {
      sb.append(i < filled ? '=' : i == filled ? '>' : '.');
    }
    return sb.append(']').toString();
  }

  static String duration(double seconds) {
    long s = Math.round(seconds);
    return s < 60 ? s + "s" : s < 3600 ? (s / 60) + "m" + (s % 60) + "s" : (s / 3600) + "h" + (s % 3600 / 60) + "m";
  }
}
