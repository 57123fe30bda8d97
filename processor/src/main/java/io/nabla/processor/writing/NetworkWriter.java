package io.nabla.processor.writing;

import com.palantir.javapoet.AnnotationSpec;
import com.palantir.javapoet.ArrayTypeName;
import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.JavaFile;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.ParameterizedTypeName;
import com.palantir.javapoet.TypeName;
import com.palantir.javapoet.TypeSpec;
import io.nabla.Activation;
import io.nabla.Loss;
import io.nabla.NablaGenerated;
import io.nabla.processor.model.Flops;
import io.nabla.processor.model.LayerKind;
import io.nabla.processor.model.LayerNode;
import io.nabla.processor.model.NetworkGraph;
import io.nabla.processor.model.ParameterSlot;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.stream.Collectors;
import javax.lang.model.element.Element;
import javax.lang.model.element.Modifier;
import javax.lang.model.element.PackageElement;
import javax.lang.model.element.TypeElement;

/**
 * Stage 7: writes the generated class for a {@link NetworkGraph}. The class extends the runtime's
 * {@code GeneratedModel}; this writer adds what depends on the graph, section by section: sizes, the parameter
 * layout, buffers, constructors, the forward/loss/backward wiring and, per layer, the forward/backward pair its
 * {@link LayerEmitter} writes. No timestamps: the same declaration always gives the same source.
 */
public final class NetworkWriter {
  public static final String PROCESSOR = "io.nabla.processor.NablaProcessor";

  private static final ClassName GENERATED_MODEL = ClassName.get("io.nabla.runtime", "GeneratedModel");
  private static final ClassName GENERATED_INFERENCE = ClassName.get("io.nabla.runtime", "GeneratedInference");
  private static final ClassName PARAMETER_TENSOR = ClassName.get("io.nabla.runtime", "ParameterTensor");
  private static final ClassName LAYER_INFO = ClassName.get("io.nabla.runtime", "LayerInfo");
  private static final TypeName FLOATS = ArrayTypeName.of(float.class);

  private final NetworkGraph graph;
  private final Names names;
  private final EmitContext context;
  private final TypeSpec.Builder type;
  /** The trainable {@code <Name>Net}, or the forward-only {@code <Name>Inference}. */
  private final boolean training;

  private NetworkWriter(NetworkGraph graph, boolean training) {
    this.graph = graph;
    this.training = training;
    this.names = new Names(graph);
    this.context = new EmitContext(graph, names, training);
    this.type = TypeSpec.classBuilder(training ? generatedName(graph.declaration())
        : inferenceName(graph.declaration()));
  }

  /** {@code FashionMlpNet} for {@code FashionMlp}; {@code Outer_InnerNet} for a nested {@code Outer.Inner}. */
  public static String generatedName(TypeElement declaration) {
    StringBuilder name = new StringBuilder(declaration.getSimpleName());
    for (Element e = declaration.getEnclosingElement(); e instanceof TypeElement t; e = e.getEnclosingElement()) {
      name.insert(0, t.getSimpleName() + "_");
    }
    return name.append("Net").toString();
  }

  /** {@code FashionMlpInference} for {@code FashionMlp}: the forward-only class. */
  public static String inferenceName(TypeElement declaration) {
    String net = generatedName(declaration);
    return net.substring(0, net.length() - "Net".length()) + "Inference";
  }

  /** The trainable class, {@code <Name>Net}. */
  public static JavaFile write(NetworkGraph graph, String packageName) {
    return new NetworkWriter(graph, true).build(packageName);
  }

  /**
   * The inference-only class, {@code <Name>Inference}: the same forward pass with no gradient buffers, no loss and
   * no backward, for apps that only run a trained network (loaded with {@code load(File)}).
   */
  public static JavaFile writeInference(NetworkGraph graph, String packageName) {
    return new NetworkWriter(graph, false).build(packageName);
  }

