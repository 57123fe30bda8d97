package io.nabla.runtime;

import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * What {@link Model#summary()} shows of one layer: its name, kind, inputs, output shape, parameter count and
 * forward floating-point operations per sample.
 */
public final class LayerInfo {
  private final String name;
  private final String kind;
  private final List<String> inputs;
  private final int[] outputShape;
  private final int parameterCount;
  private final long flops;

  public LayerInfo(String name, String kind, List<String> inputs, int[] outputShape, int parameterCount) {
    this(name, kind, inputs, outputShape, parameterCount, 0);
  }

  /** {@code flops}: forward floating-point operations per sample (a multiply-add counts 2). */
  public LayerInfo(String name, String kind, List<String> inputs, int[] outputShape, int parameterCount,
      long flops) {
    this.flops = flops;
    this.name = name;
    this.kind = kind;
    this.inputs = Collections.unmodifiableList(inputs);
    this.outputShape = outputShape.clone();
    this.parameterCount = parameterCount;
  }

  public String name() {
    return name;
  }

  /** The annotation that declared it, e.g. {@code Dense}. */
  public String kind() {
    return kind;
  }

  /** The layers it reads, by name. */
  public List<String> inputs() {
    return inputs;
  }

  /** The per-sample output shape (no batch dimension). */
  public int[] outputShape() {
    return outputShape.clone();
  }

  /** The per-sample output size: the product of {@link #outputShape()}. */
  public int outputSize() {
    int n = 1;
    for (int d : outputShape) {
      n *= d;
    }
    return n;
  }

  public int parameterCount() {
    return parameterCount;
  }

  /** Forward floating-point operations per sample, as the processor estimated them (a multiply-add counts 2). */
  public long flops() {
    return flops;
  }

  @Override
  public String toString() {
    return name + " " + kind + Arrays.toString(outputShape);
  }
}
