package io.nabla.processor.writing;

import com.palantir.javapoet.MethodSpec;
import io.nabla.processor.model.LayerNode;

/** {@code @GlobalAvgPool}: the mean of each channel's plane, {@code (C, H, W)} to {@code (C)}. */
final class GlobalAvgPoolEmitter implements LayerEmitter {

  @Override
  public MethodSpec forward(LayerNode layer, EmitContext c) {
    LayerNode input = c.layer(layer.inputs().get(0));
    int[] in = input.shape().dims();
    return PoolEmitter.method(c.names.forward(layer))
        .addJavadoc("Forward of {@code $L}, {@code @GlobalAvgPool}: $L → $L per sample.\n<pre>\n"
            + "$L[b, c] = mean over (h, w) of $L[b, c, h, w]\n</pre>\n", layer.name(), input.shape(), layer.shape(),
            layer.name(), c.names.buffer(input))
        .addStatement("$T.globalAverageForward($N, batch * $L, $L, $N)", EmitContext.POOLING, c.names.buffer(input),
            in[0], in[1] * in[2], c.names.buffer(layer))
        .build();
  }

  @Override
  public MethodSpec backward(LayerNode layer, EmitContext c) {
    LayerNode input = c.layer(layer.inputs().get(0));
    int[] in = input.shape().dims();
    MethodSpec.Builder m = PoolEmitter.method(c.names.backward(layer));
    if (!c.hasGrad(input)) {
      return PoolEmitter.nothingToDo(m, layer, input);
    }
    return m.addJavadoc("Backward of {@code $L}: {@code $L[b, c, h, w] += $L[b, c] / $L}.\n", layer.name(),
            c.names.grad(input), c.names.grad(layer), in[1] * in[2])
        .addStatement("$T.globalAverageBackward($N, batch * $L, $L, $N)", EmitContext.POOLING, c.names.grad(layer),
            in[0], in[1] * in[2], c.names.grad(input))
        .build();
  }
}
