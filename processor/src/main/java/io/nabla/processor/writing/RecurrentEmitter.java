package io.nabla.processor.writing;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeSpec;
import io.nabla.processor.model.LayerKind;
import io.nabla.processor.model.LayerNode;
import io.nabla.processor.model.LayerSpec.RecurrentSpec;
import javax.lang.model.element.Modifier;

/**
 * {@code @SimpleRnn}, {@code @Lstm} and {@code @Gru}, over a {@code (time, features)} input. Forward projects the
 * input of every step, gate and direction with one matrix product over all {@code B·T} rows before the recurrence;
 * each step is then one recurrent product {@code (B, H) · (H, G·H)} for every gate and one fused elementwise pass
 * (biases, gate nonlinearities, state update, {@code RecurrentKernels}) that keeps what backward needs. Backward
 * runs the steps in reverse with one product per step for the state's gradient, and computes each weight gradient
 * as one product over every step. The steps of a direction are one {@code Kernels} call
 * ({@code kernels.gruRecurrenceForward} and the like), which may split the samples over its threads. Buffer layouts
 * are {@code RecurrentGeometry}'s.
 */
final class RecurrentEmitter implements LayerEmitter {
  static final ClassName RECURRENT_GEOMETRY = ClassName.get("io.nabla.runtime.kernel", "RecurrentGeometry");

  /** What the methods read off the layer. */
  private record Parts(RecurrentSpec spec, LayerNode input, int time, int features, int units, int gates,
      int directions) {
    static Parts of(LayerNode layer, EmitContext c) {
      RecurrentSpec spec = (RecurrentSpec) layer.spec();
      LayerNode input = c.layer(layer.inputs().get(0));
      int[] in = input.shape().dims();
      return new Parts(spec, input, in[0], in[1], spec.units(), spec.gates(), spec.directions());
    }

    /** {@code G·H}. */
    int gateWidth() {
      return gates * units;
    }

    LayerKind kind() {
      return spec.kind();
    }

    /** The kernels' method prefix and the geometry's cell: {@code gru}, {@code GRU}. */
    String cell() {
      return switch (kind()) {
        case LSTM -> "lstm";
        case GRU -> "gru";
        default -> "simpleRnn";
      };
    }

    /** The tensor-name suffix of a direction: {@code _l0}, {@code _l0_reverse}. */
    static String suffix(int direction) {
      return direction == 0 ? "_l0" : "_l0_reverse";
    }
  }

  // ---- members ----

