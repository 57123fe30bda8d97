package io.nabla.processor.writing;

import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeSpec;
import io.nabla.Activation;
import io.nabla.processor.model.LayerNode;
import io.nabla.processor.model.LayerSpec.DenseSpec;
import io.nabla.processor.model.ParameterSlot;
import javax.lang.model.element.Modifier;

/**
 * {@code @Dense}: {@code y = act(x · Wᵀ + b)} on the last axis. Forward is one fused kernel call (matmul, bias,
 * activation); backward is the activation derivative fused with the bias gradient, then two matmuls for the
 * weight gradient and, unless the input is an {@code @Input}, the input gradient.
 */
final class DenseEmitter implements LayerEmitter {

  /** What both methods of a pair read off the layer: its input, sizes, bias and input buffer. */
  private record Parts(DenseSpec spec, LayerNode input, int in, int units, int rowsPerSample, ParameterSlot bias,
      String x) {
    static Parts of(LayerNode layer, EmitContext c) {
      DenseSpec spec = (DenseSpec) layer.spec();
      LayerNode input = c.layer(layer.inputs().get(0));
      return new Parts(spec, input, input.shape().last(), spec.units(), input.shape().rows(),
          layer.parameter("bias"), c.names.buffer(input));
    }
  }

  /**
   * Whether the training class keeps the pre-activation z for backward: GELU and SiLU have derivatives that are
   * functions of z, not of the output (the inference class applies them fused, keeping nothing).
   */
  private static boolean keepsPreActivation(LayerNode layer, EmitContext c) {
    return c.training && !layer.fusedWithLoss() && EmitContext.derivativeNeedsInput(layer.spec().activation());
  }

  @Override
  public void addMembers(LayerNode layer, EmitContext c, TypeSpec.Builder type, MethodSpec.Builder constructor) {
    if (keepsPreActivation(layer, c)) {
      type.addField(FieldSpec.builder(float[].class, c.names.preActivation(layer), Modifier.PRIVATE,
              Modifier.FINAL)
          .addJavadoc("z = x · Wᵀ + b of {@code $L} before its $L, for backward, (B, $L).\n", layer.name(),
              EmitContext.mathName(layer.spec().activation()), PoolEmitter.dims(layer))
          .build());
      c.allocateLayerSized(constructor, c.names.preActivation(layer), layer, false);
    }
  }

  @Override
  public MethodSpec forward(LayerNode layer, EmitContext c) {
    Parts p = Parts.of(layer, c);
    DenseSpec spec = p.spec();
    LayerNode input = p.input();
    int in = p.in();
    int units = p.units();
    int rowsPerSample = p.rowsPerSample();
    ParameterSlot bias = p.bias();
    Activation act = spec.activation();
    String x = p.x();
    String y = c.names.buffer(layer);
    boolean keepsZ = keepsPreActivation(layer, c);
    // GELU and SiLU run as their own pass on the kernels (vectorised, threaded), not inside the matmul's epilogue.
    boolean separate = keepsZ || (!layer.fusedWithLoss() && EmitContext.derivativeNeedsInput(act));
    String z = layer.fusedWithLoss() || keepsZ ? c.names.preActivation(layer) : y;
    Activation kernelActivation = layer.fusedWithLoss() || separate ? Activation.IDENTITY : act;

    MethodSpec.Builder m = MethodSpec.methodBuilder(c.names.forward(layer))
        .addModifiers(Modifier.PRIVATE)
        .addParameter(int.class, "batch");
    m.addJavadoc("Forward of {@code $L}, {@code @Dense(units = $L$L)}: $L → $L per sample.\n", layer.name(),
        units, act == Activation.IDENTITY ? "" : ", activation = " + act, input.shape(), layer.shape());
    m.addJavadoc("<pre>\n");
    String affine = x + " · Wᵀ" + (bias != null ? " + b" : "");
    if (layer.fusedWithLoss() || keepsZ) {
      m.addJavadoc("$L = $L\n$L = $L($L)\n", z, affine, y, EmitContext.mathName(act), z);
    } else {
      m.addJavadoc("$L = $L\n", y, act == Activation.IDENTITY ? affine
          : EmitContext.mathName(act) + "(" + affine + ")");
    }
    m.addJavadoc("W = $L.weight $L$L\n</pre>\n", layer.name(), layer.parameter("weight").shape(),
        bias != null ? ", b = " + layer.name() + ".bias " + bias.shape() : "");
    String fusedWithMatmul = bias != null
        ? (kernelActivation != Activation.IDENTITY ? ", bias and " + EmitContext.mathName(act) : " and bias")
        : (kernelActivation != Activation.IDENTITY ? " and " + EmitContext.mathName(act) : null);
    if (fusedWithMatmul != null) {
      m.addJavadoc("Fused: the matmul$L in one pass over each output row.\n", fusedWithMatmul);
    }
    if (layer.fusedWithLoss()) {
      m.addJavadoc("The $L is kept apart from {@code $L} because the loss reads the logits, fused with it.\n",
          EmitContext.mathName(act), z);
    }
    if (keepsZ) {
      m.addJavadoc("{@code $L} is kept for backward: the derivative of $L is a function of its input.\n", z,
          EmitContext.mathName(act));
    } else if (separate) {
      m.addJavadoc("The $L is a second, vectorised pass over the output, in place.\n", EmitContext.mathName(act));
    }
    if (rowsPerSample > 1) {
      m.addJavadoc("The input has $L rows of $L per sample; each row is transformed alike.\n", rowsPerSample, in);
    }
    m.addStatement("kernels.denseForward($N, $N, 0, parameters, $N, $L, $L, $L, $L, $L, $L)", z, x,
        c.names.offset(layer, "weight"), bias != null ? c.names.offset(layer, "bias") : "-1",
        EmitContext.rows(rowsPerSample), in, units, EmitContext.activation(kernelActivation),
        EmitContext.slope(act, spec.leakySlope()));
    if (separate) {
      m.addStatement("kernels.activate($N, $N, batch * $N, $L, 0f)", y, z, c.names.size(layer),
          EmitContext.activation(act));
    }
    if (layer.fusedWithLoss()) {
      if (act == Activation.SOFTMAX) {
        m.addStatement("$T.softmax($N, $N, $L, $L)", EmitContext.LOSS_FUNCTIONS, z, y,
            EmitContext.rows(layer.shape().rows()), layer.shape().last());
      } else {
        CodeBlock n = CodeBlock.of("batch * $N", c.names.size(layer));
        m.addStatement("$T.arraycopy($N, 0, $N, 0, $L)", System.class, z, y, n);
        m.addStatement("$T.apply($N, 0, $L, $L, 0f)", EmitContext.ACTIVATION_FUNCTIONS, y, n,
            EmitContext.activation(act));
      }
    }
    return m.build();
  }