  public static String packageOf(TypeElement declaration) {
    Element e = declaration;
    while (!(e instanceof PackageElement)) {
      e = e.getEnclosingElement();
    }
    return ((PackageElement) e).getQualifiedName().toString();
  }

  private JavaFile build(String packageName) {
    TypeElement declaration = graph.declaration();
    type.addModifiers(Modifier.PUBLIC, Modifier.FINAL)
        .superclass(training ? GENERATED_MODEL : GENERATED_INFERENCE)
        .addOriginatingElement(declaration)
        .addAnnotation(AnnotationSpec.builder(NablaGenerated.class)
            .addMember("value", "$S", PROCESSOR)
            .addMember("from", "$S", declaration.getQualifiedName().toString())
            .build());
    addHeader();
    addSizes();
    addParameterLayout();
    addBuffers();
    addConstructors();
    addForwardPass();
    if (training) {
      addLossPass();
      addBackwardPass();
    }
    addLayerOutput();
    addOutputActivation();
    for (LayerNode layer : graph.layers()) {
      LayerEmitter emitter = LayerEmitter.forKind(layer.kind());
      MethodSpec forward = emitter.forward(layer, context);
      if (forward != null) {
        type.addMethod(linkedToDeclaration(forward, layer));
      }
      MethodSpec backward = training ? emitter.backward(layer, context) : null;
      if (backward != null) {
        type.addMethod(linkedToDeclaration(backward, layer));
      }
    }
    return JavaFile.builder(packageName, type.build())
        .addFileComment("Generated by Nabla's annotation processor from $L. Do not edit.",
            declaration.getQualifiedName())
        .skipJavaLangImports(true)
        .indent("  ")
        .build();
  }

  private void addHeader() {
    if (training) {
      type.addJavadoc("The network declared by {@link $T}, generated by Nabla: forward and backward passes over one\n",
          ClassName.get(graph.declaration()));
      type.addJavadoc("flat parameter buffer, for batches of up to {@code maxBatch} samples.\n\n<pre>\n");
    } else {
      type.addJavadoc("The network declared by {@link $T}, forward only, generated by Nabla for apps that only run a\n",
          ClassName.get(graph.declaration()));
      type.addJavadoc("trained network: no gradients, loss or optimizer state; weights come from {@code load(File)}\n");
      type.addJavadoc("(a checkpoint or safetensors file of {@link $L}). Batches of up to {@code maxBatch} samples.\n\n"
          + "<pre>\n", generatedName(graph.declaration()));
    }
    for (String line : SummaryTable.lines(graph)) {
      type.addJavadoc("$L\n", line);
    }
    type.addJavadoc("loss: $L on $L\n</pre>\n\n", lossDescription(graph.loss()), graph.output().name());
    type.addJavadoc("<p>Shapes are per sample; buffers hold a batch, B = batch ≤ maxBatch, row-major. FLOPs are the\n");
    type.addJavadoc("forward pass's per sample (a multiply-add counts 2; backward costs about twice that). A\n");
    type.addJavadoc("$L allocates nothing. Not thread-safe.\n", training ? "training step" : "forward pass");
  }

  /** The method with a last Javadoc line linking the declaration it came from, for readers of the source. */
  private MethodSpec linkedToDeclaration(MethodSpec method, LayerNode layer) {
    StringBuilder parameters = new StringBuilder();
    for (int i = 0; i < layer.inputs().size(); i++) {
      parameters.append(i == 0 ? "" : ", ").append("io.nabla.Tensor");
    }
    return method.toBuilder()
        .addJavadoc("Declared by {@link $T#$L($L)}.\n", ClassName.get(graph.declaration()),
            layer.element().getSimpleName(), parameters)
        .build();
  }

