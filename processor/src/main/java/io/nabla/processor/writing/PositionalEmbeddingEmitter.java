package io.nabla.processor.writing;

import com.palantir.javapoet.MethodSpec;
import io.nabla.processor.model.LayerNode;

/** {@code @PositionalEmbedding}: adds a learned vector per position; backward sums over the batch. */
final class PositionalEmbeddingEmitter implements LayerEmitter {

  @Override
  public MethodSpec forward(LayerNode layer, EmitContext c) {
    LayerNode input = c.layer(layer.inputs().get(0));
    int[] dims = layer.shape().dims();
    MethodSpec.Builder m = PoolEmitter.method(c.names.forward(layer));
    m.addJavadoc("Forward of {@code $L}, {@code @PositionalEmbedding}: $L per sample.\n", layer.name(),
        layer.shape());
    m.addJavadoc("<pre>\n$L[b, t] = $L[b, t] + P[t]\nP = $L.weight $L\n</pre>\n", c.names.buffer(layer),
        c.names.buffer(input), layer.name(), layer.parameter("weight").shape());
    m.addStatement("kernels.positionalForward($N, $N, batch, $L, $L, parameters, $N)", c.names.buffer(layer),
        c.names.buffer(input), dims[0], dims[1], c.names.offset(layer, "weight"));
    return m.build();
  }

  @Override
  public MethodSpec backward(LayerNode layer, EmitContext c) {
    LayerNode input = c.layer(layer.inputs().get(0));
    int[] dims = layer.shape().dims();
    String dy = c.names.grad(layer);
    MethodSpec.Builder m = PoolEmitter.method(c.names.backward(layer));
    m.addJavadoc("Backward of {@code $L}: from {@code $L},\n<pre>\ndP[t] += Σ_b $L[b, t]\n", layer.name(), dy, dy);
    if (c.hasGrad(input)) {
      m.addJavadoc("$L += $L\n", c.names.grad(input), dy);
    }
    m.addJavadoc("</pre>\nFused: both in one pass over {@code $L}.\n", dy);
    m.addStatement("kernels.positionalBackward($N, batch, $L, $L, gradients, $N, $L)", dy,
        dims[0], dims[1], c.names.offset(layer, "weight"), c.gradOrNull(input));
    return m.build();
  }
}