  @Override
  public void addMembers(LayerNode layer, EmitContext c, TypeSpec.Builder type, MethodSpec.Builder constructor) {
    Parts p = Parts.of(layer, c);
    String name = layer.name();
    int d = p.directions();
    int gw = p.gateWidth();
    int t = p.time();
    type.addField(FieldSpec.builder(RECURRENT_GEOMETRY, c.names.constant(layer, "geometry"), Modifier.PRIVATE,
            Modifier.STATIC, Modifier.FINAL)
        .addJavadoc("$L\n", wrap("{@code " + name + "}: @" + p.kind().displayName() + " over (time, features) = "
            + p.input().shape() + ", " + p.units() + " units, " + (d == 2 ? "two directions" : "one direction") + ", "
            + (p.spec().returnSequences() ? "every step's state" : "the last step's state") + ": "
            + p.input().shape() + " → " + layer.shape() + "."))
        .initializer("new $T($T.Cell.$L, $L, $L, $L, $L, $L)", RECURRENT_GEOMETRY, RECURRENT_GEOMETRY,
            p.kind().name(), t, p.features(), p.units(), d == 2,
            p.spec().returnSequences())
        .build());
    constructor.addStatement("$N.checkCapacity($S, maxBatch)", c.names.constant(layer, "geometry"), name);
    String gateNames = switch (p.kind()) {
      case LSTM -> "i, f, g, o";
      case GRU -> "r, z, n";
      default -> null;
    };
    addBuffer(c, type, constructor, c.names.member(layer, "projection"), (long) t * d * gw,
        "x · W_ihᵀ of every step, gate and direction of {@code " + name + "}, (B·T, D·G·H) = (B·" + t + ", "
            + d * gw + "), batch-major; backward writes dZ_x, the gradient of these input pre-activations, over"
            + " it.");
    addBuffer(c, type, constructor, c.names.member(layer, "recurrent"), gw,
        "h · W_hhᵀ of the current step of {@code " + name + "}, (B, G·H) = (B, " + gw + ").");
    addBuffer(c, type, constructor, c.names.member(layer, "gates"), (long) d * t * gw,
        (gateNames == null ? "dZ_h, the gradient of the pre-activations of every step of {@code " + name
            + "} (written by backward)"
            : "The gate activations " + gateNames + " of every step of {@code " + name + "}; backward writes dZ_h,"
                + " the gradient of the recurrent pre-activations, over them")
            + ", (D, T, B, G·H) = (" + d + ", " + t + ", B, " + gw + "), time-major.");
    if (p.kind() == LayerKind.GRU) {
      addBuffer(c, type, constructor, c.names.member(layer, "newRecurrent"), (long) d * t * p.units(),
          "W_hn · h + b_hn of every step of {@code " + name + "} (r multiplies it), (D, T, B, H) = (" + d + ", " + t
              + ", B, " + p.units() + ").");
    }
    if (p.kind() == LayerKind.LSTM) {
      addBuffer(c, type, constructor, c.names.member(layer, "cells"), (long) d * t * p.units(),
          "The cell state c after every step of {@code " + name + "}, (D, T, B, H) = (" + d + ", " + t + ", B, "
              + p.units() + ").");
      addBuffer(c, type, constructor, c.names.member(layer, "cellTanh"), (long) d * t * p.units(),
          "tanh(c) of every step of {@code " + name + "}, (D, T, B, H) = (" + d + ", " + t + ", B, " + p.units()
              + ").");
    }
    addBuffer(c, type, constructor, c.names.member(layer, "hidden"), (long) d * t * p.units(),
        "The state h after every step of {@code " + name + "}, (D, T, B, H) = (" + d + ", " + t + ", B, "
            + p.units() + "), time-major: the recurrent products read one (B, H) block.");
    boolean lstm = p.kind() == LayerKind.LSTM;
    addBuffer(c, type, constructor, c.names.member(layer, "stateGrad"), (lstm ? 2L : 1L) * p.units(),
        "dLoss/dh" + (lstm ? " then dLoss/dc" : "") + ", carried between the steps of {@code " + name
            + "}'s backward, " + (lstm ? "2 × " : "") + "(B, H) = " + (lstm ? "2 × " : "") + "(B, " + p.units()
            + ").");
  }

  private static void addBuffer(EmitContext c, TypeSpec.Builder type, MethodSpec.Builder constructor, String field,
      long perSample, String javadoc) {
    type.addField(FieldSpec.builder(float[].class, field, Modifier.PRIVATE, Modifier.FINAL)
        .addJavadoc("$L\n", wrap(javadoc))
        .build());
    c.allocateFloats(constructor, field, perSample);
  }

  // ---- forward ----

