package io.nabla.processor.writing;

import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeSpec;
import io.nabla.processor.model.LayerKind;
import io.nabla.processor.model.LayerNode;
import io.nabla.processor.model.LayerSpec.PoolSpec;
import io.nabla.processor.model.Window;
import javax.lang.model.element.Modifier;

/**
 * {@code @MaxPool2d} and {@code @AvgPool2d}, per channel. Max pooling's forward records the index of each maximum,
 * so its backward is one scatter.
 */
final class PoolEmitter implements LayerEmitter {

  @Override
  public void addMembers(LayerNode layer, EmitContext c, TypeSpec.Builder type, MethodSpec.Builder constructor) {
    LayerNode input = c.layer(layer.inputs().get(0));
    Window w = Window.of((PoolSpec) layer.spec());
    int[] in = input.shape().dims();
    type.addField(FieldSpec.builder(EmitContext.GEOMETRY, c.names.constant(layer, "geometry"), Modifier.PRIVATE,
            Modifier.STATIC, Modifier.FINAL)
        .addJavadoc("{@code $L}: $L → $L, window $L, stride $L, padding $L.\n", layer.name(), input.shape(),
            layer.shape(), Window.pairText(w.kernelH(), w.kernelW()), Window.pairText(w.strideH(), w.strideW()),
            Window.pairText(w.padTop(), w.padLeft()))
        .initializer(CodeBlock.of("new $T($L, $L, $L).padding($L, $L, $L, $L).kernel($L, $L).stride($L, $L)",
            EmitContext.GEOMETRY, in[0], in[1], in[2], w.padTop(), w.padLeft(), w.padBottom(), w.padRight(),
            w.kernelH(), w.kernelW(), w.strideH(), w.strideW()))
        .build());
    if (layer.kind() == LayerKind.MAX_POOL2D) {
      String argmax = c.names.member(layer, "argmax");
      type.addField(FieldSpec.builder(int[].class, argmax, Modifier.PRIVATE, Modifier.FINAL)
          .addJavadoc("Where each maximum of {@code $L} came from: its index in {@code $L}, (B, $L).\n",
              layer.name(), c.names.buffer(input), dims(layer))
          .build());
      c.allocateLayerSized(constructor, argmax, layer, true);
    }
  }

  @Override
  public MethodSpec forward(LayerNode layer, EmitContext c) {
    LayerNode input = c.layer(layer.inputs().get(0));
    boolean max = layer.kind() == LayerKind.MAX_POOL2D;
    Window w = Window.of((PoolSpec) layer.spec());
    MethodSpec.Builder m = method(c.names.forward(layer));
    m.addJavadoc("Forward of {@code $L}, {@code @$L(kernel = $L)}: $L → $L per sample.\n<pre>\n", layer.name(),
        layer.kind().displayName(), Window.pairText(w.kernelH(), w.kernelW()), input.shape(), layer.shape());
    if (max) {
      m.addJavadoc("$L[b, c, oh, ow] = max over the window of $L[b, c]   (padding never wins)\n</pre>\n"
          + "Records in {@code $L} where each maximum came from, so backward need not search again.\n",
          layer.name(), c.names.buffer(input), c.names.member(layer, "argmax"));
      m.addStatement("kernels.maxPoolForward($N, $N, batch, $N, $N)", c.names.constant(layer,
          "geometry"), c.names.buffer(input), c.names.buffer(layer), c.names.member(layer, "argmax"));
    } else {
      m.addJavadoc("$L[b, c, oh, ow] = Σ window of $L[b, c] / $L   (padded zeros count)\n</pre>\n", layer.name(),
          c.names.buffer(input), w.kernelH() * w.kernelW());
      m.addStatement("kernels.averagePoolForward($N, $N, batch, $N)", c.names.constant(layer,
          "geometry"), c.names.buffer(input), c.names.buffer(layer));
    }
    return m.build();
  }

  @Override
  public MethodSpec backward(LayerNode layer, EmitContext c) {
    LayerNode input = c.layer(layer.inputs().get(0));
    MethodSpec.Builder m = method(c.names.backward(layer));
    if (!c.hasGrad(input)) {
      return PoolEmitter.nothingToDo(m, layer, input);
    }
    if (layer.kind() == LayerKind.MAX_POOL2D) {
      m.addJavadoc("Backward of {@code $L}: {@code $L[$L[o]] += $L[o]}, each gradient to the input that won its"
          + " window.\n", layer.name(), c.names.grad(input), c.names.member(layer, "argmax"), c.names.grad(layer));
      m.addStatement("kernels.maxPoolBackward($N, $N, $N, batch, $N)", c.names.constant(layer,
          "geometry"), c.names.grad(layer), c.names.member(layer, "argmax"), c.names.grad(input));
    } else {
      m.addJavadoc("Backward of {@code $L}: each output's gradient, divided by the window size, to every input of"
          + " its window.\n", layer.name());
      m.addStatement("kernels.averagePoolBackward($N, $N, batch, $N)", c.names.constant(layer,
          "geometry"), c.names.grad(layer), c.names.grad(input));
    }
    return m.build();
  }

  /** The backward of a layer without parameters that reads an {@code @Input}: no gradient goes anywhere. */
  static MethodSpec nothingToDo(MethodSpec.Builder m, LayerNode layer, LayerNode input) {
    return m.addJavadoc("Backward of {@code $L}: nothing to do, {@code $L} is an input.\n", layer.name(),
        input.name()).build();
  }

  static MethodSpec.Builder method(String name) {
    return MethodSpec.methodBuilder(name).addModifiers(Modifier.PRIVATE).addParameter(int.class, "batch");
  }

  static String dims(LayerNode layer) {
    return String.join(", ", java.util.Arrays.stream(layer.shape().dims()).mapToObj(Integer::toString).toList());
  }
}
