package io.nabla.processor.model;

import io.nabla.processor.model.LayerSpec.Conv2dSpec;
import io.nabla.processor.model.LayerSpec.DenseSpec;
import io.nabla.processor.model.LayerSpec.PoolSpec;

/**
 * Forward floating-point operations per sample, as the generated header and {@code summary()} show them: a
 * multiply-add counts 2, an element-wise operation 1 per value (an activation, a normalisation step 4). Backward
 * costs about twice the forward of the layers with weights. Estimates for reading, not a benchmark.
 */
public final class Flops {
  private Flops() {}

  public static long forward(LayerNode layer, NetworkGraph graph) {
    long out = layer.shape().size();
    LayerSpec spec = layer.spec();
    long activation = layer.kind().hasActivation() && spec.activation() != io.nabla.Activation.IDENTITY ? out : 0;
    if (spec instanceof DenseSpec dense) {
      long in = graph.layer(layer.inputs().get(0)).shape().last();
      return 2 * in * out + (dense.bias() ? out : 0) + activation;
    }
    if (spec instanceof Conv2dSpec conv) {
      ParameterSlot weight = layer.parameter("weight");
      long perFilter = weight.size() / conv.filters();
      return 2 * perFilter * out + (conv.bias() ? out : 0) + activation;
    }
    if (spec instanceof LayerSpec.RecurrentSpec rnn) {
      // Per step and direction: the input and recurrent products for every gate, then ~5 element-wise operations
      // per gate value (biases, nonlinearity, state update).
      int[] in = graph.layer(layer.inputs().get(0)).shape().dims();
      long steps = in[0];
      long gateValues = (long) rnn.gates() * rnn.units();
      return rnn.directions() * steps * (2 * gateValues * (in[1] + rnn.units()) + 5 * gateValues);
    }
    if (spec instanceof LayerSpec.AttentionSpec) {
      // The Q/K/V and output projections, then per head Q·Kᵀ and P·V over every (causal: every earlier) pair
      // of positions, and ~4 operations per score for scaling, mask and softmax.
      int[] in = layer.shape().dims();
      long time = in[0];
      long d = in[1];
      long pairs = ((LayerSpec.AttentionSpec) spec).causal() ? time * (time + 1) / 2 : time * time;
      return 2 * time * d * 4 * d + 4 * pairs * d + 4 * pairs * ((LayerSpec.AttentionSpec) spec).heads();
    }
    if (spec instanceof PoolSpec pool) {
      Window w = Window.of(pool);
      return (long) w.kernelH() * w.kernelW() * out;
    }
    return switch (layer.kind()) {
      case INPUT, FLATTEN -> 0;
      case ADD -> (layer.inputs().size() - 1) * out + activation;
      case GLOBAL_AVG_POOL -> graph.layer(layer.inputs().get(0)).shape().size();
      case BATCH_NORM -> 4 * out + activation;
      case LAYER_NORM -> 7 * out;
      case EMBEDDING -> 0;
      case DROPOUT -> out;
      default -> out;
    };
  }
}