  @Override
  public MethodSpec forward(LayerNode layer, EmitContext c) {
    Parts p = Parts.of(layer, c);
    String name = layer.name();
    String x = c.names.buffer(p.input());
    String geometry = c.names.constant(layer, "geometry");
    int gw = p.gateWidth();
    int last = p.time() - 1;
    MethodSpec.Builder m = PoolEmitter.method(c.names.forward(layer));
    m.addJavadoc("$L\n<pre>\n", wrap("Forward of {@code " + name + "}, {@code " + annotation(p) + "}: "
        + p.input().shape() + " → " + layer.shape() + " per sample."));
    m.addJavadoc("$L\n", p.directions() == 2
        ? "per direction, from " + initialState(p) + ", for each step t = 0 … " + last
            + " (the reverse direction: t = " + last + " … 0):"
        : "from " + initialState(p) + ", for each step t = 0 … " + last + ":");
    for (String line : stepMath(p, x)) {
      m.addJavadoc("  $L\n", line);
    }
    String reverse = p.directions() == 2 ? ", h reverse" : "";
    m.addJavadoc("$L\n", p.spec().returnSequences()
        ? name + "[b, t] = (h" + reverse + ") after step t"
        : name + "[b] = (h after t = " + last + (p.directions() == 2 ? ", h reverse after t = 0" : "") + ")");
    m.addJavadoc("W_ih = $L.weight_ih_l0 $L, W_hh = $L.weight_hh_l0 $L,\nb_ih = $L.bias_ih_l0 ($L), b_hh ="
            + " $L.bias_hh_l0 ($L)$L\n</pre>\n", name, shape(gw, p.features()), name, shape(gw, p.units()), name,
        gw, name, gw, p.directions() == 2 ? "; the reverse direction's " + name + ".*_l0_reverse" : "");
    String gatesText = switch (p.kind()) {
      case LSTM -> " for all four gates";
      case GRU -> " for all three gates";
      default -> "";
    };
    String fused = "Fused: the input projections of every step"
        + (p.gates() > 1 ? (p.directions() == 2 ? ", gate and direction" : " and gate")
            : (p.directions() == 2 ? " and direction" : ""))
        + " are one matmul over all B·" + p.time() + " rows, before the recurrence"
        + (p.directions() == 2 ? " (weight_ih_l0 and weight_ih_l0_reverse are adjacent, "
            + shape(2 * gw, p.features()) + ")" : "")
        + "; each step is then one (B, " + p.units() + ") · (" + p.units() + ", " + gw + ") matmul" + gatesText
        + " and one elementwise pass that adds both biases" + switch (p.kind()) {
          case LSTM -> ", applies σ and tanh and updates c and h. Forward keeps the gates, c, tanh(c) and h of every"
              + " step for backward.";
          case GRU -> ", applies σ and tanh and updates h. Forward keeps r, z, n, W_hn·h + b_hn and h of every step"
              + " for backward.";
          default -> " and applies tanh. Forward keeps h of every step for backward.";
        } + (p.time() > 1 ? " At step 0 the state is zero: its recurrent product is skipped." : "")
        + " The steps of a direction are one call to the kernels, which may split the samples over their threads.";
    m.addJavadoc("$L\n", wrap(fused));
    m.addStatement("kernels.matmulNT($N, 0, $N, 0, parameters, $N, batch * $L, $L, $L, false)",
        c.names.member(layer, "projection"), x, c.names.offset(layer, "weight_ih_l0"), p.time(),
        p.directions() * gw, p.features());
    for (int d = 0; d < p.directions(); d++) {
      if (d == 1) {
        m.addComment("The reverse direction: step s reads time $L - s.", last);
      }
      String caches = switch (p.kind()) {
        case LSTM -> c.names.member(layer, "gates") + ", " + c.names.member(layer, "cells") + ", "
            + c.names.member(layer, "cellTanh") + ", ";
        case GRU -> c.names.member(layer, "gates") + ", " + c.names.member(layer, "newRecurrent") + ", ";
        default -> "";
      };
      m.addStatement("kernels.$LRecurrenceForward($N, $L, batch, $N, $N, parameters, $N, $N, $N, $L$N, $N)",
          p.cell(), geometry, d, c.names.member(layer, "projection"), c.names.member(layer, "recurrent"),
          c.names.offset(layer, "weight_hh" + Parts.suffix(d)), c.names.offset(layer, "bias_ih" + Parts.suffix(d)),
          c.names.offset(layer, "bias_hh" + Parts.suffix(d)), caches, c.names.member(layer, "hidden"),
          c.names.buffer(layer));
    }
    return m.build();
  }

  // ---- backward ----

