package io.nabla.processor.writing;

import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeSpec;
import io.nabla.processor.model.LayerNode;
import java.util.List;
import java.util.stream.Collectors;
import javax.lang.model.element.Modifier;

/** {@code @Concat}: per sample, the inputs one after the other (the first dimension grows); backward splits. */
final class ConcatEmitter implements LayerEmitter {

  @Override
  public void addMembers(LayerNode layer, EmitContext c, TypeSpec.Builder type, MethodSpec.Builder constructor) {
    String sizes = c.names.constant(layer, "sizes");
    type.addField(FieldSpec.builder(int[].class, sizes, Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
        .addJavadoc("Per-sample sizes of the inputs {@code $L} joins.\n", layer.name())
        .initializer("{$L}", layer.inputs().stream().map(n -> Integer.toString(c.layer(n).shape().size()))
            .collect(Collectors.joining(", ")))
        .build());
    type.addField(FieldSpec.builder(float[][].class, c.names.operands(layer), Modifier.PRIVATE, Modifier.FINAL)
        .addJavadoc("The buffers {@code $L} joins, set every forward (an input's array changes).\n", layer.name())
        .build());
    String grads = c.names.member(layer, "operandGrads");
    type.addField(FieldSpec.builder(float[][].class, grads, Modifier.PRIVATE, Modifier.FINAL)
        .addJavadoc("The gradients {@code $L} splits into ({@code null} for an input).\n", layer.name())
        .build());
    constructor.addStatement("$N = new float[$L][]", c.names.operands(layer), layer.inputs().size());
    constructor.addStatement("$N = new float[][] {$L}", grads, layer.inputs().stream()
        .map(n -> c.gradOrNull(c.layer(n))).collect(Collectors.joining(", ")));
  }

  @Override
  public MethodSpec forward(LayerNode layer, EmitContext c) {
    List<String> inputs = layer.inputs().stream().map(n -> c.names.buffer(c.layer(n))).toList();
    MethodSpec.Builder m = PoolEmitter.method(c.names.forward(layer))
        .addJavadoc("Forward of {@code $L}, {@code @Concat}: $L → $L per sample.\n<pre>\n$L[b] = $L\n</pre>\n",
            layer.name(), layer.inputs().stream().map(n -> c.layer(n).shape().toString())
                .collect(Collectors.joining(" ++ ")), layer.shape(), layer.name(),
            inputs.stream().map(n -> n + "[b]").collect(Collectors.joining(" ++ ")));
    for (int i = 0; i < inputs.size(); i++) {
      m.addStatement("$N[$L] = $N", c.names.operands(layer), i, inputs.get(i));
    }
    m.addStatement("$T.forward($N, $N, batch, $N)", EmitContext.CONCATENATION, c.names.operands(layer),
        c.names.constant(layer, "sizes"), c.names.buffer(layer));
    return m.build();
  }

  @Override
  public MethodSpec backward(LayerNode layer, EmitContext c) {
    return PoolEmitter.method(c.names.backward(layer))
        .addJavadoc("Backward of {@code $L}: each input that is not an {@code @Input} adds its slice of {@code $L}.\n",
            layer.name(), c.names.grad(layer))
        .addStatement("$T.backward($N, $N, batch, $N)", EmitContext.CONCATENATION, c.names.grad(layer),
            c.names.constant(layer, "sizes"), c.names.member(layer, "operandGrads"))
        .build();
  }
}
