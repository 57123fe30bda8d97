package io.nabla.processor.model;

import java.util.List;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.ExecutableElement;

/**
 * A layer of the graph, immutable: its name, its declaration (for error messages and originating elements),
 * hyperparameters, the layers it reads, its per-sample output shape and its parameters in the flat buffer.
 *
 * @param fusedWithLoss the output layer whose softmax or sigmoid is computed together with the loss: forward keeps
 *     the pre-activation logits for the loss and backward starts from the loss's fused gradient
 * @param buffers running statistics in the flat buffer of non-trained state (batch norm)
 * @param foldedBatchNorm for a convolution read only by a batch norm: that batch norm's name, which inference
 *     folds into this convolution's weights; otherwise {@code null}
 */
public record LayerNode(
    String name,
    ExecutableElement element,
    AnnotationMirror annotation,
    LayerSpec spec,
    List<String> inputs,
    Shape shape,
    List<ParameterSlot> parameters,
    boolean fusedWithLoss,
    List<ParameterSlot> buffers,
    String foldedBatchNorm) {

  public LayerNode {
    inputs = List.copyOf(inputs);
    parameters = List.copyOf(parameters);
    buffers = List.copyOf(buffers);
  }

  public ParameterSlot buffer(String role) {
    return buffers.stream().filter(p -> p.role().equals(role)).findFirst().orElse(null);
  }

  public LayerKind kind() {
    return spec.kind();
  }

  public int parameterCount() {
    return parameters.stream().mapToInt(ParameterSlot::size).sum();
  }

  public ParameterSlot parameter(String role) {
    return parameters.stream().filter(p -> p.role().equals(role)).findFirst().orElse(null);
  }
}
