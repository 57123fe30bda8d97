package io.nabla.processor.shapes;

import io.nabla.processor.model.Shape;
import io.nabla.processor.model.LayerSpec;
import io.nabla.processor.reading.LayerDeclaration;
import io.nabla.processor.validation.ErrorMessages;
import io.nabla.processor.validation.ValidationReport;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Stage 4: the per-sample output shape of every layer, in forward order, one rule per kind:
 *
 * <ul>
 *   <li>{@code @Input(dims)}: {@code dims}.
 *   <li>{@code @Dense(units)}: the input's shape with its last dimension replaced by {@code units} (as PyTorch's
 *       {@code nn.Linear} and Keras's {@code Dense}, which act on the last axis).
 *   <li>{@code @Add}: the common shape of its inputs, which must all be equal.
 * </ul>
 *
 * Reports shape mismatches on the layer's annotation, naming both shapes.
 */
public final class ShapeInference {
  private static final long MAX_SIZE = Integer.MAX_VALUE / 8;

  private ShapeInference() {}

  /** Shapes by layer name, or {@code null} with errors in {@code report}. */
  public static Map<String, Shape> infer(List<LayerDeclaration> ordered, ValidationReport report) {
    Map<String, Shape> shapes = new LinkedHashMap<>();
    long parameters = 0;
    for (LayerDeclaration layer : ordered) {
      List<Shape> inputs = new ArrayList<>();
      for (String input : layer.inputNames()) {
        inputs.add(shapes.get(input));
      }
      Shape shape = switch (layer.kind()) {
        case INPUT -> ((LayerSpec.InputSpec) layer.spec()).shape();
        case DENSE -> dense(layer, (LayerSpec.DenseSpec) layer.spec(), inputs.get(0), report);
        case ADD -> add(layer, inputs, report);
      };
      if (shape == null) {
        return null;
      }
      shapes.put(layer.name(), shape);
      if (layer.spec() instanceof LayerSpec.DenseSpec dense) {
        parameters += (long) inputs.get(0).last() * dense.units() + (dense.bias() ? dense.units() : 0);
        if (parameters > MAX_SIZE) {
          report.error(ErrorMessages.tooLarge(layer.name(), "parameters that bring the network past 2^28"),
              layer.method(), layer.annotation(), "units");
          return null;
        }
      }
    }
    return shapes;
  }

  private static Shape dense(LayerDeclaration layer, LayerSpec.DenseSpec dense, Shape input,
      ValidationReport report) {
    Shape out = input.withLast(dense.units());
    if ((long) input.rows() * dense.units() > MAX_SIZE || (long) input.last() * dense.units() > MAX_SIZE) {
      report.error(ErrorMessages.tooLarge(layer.name(), "a weight or output of more than 2^28 values"),
          layer.method(), layer.annotation(), "units");
      return null;
    }
    return out;
  }

  private static Shape add(LayerDeclaration layer, List<Shape> inputs, ValidationReport report) {
    Shape first = inputs.get(0);
    for (int i = 1; i < inputs.size(); i++) {
      if (!inputs.get(i).equals(first)) {
        report.error(ErrorMessages.addShapeMismatch(layer.name(), layer.inputNames().get(0), first.toString(),
            layer.inputNames().get(i), inputs.get(i).toString()), layer.inputParameters().get(i));
        return null;
      }
    }
    return first;
  }
}
