package io.nabla.processor.model;

import io.nabla.Activation;
import io.nabla.Loss;
import io.nabla.processor.model.LayerSpec.AttentionSpec;
import io.nabla.processor.model.LayerSpec.BatchNormSpec;
import io.nabla.processor.model.LayerSpec.Conv2dSpec;
import io.nabla.processor.model.LayerSpec.DenseSpec;
import io.nabla.processor.model.LayerSpec.EmbeddingSpec;
import io.nabla.processor.model.LayerSpec.LayerNormSpec;
import io.nabla.processor.model.LayerSpec.PositionalEmbeddingSpec;
import io.nabla.processor.model.LayerSpec.RecurrentSpec;
import io.nabla.processor.reading.LayerDeclaration;
import io.nabla.processor.reading.NetworkDeclaration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Stage 5: builds the immutable {@link NetworkGraph} from ordered, shaped declarations: lays out every layer's
 * parameters in one flat buffer (in forward order, weight before bias) and its running statistics in another,
 * marks an output activation that the loss fuses (softmax with softmax cross-entropy, sigmoid with binary
 * cross-entropy), and marks each convolution whose batch norm inference folds into its weights.
 */
public final class GraphAssembler {
  private GraphAssembler() {}

  public static NetworkGraph assemble(NetworkDeclaration network, List<LayerDeclaration> ordered,
      Map<String, Shape> shapes) {
    List<LayerNode> nodes = new ArrayList<>();
    int offset = 0;
    int bufferOffset = 0;
    LayerDeclaration output = ordered.get(ordered.size() - 1);
    for (LayerDeclaration layer : ordered) {
      List<ParameterSlot> slots = new ArrayList<>();
      List<ParameterSlot> buffers = new ArrayList<>();
      ParameterSlot.Init weightInit = isReluFamily(layer.spec().activation())
          ? ParameterSlot.Init.HE_UNIFORM : ParameterSlot.Init.GLOROT_UNIFORM;
      if (layer.spec() instanceof DenseSpec dense) {
        int in = shapes.get(layer.inputNames().get(0)).last();
        offset = add(slots, "weight", Shape.of(dense.units(), in), offset, weightInit, in, dense.units());
        if (dense.bias()) {
          offset = add(slots, "bias", Shape.of(dense.units()), offset, ParameterSlot.Init.ZEROS, in, dense.units());
        }
      } else if (layer.spec() instanceof Conv2dSpec conv) {
        int channels = shapes.get(layer.inputNames().get(0)).dims()[0];
        Window w = Window.of(conv);
        int fanIn = channels / conv.groups() * w.kernelH() * w.kernelW();
        int fanOut = conv.filters() / conv.groups() * w.kernelH() * w.kernelW();
        offset = add(slots, "weight", Shape.of(conv.filters(), channels / conv.groups(), w.kernelH(), w.kernelW()),
            offset, weightInit, fanIn, fanOut);
        if (conv.bias()) {
          offset = add(slots, "bias", Shape.of(conv.filters()), offset, ParameterSlot.Init.ZEROS, fanIn, fanOut);
        }
      } else if (layer.spec() instanceof BatchNormSpec) {
        int channels = shapes.get(layer.inputNames().get(0)).dims()[0];
        offset = add(slots, "weight", Shape.of(channels), offset, ParameterSlot.Init.ONES, 1, 1);
        offset = add(slots, "bias", Shape.of(channels), offset, ParameterSlot.Init.ZEROS, 1, 1);
        bufferOffset = add(buffers, "running_mean", Shape.of(channels), bufferOffset, ParameterSlot.Init.ZEROS, 1,
            1);
        bufferOffset = add(buffers, "running_var", Shape.of(channels), bufferOffset, ParameterSlot.Init.ONES, 1, 1);
      } else if (layer.spec() instanceof RecurrentSpec recurrent) {
        offset = RecurrentParameters.lay(slots, recurrent, shapes.get(layer.inputNames().get(0)).last(), offset);
      } else if (layer.spec() instanceof EmbeddingSpec embedding) {
        offset = add(slots, "weight", Shape.of(embedding.vocabulary(), embedding.dimension()), offset,
            ParameterSlot.Init.NORMAL, embedding.vocabulary(), embedding.dimension());
      } else if (layer.spec() instanceof PositionalEmbeddingSpec) {
        Shape input = shapes.get(layer.inputNames().get(0));
        offset = add(slots, "weight", input, offset, ParameterSlot.Init.NORMAL, input.dims()[0], input.last());
      } else if (layer.spec() instanceof LayerNormSpec) {
        int features = shapes.get(layer.inputNames().get(0)).last();
        offset = add(slots, "weight", Shape.of(features), offset, ParameterSlot.Init.ONES, 1, 1);
        offset = add(slots, "bias", Shape.of(features), offset, ParameterSlot.Init.ZEROS, 1, 1);
      } else if (layer.spec() instanceof AttentionSpec) {
        // PyTorch's nn.MultiheadAttention tensors: Q, K and V projections stacked in one (3d, d) weight.
        int d = shapes.get(layer.inputNames().get(0)).last();
        offset = add(slots, "in_proj_weight", Shape.of(3 * d, d), offset, ParameterSlot.Init.GLOROT_UNIFORM, d,
            3 * d);
        offset = add(slots, "in_proj_bias", Shape.of(3 * d), offset, ParameterSlot.Init.ZEROS, d, 3 * d);
        offset = add(slots, "out_proj.weight", Shape.of(d, d), offset, ParameterSlot.Init.GLOROT_UNIFORM, d, d);
        offset = add(slots, "out_proj.bias", Shape.of(d), offset, ParameterSlot.Init.ZEROS, d, d);
      }
      boolean fused = layer == output && fusesWithLoss(layer, network.loss());
      nodes.add(new LayerNode(layer.name(), layer.method(), layer.annotation(), layer.spec(), layer.inputNames(),
          shapes.get(layer.name()), slots, fused, buffers, foldedBatchNorm(layer, ordered)));
    }
    return new NetworkGraph(network.type(), network.loss(), nodes, offset, bufferOffset);
  }

