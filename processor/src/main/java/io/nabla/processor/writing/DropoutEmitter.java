package io.nabla.processor.writing;

import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeSpec;
import io.nabla.processor.model.LayerNode;
import io.nabla.processor.model.LayerSpec.DropoutSpec;
import javax.lang.model.element.Modifier;

/**
 * {@code @Dropout}: in a training pass, a mask drawn from the model's seeded random stream; in inference, the
 * identity. Backward applies the mask its forward drew.
 */
final class DropoutEmitter implements LayerEmitter {

  @Override
  public void addMembers(LayerNode layer, EmitContext c, TypeSpec.Builder type, MethodSpec.Builder constructor) {
    String mask = c.names.member(layer, "mask");
    type.addField(FieldSpec.builder(float[].class, mask, Modifier.PRIVATE, Modifier.FINAL)
        .addJavadoc("The last training pass's mask of {@code $L}: 0 or 1/(1 - rate), (B, $L).\n", layer.name(),
            PoolEmitter.dims(layer))
        .build());
    c.allocateLayerSized(constructor, mask, layer, false);
  }

  @Override
  public MethodSpec forward(LayerNode layer, EmitContext c) {
    LayerNode input = c.layer(layer.inputs().get(0));
    float rate = (float) ((DropoutSpec) layer.spec()).rate();
    String y = c.names.buffer(layer);
    MethodSpec.Builder m = PoolEmitter.method(c.names.forward(layer))
        .addJavadoc("Forward of {@code $L}, {@code @Dropout(rate = $L)}: $L per sample.\n<pre>\n"
            + "training:  $L = $L ⊙ mask, mask = 0 with probability $L, else 1/(1 - $L)\n"
            + "inference: $L = $L\n</pre>\n", layer.name(), rate, layer.shape(), y, c.names.buffer(input), rate,
            rate, y, c.names.buffer(input));
    m.beginControlFlow("if (trainingPass())");
    m.addStatement("$T.forward($N, batch * $N, $Lf, random, $N, $N)", EmitContext.DROPOUT, c.names.buffer(input),
        c.names.size(layer), rate, c.names.member(layer, "mask"), y);
    m.nextControlFlow("else");
    m.addStatement("$T.arraycopy($N, 0, $N, 0, batch * $N)", System.class, c.names.buffer(input), y,
        c.names.size(layer));
    m.endControlFlow();
    return m.build();
  }

  @Override
  public MethodSpec backward(LayerNode layer, EmitContext c) {
    LayerNode input = c.layer(layer.inputs().get(0));
    MethodSpec.Builder m = PoolEmitter.method(c.names.backward(layer));
    if (!c.hasGrad(input)) {
      return PoolEmitter.nothingToDo(m, layer, input);
    }
    String dx = c.names.grad(input);
    String dy = c.names.grad(layer);
    m.addJavadoc("Backward of {@code $L}: {@code $L += $L ⊙ mask} after a training pass, else {@code $L += $L}.\n",
        layer.name(), dx, dy, dx, dy);
    m.beginControlFlow("if (trainingPass())");
    m.addStatement("$T.backward($N, $N, batch * $N, $N)", EmitContext.DROPOUT, dy, c.names.member(layer, "mask"),
        c.names.size(layer), dx);
    m.nextControlFlow("else");
    m.addStatement("kernels.accumulate($N, $N, batch * $N)", dx, dy, c.names.size(layer));
    m.endControlFlow();
    return m.build();
  }
}
