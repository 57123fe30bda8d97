package io.nabla.processor.model;

/**
 * One tensor of a layer inside the flat parameter buffer ({@code role} {@code weight} or {@code bias}, or a
 * recurrent layer's {@code weight_ih_l0}, {@code bias_hh_l0_reverse}, ...) or the buffer of running statistics
 * ({@code running_mean}, {@code running_var}), named as in PyTorch's state_dict ({@code hidden.weight},
 * {@code bn1.running_var}, {@code gru.weight_hh_l0}).
 */
public record ParameterSlot(String role, Shape shape, int offset, Init init, int fanIn, int fanOut) {
  /** Mirrors the runtime's {@code ParameterTensor.Init}. */
  public enum Init {
    HE_UNIFORM,
    GLOROT_UNIFORM,
    ZEROS,
    ONES,
    RECURRENT_UNIFORM,
    NORMAL
  }

  public int size() {
    return shape.size();
  }

  public boolean isBias() {
    return role.equals("bias");
  }
}
