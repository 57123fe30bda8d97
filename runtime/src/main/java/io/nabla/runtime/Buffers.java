package io.nabla.runtime;

import java.util.Collections;
import java.util.List;

/**
 * A model's state that is not trained by gradients, as PyTorch's module buffers: the running mean and variance of
 * each batch norm, one flat {@code float[]} with its named tensors ({@code bn1.running_mean}, ...). Forward updates
 * it in training; checkpoints save and restore it with the parameters. Empty for a model without batch norm.
 */
public final class Buffers {
  private final float[] values;
  private final List<ParameterTensor> tensors;

  public Buffers(float[] values, List<ParameterTensor> tensors) {
    this.values = values;
    this.tensors = Collections.unmodifiableList(tensors);
  }

  /** The flat buffer (live, not a copy). */
  public float[] values() {
    return values;
  }

  /** The named tensors, in buffer order. */
  public List<ParameterTensor> tensors() {
    return tensors;
  }

  public int size() {
    return values.length;
  }

  /** The tensor with this name, e.g. {@code bn1.running_var}. */
  public ParameterTensor tensor(String name) {
    for (ParameterTensor t : tensors) {
      if (t.name().equals(name)) {
        return t;
      }
    }
    throw new IllegalArgumentException("no buffer named '" + name + "'; the model has " + tensors);
  }
}
