package io.nabla.runtime.checkpoint;

import io.nabla.Activation;
import io.nabla.Loss;
import io.nabla.runtime.GeneratedModel;
import io.nabla.runtime.LayerInfo;
import io.nabla.runtime.ParameterTensor;
import io.nabla.runtime.kernel.Kernels;
import io.nabla.runtime.kernel.LossFunctions;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A hand-written stand-in for generated code: an input and a chain of dense layers, tanh on all but the last
 * (identity), MSE; forward only (enough for checkpoints). {@code names[0]} is the input, {@code sizes[i]} the
 * width of layer {@code names[i]}; as the processor would generate for
 * <pre>{@code
 * @Input({3}) Tensor x();
 * @Dense(units = 4, activation = TANH) Tensor hidden(Tensor x);
 * @Dense(units = 2) Tensor out(Tensor hidden);
 * }</pre>
 */
final class MlpModel extends GeneratedModel {
  private final int[] sizes;
  private final int[] weightOffsets;
  private final int[] biasOffsets;
  private final float[][] outputs;
  private final float[] dOut;
  private float[] x;

  MlpModel(String name, String[] names, int[] sizes, int maxBatch) {
    super(name, Loss.MSE, maxBatch, Kernels.portable(), count(sizes), tensors(names, sizes), layers(names, sizes));
    this.sizes = sizes.clone();
    this.weightOffsets = new int[sizes.length];
    this.biasOffsets = new int[sizes.length];
    int offset = 0;
    for (int i = 1; i < sizes.length; i++) {
      weightOffsets[i] = offset;
      offset += sizes[i] * sizes[i - 1];
      biasOffsets[i] = offset;
      offset += sizes[i];
    }
    this.outputs = new float[sizes.length][];
    for (int i = 1; i < sizes.length; i++) {
      outputs[i] = new float[maxBatch * sizes[i]];
    }
    this.dOut = new float[maxBatch * sizes[sizes.length - 1]];
  }

  /** The twin of tools/reference/make_safetensors_fixture.py's torch module: x(3) → hidden(4, tanh) → out(2). */
  static MlpModel torchTwin() {
    return new MlpModel("Mlp", new String[] {"x", "hidden", "out"}, new int[] {3, 4, 2}, 4);
  }

  private static int count(int[] sizes) {
    int n = 0;
    for (int i = 1; i < sizes.length; i++) {
      n += sizes[i] * sizes[i - 1] + sizes[i];
    }
    return n;
  }

  private static List<ParameterTensor> tensors(String[] names, int[] sizes) {
    List<ParameterTensor> tensors = new ArrayList<>();
    int offset = 0;
    for (int i = 1; i < sizes.length; i++) {
      int in = sizes[i - 1];
      int units = sizes[i];
      tensors.add(new ParameterTensor(names[i], ParameterTensor.Kind.WEIGHT, offset, new int[] {units, in},
          ParameterTensor.Init.GLOROT_UNIFORM, in, units));
      offset += units * in;
      tensors.add(new ParameterTensor(names[i], ParameterTensor.Kind.BIAS, offset, new int[] {units},
          ParameterTensor.Init.ZEROS, in, units));
      offset += units;
    }
    return tensors;
  }

  private static List<LayerInfo> layers(String[] names, int[] sizes) {
    List<LayerInfo> layers = new ArrayList<>();
    layers.add(new LayerInfo(names[0], "Input", Collections.<String>emptyList(), new int[] {sizes[0]}, 0));
    for (int i = 1; i < sizes.length; i++) {
      layers.add(new LayerInfo(names[i], "Dense", Collections.singletonList(names[i - 1]), new int[] {sizes[i]},
          sizes[i] * sizes[i - 1] + sizes[i]));
    }
    return layers;
  }

  private Activation activation(int layer) {
    return layer == sizes.length - 1 ? Activation.IDENTITY : Activation.TANH;
  }

  @Override
  protected void forwardPass(float[][] inputs, int batch) {
    x = inputs[0];
    float[] in = x;
    for (int i = 1; i < sizes.length; i++) {
      kernels.denseForward(outputs[i], in, 0, parameters, weightOffsets[i], biasOffsets[i], batch, sizes[i - 1],
          sizes[i], activation(i), 0f);
      in = outputs[i];
    }
  }

  @Override
  protected float lossPass(int[] labels, float[] targets, int batch) {
    return LossFunctions.meanSquaredError(outputs[sizes.length - 1], targets, batch * sizes[sizes.length - 1], dOut);
  }

  @Override
  protected void backwardPass(int batch) {
    throw new UnsupportedOperationException("MlpModel is forward-only");
  }

  @Override
  protected float[] layerOutput(int index) {
    return index == 0 ? x : outputs[index];
  }

  @Override
  protected Activation outputActivation() {
    return Activation.IDENTITY;
  }
}
