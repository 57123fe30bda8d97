package io.nabla.processor.writing;

import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeSpec;
import io.nabla.Activation;
import io.nabla.processor.model.LayerNode;
import io.nabla.processor.model.LayerSpec.BatchNormSpec;
import javax.lang.model.element.Modifier;

/**
 * {@code @BatchNorm}: per channel (the first dimension), batch statistics in a training pass, running statistics in
 * inference. Forward keeps the normalised values and 1/σ for backward. When the input is a convolution that folds
 * this layer in inference, that convolution writes this output and the forward here has nothing to do.
 */
final class BatchNormEmitter implements LayerEmitter {

  private record Parts(BatchNormSpec spec, LayerNode input, int channels, int spatial, boolean folded) {
    static Parts of(LayerNode layer, EmitContext c) {
      LayerNode input = c.layer(layer.inputs().get(0));
      int channels = layer.shape().dims()[0];
      return new Parts((BatchNormSpec) layer.spec(), input, channels, layer.shape().size() / channels,
          layer.name().equals(input.foldedBatchNorm()));
    }
  }

  @Override
  public void addMembers(LayerNode layer, EmitContext c, TypeSpec.Builder type, MethodSpec.Builder constructor) {
    Parts p = Parts.of(layer, c);
    String normalized = c.names.member(layer, "normalized");
    String invStd = c.names.member(layer, "invStd");
    type.addField(FieldSpec.builder(float[].class, normalized, Modifier.PRIVATE, Modifier.FINAL)
        .addJavadoc("x̂ = (x - mean)/√(var + ε) of the last forward of {@code $L}, for backward, (B, $L).\n",
            layer.name(), PoolEmitter.dims(layer))
        .build());
    type.addField(FieldSpec.builder(float[].class, invStd, Modifier.PRIVATE, Modifier.FINAL)
        .addJavadoc("1/√(var + ε) per channel of the last forward of {@code $L}, ($L).\n", layer.name(),
            p.channels())
        .build());
    c.allocateLayerSized(constructor, normalized, layer, false);
    constructor.addStatement("$N = new float[$L]", invStd, p.channels());
  }

  @Override
  public CodeBlock forwardCall(LayerNode layer, EmitContext c) {
    return Parts.of(layer, c).folded() ? CodeBlock.of("$N(batch, !trainingPass())", c.names.forward(layer))
        : LayerEmitter.super.forwardCall(layer, c);
  }

  @Override
  public MethodSpec forward(LayerNode layer, EmitContext c) {
    Parts p = Parts.of(layer, c);
    BatchNormSpec spec = p.spec();
    Activation act = spec.activation();
    String y = c.names.buffer(layer);
    String x = c.names.buffer(p.input());
    MethodSpec.Builder m = PoolEmitter.method(c.names.forward(layer));
    m.addJavadoc("Forward of {@code $L}, {@code @BatchNorm}: $L per sample, $L channel$L of $L value$L.\n<pre>\n",
        layer.name(), layer.shape(), p.channels(), p.channels() == 1 ? "" : "s", p.spatial(),
        p.spatial() == 1 ? "" : "s");
    m.addJavadoc("$L[b, c] = $Lγ[c] · ($L[b, c] - mean[c]) / √(var[c] + $L) + β[c]$L\n", y,
        act == Activation.IDENTITY ? "" : EmitContext.mathName(act) + "(", x, (float) spec.epsilon(),
        act == Activation.IDENTITY ? "" : ")");
    m.addJavadoc("training:  mean, var (biased) over the batch and positions; running statistics updated with"
        + " momentum $L\ninference: the running statistics\n</pre>\n", (float) spec.momentum());
    if (act != Activation.IDENTITY) {
      m.addJavadoc("Fused: the normalisation, the affine map and $L in one pass.\n", EmitContext.mathName(act));
    }
    m.addJavadoc("Above a size threshold the kernels split the channels over their threads.\n");
    if (p.folded()) {
      m.addParameter(boolean.class, "fold");
      m.addJavadoc("With {@code fold} (inference), {@code $L} already wrote this output with the folded weights.\n",
          c.names.forward(p.input()));
      m.beginControlFlow("if (fold)");
      m.addStatement("return");
      m.endControlFlow();
    }
    CodeBlock common = CodeBlock.of("$N, batch, $L, $L, parameters, $N, $N, buffers, $N, $N", x, p.channels(),
        p.spatial(), c.names.offset(layer, "weight"), c.names.offset(layer, "bias"),
        c.names.offset(layer, "running_mean"), c.names.offset(layer, "running_var"));
    CodeBlock tail = CodeBlock.of("$N, $N, $L, $L, $N", c.names.member(layer, "normalized"),
        c.names.member(layer, "invStd"), EmitContext.activation(act), EmitContext.slope(act, spec.leakySlope()), y);
    m.beginControlFlow("if (trainingPass())");
    m.addStatement("kernels.batchNormTraining($L, $Lf, $Lf, $L)", common, (float) spec.momentum(),
        (float) spec.epsilon(), tail);
    m.nextControlFlow("else");
    m.addStatement("kernels.batchNormInference($L, $Lf, $L)", common, (float) spec.epsilon(), tail);
    m.endControlFlow();
    return m.build();
  }

  @Override
  public MethodSpec backward(LayerNode layer, EmitContext c) {
    Parts p = Parts.of(layer, c);
    BatchNormSpec spec = p.spec();
    Activation act = spec.activation();
    String dy = c.names.grad(layer);
    boolean inputGrad = c.hasGrad(p.input());
    MethodSpec.Builder m = PoolEmitter.method(c.names.backward(layer));
    m.addJavadoc("Backward of {@code $L}: from {@code $L}, per channel,\n<pre>\n", layer.name(), dy);
    m.addJavadoc("dZ = $L$L   (written over $L)\ndγ += Σ dZ·x̂,  dβ += Σ dZ\n", dy,
        act == Activation.IDENTITY ? "" : " ⊙ " + EmitContext.derivative(act, spec.leakySlope()), dy);
    if (inputGrad) {
      m.addJavadoc("training:  $L += γ/σ · (dZ - mean(dZ) - x̂ · mean(dZ·x̂))   (the statistics depend on the input)\n"
          + "inference: $L += γ/σ · dZ\n", c.names.grad(p.input()), c.names.grad(p.input()));
    }
    m.addJavadoc("</pre>\n");
    m.addJavadoc("Above a size threshold the kernels split the channels over their threads, each channel's sums"
        + " taken\nby one thread.\n");
    if (p.folded()) {
      m.addJavadoc("After an inference pass, the folded forward skipped {@code $L}'s output and x̂: they are\n"
          + "computed first, unfolded.\n", p.input().name());
      m.beginControlFlow("if (!trainingPass())");
      m.addStatement("$N(batch, false)", c.names.forward(p.input()));
      m.addStatement("$N(batch, false)", c.names.forward(layer));
      m.endControlFlow();
    }
    m.addStatement("kernels.batchNormBackward($N, $N, $L, $L, $N, $N, batch, $L, $L, parameters, $N, gradients, $N,"
            + " trainingPass(), $L)", dy, c.names.buffer(layer),
        EmitContext.activation(act), EmitContext.slope(act, spec.leakySlope()), c.names.member(layer, "normalized"),
        c.names.member(layer, "invStd"), p.channels(), p.spatial(), c.names.offset(layer, "weight"),
        c.names.offset(layer, "bias"), c.gradOrNull(p.input()));
    return m.build();
  }
}
