package io.nabla.spark;

import io.nabla.runtime.optim.OptimizerState;
import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Map;

/** An {@link OptimizerState} as flat arrays and names, to broadcast (the runtime's class is not serialisable). */
final class OptimizerSnapshot implements Serializable {
  private static final long serialVersionUID = 1L;

  final String kind;
  final String[] bufferNames;
  final float[][] buffers;
  final String[] scalarNames;
  final double[] scalars;

  OptimizerSnapshot(String kind, String[] bufferNames, float[][] buffers, String[] scalarNames, double[] scalars) {
    this.kind = kind;
    this.bufferNames = bufferNames;
    this.buffers = buffers;
    this.scalarNames = scalarNames;
    this.scalars = scalars;
  }

  static OptimizerSnapshot of(OptimizerState state) {
    String[] bufferNames = state.buffers().keySet().toArray(new String[0]);
    float[][] buffers = new float[bufferNames.length][];
    for (int i = 0; i < buffers.length; i++) {
      buffers[i] = state.buffers().get(bufferNames[i]);
    }
    String[] scalarNames = state.scalars().keySet().toArray(new String[0]);
    double[] scalars = new double[scalarNames.length];
    for (int i = 0; i < scalars.length; i++) {
      scalars[i] = state.scalars().get(scalarNames[i]);
    }
    return new OptimizerSnapshot(state.kind(), bufferNames, buffers, scalarNames, scalars);
  }

  OptimizerState toState() {
    Map<String, float[]> bufferMap = new LinkedHashMap<>();
    for (int i = 0; i < bufferNames.length; i++) {
      bufferMap.put(bufferNames[i], buffers[i]);
    }
    Map<String, Double> scalarMap = new LinkedHashMap<>();
    for (int i = 0; i < scalarNames.length; i++) {
      scalarMap.put(scalarNames[i], scalars[i]);
    }
    return new OptimizerState(kind, bufferMap, scalarMap);
  }
}
