package io.nabla.runtime.checkpoint;

import io.nabla.runtime.LayerInfo;
import io.nabla.runtime.Model;
import io.nabla.runtime.ParameterTensor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The fingerprint of a model's architecture that a checkpoint records and checks before restoring: the model's
 * name, its layers in forward order (name, kind, the layers each reads, per-sample output shape, parameter count)
 * and its parameter tensors in buffer order (name, shape, offset in the flat buffer). It is what
 * {@link Model#layers()} and {@link Model#parameters()} expose, so it does not see hyperparameters that do not
 * change a shape, such as a layer's activation or the loss.
 */
public final class Architecture {

  /** One parameter tensor: its name (e.g. {@code hidden.weight}), shape and offset in the flat buffer. */
  public static final class Tensor {
    private final String name;
    private final int[] shape;
    private final long offset;
    private final long size;

    Tensor(String name, int[] shape, long offset) {
      this.name = name;
      this.shape = shape.clone();
      this.offset = offset;
      this.size = elements(shape);
    }

    public String name() {
      return name;
    }

    public int[] shape() {
      return shape.clone();
    }

    /** Where the tensor starts in the flat parameter buffer. */
    public long offset() {
      return offset;
    }

    /** The number of elements. */
    public long size() {
      return size;
    }

    int[] shapeUnsafe() {
      return shape;
    }

    @Override
    public String toString() {
      return name + " " + Architecture.shape(shape);
    }
  }

  private final String modelName;
  private final List<LayerInfo> layers;
  private final List<Tensor> tensors;
  private final long parameterCount;

  Architecture(String modelName, List<LayerInfo> layers, List<Tensor> tensors, long parameterCount) {
    this.modelName = modelName;
    this.layers = Collections.unmodifiableList(new ArrayList<>(layers));
    this.tensors = Collections.unmodifiableList(new ArrayList<>(tensors));
    this.parameterCount = parameterCount;
  }

  /** The architecture of {@code model}. */
  public static Architecture of(Model model) {
    List<Tensor> tensors = new ArrayList<>();
    for (ParameterTensor t : model.parameters().tensors()) {
      tensors.add(new Tensor(t.name(), t.shape(), t.offset()));
    }
    return new Architecture(model.name(), model.layers(), tensors, model.parameters().size());
  }

  /** The simple name of the model's declaration, e.g. {@code FashionMlp}. */
  public String modelName() {
    return modelName;
  }

  /** The layers, in forward order. */
  public List<LayerInfo> layers() {
    return layers;
  }

  /** The parameter tensors, in buffer order. */
  public List<Tensor> tensors() {
    return tensors;
  }

  /** The tensor called {@code name}, or {@code null}. */
  public @Nullable Tensor tensor(String name) {
    for (Tensor t : tensors) {
      if (t.name.equals(name)) {
        return t;
      }
    }
    return null;
  }

  /** The length of the flat parameter buffer. */
  public long parameterCount() {
    return parameterCount;
  }

  /**
   * The first difference between this (a checkpoint's) architecture and {@code model}'s, as a sentence naming the
   * layer or tensor and both values, or {@code null} if they are the same. Layers are compared first, in forward
   * order, then tensors, then the model's name.
   */
  public @Nullable String differenceFrom(Architecture model) {
    int n = Math.max(layers.size(), model.layers.size());
    for (int i = 0; i < n; i++) {
      LayerInfo a = i < layers.size() ? layers.get(i) : null;
      LayerInfo b = i < model.layers.size() ? model.layers.get(i) : null;
      if (a == null) {
        return "the model has an extra layer '" + b.name() + "' (" + b.kind() + ", output shape "
            + shape(b.outputShape()) + ") after the checkpoint's last layer"
            + (i > 0 ? " '" + layers.get(i - 1).name() + "'" : "");
      }
      if (b == null) {
        return "the checkpoint has a layer '" + a.name() + "' (" + a.kind() + ", output shape "
            + shape(a.outputShape()) + ") that the model lacks"
            + (i > 0 ? " after its last layer '" + model.layers.get(i - 1).name() + "'" : "");
      }
      if (!a.name().equals(b.name())) {
        return "layer " + (i + 1) + " is '" + a.name() + "' (" + a.kind() + ", output shape "
            + shape(a.outputShape()) + ") in the checkpoint and '" + b.name() + "' (" + b.kind()
            + ", output shape " + shape(b.outputShape()) + ") in the model";
      }
      if (!a.kind().equals(b.kind())) {
        return "layer '" + a.name() + "' is a " + a.kind() + " layer in the checkpoint and a " + b.kind()
            + " layer in the model";
      }
      if (!Arrays.equals(a.outputShape(), b.outputShape())) {
        return "layer '" + a.name() + "' has output shape " + shape(a.outputShape()) + " in the checkpoint and "
            + shape(b.outputShape()) + " in the model";
      }
      if (!a.inputs().equals(b.inputs())) {
        return "layer '" + a.name() + "' reads " + a.inputs() + " in the checkpoint and " + b.inputs()
            + " in the model";
      }
      if (a.parameterCount() != b.parameterCount()) {
        return "layer '" + a.name() + "' has " + a.parameterCount() + " parameters in the checkpoint and "
            + b.parameterCount() + " in the model";
      }
    }
    n = Math.max(tensors.size(), model.tensors.size());
    for (int i = 0; i < n; i++) {
      Tensor a = i < tensors.size() ? tensors.get(i) : null;
      Tensor b = i < model.tensors.size() ? model.tensors.get(i) : null;
      if (a == null) {
        return "the model has a tensor " + b.name + " of shape " + shape(b.shape) + " that the checkpoint lacks";
      }
      if (b == null) {
        return "the checkpoint has a tensor " + a.name + " of shape " + shape(a.shape) + " that the model lacks";
      }
      if (!a.name.equals(b.name)) {
        return "tensor " + (i + 1) + " is " + a.name + " of shape " + shape(a.shape) + " in the checkpoint and "
            + b.name + " of shape " + shape(b.shape) + " in the model";
      }
      if (!Arrays.equals(a.shape, b.shape)) {
        return "tensor " + a.name + " has shape " + shape(a.shape) + " in the checkpoint and " + shape(b.shape)
            + " in the model";
      }
      if (a.offset != b.offset) {
        return "tensor " + a.name + " starts at offset " + a.offset + " of the parameter buffer in the checkpoint"
            + " and at " + b.offset + " in the model";
      }
    }
    if (parameterCount != model.parameterCount) {
      return "the parameter buffer holds " + parameterCount + " floats in the checkpoint and "
          + model.parameterCount + " in the model";
    }
    if (!modelName.equals(model.modelName)) {
      return "the model is named " + modelName + " in the checkpoint and " + model.modelName + " in the model (the"
          + " layers and tensors are the same); rename the declaration back, or move the weights with Safetensors,"
          + " which matches tensors by name and shape only";
    }
    return null;
  }

  /**
   * A SHA-256 hex digest of the fingerprint (its bytes as the checkpoint stores them): equal architectures have
   * equal digests, e.g. to name checkpoint folders.
   */
  public String digest() {
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      BinaryOutput out = new BinaryOutput(bytes);
      write(out);
      out.drain();
      byte[] hash = MessageDigest.getInstance("SHA-256").digest(bytes.toByteArray());
      StringBuilder sb = new StringBuilder();
      for (byte b : hash) {
        sb.append(Character.forDigit((b >> 4) & 0xF, 16)).append(Character.forDigit(b & 0xF, 16));
      }
      return sb.toString();
    } catch (IOException | NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The ARCH section's payload. */
  void write(BinaryOutput out) throws IOException {
    out.string16(modelName);
    out.u32(layers.size());
    for (LayerInfo layer : layers) {
      out.string16(layer.name());
      out.string16(layer.kind());
      out.u32(layer.inputs().size());
      for (String input : layer.inputs()) {
        out.string16(input);
      }
      writeShape(out, layer.outputShape());
      out.i64(layer.parameterCount());
    }
    out.u32(tensors.size());
    for (Tensor t : tensors) {
      out.string16(t.name);
      writeShape(out, t.shape);
      out.i64(t.offset);
    }
    out.i64(parameterCount);
  }

  static Architecture read(BinaryInput in) throws IOException, BinaryInput.Problem {
    String modelName = in.string16("the model name");
    long layerCount = in.u32();
    // Each layer takes at least 2 + 2 + 4 + 4 + 8 bytes: a lying count fails here, before anything is allocated.
    in.need(layerCount * 20, layerCount + " layers");
    List<LayerInfo> layers = new ArrayList<>();
    for (long i = 0; i < layerCount; i++) {
      String name = in.string16("a layer name");
      String kind = in.string16("the kind of layer '" + name + "'");
      long inputCount = in.u32();
      in.need(inputCount * 2, inputCount + " inputs of layer '" + name + "'");
      List<String> inputs = new ArrayList<>();
      for (long j = 0; j < inputCount; j++) {
        inputs.add(in.string16("an input of layer '" + name + "'"));
      }
      int[] shape = readShape(in, "the output shape of layer '" + name + "'");
      long parameters = in.i64();
      if (parameters < 0 || parameters > Integer.MAX_VALUE) {
        throw new BinaryInput.Problem("layer '" + name + "' has " + parameters + " parameters");
      }
      layers.add(new LayerInfo(name, kind, inputs, shape, (int) parameters));
    }
    long tensorCount = in.u32();
    in.need(tensorCount * 14, tensorCount + " tensors");
    List<Tensor> tensors = new ArrayList<>();
    for (long i = 0; i < tensorCount; i++) {
      String name = in.string16("a tensor name");
      int[] shape = readShape(in, "the shape of tensor " + name);
      long offset = in.i64();
      tensors.add(new Tensor(name, shape, offset));
    }
    long parameterCount = in.i64();
    long sum = 0;
    for (Tensor t : tensors) {
      if (t.offset < 0 || t.offset + t.size > parameterCount) {
        throw new BinaryInput.Problem("tensor " + t.name + " (offset " + t.offset + ", " + t.size
            + " elements) lies outside the parameter buffer of " + parameterCount + " floats");
      }
      sum += t.size;
    }
    if (parameterCount > Integer.MAX_VALUE - 8 || sum > parameterCount) {
      throw new BinaryInput.Problem("the tensors hold " + sum + " elements in a buffer of " + parameterCount);
    }
    return new Architecture(modelName, layers, tensors, parameterCount);
  }

  static void writeShape(BinaryOutput out, int[] shape) throws IOException {
    out.u32(shape.length);
    for (int d : shape) {
      out.u32(d);
    }
  }

  static int[] readShape(BinaryInput in, String what) throws IOException, BinaryInput.Problem {
    long rank = in.u32();
    in.need(rank * 4, what);
    int[] shape = new int[(int) rank];
    for (int i = 0; i < rank; i++) {
      long d = in.u32();
      if (d > Integer.MAX_VALUE) {
        throw new BinaryInput.Problem(what + " has a dimension of " + d);
      }
      shape[i] = (int) d;
    }
    if (elements(shape) > Integer.MAX_VALUE - 8) {
      throw new BinaryInput.Problem(what + " " + shape(shape) + " has more than 2^31 elements");
    }
    return shape;
  }

  static long elements(int[] shape) {
    long n = 1;
    for (int d : shape) {
      n *= d;
      if (n > Integer.MAX_VALUE) {
        return Long.MAX_VALUE;
      }
    }
    return n;
  }

  /** PyTorch's tuple style: {@code (4, 3)}, {@code (6,)}. */
  static String shape(int[] shape) {
    StringBuilder sb = new StringBuilder("(");
    for (int i = 0; i < shape.length; i++) {
      sb.append(i == 0 ? "" : ", ").append(shape[i]);
    }
    return sb.append(shape.length == 1 ? ",)" : ")").toString();
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof Architecture && differenceFrom((Architecture) o) == null;
  }

  @Override
  public int hashCode() {
    return modelName.hashCode() * 31 + tensors.size();
  }

  @Override
  public String toString() {
    return modelName + " " + layers + " " + tensors;
  }
}
