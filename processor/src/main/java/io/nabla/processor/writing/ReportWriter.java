package io.nabla.processor.writing;

import io.nabla.processor.model.Flops;
import io.nabla.processor.model.LayerKind;
import io.nabla.processor.model.LayerNode;
import io.nabla.processor.model.NetworkGraph;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What {@code -Anabla.report=true} writes next to the generated source of each network, for a person to open: a
 * text summary (the header's table, with totals), the architecture as Graphviz DOT, and the same diagram drawn as
 * SVG (no Graphviz needed): one box per layer, placed by depth in the graph, an arrow per edge.
 */
public final class ReportWriter {
  private static final int BOX_WIDTH = 270;
  private static final int BOX_HEIGHT = 46;
  private static final int GAP_X = 30;
  private static final int GAP_Y = 34;
  private static final int MARGIN = 20;
  private static final int SKIP_ARC = 70;

  private ReportWriter() {}

  /** {@code FashionMlpNet.summary.txt}. */
  public static String summary(NetworkGraph graph) {
    StringBuilder sb = new StringBuilder();
    sb.append(NetworkWriter.generatedName(graph.declaration())).append(": generated from ")
        .append(graph.declaration().getQualifiedName()).append('\n');
    for (String line : SummaryTable.lines(graph)) {
      sb.append(line).append('\n');
    }
    sb.append("loss: ").append(graph.loss()).append(" on ").append(graph.output().name()).append('\n');
    sb.append(String.format(Locale.ROOT, "parameters: %,d floats (%,d bytes); running statistics: %,d floats%n",
        graph.parameterCount(), 4L * graph.parameterCount(), graph.bufferCount()));
    return sb.toString();
  }

  /** {@code FashionMlpNet.dot}: render with {@code dot -Tsvg}. */
  public static String dot(NetworkGraph graph) {
    StringBuilder sb = new StringBuilder("digraph ").append(graph.declaration().getSimpleName()).append(" {\n");
    sb.append("  rankdir=TB;\n  node [shape=box, style=rounded, fontname=\"Helvetica\"];\n");
    for (LayerNode layer : graph.layers()) {
      sb.append("  \"").append(layer.name()).append("\" [label=\"").append(label(layer, graph).replace("\n", "\\n"))
          .append("\"];\n");
    }
    for (LayerNode layer : graph.layers()) {
      for (String input : layer.inputs()) {
        sb.append("  \"").append(input).append("\" -> \"").append(layer.name()).append("\";\n");
      }
    }
    return sb.append("}\n").toString();
  }

  /** {@code FashionMlpNet.svg}: the diagram, laid out by depth (inputs on top, the output at the bottom). */
  public static String svg(NetworkGraph graph) {
    Map<String, Integer> depth = new HashMap<>();
    Map<Integer, Integer> perRow = new HashMap<>();
    Map<String, int[]> position = new HashMap<>();
    int rows = 0;
    int columns = 1;
    for (LayerNode layer : graph.layers()) {
      int d = 0;
      for (String input : layer.inputs()) {
        d = Math.max(d, depth.get(input) + 1);
      }
      depth.put(layer.name(), d);
      int column = perRow.merge(d, 1, Integer::sum) - 1;
      position.put(layer.name(), new int[] {column, d});
      rows = Math.max(rows, d + 1);
      columns = Math.max(columns, column + 1);
    }
    // Room on the right for the arcs of edges that skip rows (residual connections).
    int width = 2 * MARGIN + columns * BOX_WIDTH + (columns - 1) * GAP_X + SKIP_ARC;
    int height = 2 * MARGIN + rows * BOX_HEIGHT + (rows - 1) * GAP_Y;
    StringBuilder sb = new StringBuilder();
    sb.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\""
        + " viewBox=\"0 0 %d %d\" font-family=\"Helvetica, Arial, sans-serif\" font-size=\"12\">%n", width, height,
        width, height));
    sb.append("<title>").append(escape(graph.declaration().getSimpleName().toString())).append("</title>\n");
    sb.append("<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\""
        + " markerHeight=\"7\" orient=\"auto\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"#555\"/></marker></defs>\n");
    for (LayerNode layer : graph.layers()) {
      int[] to = position.get(layer.name());
      for (String input : layer.inputs()) {
        int[] from = position.get(input);
        if (to[1] - from[1] > 1 && from[0] == to[0]) {
          // A straight line would run through the boxes between: arc out to the right instead.
          int x = centerX(from[0]) + BOX_WIDTH / 2;
          int y1 = top(from[1]) + BOX_HEIGHT / 2;
          int y2 = top(to[1]) + BOX_HEIGHT / 2;
          int bend = x + SKIP_ARC - 10;
          sb.append(String.format(Locale.ROOT, "<path d=\"M%d,%d C%d,%d %d,%d %d,%d\" fill=\"none\" stroke=\"#555\""
              + " marker-end=\"url(#arrow)\"/>%n", x, y1, bend, y1, bend, y2, x, y2));
          continue;
        }
        sb.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#555\""
            + " marker-end=\"url(#arrow)\"/>%n", centerX(from[0]), top(from[1]) + BOX_HEIGHT, centerX(to[0]),
            top(to[1])));
      }
    }
    for (LayerNode layer : graph.layers()) {
      int[] p = position.get(layer.name());
      int x = MARGIN + p[0] * (BOX_WIDTH + GAP_X);
      int y = top(p[1]);
      String fill = layer.kind() == LayerKind.INPUT ? "#e8f0fe" : layer == graph.output() ? "#fde8e8" : "#f5f5f5";
      sb.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" rx=\"6\" fill=\"%s\""
          + " stroke=\"#333\"/>%n", x, y, BOX_WIDTH, BOX_HEIGHT, fill));
      String[] lines = label(layer, graph).split("\n");
      for (int i = 0; i < lines.length; i++) {
        sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\"%s>%s</text>%n",
            x + BOX_WIDTH / 2, y + 18 + 16 * i, i == 0 ? " font-weight=\"bold\"" : "", escape(lines[i])));
      }
    }
    return sb.append("</svg>\n").toString();
  }

  private static int centerX(int column) {
    return MARGIN + column * (BOX_WIDTH + GAP_X) + BOX_WIDTH / 2;
  }

  private static int top(int row) {
    return MARGIN + row * (BOX_HEIGHT + GAP_Y);
  }

  /** Two lines: {@code name: Kind}, then the shape and (for layers that compute) the parameters. */
  private static String label(LayerNode layer, NetworkGraph graph) {
    List<String> second = new ArrayList<>();
    second.add(layer.shape().toString());
    if (layer.kind().hasActivation() && layer.spec().activation() != io.nabla.Activation.IDENTITY) {
      second.add(layer.spec().activation().name().toLowerCase(Locale.ROOT));
    }
    if (layer.parameterCount() > 0) {
      second.add(String.format(Locale.ROOT, "%,d params", layer.parameterCount()));
    }
    long flops = Flops.forward(layer, graph);
    if (flops >= 1_000_000) {
      second.add(String.format(Locale.ROOT, "%.1f MFLOPs", flops / 1e6));
    }
    return layer.name() + ": " + layer.kind().displayName() + "\n" + String.join(" · ", second);
  }

  private static String escape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }
}
