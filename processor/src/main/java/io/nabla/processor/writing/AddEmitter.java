package io.nabla.processor.writing;

import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.MethodSpec;
import io.nabla.Activation;
import io.nabla.processor.model.LayerNode;
import io.nabla.processor.model.LayerSpec.AddSpec;
import javax.lang.model.element.Modifier;

/**
 * {@code @Add}: {@code y = act(a + b + ...)}. Backward applies the activation derivative in place, then adds the
 * same gradient into every operand that is not an input.
 */
final class AddEmitter implements LayerEmitter {

  @Override
  public MethodSpec forward(LayerNode layer, EmitContext c) {
    AddSpec spec = (AddSpec) layer.spec();
    Activation act = layer.fusedWithLoss() ? Activation.IDENTITY : spec.activation();
    String operands = c.names.operands(layer);
    String y = c.names.buffer(layer);
    String z = layer.fusedWithLoss() ? c.names.preActivation(layer) : y;
    MethodSpec.Builder m = MethodSpec.methodBuilder(c.names.forward(layer))
        .addModifiers(Modifier.PRIVATE)
        .addParameter(int.class, "batch");
    String sum = String.join(" + ", layer.inputs().stream().map(n -> c.names.buffer(c.layer(n))).toList());
    m.addJavadoc("Forward of {@code $L}, {@code @Add}: $L per sample.\n<pre>\n$L = $L\n</pre>\n", layer.name(),
        layer.shape(), y, spec.activation() == Activation.IDENTITY ? sum
            : EmitContext.mathName(spec.activation()) + "(" + sum + ")");
    if (act != Activation.IDENTITY) {
      m.addJavadoc("Fused: the sum and $L in one pass.\n", EmitContext.mathName(spec.activation()));
    }
    for (int i = 0; i < layer.inputs().size(); i++) {
      m.addStatement("$N[$L] = $N", operands, i, c.names.buffer(c.layer(layer.inputs().get(i))));
    }
    CodeBlock n = CodeBlock.of("batch * $N", c.names.size(layer));
    m.addStatement("kernels.addForward($N, $N, $L, $L, $L)", z, operands, n, EmitContext.activation(act),
        EmitContext.slope(act, spec.leakySlope()));
    if (layer.fusedWithLoss()) {
      if (spec.activation() == Activation.SOFTMAX) {
        m.addStatement("$T.softmax($N, $N, $L, $L)", EmitContext.LOSS_FUNCTIONS, z, y,
            EmitContext.rows(layer.shape().rows()), layer.shape().last());
      } else {
        m.addStatement("$T.arraycopy($N, 0, $N, 0, $L)", System.class, z, y, n);
        m.addStatement("$T.apply($N, 0, $L, $L, 0f)", EmitContext.ACTIVATION_FUNCTIONS, y, n,
            EmitContext.activation(spec.activation()));
      }
    }
    return m.build();
  }

  @Override
  public MethodSpec backward(LayerNode layer, EmitContext c) {
    AddSpec spec = (AddSpec) layer.spec();
    Activation act = layer.fusedWithLoss() ? Activation.IDENTITY : spec.activation();
    String dy = c.names.grad(layer);
    MethodSpec.Builder m = MethodSpec.methodBuilder(c.names.backward(layer))
        .addModifiers(Modifier.PRIVATE)
        .addParameter(int.class, "batch");
    m.addJavadoc("Backward of {@code $L}: the sum passes its gradient to every operand.\n<pre>\n", layer.name());
    if (act != Activation.IDENTITY) {
      m.addJavadoc("dZ = $L ⊙ $L   (written over $L)\n", dy, EmitContext.derivative(act, spec.leakySlope()), dy);
    } else {
      m.addJavadoc("dZ = $L\n", dy);
    }
    CodeBlock n = CodeBlock.of("batch * $N", c.names.size(layer));
    if (act != Activation.IDENTITY) {
      m.addStatement("kernels.activationBackward($N, $N, batch, $N, $L, $L, gradients, -1)", dy,
          c.names.buffer(layer), c.names.size(layer), EmitContext.activation(act),
          EmitContext.slope(act, spec.leakySlope()));
    }
    for (String inputName : layer.inputs()) {
      LayerNode input = c.layer(inputName);
      if (c.hasGrad(input)) {
        m.addJavadoc("$L += dZ\n", c.names.grad(input));
        m.addStatement("kernels.accumulate($N, $N, $L)", c.names.grad(input), dy, n);
      }
    }
    m.addJavadoc("</pre>\n");
    return m.build();
  }
}
