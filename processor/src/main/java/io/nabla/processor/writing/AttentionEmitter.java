package io.nabla.processor.writing;

import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeSpec;
import io.nabla.processor.model.LayerNode;
import io.nabla.processor.model.LayerSpec.AttentionSpec;
import javax.lang.model.element.Modifier;

/**
 * {@code @MultiHeadAttention}: the Q/K/V projection of every position as one matmul, then per sample and head the
 * scaled, masked softmax of Q·Kᵀ and its product with V in one kernel, then the output projection. Forward keeps
 * Q/K/V, the attention probabilities and the heads' outputs for backward.
 */
final class AttentionEmitter implements LayerEmitter {

  private record Parts(AttentionSpec spec, LayerNode input, int time, int d, int headSize) {
    static Parts of(LayerNode layer, EmitContext c) {
      AttentionSpec spec = (AttentionSpec) layer.spec();
      int[] dims = layer.shape().dims();
      return new Parts(spec, c.layer(layer.inputs().get(0)), dims[0], dims[1], dims[1] / spec.heads());
    }
  }

  @Override
  public void addMembers(LayerNode layer, EmitContext c, TypeSpec.Builder type, MethodSpec.Builder constructor) {
    Parts p = Parts.of(layer, c);
    int t = p.time();
    int d = p.d();
    int h = p.spec().heads();
    field(layer, c, type, constructor, "qkv", t * 3 * d, "[Q | K | V] = x · W_inᵀ + b_in of {@code $L}, (B·$L, $L)",
        layer.name(), t, 3 * d);
    field(layer, c, type, constructor, "probabilities", h * t * t,
        "The attention probabilities softmax(Q_h·K_hᵀ/√$L + M) of {@code $L}, (B, $L, $L, $L)", p.headSize(),
        layer.name(), h, t, t);
    field(layer, c, type, constructor, "attended", t * d,
        "The heads' outputs P_h · V_h side by side, the output projection's input, (B·$L, $L)", t, d);
    if (c.training) {
      field(layer, c, type, constructor, "qkvGrad", t * 3 * d, "dLoss/d[Q | K | V] of {@code $L}, (B·$L, $L)",
          layer.name(), t, 3 * d);
      field(layer, c, type, constructor, "attendedGrad", t * d, "dLoss/d{@code $L}, (B·$L, $L)",
          c.names.member(layer, "attended"), t, d);
      String scratch = c.names.member(layer, "scratch");
      type.addField(FieldSpec.builder(float[].class, scratch, Modifier.PRIVATE, Modifier.FINAL)
          .addJavadoc("One row of dLoss/dP for {@code $L}'s backward.\n", layer.name())
          .build());
      constructor.addStatement("$N = new float[$T.scratchSize($L)]", scratch, EmitContext.ATTENTION_KERNELS, t);
    }
  }

  private static void field(LayerNode layer, EmitContext c, TypeSpec.Builder type, MethodSpec.Builder constructor,
      String what, int perSample, String doc, Object... args) {
    String name = c.names.member(layer, what);
    type.addField(FieldSpec.builder(float[].class, name, Modifier.PRIVATE, Modifier.FINAL)
        .addJavadoc(doc + ".\n", args)
        .build());
    c.allocateFloats(constructor, name, perSample);
  }

  @Override
  public MethodSpec forward(LayerNode layer, EmitContext c) {
    Parts p = Parts.of(layer, c);
    AttentionSpec spec = p.spec();
    int t = p.time();
    int d = p.d();
    String x = c.names.buffer(p.input());
    String qkv = c.names.member(layer, "qkv");
    String attended = c.names.member(layer, "attended");
    MethodSpec.Builder m = PoolEmitter.method(c.names.forward(layer));
    m.addJavadoc("Forward of {@code $L}, {@code @MultiHeadAttention(heads = $L$L)}: $L per sample, $L head$L of"
            + " $L.\n<pre>\n", layer.name(), spec.heads(), spec.causal() ? ", causal = true" : "", layer.shape(),
        spec.heads(), spec.heads() == 1 ? "" : "s", p.headSize());
    m.addJavadoc("[Q | K | V] = $L · W_inᵀ + b_in\n", x);
    m.addJavadoc("P_h = softmax(Q_h · K_hᵀ / √$L$L)   for each head h = 0 … $L\n", p.headSize(),
        spec.causal() ? " + M" : "", spec.heads() - 1);
    if (spec.causal()) {
      m.addJavadoc("M[t, s] = -∞ for s > t, else 0   (causal: position t sees positions ≤ t)\n");
    }
    m.addJavadoc("$L = [P_0 · V_0 | … ] · W_outᵀ + b_out\n", c.names.buffer(layer));
    m.addJavadoc("W_in = $L.in_proj_weight ($L, $L), b_in = $L.in_proj_bias ($L),\n", layer.name(), 3 * d, d,
        layer.name(), 3 * d);
    m.addJavadoc("W_out = $L.out_proj.weight ($L, $L), b_out = $L.out_proj.bias ($L)\n</pre>\n", layer.name(), d, d,
        layer.name(), d);
    m.addJavadoc("Fused: the three projections of all B·$L positions as one matmul; per sample and head, the"
        + " scaling,$L softmax and the product with V in one pass over each row of scores$L.\n", t,
        spec.causal() ? " mask," : "", spec.causal() ? ", which skips the masked positions" : "");
    m.addStatement("kernels.denseForward($N, $N, 0, parameters, $N, $N, batch * $L, $L, $L, $T.IDENTITY, 0f)", qkv, x,
        c.names.offset(layer, "in_proj_weight"), c.names.offset(layer, "in_proj_bias"), t, d, 3 * d,
        EmitContext.ACTIVATION);
    m.addStatement("kernels.attentionForward($N, $N, $N, batch, $L, $L, $L, $L)", attended,
        c.names.member(layer, "probabilities"), qkv, t, d, spec.heads(), spec.causal());
    m.addStatement("kernels.denseForward($N, $N, 0, parameters, $N, $N, batch * $L, $L, $L, $T.IDENTITY, 0f)",
        c.names.buffer(layer), attended, c.names.offset(layer, "out_proj.weight"),
        c.names.offset(layer, "out_proj.bias"), t, d, d, EmitContext.ACTIVATION);
    return m.build();
  }

