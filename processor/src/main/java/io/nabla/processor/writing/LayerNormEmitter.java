package io.nabla.processor.writing;

import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeSpec;
import io.nabla.processor.model.LayerNode;
import io.nabla.processor.model.LayerSpec.LayerNormSpec;
import javax.lang.model.element.Modifier;

/**
 * {@code @LayerNorm}: per row of the last dimension. Forward keeps each row's mean and 1/σ, so backward
 * recomputes x̂ from the input instead of storing it.
 */
final class LayerNormEmitter implements LayerEmitter {

  @Override
  public void addMembers(LayerNode layer, EmitContext c, TypeSpec.Builder type, MethodSpec.Builder constructor) {
    int rows = layer.shape().rows();
    String perSample = rows == 1 ? "B" : "B, " + rows;
    type.addField(FieldSpec.builder(float[].class, c.names.member(layer, "mean"), Modifier.PRIVATE, Modifier.FINAL)
        .addJavadoc("The mean of each row of the last forward of {@code $L}, for backward, ($L).\n", layer.name(),
            perSample)
        .build());
    type.addField(FieldSpec.builder(float[].class, c.names.member(layer, "rstd"), Modifier.PRIVATE, Modifier.FINAL)
        .addJavadoc("1/√(var + ε) of each row of the last forward of {@code $L}, ($L).\n", layer.name(), perSample)
        .build());
    c.allocateFloats(constructor, c.names.member(layer, "mean"), rows);
    c.allocateFloats(constructor, c.names.member(layer, "rstd"), rows);
  }

  @Override
  public MethodSpec forward(LayerNode layer, EmitContext c) {
    LayerNormSpec spec = (LayerNormSpec) layer.spec();
    LayerNode input = c.layer(layer.inputs().get(0));
    int n = layer.shape().last();
    MethodSpec.Builder m = PoolEmitter.method(c.names.forward(layer));
    m.addJavadoc("Forward of {@code $L}, {@code @LayerNorm}: $L per sample, over rows of $L.\n<pre>\n", layer.name(),
        layer.shape(), n);
    m.addJavadoc("mean = Σ_j x_j / $L,  var = Σ_j (x_j - mean)² / $L,  rstd = 1/√(var + $L)\n", n, n,
        (float) spec.epsilon());
    m.addJavadoc("$L[r, j] = ($L[r, j] - mean) · rstd · γ[j] + β[j]\nγ = $L.weight ($L), β = $L.bias ($L)\n</pre>\n",
        c.names.buffer(layer), c.names.buffer(input), layer.name(), n, layer.name(), n);
    m.addJavadoc("Fused: each row's statistics, normalisation and affine map in one kernel call; mean and rstd are"
        + " kept.\nAbove a size threshold the kernels split the rows over their threads.\n");
    m.addStatement("kernels.layerNormForward($N, $N, $L, $L, $Lf, parameters, $N, $N, $N, $N)",
        c.names.buffer(layer), c.names.buffer(input), EmitContext.rows(layer.shape().rows()), n,
        (float) spec.epsilon(), c.names.offset(layer, "weight"), c.names.offset(layer, "bias"),
        c.names.member(layer, "mean"), c.names.member(layer, "rstd"));
    return m.build();
  }

  @Override
  public MethodSpec backward(LayerNode layer, EmitContext c) {
    LayerNode input = c.layer(layer.inputs().get(0));
    int n = layer.shape().last();
    String dy = c.names.grad(layer);
    MethodSpec.Builder m = PoolEmitter.method(c.names.backward(layer));
    m.addJavadoc("Backward of {@code $L}: from {@code $L}, per row, with x̂ = (x - mean) · rstd recomputed,\n<pre>\n",
        layer.name(), dy);
    m.addJavadoc("dγ += Σ_rows $L ⊙ x̂,  dβ += Σ_rows $L\n", dy, dy);
    if (c.hasGrad(input)) {
      m.addJavadoc("g = $L ⊙ γ\n$L += rstd · (g - mean_j(g) - x̂ · mean_j(g ⊙ x̂))\n", dy, c.names.grad(input));
    }
    m.addJavadoc("</pre>\n");
    if (c.hasGrad(input)) {
      m.addJavadoc("Above a size threshold the kernels split the rows of $L and the features of dγ, dβ over their\n"
          + "threads, each feature's sums taken by one thread in row order.\n", c.names.grad(input));
    } else {
      m.addJavadoc("Above a size threshold the kernels split the features of dγ, dβ over their threads, each"
          + " feature's\nsums taken by one thread in row order.\n");
    }
    m.addStatement("kernels.layerNormBackward($N, $N, $L, $L, $N, $N, parameters, $N, gradients, $N, $N, $L)", dy,
        c.names.buffer(input), EmitContext.rows(layer.shape().rows()), n,
        c.names.member(layer, "mean"), c.names.member(layer, "rstd"), c.names.offset(layer, "weight"),
        c.names.offset(layer, "weight"), c.names.offset(layer, "bias"), c.gradOrNull(input));
    return m.build();
  }
}
