package io.nabla.runtime.optim;

import io.nabla.runtime.ParameterTensor;
import io.nabla.runtime.Parameters;
import java.util.Collections;

/** Helpers for optimizer tests: a flat parameter set of a few scalars. */
final class OptimTesting {
  private OptimTesting() {}

  static Parameters scalars(float... values) {
    ParameterTensor tensor = new ParameterTensor("p", ParameterTensor.Kind.WEIGHT, 0, new int[] {values.length},
        ParameterTensor.Init.ZEROS, values.length, 1);
    return new Parameters(values.clone(), new float[values.length], Collections.singletonList(tensor));
  }

  static void setGradients(Parameters p, float... g) {
    System.arraycopy(g, 0, p.gradients(), 0, g.length);
  }
}
