package io.nabla.processor.writing;

import io.nabla.processor.model.Flops;
import io.nabla.processor.model.LayerNode;
import io.nabla.processor.model.NetworkGraph;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The table of layers the generated header, the {@code -Anabla.report} summary and the runtime's
 * {@code summary()} all show: name, kind, output shape, activation, parameters, forward FLOPs per sample, inputs.
 */
final class SummaryTable {
  private SummaryTable() {}

  static List<String> lines(NetworkGraph graph) {
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"layer", "kind", "shape", "activation", "parameters", "FLOPs", "reads"});
    long parameters = 0;
    long flops = 0;
    for (LayerNode layer : graph.layers()) {
      long f = Flops.forward(layer, graph);
      parameters += layer.parameterCount();
      flops += f;
      rows.add(new String[] {layer.name(), layer.kind().displayName(), layer.shape().toString(),
          layer.kind().hasActivation() ? layer.spec().activation().name().toLowerCase(Locale.ROOT) : "",
          number(layer.parameterCount()), number(f), String.join(", ", layer.inputs())});
    }
    rows.add(new String[] {"total", "", "", "", number(parameters), number(flops), ""});
    int[] widths = new int[rows.get(0).length];
    for (String[] row : rows) {
      for (int i = 0; i < row.length; i++) {
        widths[i] = Math.max(widths[i], row[i].length());
      }
    }
    List<String> lines = new ArrayList<>();
    for (String[] row : rows) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < row.length; i++) {
        boolean number = i == 4 || i == 5;
        String pad = " ".repeat(widths[i] - row[i].length());
        line.append(number ? pad + row[i] : row[i] + (i == row.length - 1 ? "" : pad)).append("  ");
      }
      lines.add(line.toString().stripTrailing());
    }
    return lines;
  }

  private static String number(long n) {
    return String.format(Locale.ROOT, "%,d", n);
  }
}
