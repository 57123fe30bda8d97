package io.nabla.processor.model;

/**
 * One tensor of a layer inside the flat parameter buffer ({@code role} {@code weight} or {@code bias}) or the
 * buffer of running statistics ({@code running_mean}, {@code running_var}), named as in PyTorch's state_dict
 * ({@code hidden.weight}, {@code bn1.running_var}).
 */
public record ParameterSlot(String role, Shape shape, int offset, Init init, int fanIn, int fanOut) {
  /** Mirrors the runtime's {@code ParameterTensor.Init}. */
  public enum Init {
    HE_UNIFORM,
    GLOROT_UNIFORM,
    ZEROS,
    ONES
  }

  public int size() {
    return shape.size();
  }

  public boolean isBias() {
    return role.equals("bias");
  }
}
