package io.nabla.runtime.train;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Draws a {@link History} as an SVG picture, with no library: one panel of losses (training and validation) and
 * one of accuracies, per epoch. Any browser opens it.
 */
public final class HistoryPlot {
  private static final int PANEL_W = 420;
  private static final int PANEL_H = 260;
  private static final int MARGIN = 50;
  private static final String TRAIN_COLOUR = "#1f77b4";
  private static final String VALIDATION_COLOUR = "#ff7f0e";

  private HistoryPlot() {}

  /** The SVG document. */
  public static String svg(History history) {
    int width = 2 * (PANEL_W + MARGIN) + MARGIN;
    int height = PANEL_H + 2 * MARGIN;
    StringBuilder sb = new StringBuilder();
    sb.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\""
        + " viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"12\">%n", width, height, width, height));
    sb.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
    panel(sb, history, MARGIN, "loss", "loss", "val_loss");
    panel(sb, history, 2 * MARGIN + PANEL_W, "accuracy", "accuracy", "val_accuracy");
    sb.append("</svg>\n");
    return sb.toString();
  }

  private static void panel(StringBuilder sb, History history, int x0, String title, String train,
      String validation) {
    int y0 = MARGIN;
    List<double[]> series = new ArrayList<>();
    series.add(values(history, train));
    series.add(values(history, validation));
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
    for (double[] s : series) {
      for (double v : s) {
        if (!Double.isNaN(v) && !Double.isInfinite(v)) {
          min = Math.min(min, v);
          max = Math.max(max, v);
        }
      }
    }
    sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-size=\"14\">%s</text>%n", x0, y0 - 15,
        title));
    sb.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\""
        + " stroke=\"#999\"/>%n", x0, y0, PANEL_W, PANEL_H));
    if (min > max) {
      sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" fill=\"#999\">not measured</text>%n",
          x0 + PANEL_W / 2 - 40, y0 + PANEL_H / 2));
      return;
    }
    if (max - min < 1e-12) {
      max = min + 1;
    }
    int n = history.size();
    for (int t = 0; t <= 4; t++) {
      double v = min + (max - min) * t / 4;
      double y = y0 + PANEL_H - (v - min) / (max - min) * PANEL_H;
      sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%.3g</text>%n",
          x0 - 5, y + 4, v));
    }
    sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">epoch (1..%d)</text>%n",
        x0 + PANEL_W / 2, y0 + PANEL_H + 30, n));
    String[] colours = {TRAIN_COLOUR, VALIDATION_COLOUR};
    String[] names = {train, validation};
    for (int s = 0; s < series.size(); s++) {
      StringBuilder points = new StringBuilder();
      double[] values = series.get(s);
      for (int i = 0; i < values.length; i++) {
        if (Double.isNaN(values[i]) || Double.isInfinite(values[i])) {
          continue;
        }
        double x = x0 + (n == 1 ? PANEL_W / 2.0 : (double) i / (n - 1) * PANEL_W);
        double y = y0 + PANEL_H - (values[i] - min) / (max - min) * PANEL_H;
        points.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
      }
      if (points.length() == 0) {
        continue;
      }
      sb.append(String.format(Locale.ROOT, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\""
          + " points=\"%s\"/>%n", colours[s], points.toString().trim()));
      // Legend above the plot, beside the title, so it never hides a curve.
      sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" fill=\"%s\">— %s</text>%n",
          x0 + 110 + 130 * s, y0 - 15, colours[s], names[s]));
    }
  }

  private static double[] values(History history, String metric) {
    double[] v = new double[history.size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = history.get(i).metric(metric);
    }
    return v;
  }
}
