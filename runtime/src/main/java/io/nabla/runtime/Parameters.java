package io.nabla.runtime;

import java.util.Collections;
import java.util.List;

/**
 * A model's trainable parameters: one flat {@code float[]} of values and one of gradients with the same layout,
 * and the named tensors inside them. This is all an optimizer sees, so the same optimizer can step a model, or
 * the flat buffers that a distributed trainer all-reduced.
 */
public final class Parameters {
  private final float[] values;
  private final float[] gradients;
  private final List<ParameterTensor> tensors;

  public Parameters(float[] values, float[] gradients, List<ParameterTensor> tensors) {
    if (values.length != gradients.length) {
      throw new IllegalArgumentException(
          "values and gradients must have the same length, got " + values.length + " and " + gradients.length);
    }
    this.values = values;
    this.gradients = gradients;
    this.tensors = Collections.unmodifiableList(tensors);
  }

  /** The flat parameter buffer (live, not a copy). */
  public float[] values() {
    return values;
  }

  /** The flat gradient buffer, same layout as {@link #values()} (live, not a copy). */
  public float[] gradients() {
    return gradients;
  }

  /** The named tensors, in buffer order. */
  public List<ParameterTensor> tensors() {
    return tensors;
  }

  /** The number of parameters. */
  public int size() {
    return values.length;
  }

  /** The tensor with this name, e.g. {@code hidden.weight}. */
  public ParameterTensor tensor(String name) {
    for (ParameterTensor t : tensors) {
      if (t.name().equals(name)) {
        return t;
      }
    }
    throw new IllegalArgumentException("no parameter tensor named '" + name + "'; the model has " + tensors);
  }
}
