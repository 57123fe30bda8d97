package io.nabla.processor.writing;

import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeSpec;
import io.nabla.Activation;
import io.nabla.processor.model.LayerNode;
import io.nabla.processor.model.LayerSpec.BatchNormSpec;
import io.nabla.processor.model.LayerSpec.Conv2dSpec;
import io.nabla.processor.model.Shape;
import io.nabla.processor.model.Window;
import javax.lang.model.element.Modifier;

/**
 * {@code @Conv2d}, lowered to matrix products: the batch is unfolded into columns once (im2col), each group is one
 * product on the fast matmul kernels, and one pass moves the result to batch-major order while adding the bias and
 * applying the activation. Backward runs the same steps transposed. When a batch norm folds into this convolution,
 * inference uses the folded weights and writes the batch norm's output directly.
 */
final class Conv2dEmitter implements LayerEmitter {

  /** What the methods read off the layer. */
  private record Parts(Conv2dSpec spec, LayerNode input, Window window, int channels, int filters, int groups,
      int plane, int patch, LayerNode folded) {
    static Parts of(LayerNode layer, EmitContext c) {
      Conv2dSpec spec = (Conv2dSpec) layer.spec();
      LayerNode input = c.layer(layer.inputs().get(0));
      Window w = Window.of(spec);
      int channels = input.shape().dims()[0];
      Shape out = layer.shape();
      return new Parts(spec, input, w, channels, spec.filters(), spec.groups(), out.dims()[1] * out.dims()[2],
          channels / spec.groups() * w.kernelH() * w.kernelW(),
          layer.foldedBatchNorm() == null ? null : c.layer(layer.foldedBatchNorm()));
    }

    int filtersPerGroup() {
      return filters / groups;
    }
  }

  @Override
  public void addMembers(LayerNode layer, EmitContext c, TypeSpec.Builder type, MethodSpec.Builder constructor) {
    Parts p = Parts.of(layer, c);
    Window w = p.window();
    int[] in = p.input().shape().dims();
    // Padding and dilation before the kernel: each step of the chain is a checked geometry.
    CodeBlock geometry = CodeBlock.of("new $T($L, $L, $L).filters($L).groups($L).padding($L, $L, $L, $L)"
            + ".dilation($L, $L).kernel($L, $L).stride($L, $L)", EmitContext.GEOMETRY, in[0], in[1], in[2],
        p.filters(), p.groups(), w.padTop(), w.padLeft(), w.padBottom(), w.padRight(), w.dilationH(),
        w.dilationW(), w.kernelH(), w.kernelW(), w.strideH(), w.strideW());
    type.addField(FieldSpec.builder(EmitContext.GEOMETRY, c.names.constant(layer, "geometry"), Modifier.PRIVATE,
            Modifier.STATIC, Modifier.FINAL)
        .addJavadoc("{@code $L}: $L → $L, kernel $L, stride $L, padding (top $L, left $L, bottom $L, right $L),"
                + " dilation $L, $L group$L.\n", layer.name(), p.input().shape(), layer.shape(),
            Window.pairText(w.kernelH(), w.kernelW()), Window.pairText(w.strideH(), w.strideW()), w.padTop(),
            w.padLeft(), w.padBottom(), w.padRight(), Window.pairText(w.dilationH(), w.dilationW()), p.groups(),
            p.groups() == 1 ? "" : "s")
        .initializer(geometry)
        .build());
    String columns = c.names.member(layer, "columns");
    String product = c.names.member(layer, "product");
    type.addField(FieldSpec.builder(float[].class, columns, Modifier.PRIVATE, Modifier.FINAL)
        .addJavadoc("The input of {@code $L} unfolded (im2col), (C·kH·kW, B·outH·outW) = ($L, B·$L); backward"
            + " reuses it for the input gradient.\n", layer.name(), p.patch() * p.groups(), p.plane())
        .build());
    type.addField(FieldSpec.builder(float[].class, product, Modifier.PRIVATE, Modifier.FINAL)
        .addJavadoc("Filter-major product W · columns, (F, B·outH·outW) = ($L, B·$L); backward reuses it for dZ.\n",
            p.filters(), p.plane())
        .build());
    c.allocateFloats(constructor, columns, p.patch() * p.groups() * p.plane());
    c.allocateFloats(constructor, product, p.filters() * p.plane());
    if (p.folded() != null) {
      String folded = c.names.member(layer, "folded");
      type.addField(FieldSpec.builder(float[].class, folded, Modifier.PRIVATE, Modifier.FINAL)
          .addJavadoc("Inference weights with {@code $L} folded in: (F, C/G·kH·kW) = ($L, $L), then the F = $L"
              + " biases.\n", p.folded().name(), p.filters(), p.patch(), p.filters())
          .build());
      constructor.addStatement("$N = new float[$L]", folded, p.filters() * p.patch() + p.filters());
    }
  }

