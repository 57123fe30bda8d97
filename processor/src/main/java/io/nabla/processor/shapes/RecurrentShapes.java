package io.nabla.processor.shapes;

import io.nabla.processor.model.LayerSpec.RecurrentSpec;
import io.nabla.processor.model.Shape;
import io.nabla.processor.reading.LayerDeclaration;
import io.nabla.processor.validation.ErrorMessages;
import io.nabla.processor.validation.ValidationReport;

/**
 * The shape rule of the recurrent layers: a {@code (time, features)} input gives {@code (time, units·directions)}
 * with returnSequences, else {@code (units·directions)}. Reports an input of another rank on the parameter that
 * names it, and weights or per-sample buffers ({@code time·directions·gates·units}) past 2^28 values on
 * {@code units}.
 */
final class RecurrentShapes {
  /** As {@link ShapeInference}: the most values one array of a sample (or one weight) may hold. */
  private static final long MAX_SIZE = Integer.MAX_VALUE / 8;

  private RecurrentShapes() {}

  static Shape infer(LayerDeclaration layer, RecurrentSpec spec, Shape input, ValidationReport report) {
    if (input.rank() != 2) {
      report.error(ErrorMessages.needsSequence(layer.kind().displayName(), layer.name(), layer.inputNames().get(0),
          input.toString()), layer.inputParameters().get(0));
      return null;
    }
    int time = input.dims()[0];
    int features = input.dims()[1];
    long rows = (long) spec.gates() * spec.units();
    if (rows * features > MAX_SIZE || rows * spec.units() > MAX_SIZE
        || rows * time * spec.directions() > MAX_SIZE) {
      report.error(ErrorMessages.tooLarge(layer.name(), "weights or per-step buffers of more than 2^28 values"),
          layer.method(), layer.annotation(), "units");
      return null;
    }
    int width = spec.units() * spec.directions();
    return spec.returnSequences() ? Shape.of(time, width) : Shape.of(width);
  }

  /** Per direction, {@code weight_ih (G·H, F)}, {@code weight_hh (G·H, H)} and two biases {@code (G·H)}. */
  static long parameterCount(RecurrentSpec spec, Shape input) {
    long rows = (long) spec.gates() * spec.units();
    return spec.directions() * rows * (input.last() + spec.units() + 2);
  }
}
