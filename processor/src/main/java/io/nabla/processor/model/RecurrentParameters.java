package io.nabla.processor.model;

import io.nabla.processor.model.LayerSpec.RecurrentSpec;
import java.util.List;

/**
 * The parameter layout of a recurrent layer: PyTorch's tensors and names ({@code weight_ih_l0}, {@code weight_hh_l0},
 * {@code bias_ih_l0}, {@code bias_hh_l0}, and {@code _l0_reverse} for a bidirectional layer's backward direction),
 * all initialised uniform in ±1/√units. The input weights of both directions come first, next to each other, so
 * one product computes the input projections of both; then each direction's hidden weight and biases.
 */
final class RecurrentParameters {
  private RecurrentParameters() {}

  /** Adds the layer's slots from {@code offset}; returns the offset after them. */
  static int lay(List<ParameterSlot> slots, RecurrentSpec spec, int features, int offset) {
    int units = spec.units();
    int rows = spec.gates() * units;
    String[] directions = spec.bidirectional() ? new String[] {"_l0", "_l0_reverse"} : new String[] {"_l0"};
    for (String direction : directions) {
      offset = add(slots, "weight_ih" + direction, Shape.of(rows, features), offset, units, rows);
    }
    for (String direction : directions) {
      offset = add(slots, "weight_hh" + direction, Shape.of(rows, units), offset, units, rows);
      offset = add(slots, "bias_ih" + direction, Shape.of(rows), offset, units, rows);
      offset = add(slots, "bias_hh" + direction, Shape.of(rows), offset, units, rows);
    }
    return offset;
  }

  /** PyTorch's bound 1/√hidden_size for every tensor: the runtime reads it from fanIn. */
  private static int add(List<ParameterSlot> slots, String role, Shape shape, int offset, int units, int rows) {
    slots.add(new ParameterSlot(role, shape, offset, ParameterSlot.Init.RECURRENT_UNIFORM, units, rows));
    return offset + shape.size();
  }
}