  @Override
  public CodeBlock forwardCall(LayerNode layer, EmitContext c) {
    return layer.foldedBatchNorm() == null ? LayerEmitter.super.forwardCall(layer, c)
        : CodeBlock.of("$N(batch, !trainingPass())", c.names.forward(layer));
  }

  @Override
  public MethodSpec forward(LayerNode layer, EmitContext c) {
    Parts p = Parts.of(layer, c);
    Conv2dSpec spec = p.spec();
    Activation act = spec.activation();
    String x = c.names.buffer(p.input());
    String geometry = c.names.constant(layer, "geometry");
    String columns = c.names.member(layer, "columns");
    String product = c.names.member(layer, "product");
    boolean bias = layer.parameter("bias") != null;
    MethodSpec.Builder m = MethodSpec.methodBuilder(c.names.forward(layer))
        .addModifiers(Modifier.PRIVATE)
        .addParameter(int.class, "batch");
    m.addJavadoc("Forward of {@code $L}, {@code @Conv2d(filters = $L, kernel = $L$L)}: $L → $L per sample.\n",
        layer.name(), p.filters(), Window.pairText(p.window().kernelH(), p.window().kernelW()),
        p.groups() == 1 ? "" : ", groups = " + p.groups(), p.input().shape(), layer.shape());
    m.addJavadoc("<pre>\n$L[b, f] = $L$L\nW = $L.weight $L$L\n</pre>\n", layer.name(),
        act == Activation.IDENTITY ? "" : EmitContext.mathName(act) + "(",
        "Σ_{c, i, j} W[f, c, i, j] · " + x + "[b, c, stride·oh - pad + dilation·i, ...]" + (bias ? " + b[f]" : "")
            + (act == Activation.IDENTITY ? "" : ")"),
        layer.name(), layer.parameter("weight").shape(), bias ? ", b = " + layer.name() + ".bias "
            + layer.parameter("bias").shape() : "");
    m.addJavadoc("Lowered to $L: im2col unfolds the whole batch into {@code $L}, so each group is one\n"
        + "matrix product over every sample at once.\n", p.groups() == 1 ? "one matmul" : p.groups() + " matmuls",
        columns);
    m.addJavadoc("Fused: the move to batch-major order$L$L in one pass over the product.\n",
        bias ? (act != Activation.IDENTITY ? ", the bias and " + EmitContext.mathName(act) : " and the bias")
            : (act != Activation.IDENTITY ? " and " + EmitContext.mathName(act) : ""), "");
    m.addStatement("int positions = batch * $L", p.plane());
    m.addStatement("kernels.im2col($N, $N, batch, $N)", geometry, x, columns);
    if (p.folded() != null) {
      LayerNode bn = p.folded();
      BatchNormSpec bnSpec = (BatchNormSpec) bn.spec();
      String folded = c.names.member(layer, "folded");
      m.addParameter(boolean.class, "fold");
      m.addJavadoc("With {@code fold} (inference), {@code $L} is folded into the weights: W' = W·γ/√(var + ε),\n"
          + "b' = (b - mean)·γ/√(var + ε) + β, and this writes {@code $L}'s output (with its $L) directly;\n"
          + "{@code $L}'s own output buffer is then not written.\n", bn.name(), bn.name(),
          bnSpec.activation() == Activation.IDENTITY ? "identity" : EmitContext.mathName(bnSpec.activation()),
          layer.name());
      m.beginControlFlow("if (fold)");
      m.addStatement("$T.foldIntoConvolution(parameters, $N, $L, $L, $L, $N, $N, buffers, $N, $N, $Lf, $N)",
          EmitContext.NORMALIZATION, c.names.offset(layer, "weight"), bias ? c.names.offset(layer, "bias") : "-1",
          p.filters(), p.patch(), c.names.offset(bn, "weight"), c.names.offset(bn, "bias"),
          c.names.offset(bn, "running_mean"), c.names.offset(bn, "running_var"), (float) bnSpec.epsilon(), folded);
      addProducts(m, p, product, folded, "0", columns);
      m.addStatement("kernels.toBatchMajor($N, $N, batch, $N, $L, $L, $L, $N)", geometry,
          product, folded, p.filters() * p.patch(), EmitContext.activation(bnSpec.activation()),
          EmitContext.slope(bnSpec.activation(), bnSpec.leakySlope()), c.names.buffer(bn));
      m.addStatement("return");
      m.endControlFlow();
    }
    addProducts(m, p, product, "parameters", c.names.offset(layer, "weight"), columns);
    m.addStatement("kernels.toBatchMajor($N, $N, batch, parameters, $L, $L, $L, $N)", geometry,
        product, bias ? c.names.offset(layer, "bias") : "-1", EmitContext.activation(act),
        EmitContext.slope(act, spec.leakySlope()), c.names.buffer(layer));
    return m.build();
  }

