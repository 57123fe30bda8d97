package io.nabla.processor.shapes;

import io.nabla.processor.model.LayerKind;
import io.nabla.processor.model.Shape;
import io.nabla.processor.model.LayerSpec;
import io.nabla.processor.model.Window;
import io.nabla.processor.reading.LayerDeclaration;
import io.nabla.processor.validation.ErrorMessages;
import io.nabla.processor.validation.ValidationReport;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Stage 4: the per-sample output shape of every layer, in forward order, one rule per kind:
 *
 * <ul>
 *   <li>{@code @Input(dims)}: {@code dims}.
 *   <li>{@code @Dense(units)}: the input's shape with its last dimension replaced by {@code units} (as PyTorch's
 *       {@code nn.Linear} and Keras's {@code Dense}, which act on the last axis).
 *   <li>{@code @Add}: the common shape of its inputs, which must all be equal.
 *   <li>{@code @Conv2d}, {@code @MaxPool2d}, {@code @AvgPool2d}: {@code (channels, height, width)} in,
 *       {@code (filters or channels, outH, outW)} out, {@code out = (in + padding - dilation·(kernel - 1) - 1) /
 *       stride + 1} (PyTorch's formula); the kernel must fit the padded input.
 *   <li>{@code @GlobalAvgPool}: {@code (c, h, w)} to {@code (c)}; {@code @Flatten}: any shape to its size.
 *   <li>{@code @Dropout}, {@code @BatchNorm}: the input's shape.
 *   <li>{@code @Concat}: the sum of the first dimensions; every other dimension must agree.
 *   <li>{@code @SimpleRnn}, {@code @Lstm}, {@code @Gru}: {@code (time, features)} in, {@code (time, units·directions)}
 *       out with returnSequences, else {@code (units·directions)} (see {@link RecurrentShapes}).
 *   <li>{@code @Embedding(vocabulary, dimension)}: a token input of shape {@code dims} to {@code (dims…, dimension)};
 *       only embeddings read token inputs.
 *   <li>{@code @LayerNorm}: the input's shape; {@code @PositionalEmbedding}, {@code @MultiHeadAttention}:
 *       {@code (time, d)} to the same, {@code d} divisible by the heads.
 * </ul>
 *
 * Reports shape mismatches on the layer's annotation, naming both shapes.
 */
public final class ShapeInference {
  private static final long MAX_SIZE = Integer.MAX_VALUE / 8;

  private ShapeInference() {}

  /** Shapes by layer name, or {@code null} with errors in {@code report}. */
  public static Map<String, Shape> infer(List<LayerDeclaration> ordered, ValidationReport report) {
    Map<String, Shape> shapes = new LinkedHashMap<>();
    Map<String, LayerDeclaration> byName = new LinkedHashMap<>();
    long parameters = 0;
    for (LayerDeclaration layer : ordered) {
      byName.put(layer.name(), layer);
      List<Shape> inputs = new ArrayList<>();
      for (String input : layer.inputNames()) {
        inputs.add(shapes.get(input));
      }
      if (!tokensOnlyIntoEmbeddings(layer, byName, report)) {
        return null;
      }
      Shape shape = switch (layer.kind()) {
        case INPUT -> ((LayerSpec.InputSpec) layer.spec()).shape();
        case DENSE -> dense(layer, (LayerSpec.DenseSpec) layer.spec(), inputs.get(0), report);
        case ADD -> add(layer, inputs, report);
        case CONV2D -> conv2d(layer, (LayerSpec.Conv2dSpec) layer.spec(), inputs.get(0), report);
        case MAX_POOL2D, AVG_POOL2D -> pool(layer, (LayerSpec.PoolSpec) layer.spec(), inputs.get(0), report);
        case GLOBAL_AVG_POOL -> image(layer, inputs.get(0), report) ? Shape.of(inputs.get(0).dims()[0]) : null;
        case FLATTEN -> Shape.of(inputs.get(0).size());
        case DROPOUT, BATCH_NORM -> inputs.get(0);
        case CONCAT -> concat(layer, inputs, report);
        case SIMPLE_RNN, LSTM, GRU -> RecurrentShapes.infer(layer, (LayerSpec.RecurrentSpec) layer.spec(),
            inputs.get(0), report);
        case EMBEDDING -> inputs.get(0).withAppended(((LayerSpec.EmbeddingSpec) layer.spec()).dimension());
        case LAYER_NORM -> inputs.get(0);
        case POSITIONAL_EMBEDDING -> sequence(layer, inputs.get(0), report) ? inputs.get(0) : null;
        case MULTI_HEAD_ATTENTION -> attention(layer, (LayerSpec.AttentionSpec) layer.spec(), inputs.get(0), report);
      };
      if (shape == null) {
        return null;
      }
      shapes.put(layer.name(), shape);
      if (shape.size() > MAX_SIZE) {
        report.error(ErrorMessages.tooLarge(layer.name(), "an output of more than 2^28 values"), layer.method(),
            layer.annotation());
        return null;
      }
      parameters += parameterCount(layer.spec(), inputs);
      if (parameters > MAX_SIZE) {
        report.error(ErrorMessages.tooLarge(layer.name(), "parameters that bring the network past 2^28"),
            layer.method(), layer.annotation());
        return null;
      }
    }
    return shapes;
  }

  /** The trainable parameters a layer adds (the graph assembler lays them out; here they are only counted). */
  private static long parameterCount(LayerSpec spec, List<Shape> inputs) {
    if (spec instanceof LayerSpec.DenseSpec dense) {
      return (long) inputs.get(0).last() * dense.units() + (dense.bias() ? dense.units() : 0);
    }
    if (spec instanceof LayerSpec.Conv2dSpec conv) {
      Window w = Window.of(conv);
      long perFilter = (long) inputs.get(0).dims()[0] / conv.groups() * w.kernelH() * w.kernelW();
      return conv.filters() * perFilter + (conv.bias() ? conv.filters() : 0);
    }
    if (spec instanceof LayerSpec.BatchNormSpec) {
      return 2L * inputs.get(0).dims()[0];
    }
    if (spec instanceof LayerSpec.RecurrentSpec recurrent) {
      return RecurrentShapes.parameterCount(recurrent, inputs.get(0));
    }
    if (spec instanceof LayerSpec.EmbeddingSpec embedding) {
      return (long) embedding.vocabulary() * embedding.dimension();
    }
    if (spec instanceof LayerSpec.PositionalEmbeddingSpec) {
      return inputs.get(0).size();
    }
    if (spec instanceof LayerSpec.LayerNormSpec) {
      return 2L * inputs.get(0).last();
    }
    if (spec instanceof LayerSpec.AttentionSpec) {
      long d = inputs.get(0).last();
      return 4 * d * d + 4 * d;
    }
    return 0;
  }

  /**
   * Token inputs hold ids, so only an embedding reads one, and an embedding reads nothing else; reported on the
   * parameter that names the input.
   */
  private static boolean tokensOnlyIntoEmbeddings(LayerDeclaration layer, Map<String, LayerDeclaration> byName,
      ValidationReport report) {
    for (int i = 0; i < layer.inputNames().size(); i++) {
      String input = layer.inputNames().get(i);
      boolean tokens = byName.get(input).spec() instanceof LayerSpec.InputSpec in && in.tokens();
      if (layer.kind() == LayerKind.EMBEDDING && !tokens) {
        report.error(ErrorMessages.embeddingNeedsTokens(layer.name(), input), layer.inputParameters().get(i));
        return false;
      }
      if (layer.kind() != LayerKind.EMBEDDING && tokens) {
        report.error(ErrorMessages.tokensNeedEmbedding(layer.kind().displayName(), layer.name(), input),
            layer.inputParameters().get(i));
        return false;
      }
    }
    return true;
  }

  /** Whether {@code input} is {@code (time, features)}; reports on the layer's parameter if not. */
  private static boolean sequence(LayerDeclaration layer, Shape input, ValidationReport report) {
    if (input.rank() != 2) {
      report.error(ErrorMessages.needsTimeByFeatures(layer.kind().displayName(), layer.name(),
          layer.inputNames().get(0), input.toString()), layer.inputParameters().get(0));
      return false;
    }
    return true;
  }

  private static Shape attention(LayerDeclaration layer, LayerSpec.AttentionSpec spec, Shape input,
      ValidationReport report) {
    if (!sequence(layer, input, report)) {
      return null;
    }
    if (input.last() % spec.heads() != 0) {
      report.error(ErrorMessages.headsDoNotDivide(layer.name(), spec.heads(), layer.inputNames().get(0),
          input.last()), layer.method(), layer.annotation(), "heads");
      return null;
    }
    long time = input.dims()[0];
    if (4L * input.last() * input.last() > MAX_SIZE || (long) spec.heads() * time * time > MAX_SIZE) {
      report.error(ErrorMessages.tooLarge(layer.name(), "weights or attention scores of more than 2^28 values"),
          layer.method(), layer.annotation(), "heads");
      return null;
    }
    return input;
  }

  /** Whether {@code input} is {@code (channels, height, width)}; reports on the layer if not. */
  private static boolean image(LayerDeclaration layer, Shape input, ValidationReport report) {
    if (input.rank() != 3) {
      report.error(ErrorMessages.needsImage(layer.kind().displayName(), layer.name(), layer.inputNames().get(0),
          input.toString()), layer.inputParameters().get(0));
      return false;
    }
    return true;
  }

  private static Shape conv2d(LayerDeclaration layer, LayerSpec.Conv2dSpec conv, Shape input,
      ValidationReport report) {
    if (!image(layer, input, report)) {
      return null;
    }
    int channels = input.dims()[0];
    if (channels % conv.groups() != 0) {
      report.error(ErrorMessages.groupsMismatch(layer.name(), conv.groups(), layer.inputNames().get(0), channels),
          layer.method(), layer.annotation(), "groups");
      return null;
    }
    Window w = Window.of(conv);
    // A kernel that only outgrows the input once dilated is reported on the dilation.
    String culprit = w.dilationH() > 1 || w.dilationW() > 1 ? "dilation" : "kernel";
    return window(layer, w, input, conv.filters(), culprit, report);
  }

  private static Shape pool(LayerDeclaration layer, LayerSpec.PoolSpec pool, Shape input,
      ValidationReport report) {
    if (!image(layer, input, report)) {
      return null;
    }
    return window(layer, Window.of(pool), input, input.dims()[0], "kernel", report);
  }

  /** The output {@code (channels, outH, outW)} of a window layer, or an error when the kernel does not fit. */
  private static Shape window(LayerDeclaration layer, Window w, Shape input, int channels, String attribute,
      ValidationReport report) {
    int h = input.dims()[1];
    int wd = input.dims()[2];
    if (w.spareHeight(h) < 0 || w.spareWidth(wd) < 0) {
      String kernel = Window.pairText(w.dilationH() * (w.kernelH() - 1) + 1, w.dilationW() * (w.kernelW() - 1) + 1);
      String padded = Window.pairText(h + w.padTop() + w.padBottom(), wd + w.padLeft() + w.padRight())
          + " padded";
      report.error(ErrorMessages.kernelTooLarge(layer.kind().displayName(), layer.name(), kernel,
          layer.inputNames().get(0), input.toString(), padded), layer.method(), layer.annotation(), attribute);
      return null;
    }
    return Shape.of(channels, w.outHeight(h), w.outWidth(wd));
  }

  private static Shape concat(LayerDeclaration layer, List<Shape> inputs, ValidationReport report) {
    Shape first = inputs.get(0);
    int channels = first.dims()[0];
    for (int i = 1; i < inputs.size(); i++) {
      Shape other = inputs.get(i);
      int[] a = first.dims();
      int[] b = other.dims();
      boolean same = a.length == b.length;
      for (int d = 1; same && d < a.length; d++) {
        same = a[d] == b[d];
      }
      if (!same) {
        report.error(ErrorMessages.concatMismatch(layer.name(), layer.inputNames().get(0), first.toString(),
            layer.inputNames().get(i), other.toString()), layer.inputParameters().get(i));
        return null;
      }
      channels += b[0];
    }
    int[] dims = first.dims();
    dims[0] = channels;
    return Shape.of(dims);
  }

  private static Shape dense(LayerDeclaration layer, LayerSpec.DenseSpec dense, Shape input,
      ValidationReport report) {
    Shape out = input.withLast(dense.units());
    if ((long) input.rows() * dense.units() > MAX_SIZE || (long) input.last() * dense.units() > MAX_SIZE) {
      report.error(ErrorMessages.tooLarge(layer.name(), "a weight or output of more than 2^28 values"),
          layer.method(), layer.annotation(), "units");
      return null;
    }
    return out;
  }

  private static Shape add(LayerDeclaration layer, List<Shape> inputs, ValidationReport report) {
    Shape first = inputs.get(0);
    for (int i = 1; i < inputs.size(); i++) {
      if (!inputs.get(i).equals(first)) {
        report.error(ErrorMessages.addShapeMismatch(layer.name(), layer.inputNames().get(0), first.toString(),
            layer.inputNames().get(i), inputs.get(i).toString()), layer.inputParameters().get(i));
        return null;
      }
    }
    return first;
  }
}
