package io.nabla.processor.writing;

import com.palantir.javapoet.NameAllocator;
import io.nabla.processor.model.LayerNode;
import io.nabla.processor.model.NetworkGraph;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Every identifier the generated class uses, allocated once so a user's layer names can never collide with each
 * other or with the generated class's own members: layer {@code hidden} gets the buffer {@code hidden}, its
 * gradient {@code hiddenGrad}, methods {@code hiddenForward}/{@code hiddenBackward} and constants
 * {@code HIDDEN_SIZE}, {@code HIDDEN_WEIGHT}, {@code HIDDEN_BIAS}, each renamed with a suffix only on a clash.
 */
final class Names {
  /** Members of the generated class and its base class that layer-derived names must avoid. */
  private static final List<String> RESERVED = List.of(
      "batch", "inputs", "labels", "targets", "index", "rows", "maxBatch", "parameters", "gradients", "kernels",
      "forward", "backward", "loss", "predict", "summary", "initialize", "name", "layers", "output", "TENSORS",
      "LAYERS", "PARAMETER_COUNT", "forwardPass", "lossPass", "backwardPass", "layerOutput", "outputActivation",
      "zeroGradients", "activations", "countCorrect", "predictClasses", "setTraining", "isTraining",
      "inputSize", "outputSize", "classCount", "targetsPerSample", "describeNonFinite", "toString", "equals",
      "shared", "newPart", "lossGradient", "trainStep", "lastOutput", "SPLIT_FROM",
      "hashCode", "getClass", "wait", "notify", "notifyAll", "clone", "finalize",
      // Simple names of the types the generated code uses: a field so named would hide the type.
      "Activation", "Loss", "NablaGenerated", "GeneratedModel", "GeneratedInference", "LayerInfo", "ParameterTensor", "Kernels",
      "LossFunctions", "ActivationFunctions", "Arrays", "Collections", "List", "String", "System", "Override",
      "IndexOutOfBoundsException", "Object", "Math", "Float", "Integer", "Buffers", "Rng", "Convolution",
      "Conv2dGeometry", "Pooling", "NormalizationKernels", "DropoutKernels", "Concatenation",
      // Members and locals of the layers with running statistics, randomness or modes.
      "buffers", "random", "trainingPass", "randomState", "restoreRandomState", "BUFFER_TENSORS", "BUFFER_COUNT",
      "fold", "group", "positions",
      // The recurrent layers' loop variable and kernel types.
      "step", "RecurrentKernels", "RecurrentGeometry",
      // The sequence layers' kernel types.
      "EmbeddingKernels", "LayerNormKernels", "AttentionKernels");

  private final NameAllocator allocator = new NameAllocator();
  private final Map<String, String> names = new HashMap<>();

  Names(NetworkGraph graph) {
    for (String reserved : RESERVED) {
      allocator.newName(reserved, "reserved:" + reserved);
    }
    for (LayerNode layer : graph.layers()) {
      String n = layer.name();
      String upper = constantCase(n);
      allocate(n, "buffer", n);
      allocate(n, "grad", n + "Grad");
      allocate(n, "preActivation", n + "PreActivation");
      allocate(n, "operands", n + "Operands");
      allocate(n, "forward", n + "Forward");
      allocate(n, "backward", n + "Backward");
      allocate(n, "size", upper + "_SIZE");
      allocate(n, "weight", upper + "_WEIGHT");
      allocate(n, "bias", upper + "_BIAS");
    }
  }

  private void allocate(String layer, String what, String suggestion) {
    names.put(layer + "/" + what, allocator.newName(suggestion, layer + "/" + what));
  }

  private String get(LayerNode layer, String what) {
    return names.get(layer.name() + "/" + what);
  }

  /** The layer's output buffer (for an input, the field holding the caller's array). */
  String buffer(LayerNode layer) {
    return get(layer, "buffer");
  }

  /** The gradient of the loss with respect to the layer's output. */
  String grad(LayerNode layer) {
    return get(layer, "grad");
  }

  /** The output layer's logits when its softmax or sigmoid is fused with the loss. */
  String preActivation(LayerNode layer) {
    return get(layer, "preActivation");
  }

  /** An {@code @Add}'s reused array of operand buffers. */
  String operands(LayerNode layer) {
    return get(layer, "operands");
  }

  String forward(LayerNode layer) {
    return get(layer, "forward");
  }

  String backward(LayerNode layer) {
    return get(layer, "backward");
  }

  /** The per-sample size constant. */
  String size(LayerNode layer) {
    return get(layer, "size");
  }

  /**
   * The offset constant of a parameter tensor ({@code weight}, {@code bias}) or a buffer ({@code running_mean}:
   * {@code BN1_RUNNING_MEAN}).
   */
  String offset(LayerNode layer, String role) {
    return names.computeIfAbsent(layer.name() + "/" + role,
        key -> allocator.newName(constantCase(layer.name()) + "_" + constantCase(role), key));
  }

  /** A layer's own field, e.g. {@code member(conv1, "columns")} is {@code conv1Columns}. */
  String member(LayerNode layer, String what) {
    return names.computeIfAbsent(layer.name() + "/" + what, key -> allocator.newName(
        layer.name() + Character.toUpperCase(what.charAt(0)) + what.substring(1), key));
  }

  /** A layer's own constant, e.g. {@code constant(conv1, "geometry")} is {@code CONV1_GEOMETRY}. */
  String constant(LayerNode layer, String what) {
    return names.computeIfAbsent(layer.name() + "/" + what,
        key -> allocator.newName(constantCase(layer.name()) + "_" + constantCase(what), key));
  }

  static String constantCase(String camel) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < camel.length(); i++) {
      char c = camel.charAt(i);
      if (c == '.') {
        c = '_'; // out_proj.weight: PyTorch's nested names
      } else if (Character.isUpperCase(c) && i > 0 && !Character.isUpperCase(camel.charAt(i - 1))) {
        sb.append('_');
      }
      sb.append(c);
    }
    return sb.toString().toUpperCase(Locale.ROOT);
  }
}
