package io.nabla.processor.writing;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.MethodSpec;
import io.nabla.Activation;
import io.nabla.processor.model.LayerKind;
import io.nabla.processor.model.LayerNode;
import io.nabla.processor.model.NetworkGraph;

/** What emitters share: the graph, the allocated names, and small code fragments. */
final class EmitContext {
  static final ClassName ACTIVATION = ClassName.get(Activation.class);
  static final ClassName KERNELS = ClassName.get("io.nabla.runtime.kernel", "Kernels");
  static final ClassName LOSS_FUNCTIONS = ClassName.get("io.nabla.runtime.kernel", "LossFunctions");
  static final ClassName ACTIVATION_FUNCTIONS = ClassName.get("io.nabla.runtime.kernel", "ActivationFunctions");
  static final ClassName CONVOLUTION = ClassName.get("io.nabla.runtime.kernel", "Convolution");
  static final ClassName GEOMETRY = ClassName.get("io.nabla.runtime.kernel", "Conv2dGeometry");
  static final ClassName POOLING = ClassName.get("io.nabla.runtime.kernel", "Pooling");
  static final ClassName NORMALIZATION = ClassName.get("io.nabla.runtime.kernel", "NormalizationKernels");
  static final ClassName DROPOUT = ClassName.get("io.nabla.runtime.kernel", "DropoutKernels");
  static final ClassName CONCATENATION = ClassName.get("io.nabla.runtime.kernel", "Concatenation");
  static final ClassName ATTENTION_KERNELS = ClassName.get("io.nabla.runtime.kernel", "AttentionKernels");

  final NetworkGraph graph;
  final Names names;
  /** False for the inference-only class, which has no gradients. */
  final boolean training;
  /** Values (floats or ints, 4 bytes each) per sample of the batch-sized buffers allocated so far. */
  private long valuesPerSample;

  EmitContext(NetworkGraph graph, Names names, boolean training) {
    this.graph = graph;
    this.names = names;
    this.training = training;
  }

  /**
   * Adds {@code field = new float[maxBatch * perSample]} to {@code constructor} and counts the buffer in
   * {@link #bytesPerSample()}.
   */
  void allocateFloats(MethodSpec.Builder constructor, String field, long perSample) {
    constructor.addStatement("$N = new float[maxBatch * $L]", field, perSample);
    valuesPerSample += perSample;
  }

  /**
   * Adds {@code field = new float[maxBatch * LAYER_SIZE]} ({@code int[]} when {@code ints}), one value per element
   * of {@code layer}'s output, to {@code constructor} and counts the buffer in {@link #bytesPerSample()}.
   */
  void allocateLayerSized(MethodSpec.Builder constructor, String field, LayerNode layer, boolean ints) {
    constructor.addStatement("$N = new $L[maxBatch * $N]", field, ints ? "int" : "float", names.size(layer));
    valuesPerSample += layer.shape().size();
  }

  /**
   * The bytes per sample of every batch-sized buffer allocated through this context: what a data-parallel step's
   * parts are sized by.
   */
  long bytesPerSample() {
    return 4 * valuesPerSample;
  }

  LayerNode layer(String name) {
    return graph.layer(name);
  }

  /** Whether a gradient flows into {@code layer}'s output (every layer but the inputs, in the trainable class). */
  boolean hasGrad(LayerNode layer) {
    return training && layer.kind() != LayerKind.INPUT;
  }

  /** The layer's gradient buffer if a gradient flows into it, else the {@code null} literal. */
  String gradOrNull(LayerNode layer) {
    return hasGrad(layer) ? names.grad(layer) : "null";
  }

  /** {@code batch} or {@code batch * rows}: the rows a last-axis operation sees in a batch. */
  static CodeBlock rows(int rowsPerSample) {
    return rowsPerSample == 1 ? CodeBlock.of("batch") : CodeBlock.of("batch * $L", rowsPerSample);
  }

  /** {@code Activation.RELU}. */
  static CodeBlock activation(Activation activation) {
    return CodeBlock.of("$T.$L", ACTIVATION, activation.name());
  }

  /** The leaky slope argument as Java source: the slope for leaky ReLU, {@code 0f} for every other activation. */
  static String slope(Activation activation, float slope) {
    return activation == Activation.LEAKY_RELU ? Float.toString(slope) + "f" : "0f";
  }

  /** The math name of an activation in Javadoc: {@code relu}. */
  static String mathName(Activation activation) {
    return switch (activation) {
      case IDENTITY -> "";
      case RELU -> "relu";
      case LEAKY_RELU -> "leaky_relu";
      case SIGMOID -> "sigmoid";
      case TANH -> "tanh";
      case SOFTMAX -> "softmax";
      case GELU -> "gelu";
      case SILU -> "silu";
    };
  }

  /** Whether the derivative needs the pre-activation z (GELU, SiLU) rather than the output. */
  static boolean derivativeNeedsInput(Activation activation) {
    return activation == Activation.GELU || activation == Activation.SILU;
  }

  /** The derivative as a function of the output y (or, for GELU and SiLU, of the pre-activation z), for Javadoc. */
  static String derivative(Activation activation, float slope) {
    return switch (activation) {
      case IDENTITY -> "1";
      case RELU -> "[y > 0]";
      case LEAKY_RELU -> "(y > 0 ? 1 : " + slope + ")";
      case SIGMOID -> "y(1 - y)";
      case TANH -> "(1 - y²)";
      case SOFTMAX -> "(fused with the loss)";
      case GELU -> "(Φ(z) + z·φ(z))";
      case SILU -> "σ(z)(1 + z(1 - σ(z)))";
    };
  }
}