  @Override
  public MethodSpec backward(LayerNode layer, EmitContext c) {
    Parts p = Parts.of(layer, c);
    AttentionSpec spec = p.spec();
    int t = p.time();
    int d = p.d();
    String x = c.names.buffer(p.input());
    String dy = c.names.grad(layer);
    String qkv = c.names.member(layer, "qkv");
    String qkvGrad = c.names.member(layer, "qkvGrad");
    String attended = c.names.member(layer, "attended");
    String attendedGrad = c.names.member(layer, "attendedGrad");
    boolean inputGrad = c.hasGrad(p.input());
    MethodSpec.Builder m = PoolEmitter.method(c.names.backward(layer));
    m.addJavadoc("Backward of {@code $L}: from {@code $L}, with A = [P_0 · V_0 | … ],\n<pre>\n", layer.name(), dy);
    m.addJavadoc("db_out += Σ_rows $L,  dW_out += $Lᵀ · A,  dA = $L · W_out\n", dy, dy, dy);
    m.addJavadoc("per head: dV_h = P_hᵀ · dA_h,  dP = dA_h · V_hᵀ,  dS = P_h ⊙ (dP - Σ_s dP ⊙ P_h) / √$L,\n"
        + "          dQ_h = dS · K_h,  dK_h = dSᵀ · Q_h\n", p.headSize());
    m.addJavadoc("db_in += Σ_rows d[Q | K | V],  dW_in += d[Q | K | V]ᵀ · $L\n", x);
    if (inputGrad) {
      m.addJavadoc("$L += d[Q | K | V] · W_in\n", c.names.grad(p.input()));
    }
    m.addJavadoc("</pre>\nFused: the softmax's derivative and the 1/√$L scale in one pass over each row of dP.\n",
        p.headSize());
    if (!inputGrad) {
      m.addJavadoc("{@code $L} is an input, so no gradient flows into it.\n", p.input().name());
    }
    m.addStatement("int rows = batch * $L", t);
    m.addStatement("kernels.activationBackward($N, $N, rows, $L, $T.IDENTITY, 0f, gradients, $N)", dy,
        c.names.buffer(layer), d, EmitContext.ACTIVATION, c.names.offset(layer, "out_proj.bias"));
    m.addStatement("kernels.matmulTN(gradients, $N, $N, 0, $N, 0, $L, $L, rows, true)",
        c.names.offset(layer, "out_proj.weight"), dy, attended, d, d);
    m.addStatement("kernels.matmulNN($N, 0, $N, 0, parameters, $N, rows, $L, $L, false)", attendedGrad, dy,
        c.names.offset(layer, "out_proj.weight"), d, d);
    m.addStatement("kernels.attentionBackward($N, $N, $N, $N, batch, $L, $L, $L, $L, $N)", qkvGrad, attendedGrad, c.names.member(layer, "probabilities"), qkv, t, d, spec.heads(), spec.causal(),
        c.names.member(layer, "scratch"));
    m.addStatement("kernels.activationBackward($N, $N, rows, $L, $T.IDENTITY, 0f, gradients, $N)", qkvGrad, qkv,
        3 * d, EmitContext.ACTIVATION, c.names.offset(layer, "in_proj_bias"));
    m.addStatement("kernels.denseBackward(gradients, $N, $N, 0, $N, 0, $L, 0, parameters, $N, rows, $L, $L)",
        c.names.offset(layer, "in_proj_weight"), qkvGrad, x, c.gradOrNull(p.input()),
        c.names.offset(layer, "in_proj_weight"), d, 3 * d);
    return m.build();
  }
}
