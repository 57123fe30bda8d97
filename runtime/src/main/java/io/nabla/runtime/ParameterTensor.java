package io.nabla.runtime;

import java.util.Arrays;

/**
 * One named tensor inside a model's flat parameter buffer (or its buffer of running statistics), e.g. {@code hidden.weight} of shape (256, 784) at
 * offset 0. Gradients use the same layout, so the same view addresses a tensor's gradient. Names follow PyTorch's
 * {@code state_dict} ({@code <layer>.weight}, {@code <layer>.bias}).
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
    ONES
  }

  /**
   * What a tensor is: a weight or a bias (trainable, e.g. to exempt biases from weight decay), or a batch norm's
   * running statistic (a buffer, in {@link Model#buffers()}, never trained).
   */
  public enum Kind {
    WEIGHT("weight"),
    BIAS("bias"),
    RUNNING_MEAN("running_mean"),
    RUNNING_VAR("running_var");

    private final String suffix;

    Kind(String suffix) {
      this.suffix = suffix;
    }

    /** The part of the name after the layer, as in PyTorch's state_dict: {@code weight}, {@code running_mean}. */
    public String suffix() {
      return suffix;
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

  /** {@code <layer>.weight}, {@code <layer>.bias}, {@code <layer>.running_mean} or {@code <layer>.running_var}. */
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
