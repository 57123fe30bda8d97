package io.nabla.processor.writing;

import com.palantir.javapoet.MethodSpec;
import io.nabla.processor.model.LayerNode;

/** {@code @Flatten}: the same values, one dimension; forward copies, backward adds the gradient back. */
final class FlattenEmitter implements LayerEmitter {

  @Override
  public MethodSpec forward(LayerNode layer, EmitContext c) {
    LayerNode input = c.layer(layer.inputs().get(0));
    return PoolEmitter.method(c.names.forward(layer))
        .addJavadoc("Forward of {@code $L}, {@code @Flatten}: $L → $L per sample, the same values in row-major"
            + " order.\n", layer.name(), input.shape(), layer.shape())
        .addStatement("$T.arraycopy($N, 0, $N, 0, batch * $N)", System.class, c.names.buffer(input),
            c.names.buffer(layer), c.names.size(layer))
        .build();
  }

  @Override
  public MethodSpec backward(LayerNode layer, EmitContext c) {
    LayerNode input = c.layer(layer.inputs().get(0));
    MethodSpec.Builder m = PoolEmitter.method(c.names.backward(layer));
    if (!c.hasGrad(input)) {
      return PoolEmitter.nothingToDo(m, layer, input);
    }
    return m.addJavadoc("Backward of {@code $L}: {@code $L += $L}.\n", layer.name(), c.names.grad(input),
            c.names.grad(layer))
        .addStatement("kernels.accumulate($N, $N, batch * $N)", c.names.grad(input), c.names.grad(layer),
            c.names.size(layer))
        .build();
  }
}