  private void addSizes() {
    for (LayerNode layer : graph.layers()) {
      type.addField(FieldSpec.builder(int.class, names.size(layer), Modifier.PUBLIC, Modifier.STATIC,
              Modifier.FINAL)
          .addJavadoc("Per-sample size of {@code $L}, shape $L.\n", layer.name(), layer.shape())
          .initializer("$L", layer.shape().size())
          .build());
    }
  }

  private void addParameterLayout() {
    CodeBlock tensors = tensorLayout(false, "in the parameter and gradient buffers");
    type.addField(FieldSpec.builder(int.class, "PARAMETER_COUNT", Modifier.PUBLIC, Modifier.STATIC,
            Modifier.FINAL)
        .addJavadoc("The number of parameters: the length of the parameter and gradient buffers.\n")
        .initializer("$L", graph.parameterCount())
        .build());
    type.addField(FieldSpec.builder(ParameterizedTypeName.get(ClassName.get(List.class), PARAMETER_TENSOR),
            "TENSORS", Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
        .initializer(tensors)
        .build());

    addBufferLayout();

    CodeBlock.Builder layers = CodeBlock.builder().add("$T.unmodifiableList($T.asList(", Collections.class,
        Arrays.class).indent();
    for (int i = 0; i < graph.layers().size(); i++) {
      LayerNode layer = graph.layers().get(i);
      CodeBlock inputs = layer.inputs().isEmpty()
          ? CodeBlock.of("$T.<String>emptyList()", Collections.class)
          : CodeBlock.of("$T.asList($L)", Arrays.class,
              layer.inputs().stream().map(n -> CodeBlock.of("$S", n).toString()).collect(Collectors.joining(", ")));
      layers.add(i == 0 ? "\n" : ",\n");
      layers.add("new $T($S, $S, $L, new int[] {$L}, $L, $LL)", LAYER_INFO, layer.name(),
          layer.kind().displayName(), inputs, dims(layer.shape().dims()), layer.parameterCount(),
          Flops.forward(layer, graph));
    }
    layers.add("))").unindent();
    type.addField(FieldSpec.builder(ParameterizedTypeName.get(ClassName.get(List.class), LAYER_INFO), "LAYERS",
            Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
        .initializer(layers.build())
        .build());
  }

  /**
   * Adds an offset constant per parameter tensor (or, with {@code buffers}, per running statistic) and returns
   * the initializer of the list of their {@code ParameterTensor}s.
   */
  private CodeBlock tensorLayout(boolean buffers, String where) {
    CodeBlock.Builder tensors = CodeBlock.builder().add("$T.unmodifiableList($T.asList(", Collections.class,
        Arrays.class).indent();
    boolean first = true;
    for (LayerNode layer : graph.layers()) {
      for (ParameterSlot slot : buffers ? layer.buffers() : layer.parameters()) {
        String constant = names.offset(layer, slot.role());
        type.addField(FieldSpec.builder(int.class, constant, Modifier.PUBLIC, Modifier.STATIC, Modifier.FINAL)
            .addJavadoc("Offset of {@code $L.$L} $L $L.\n", layer.name(), slot.role(), slot.shape(), where)
            .initializer("$L", slot.offset())
            .build());
        tensors.add(first ? "\n" : ",\n");
        first = false;
        tensors.add("new $T($S, $T.Kind.$L, $N, new int[] {$L}, $T.Init.$L, $L, $L)", PARAMETER_TENSOR,
            layer.name(), PARAMETER_TENSOR, Names.constantCase(slot.role()), constant, dims(slot.shape().dims()),
            PARAMETER_TENSOR, slot.init().name(), slot.fanIn(), slot.fanOut());
      }
    }
    return first ? CodeBlock.of("$T.emptyList()", Collections.class) : tensors.add("))").unindent().build();
  }

  /** The running statistics' offsets and tensors, when some layer has them (batch norm). */
  private void addBufferLayout() {
    if (graph.bufferCount() == 0) {
      return;
    }
    CodeBlock tensors = tensorLayout(true, "in the buffers of running statistics");
    type.addField(FieldSpec.builder(int.class, "BUFFER_COUNT", Modifier.PUBLIC, Modifier.STATIC, Modifier.FINAL)
        .addJavadoc("The number of running statistics: the length of {@code buffers}.\n")
        .initializer("$L", graph.bufferCount())
        .build());
    type.addField(FieldSpec.builder(ParameterizedTypeName.get(ClassName.get(List.class), PARAMETER_TENSOR),
            "BUFFER_TENSORS", Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
        .initializer(tensors)
        .build());
  }

  private void addBuffers() {
    for (LayerNode layer : graph.layers()) {
      if (layer.kind() == LayerKind.INPUT) {
        type.addField(FieldSpec.builder(FLOATS, names.buffer(layer), Modifier.PRIVATE)
            .addJavadoc("Input {@code $L}: the caller's array, (B, $L).\n", layer.name(), shapeDims(layer))
            .build());
        continue;
      }
      type.addField(FieldSpec.builder(FLOATS, names.buffer(layer), Modifier.PRIVATE, Modifier.FINAL)
          .addJavadoc("Output of {@code $L}$L, (B, $L).\n", layer.name(), layer.fusedWithLoss()
              ? " (" + layer.spec().activation().name().toLowerCase(java.util.Locale.ROOT) + " probabilities)" : "",
              shapeDims(layer))
          .build());
      if (layer.fusedWithLoss()) {
        type.addField(FieldSpec.builder(FLOATS, names.preActivation(layer), Modifier.PRIVATE, Modifier.FINAL)
            .addJavadoc("Logits of {@code $L} before its $L, read by the loss, (B, $L).\n", layer.name(),
                layer.spec().activation(), shapeDims(layer))
            .build());
      }
      if (training) {
        type.addField(FieldSpec.builder(FLOATS, names.grad(layer), Modifier.PRIVATE, Modifier.FINAL)
            .addJavadoc("dLoss/d$L, (B, $L).\n", layer.fusedWithLoss() ? names.preActivation(layer) : layer.name(),
                shapeDims(layer))
            .build());
      }
      if (layer.kind() == LayerKind.ADD) {
        type.addField(FieldSpec.builder(ArrayTypeName.of(FLOATS), names.operands(layer), Modifier.PRIVATE,
                Modifier.FINAL)
            .addJavadoc("The buffers {@code $L} sums, reused every step.\n", layer.name())
            .build());
      }
    }
  }

  private void addConstructors() {
    String initialised = training ? "initialised with seed 0" : "all weights zero until {@code load(File)}";
    type.addMethod(MethodSpec.constructorBuilder()
        .addModifiers(Modifier.PUBLIC)
        .addJavadoc("A network for batches of up to {@code maxBatch} samples, on the fastest kernels this JVM runs"
            + " ({@code Kernels.best()}: the Vector API with {@code --add-modules jdk.incubator.vector}, else"
            + " portable Java), $L.\n", initialised)
        .addParameter(int.class, "maxBatch")
        .addStatement("this(maxBatch, $T.best())", EmitContext.KERNELS)
        .build());
    MethodSpec.Builder main = MethodSpec.constructorBuilder()
        .addModifiers(Modifier.PUBLIC)
        .addJavadoc("A network for batches of up to {@code maxBatch} samples, on {@code kernels} (one instance per"
            + " network), $L.\n", initialised)
        .addParameter(int.class, "maxBatch")
        .addParameter(EmitContext.KERNELS, "kernels");
    if (training) {
      // The public constructor delegates to one that a data-parallel step's parts share parameters through.
      type.addMethod(main.addStatement("this(null, maxBatch, kernels)").build());
      main = MethodSpec.constructorBuilder()
          .addModifiers(Modifier.PRIVATE)
          .addJavadoc("A network as the public constructor makes, or, with {@code shared} non-null, a part of\n"
              + "{@code shared}'s data-parallel training steps: it reads {@code shared}'s parameters and keeps its\n"
              + "own activations.\n")
          .addParameter(ClassName.get(ClassName.get(graph.declaration()).packageName(),
              generatedName(graph.declaration())), "shared")
          .addParameter(int.class, "maxBatch")
          .addParameter(EmitContext.KERNELS, "kernels");
      main.addStatement(graph.bufferCount() == 0
              ? "super(shared, $S, $T.$L, maxBatch, kernels, PARAMETER_COUNT, TENSORS, LAYERS)"
              : "super(shared, $S, $T.$L, maxBatch, kernels, PARAMETER_COUNT, TENSORS, BUFFER_COUNT, BUFFER_TENSORS,"
                  + " LAYERS)",
          graph.declaration().getSimpleName(), Loss.class, graph.loss().name());
    } else if (graph.bufferCount() == 0) {
      main.addStatement("super($S, maxBatch, kernels, PARAMETER_COUNT, TENSORS, 0, $T.<$T>emptyList(), LAYERS)",
          graph.declaration().getSimpleName(), Collections.class, PARAMETER_TENSOR);
    } else {
      main.addStatement("super($S, maxBatch, kernels, PARAMETER_COUNT, TENSORS, BUFFER_COUNT, BUFFER_TENSORS, LAYERS)",
          graph.declaration().getSimpleName());
    }
    for (LayerNode layer : graph.layers()) {
      if (layer.kind() == LayerKind.INPUT) {
        continue;
      }
      context.allocateLayerSized(main, names.buffer(layer), layer, false);
      if (layer.fusedWithLoss()) {
        context.allocateLayerSized(main, names.preActivation(layer), layer, false);
      }
      if (training) {
        context.allocateLayerSized(main, names.grad(layer), layer, false);
      }
      if (layer.kind() == LayerKind.ADD) {
        main.addStatement("$N = new float[$L][]", names.operands(layer), layer.inputs().size());
      }
      LayerEmitter.forKind(layer.kind()).addMembers(layer, context, type, main);
    }
    type.addMethod(main.build());
    if (training) {
      type.addMethod(override("lossGradient").returns(FLOATS)
          .addStatement("return $N", names.grad(graph.output()))
          .build());
      type.addMethod(override("newPart").returns(GENERATED_MODEL)
          .addParameter(int.class, "maxBatch")
          .addParameter(EmitContext.KERNELS, "kernels")
          .addStatement("return new $L(this, maxBatch, kernels)", generatedName(graph.declaration()))
          .build());
      type.addMethod(override("bytesPerSample").returns(long.class)
          .addJavadoc("The bytes of the buffers above that hold a batch, per sample: a data-parallel step's parts are"
              + " sized by it.\n")
          .addStatement("return $LL", context.bytesPerSample())
          .build());
    }
  }

  private void addForwardPass() {
    MethodSpec.Builder m = override("forwardPass").addParameter(ArrayTypeName.of(FLOATS), "inputs")
        .addParameter(int.class, "batch");
    int index = 0;
    for (LayerNode layer : graph.layers()) {
      if (layer.kind() == LayerKind.INPUT) {
        m.addStatement("$N = inputs[$L]", names.buffer(layer), index++);
      } else {
        m.addStatement("$L", LayerEmitter.forKind(layer.kind()).forwardCall(layer, context));
      }
    }
    type.addMethod(m.build());
  }

  private void addLossPass() {
    LayerNode out = graph.output();
    String logits = out.fusedWithLoss() ? names.preActivation(out) : names.buffer(out);
    MethodSpec.Builder m = override("lossPass").returns(float.class)
        .addParameter(int[].class, "labels").addParameter(FLOATS, "targets").addParameter(int.class, "batch");
    switch (graph.loss()) {
      case SOFTMAX_CROSS_ENTROPY -> {
        m.addJavadoc("Softmax cross-entropy on {@code $L}, fused: mean(logsumexp(z) - z[label]) over rows, and\n"
            + "{@code $L} = (softmax(z) - onehot(label)) / rows.\n", logits, names.grad(out));
        m.addJavadoc("Above a size threshold the kernels split the rows over their threads.\n");
        m.addStatement("return kernels.softmaxCrossEntropy($N, labels, $L, $L, $N)", logits,
            EmitContext.rows(out.shape().rows()), out.shape().last(), names.grad(out));
      }
      case BINARY_CROSS_ENTROPY_WITH_LOGITS -> {
        m.addJavadoc("Binary cross-entropy on the logits {@code $L}, fused with the sigmoid: the loss is\n"
            + "mean(max(z, 0) - z·t + log(1 + e^-|z|)) and {@code $L} = (sigmoid(z) - t) / n.\n", logits,
            names.grad(out));
        m.addStatement("return $T.binaryCrossEntropyWithLogits($N, targets, batch * $N, $N)",
            EmitContext.LOSS_FUNCTIONS, logits, names.size(out), names.grad(out));
      }
      case MSE -> {
        m.addJavadoc("Mean squared error: mean((y - t)²) and {@code $L} = 2(y - t) / n.\n", names.grad(out));
        m.addStatement("return $T.meanSquaredError($N, targets, batch * $N, $N)", EmitContext.LOSS_FUNCTIONS,
            names.buffer(out), names.size(out), names.grad(out));
      }
    }
    type.addMethod(m.build());
  }

  private void addBackwardPass() {
    MethodSpec.Builder m = override("backwardPass").addParameter(int.class, "batch");
    List<LayerNode> layers = graph.layers();
    boolean comment = false;
    for (LayerNode layer : layers) {
      if (layer != graph.output() && context.hasGrad(layer)) {
        if (!comment) {
          m.addComment("Readers add into these gradients (a layer may feed several), so start from zero.");
          comment = true;
        }
        m.addStatement("kernels.zero($N, batch * $N)", names.grad(layer), names.size(layer));
      }
    }
    for (int i = layers.size() - 1; i >= 0; i--) {
      LayerNode layer = layers.get(i);
      if (layer.kind() != LayerKind.INPUT) {
        m.addStatement("$N(batch)", names.backward(layer));
      }
    }
    type.addMethod(m.build());
  }

  private void addLayerOutput() {
    MethodSpec.Builder m = override("layerOutput").returns(FLOATS).addParameter(int.class, "index");
    m.beginControlFlow("switch (index)");
    for (int i = 0; i < graph.layers().size(); i++) {
      m.addStatement("case $L: return $N", i, names.buffer(graph.layers().get(i)));
    }
    m.addStatement("default: throw new $T(\"layer index \" + index)", IndexOutOfBoundsException.class);
    m.endControlFlow();
    type.addMethod(m.build());
  }

  private void addOutputActivation() {
    type.addMethod(override("outputActivation").returns(Activation.class)
        .addStatement("return $L", EmitContext.activation(graph.output().spec().activation()))
        .build());
  }

  private static MethodSpec.Builder override(String name) {
    return MethodSpec.methodBuilder(name).addAnnotation(Override.class).addModifiers(Modifier.PROTECTED);
  }

  private static String lossDescription(Loss loss) {
    return switch (loss) {
      case MSE -> "mean squared error";
      case SOFTMAX_CROSS_ENTROPY -> "softmax cross-entropy";
      case BINARY_CROSS_ENTROPY_WITH_LOGITS -> "binary cross-entropy with logits";
    };
  }

  private static String dims(int[] dims) {
    return Arrays.stream(dims).mapToObj(Integer::toString).collect(Collectors.joining(", "));
  }

  private static String shapeDims(LayerNode layer) {
    return dims(layer.shape().dims());
  }

  private static String pad(String s, int width) {
    return s + " ".repeat(Math.max(0, width - s.length()));
  }
}