  /** {@code product_g = W_g · columns_g} for each group. */
  private static void addProducts(MethodSpec.Builder m, Parts p, String product, String weights, String weightOff,
      String columns) {
    int fg = p.filtersPerGroup();
    if (p.groups() == 1) {
      m.addStatement("kernels.matmulNN($N, 0, $N, $L, $N, 0, $L, positions, $L, false)", product, weights,
          weightOff, columns, fg, p.patch());
      return;
    }
    m.beginControlFlow("for (int group = 0; group < $L; group++)", p.groups());
    m.addStatement("kernels.matmulNN($N, group * $L * positions, $N, $L + group * $L, $N, group * $L * positions,"
        + " $L, positions, $L, false)", product, fg, weights, weightOff, fg * p.patch(), columns, p.patch(), fg,
        p.patch());
    m.endControlFlow();
  }

  @Override
  public MethodSpec backward(LayerNode layer, EmitContext c) {
    Parts p = Parts.of(layer, c);
    Conv2dSpec spec = p.spec();
    Activation act = spec.activation();
    String geometry = c.names.constant(layer, "geometry");
    String columns = c.names.member(layer, "columns");
    String product = c.names.member(layer, "product");
    String dy = c.names.grad(layer);
    String weight = c.names.offset(layer, "weight");
    boolean bias = layer.parameter("bias") != null;
    boolean inputGrad = c.hasGrad(p.input());
    int fg = p.filtersPerGroup();
    MethodSpec.Builder m = MethodSpec.methodBuilder(c.names.backward(layer))
        .addModifiers(Modifier.PRIVATE)
        .addParameter(int.class, "batch");
    m.addJavadoc("Backward of {@code $L}: from {@code $L}, per group g,\n<pre>\n", layer.name(), dy);
    m.addJavadoc("dZ = $L$L   (filter-major, into {@code $L})\n", dy,
        act == Activation.IDENTITY ? "" : " ⊙ " + EmitContext.derivative(act, spec.leakySlope()), product);
    if (bias) {
      m.addJavadoc("db += Σ_{b, positions} dZ\n");
    }
    m.addJavadoc("dW_g += dZ_g · columns_gᵀ\n");
    if (inputGrad) {
      m.addJavadoc("dcolumns_g = W_gᵀ · dZ_g   (written over {@code $L})\n$L += col2im(dcolumns)\n", columns,
          c.names.grad(p.input()));
    }
    m.addJavadoc("</pre>\nFused: the move to filter-major order$L in one pass.\n",
        act != Activation.IDENTITY ? (bias ? ", the activation derivative and the bias gradient"
            : " and the activation derivative") : bias ? " and the bias gradient" : "");
    if (!inputGrad) {
      m.addJavadoc("{@code $L} is an input, so no gradient flows into it.\n", p.input().name());
    }
    m.addStatement("int positions = batch * $L", p.plane());
    m.addStatement("kernels.toFilterMajor($N, $N, $N, batch, $L, $L, $N, gradients, $L)", geometry, dy,
        c.names.buffer(layer), EmitContext.activation(act), EmitContext.slope(act, spec.leakySlope()),
        product, bias ? c.names.offset(layer, "bias") : "-1");
    if (p.groups() == 1) {
      m.addStatement("kernels.matmulNT(gradients, $N, $N, 0, $N, 0, $L, $L, positions, true)", weight, product,
          columns, fg, p.patch());
      if (inputGrad) {
        m.addStatement("kernels.matmulTN($N, 0, parameters, $N, $N, 0, $L, positions, $L, false)", columns, weight,
            product, p.patch(), fg);
      }
    } else {
      m.beginControlFlow("for (int group = 0; group < $L; group++)", p.groups());
      m.addStatement("kernels.matmulNT(gradients, $N + group * $L, $N, group * $L * positions, $N,"
          + " group * $L * positions, $L, $L, positions, true)", weight, fg * p.patch(), product, fg, columns,
          p.patch(), fg, p.patch());
      if (inputGrad) {
        m.addStatement("kernels.matmulTN($N, group * $L * positions, parameters, $N + group * $L, $N,"
            + " group * $L * positions, $L, positions, $L, false)", columns, p.patch(), weight, fg * p.patch(),
            product, fg, p.patch(), fg);
      }
      m.endControlFlow();
    }
    if (inputGrad) {
      m.addStatement("kernels.col2imAdd($N, $N, batch, $N)", geometry, columns,
          c.names.grad(p.input()));
    }
    return m.build();
  }
}