  @Override
  public MethodSpec backward(LayerNode layer, EmitContext c) {
    Parts p = Parts.of(layer, c);
    DenseSpec spec = p.spec();
    LayerNode input = p.input();
    int in = p.in();
    int units = p.units();
    ParameterSlot bias = p.bias();
    Activation act = layer.fusedWithLoss() ? Activation.IDENTITY : spec.activation();
    boolean keepsZ = keepsPreActivation(layer, c);
    String x = p.x();
    String dy = c.names.grad(layer);
    boolean inputGrad = c.hasGrad(input);

    MethodSpec.Builder m = MethodSpec.methodBuilder(c.names.backward(layer))
        .addModifiers(Modifier.PRIVATE)
        .addParameter(int.class, "batch");
    m.addJavadoc("Backward of {@code $L}: from {@code $L} = dLoss/d$L, accumulates\n<pre>\n", layer.name(), dy,
        layer.name());
    if (layer.fusedWithLoss()) {
      m.addJavadoc("dZ = $L   (already dLoss/dZ: the loss fused $L's derivative into it)\n", dy,
          EmitContext.mathName(spec.activation()));
    } else if (keepsZ) {
      m.addJavadoc("dZ = $L ⊙ $L'(z) = $L ⊙ $L, z = $L   (written over $L)\n", dy, EmitContext.mathName(act), dy,
          EmitContext.derivative(act, 0f), c.names.preActivation(layer), dy);
    } else if (act != Activation.IDENTITY) {
      m.addJavadoc("dZ = $L ⊙ $L'($L) = $L ⊙ $L, y = $L   (written over $L)\n", dy, EmitContext.mathName(act),
          layer.name(), dy, EmitContext.derivative(act, spec.leakySlope()), layer.name(), dy);
    } else {
      m.addJavadoc("dZ = $L\n", dy);
    }
    if (bias != null) {
      m.addJavadoc("db += Σ_rows dZ\n");
    }
    m.addJavadoc("dW += dZᵀ · $L\n", x);
    if (inputGrad) {
      m.addJavadoc("$L += dZ · W\n", c.names.grad(input));
    }
    m.addJavadoc("</pre>\n");
    if (keepsZ) {
      m.addJavadoc("The derivative is applied in place; $L.\n", bias != null ? "then the bias gradient is summed"
          : "there is no bias");
    } else if (act != Activation.IDENTITY || bias != null) {
      m.addJavadoc("Fused: the $L in one pass over dZ.\n", act != Activation.IDENTITY && bias != null
          ? "activation derivative and the bias gradient" : act != Activation.IDENTITY
          ? "activation derivative, applied in place" : "bias gradient, summed");
    }
    if (!inputGrad) {
      m.addJavadoc("{@code $L} is an input, so no gradient flows into it.\n", input.name());
    }
    m.addStatement("int rows = $L", EmitContext.rows(p.rowsPerSample()));
    if (keepsZ) {
      m.addStatement("kernels.multiplyDerivativeAtInput($N, $N, rows * $L, $L, 0f)", dy,
          c.names.preActivation(layer), units, EmitContext.activation(act));
      act = Activation.IDENTITY;
    }
    if (act != Activation.IDENTITY || bias != null) {
      m.addStatement("kernels.activationBackward($N, $N, rows, $L, $L, $L, gradients, $L)", dy,
          c.names.buffer(layer), units, EmitContext.activation(act), EmitContext.slope(act, spec.leakySlope()),
          bias != null ? c.names.offset(layer, "bias") : "-1");
    }
    // One call for both products: on two threads they may run side by side.
    m.addStatement("kernels.denseBackward(gradients, $N, $N, 0, $N, 0, $L, 0, parameters, $N, rows, $L, $L)",
        c.names.offset(layer, "weight"), dy, x, c.gradOrNull(input), c.names.offset(layer, "weight"), in, units);
    return m.build();
  }
}