  private static int add(List<ParameterSlot> slots, String role, Shape shape, int offset, ParameterSlot.Init init,
      int fanIn, int fanOut) {
    slots.add(new ParameterSlot(role, shape, offset, init, fanIn, fanOut));
    return offset + shape.size();
  }

  /**
   * The batch norm that inference folds into {@code layer}: a convolution without activation whose only reader is
   * a batch norm (so nothing else sees the unnormalised output).
   */
  private static String foldedBatchNorm(LayerDeclaration layer, List<LayerDeclaration> ordered) {
    if (!(layer.spec() instanceof Conv2dSpec conv) || conv.activation() != Activation.IDENTITY) {
      return null;
    }
    List<LayerDeclaration> readers = ordered.stream().filter(l -> l.inputNames().contains(layer.name())).toList();
    if (readers.size() == 1 && readers.get(0).spec() instanceof BatchNormSpec
        && readers.get(0).inputNames().size() == 1) {
      return readers.get(0).name();
    }
    return null;
  }

  static boolean isReluFamily(Activation activation) {
    return activation == Activation.RELU || activation == Activation.LEAKY_RELU;
  }

  /** Only dense and add layers write the logits the fused loss reads; the graph validator reports the others. */
  private static boolean fusesWithLoss(LayerDeclaration layer, Loss loss) {
    Activation activation = layer.spec().activation();
    boolean fusable = layer.kind() == LayerKind.DENSE || layer.kind() == LayerKind.ADD;
    return fusable && ((activation == Activation.SOFTMAX && loss == Loss.SOFTMAX_CROSS_ENTROPY)
        || (activation == Activation.SIGMOID && loss == Loss.BINARY_CROSS_ENTROPY_WITH_LOGITS));
  }
}