  @Override
  public MethodSpec backward(LayerNode layer, EmitContext c) {
    Parts p = Parts.of(layer, c);
    String name = layer.name();
    String x = c.names.buffer(p.input());
    String dy = c.names.grad(layer);
    String geometry = c.names.constant(layer, "geometry");
    String projection = c.names.member(layer, "projection");
    String gates = c.names.member(layer, "gates");
    String hidden = c.names.member(layer, "hidden");
    String stateGrad = c.names.member(layer, "stateGrad");
    boolean inputGrad = c.hasGrad(p.input());
    boolean lstm = p.kind() == LayerKind.LSTM;
    int gw = p.gateWidth();
    int last = p.time() - 1;
    MethodSpec.Builder m = PoolEmitter.method(c.names.backward(layer));
    m.addJavadoc("Backward of {@code $L} through all $L step$L (backpropagation through time): from {@code $L},\n"
            + "$Lfrom $L = 0, for each step from the last:\n<pre>\n", name, p.time(), p.time() == 1 ? "" : "s", dy,
        p.directions() == 2 ? "per direction, " : "", lstm ? "dh = dc" : "dh");
    m.addJavadoc("$L\n", p.spec().returnSequences() ? "dh += " + dy + "[b, t]"
        : "dh += " + dy + "[b]   (at the " + (p.directions() == 2 ? "direction's " : "") + "last step only)");
    for (String line : backwardMath(p)) {
      m.addJavadoc("$L\n", line);
    }
    m.addJavadoc("then\n");
    if (p.time() > 1) {
      m.addJavadoc("dW_hh += Σ_t dZ_h,tᵀ · h_{t-1}   (steps 1 … $L)\n", last);
    }
    m.addJavadoc("dW_ih += dZ_xᵀ · $L\n", x);
    if (inputGrad) {
      m.addJavadoc("$L += dZ_x · W_ih\n", c.names.grad(p.input()));
    }
    m.addJavadoc("</pre>\n");
    String fused = "Fused: " + (p.kind() == LayerKind.SIMPLE_RNN ? "tanh's derivative"
        : "the derivatives of every gate" + (lstm ? ", the cell's backward" : ""))
        + " and both bias gradients in one elementwise pass per step, which writes dZ_x over {@code " + projection
        + "} (batch-major, for the input-side products) and dZ_h over {@code " + gates + "} (time-major, for the"
        + " recurrent ones). " + (p.time() > 1 ? "The recurrent weight gradient is then one matmul over the " + last
            + "·B rows of every step but the first, and the input weight gradient" : "The input weight gradient is"
            + " then") + " one over all B·" + p.time() + " rows" + (p.directions() == 2 ? " of both directions." : ".")
        + " The steps of a direction are one call to the kernels, which may split the samples over their threads.";
    m.addJavadoc("$L\n", wrap(fused));
    if (!inputGrad) {
      m.addJavadoc("{@code $L} is an input, so no gradient flows into it.\n", p.input().name());
    }
    for (int d = 0; d < p.directions(); d++) {
      if (d == 1) {
        m.addComment("The reverse direction.");
      }
      String suffix = Parts.suffix(d);
      String weightHh = c.names.offset(layer, "weight_hh" + suffix);
      String caches = switch (p.kind()) {
        case LSTM -> gates + ", " + c.names.member(layer, "cells") + ", " + c.names.member(layer, "cellTanh") + ", "
            + stateGrad + ", " + projection;
        case GRU -> gates + ", " + c.names.member(layer, "newRecurrent") + ", " + hidden + ", " + stateGrad + ", "
            + projection;
        default -> hidden + ", " + stateGrad + ", " + projection + ", " + gates;
      };
      m.addStatement("kernels.$LRecurrenceBackward($N, $L, batch, $N, $L, parameters, $N, gradients, $N, $N)",
          p.cell(), geometry, d, dy, caches, weightHh, c.names.offset(layer, "bias_ih" + suffix),
          c.names.offset(layer, "bias_hh" + suffix));
      if (p.time() > 1) {
        m.addStatement("kernels.matmulTN(gradients, $N, $N, $N.gateOffset(batch, $L, 1), $N, $N.stateOffset(batch,"
                + " $L, 0), $L, $L, $L * batch, true)", weightHh, gates, geometry, d, hidden, geometry, d, gw,
            p.units(), last);
      }
    }
    String weightIh = c.names.offset(layer, "weight_ih_l0");
    // The input weights' gradient and the input's: a dense layer's two backward products over all B·T rows.
    m.addStatement("kernels.denseBackward(gradients, $N, $N, 0, $N, 0, $L, 0, parameters, $N, batch * $L, $L, $L)",
        weightIh, projection, x, c.gradOrNull(p.input()), weightIh, p.time(), p.features(), p.directions() * gw);
    return m.build();
  }

