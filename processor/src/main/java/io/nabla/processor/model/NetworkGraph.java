package io.nabla.processor.model;

import io.nabla.Loss;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import javax.lang.model.element.TypeElement;

/**
 * The network a declaration describes, immutable and checked: nodes are layers in an order where every layer
 * comes after the layers it reads (inputs first, the output last); edges are each layer's {@code inputs}, by name.
 * Shapes and the layouts of parameters and buffers (running statistics) are resolved. Code emission reads only this.
 */
public record NetworkGraph(TypeElement declaration, Loss loss, List<LayerNode> layers, int parameterCount,
    int bufferCount) {

  public NetworkGraph {
    layers = List.copyOf(layers);
  }

  public LayerNode output() {
    return layers.get(layers.size() - 1);
  }

  public List<LayerNode> inputs() {
    return layers.stream().filter(l -> l.kind() == LayerKind.INPUT).toList();
  }

  public LayerNode layer(String name) {
    return byName().get(name);
  }

  public Map<String, LayerNode> byName() {
    return layers.stream().collect(Collectors.toMap(LayerNode::name, Function.identity()));
  }

  /** The layers that read {@code name}. */
  public List<LayerNode> consumers(String name) {
    return layers.stream().filter(l -> l.inputs().contains(name)).toList();
  }
}
