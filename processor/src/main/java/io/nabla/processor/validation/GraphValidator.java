package io.nabla.processor.validation;

import io.nabla.Activation;
import io.nabla.Loss;
import io.nabla.processor.model.LayerKind;
import io.nabla.processor.model.LayerNode;
import io.nabla.processor.model.NetworkGraph;

/**
 * Stage 6: whole-graph checks, each a small named rule: softmax only where the loss fuses it, an output shape the
 * loss can take, and GELU and SiLU only on dense layers.
 */
public final class GraphValidator {
  private GraphValidator() {}

  public static void validate(NetworkGraph graph, ValidationReport report) {
    softmaxOnlyFusedWithLoss(graph, report);
    lossFitsOutput(graph, report);
    sigmoidOutputFusable(graph, report);
    inputDerivativeActivationsOnDense(graph, report);
  }

  /** GELU and SiLU need the pre-activation in backward, which only dense layers keep. */
  static void inputDerivativeActivationsOnDense(NetworkGraph graph, ValidationReport report) {
    for (LayerNode layer : graph.layers()) {
      Activation activation = layer.spec().activation();
      if ((activation == Activation.GELU || activation == Activation.SILU) && layer.kind() != LayerKind.DENSE) {
        report.error(ErrorMessages.activationNeedsDense(layer.name(), layer.kind().displayName(), activation),
            layer.element(), layer.annotation(), "activation");
      }
    }
  }

  /** Binary cross-entropy fuses a sigmoid output only where the logits are kept: a dense or add output. */
  static void sigmoidOutputFusable(NetworkGraph graph, ValidationReport report) {
    LayerNode output = graph.output();
    if (graph.loss() == Loss.BINARY_CROSS_ENTROPY_WITH_LOGITS && output.spec().activation() == Activation.SIGMOID
        && !output.fusedWithLoss()) {
      report.error(ErrorMessages.unfusableSigmoid(output.name(), output.kind().displayName()), output.element(),
          output.annotation(), "activation");
    }
  }

  /** Softmax is supported only on the output of a softmax cross-entropy network, fused with the loss. */
  static void softmaxOnlyFusedWithLoss(NetworkGraph graph, ValidationReport report) {
    for (LayerNode layer : graph.layers()) {
      if (layer.spec().activation() == Activation.SOFTMAX && !layer.fusedWithLoss()) {
        report.error(ErrorMessages.misplacedSoftmax(layer.name(), graph.loss(), layer == graph.output()),
            layer.element(), layer.annotation(), "activation");
      }
    }
  }

  /** Softmax cross-entropy needs at least two classes in the output's last dimension. */
  static void lossFitsOutput(NetworkGraph graph, ValidationReport report) {
    LayerNode output = graph.output();
    if (graph.loss() == Loss.SOFTMAX_CROSS_ENTROPY && output.shape().last() < 2) {
      report.error(ErrorMessages.tooFewClasses(output.name(), output.shape().toString()), output.element(),
          output.annotation());
    }
  }
}
