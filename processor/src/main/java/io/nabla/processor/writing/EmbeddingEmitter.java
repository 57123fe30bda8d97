package io.nabla.processor.writing;

import com.palantir.javapoet.MethodSpec;
import io.nabla.processor.model.LayerNode;
import io.nabla.processor.model.LayerSpec.EmbeddingSpec;

/**
 * {@code @Embedding}: a table lookup per token. Forward checks every id of the batch before writing anything;
 * backward scatters each row's gradient into the table row it read, in row order. No gradient flows into the ids.
 */
final class EmbeddingEmitter implements LayerEmitter {

  @Override
  public MethodSpec forward(LayerNode layer, EmitContext c) {
    EmbeddingSpec spec = (EmbeddingSpec) layer.spec();
    LayerNode input = c.layer(layer.inputs().get(0));
    String ids = c.names.buffer(input);
    MethodSpec.Builder m = PoolEmitter.method(c.names.forward(layer));
    m.addJavadoc("Forward of {@code $L}, {@code @Embedding(vocabulary = $L, dimension = $L)}: $L → $L per sample.\n",
        layer.name(), spec.vocabulary(), spec.dimension(), input.shape(), layer.shape());
    m.addJavadoc("<pre>\n$L[b, t] = E[$L[b, t]]\nE = $L.weight $L\n</pre>\n", c.names.buffer(layer), ids,
        layer.name(), layer.parameter("weight").shape());
    m.addJavadoc("An id that is not an integer in [0, $L) throws, naming the sample and position, before anything is"
        + " written.\n", spec.vocabulary());
    m.addStatement("kernels.embeddingForward($S, $N, $N, 0, batch, $L, parameters, $N, $L, $L)", layer.name(),
        c.names.buffer(layer), ids, input.shape().size(),
        c.names.offset(layer, "weight"), spec.vocabulary(), spec.dimension());
    return m.build();
  }

  @Override
  public MethodSpec backward(LayerNode layer, EmitContext c) {
    EmbeddingSpec spec = (EmbeddingSpec) layer.spec();
    LayerNode input = c.layer(layer.inputs().get(0));
    String dy = c.names.grad(layer);
    MethodSpec.Builder m = PoolEmitter.method(c.names.backward(layer));
    m.addJavadoc("Backward of {@code $L}: from {@code $L},\n<pre>\ndE[$L[b, t]] += $L[b, t]\n</pre>\n", layer.name(),
        dy, c.names.buffer(input), dy);
    m.addJavadoc("Rows are added in order, so a token read twice sums the same way every run. Ids are not"
        + " differentiable: nothing flows into {@code $L}.\n", input.name());
    m.addStatement("kernels.embeddingBackward($N, $N, 0, batch * $L, gradients, $N, $L)", dy,
        c.names.buffer(input), input.shape().size(), c.names.offset(layer, "weight"), spec.dimension());
    return m.build();
  }
}