  // ---- Javadoc ----

  /** Javadoc width: the generated lines stay within 120 columns after the indent and {@code " * "}. */
  private static final int WIDTH = 112;

  /** {@code text} with its spaces turned into line breaks where a line would pass {@link #WIDTH}. */
  static String wrap(String text) {
    StringBuilder out = new StringBuilder();
    int lineStart = 0;
    for (String word : text.split(" ")) {
      if (out.length() > lineStart && out.length() - lineStart + 1 + word.length() > WIDTH) {
        out.append('\n');
        lineStart = out.length();
      } else if (out.length() > lineStart) {
        out.append(' ');
      }
      out.append(word);
    }
    return out.toString();
  }

  /** {@code @Gru(units = 128, returnSequences = true)}, the non-default values only. */
  private static String annotation(Parts p) {
    return "@" + p.kind().displayName() + "(units = " + p.units()
        + (p.spec().returnSequences() ? ", returnSequences = true" : "")
        + (p.spec().bidirectional() ? ", bidirectional = true" : "") + ")";
  }

  private static String initialState(Parts p) {
    return p.kind() == LayerKind.LSTM ? "h = c = 0" : "h = 0";
  }

  private static String shape(int rows, int columns) {
    return "(" + rows + ", " + columns + ")";
  }

  /** One step's math, as in PyTorch's documentation. */
  private static String[] stepMath(Parts p, String x) {
    String xt = x + "[b, t]";
    return switch (p.kind()) {
      case LSTM -> new String[] {
          "i, f, g, o = σ, σ, tanh, σ of the four blocks of " + xt + " · W_ihᵀ + b_ih + h · W_hhᵀ + b_hh",
          "c = f ⊙ c + i ⊙ g",
          "h = o ⊙ tanh(c)"};
      case GRU -> new String[] {
          "r = σ(" + xt + " · W_irᵀ + b_ir + h · W_hrᵀ + b_hr)",
          "z = σ(" + xt + " · W_izᵀ + b_iz + h · W_hzᵀ + b_hz)",
          "n = tanh(" + xt + " · W_inᵀ + b_in + r ⊙ (h · W_hnᵀ + b_hn))",
          "h = (1 - z) ⊙ n + z ⊙ h"};
      default -> new String[] {"h = tanh(" + xt + " · W_ihᵀ + b_ih + h · W_hhᵀ + b_hh)"};
    };
  }

  /** One backward step's math: dZ_x and dZ_h are the gradients of the input and recurrent pre-activations. */
  private static String[] backwardMath(Parts p) {
    return switch (p.kind()) {
      case LSTM -> new String[] {
          "dc += dh ⊙ o ⊙ (1 - tanh²(c))",
          "dZ = (dc ⊙ g ⊙ i(1 - i), dc ⊙ c_{t-1} ⊙ f(1 - f), dc ⊙ i ⊙ (1 - g²), dh ⊙ tanh(c) ⊙ o(1 - o))",
          "dZ_x = dZ_h = dZ,  db_ih += Σ_b dZ,  db_hh += Σ_b dZ",
          "dc = dc ⊙ f,  dh = dZ · W_hh"};
      case GRU -> new String[] {
          "dn = dh ⊙ (1 - z) ⊙ (1 - n²),  dz = dh ⊙ (h_{t-1} - n) ⊙ z(1 - z),",
          "dr = dn ⊙ (h_{t-1} · W_hnᵀ + b_hn) ⊙ r(1 - r)",
          "dZ_x = (dr, dz, dn),  dZ_h = (dr, dz, dn ⊙ r),  db_ih += Σ_b dZ_x,  db_hh += Σ_b dZ_h",
          "dh = dh ⊙ z + dZ_h · W_hh"};
      default -> new String[] {
          "dZ = dh ⊙ (1 - h²)",
          "dZ_x = dZ_h = dZ,  db_ih += Σ_b dZ,  db_hh += Σ_b dZ",
          "dh = dZ · W_hh"};
    };
  }
}
