package io.nabla.runtime;

import java.util.Arrays;

/**
 * One named tensor inside a model's flat parameter buffer (or its buffer of running statistics), e.g. {@code hidden.weight} of shape (256, 784) at
 * offset 0. Gradients use the same layout, so the same view addresses a tensor's gradient. Names follow PyTorch's
 * {@code state_dict} ({@code <layer>.weight}, {@code <layer>.bias}, {@code <layer>.weight_ih_l0}).
 */
public final class ParameterTensor {
  /** How a tensor is initialised by {@link Model#initialize(long)}. */
  public enum Init {
    /** Uniform in ±√(6 / fanIn) (He/Kaiming uniform, gain √2): for weights feeding a ReLU-family activation. */
    HE_UNIFORM,
    /** Uniform in ±√(6 / (fanIn + fanOut)) (Glorot/Xavier uniform): for every other weight. */
    GLOROT_UNIFORM,
    /** All zeros: biases, batch-norm shifts and running means. */
    ZEROS,
    /** All ones: batch-norm scales and running variances. */
    ONES,
    /**
     * Uniform in ±1/√fanIn, where a recurrent layer gives its units (hidden size) as fanIn: PyTorch's init of every
     * weight and bias of {@code nn.RNN}, {@code nn.LSTM} and {@code nn.GRU}.
     */
    RECURRENT_UNIFORM,
    /** Normal with mean 0 and standard deviation 1: PyTorch's init of {@code nn.Embedding} tables. */
    NORMAL
  }

  /**
   * What a tensor is: a weight or a bias (trainable; {@link #isWeight()} and {@link #isBias()} classify every kind,
   * e.g. to exempt biases from weight decay), or a batch norm's running statistic (a buffer, in
   * {@link Model#buffers()}, never trained). A recurrent layer has PyTorch's four tensors per direction: input and
   * hidden weights and biases of layer 0, and their {@code _reverse} twins for a bidirectional layer's backward
   * direction; a multi-head attention has PyTorch's {@code in_proj_weight}, {@code in_proj_bias},
   * {@code out_proj.weight} and {@code out_proj.bias}.
   */
  public enum Kind {
    WEIGHT("weight", Role.WEIGHT),
    BIAS("bias", Role.BIAS),
    RUNNING_MEAN("running_mean", Role.BUFFER),
    RUNNING_VAR("running_var", Role.BUFFER),
    WEIGHT_IH_L0("weight_ih_l0", Role.WEIGHT),
    WEIGHT_HH_L0("weight_hh_l0", Role.WEIGHT),
    BIAS_IH_L0("bias_ih_l0", Role.BIAS),
    BIAS_HH_L0("bias_hh_l0", Role.BIAS),
    WEIGHT_IH_L0_REVERSE("weight_ih_l0_reverse", Role.WEIGHT),
    WEIGHT_HH_L0_REVERSE("weight_hh_l0_reverse", Role.WEIGHT),
    BIAS_IH_L0_REVERSE("bias_ih_l0_reverse", Role.BIAS),
    BIAS_HH_L0_REVERSE("bias_hh_l0_reverse", Role.BIAS),
    IN_PROJ_WEIGHT("in_proj_weight", Role.WEIGHT),
    IN_PROJ_BIAS("in_proj_bias", Role.BIAS),
    OUT_PROJ_WEIGHT("out_proj.weight", Role.WEIGHT),
    OUT_PROJ_BIAS("out_proj.bias", Role.BIAS);

    private enum Role {
      WEIGHT,
      BIAS,
      BUFFER
    }

    private final String suffix;
    private final Role role;

    Kind(String suffix, Role role) {
      this.suffix = suffix;
      this.role = role;
    }

    /**
     * The part of the name after the layer, as in PyTorch's state_dict: {@code weight}, {@code running_mean},
     * {@code weight_ih_l0_reverse}.
     */
    public String suffix() {
      return suffix;
    }

    /** Whether this is a trained weight ({@code weight}, {@code weight_ih_l0}, ...): what weight decay is for. */
    public boolean isWeight() {
      return role == Role.WEIGHT;
    }

    /** Whether this is a trained bias ({@code bias}, {@code bias_hh_l0}, ...). */
    public boolean isBias() {
      return role == Role.BIAS;
    }
  }

  private final String layer;
  private final Kind kind;
  private final int offset;
  private final int[] shape;
  private final int size;
  private final Init init;
  private final int fanIn;
  private final int fanOut;

  public ParameterTensor(String layer, Kind kind, int offset, int[] shape, Init init, int fanIn, int fanOut) {
    this.layer = layer;
    this.kind = kind;
    this.offset = offset;
    this.shape = shape.clone();
    int n = 1;
    for (int d : shape) {
      n *= d;
    }
    this.size = n;
    this.init = init;
    this.fanIn = fanIn;
    this.fanOut = fanOut;
  }

  /** {@code <layer>.<suffix>}: {@code hidden.weight}, {@code bn1.running_var}, {@code gru.bias_hh_l0_reverse}. */
  public String name() {
    return layer + "." + kind.suffix();
  }

  public String layer() {
    return layer;
  }

  public Kind kind() {
    return kind;
  }

  /** Where the tensor starts in the flat parameter (and gradient) buffer. */
  public int offset() {
    return offset;
  }

  public int[] shape() {
    return shape.clone();
  }

  /** The number of elements. */
  public int size() {
    return size;
  }

  public Init init() {
    return init;
  }

  public int fanIn() {
    return fanIn;
  }

  public int fanOut() {
    return fanOut;
  }

  @Override
  public String toString() {
    return name() + Arrays.toString(shape) + "@" + offset;
  }
}
