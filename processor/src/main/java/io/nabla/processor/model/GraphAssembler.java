package io.nabla.processor.model;

import io.nabla.Activation;
import io.nabla.Loss;
import io.nabla.processor.model.LayerSpec.DenseSpec;
import io.nabla.processor.reading.LayerDeclaration;
import io.nabla.processor.reading.NetworkDeclaration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Stage 5: builds the immutable {@link NetworkGraph} from ordered, shaped declarations: lays out every layer's
 * parameters in one flat buffer (in forward order, weight before bias) and marks an output activation that the
 * loss fuses (softmax with softmax cross-entropy, sigmoid with binary cross-entropy).
 */
public final class GraphAssembler {
  private GraphAssembler() {}

  public static NetworkGraph assemble(NetworkDeclaration network, List<LayerDeclaration> ordered,
      Map<String, Shape> shapes) {
    List<LayerNode> nodes = new ArrayList<>();
    int offset = 0;
    LayerDeclaration output = ordered.get(ordered.size() - 1);
    for (LayerDeclaration layer : ordered) {
      List<ParameterSlot> slots = new ArrayList<>();
      if (layer.spec() instanceof DenseSpec dense) {
        int in = shapes.get(layer.inputNames().get(0)).last();
        ParameterSlot.Init init = isReluFamily(dense.activation())
            ? ParameterSlot.Init.HE_UNIFORM : ParameterSlot.Init.GLOROT_UNIFORM;
        slots.add(new ParameterSlot("weight", Shape.of(dense.units(), in), offset, init, in, dense.units()));
        offset += dense.units() * in;
        if (dense.bias()) {
          slots.add(new ParameterSlot("bias", Shape.of(dense.units()), offset, ParameterSlot.Init.ZEROS, in,
              dense.units()));
          offset += dense.units();
        }
      }
      boolean fused = layer == output && fusesWithLoss(layer.spec().activation(), network.loss());
      nodes.add(new LayerNode(layer.name(), layer.method(), layer.annotation(), layer.spec(), layer.inputNames(),
          shapes.get(layer.name()), slots, fused));
    }
    return new NetworkGraph(network.type(), network.loss(), nodes, offset);
  }

  static boolean isReluFamily(Activation activation) {
    return activation == Activation.RELU || activation == Activation.LEAKY_RELU;
  }

  private static boolean fusesWithLoss(Activation activation, Loss loss) {
    return (activation == Activation.SOFTMAX && loss == Loss.SOFTMAX_CROSS_ENTROPY)
        || (activation == Activation.SIGMOID && loss == Loss.BINARY_CROSS_ENTROPY_WITH_LOGITS);
  }
}
