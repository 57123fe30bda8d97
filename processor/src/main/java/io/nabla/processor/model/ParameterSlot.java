package io.nabla.processor.model;

/**
 * One tensor of a layer inside the flat parameter buffer: {@code role} is {@code weight} or {@code bias}, as in
 * PyTorch's state_dict names ({@code hidden.weight}).
 */
public record ParameterSlot(String role, Shape shape, int offset, Init init, int fanIn, int fanOut) {
  /** Mirrors the runtime's {@code ParameterTensor.Init}. */
  public enum Init {
    HE_UNIFORM,
    GLOROT_UNIFORM,
    ZEROS
  }

  public int size() {
    return shape.size();
  }

  public boolean isBias() {
    return role.equals("bias");
  }
}
