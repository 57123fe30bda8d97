package io.nabla.tests.parity;

import io.nabla.Activation;
import io.nabla.Dense;
import io.nabla.Embedding;
import io.nabla.Flatten;
import io.nabla.Input;
import io.nabla.LayerNorm;
import io.nabla.Loss;
import io.nabla.Network;
import io.nabla.Tensor;

/**
 * Fixtures {@code fixtures/TokenGrid.json} (batch 3) and {@code TokenGrid_b1.json}: a rank-2 token input (2, 3)
 * embedded to (2, 3, 2), a GELU dense layer without bias on the last axis, flattened, layer norm over 24 features,
 * and a GELU output, MSE.
 */
@Network(loss = Loss.MSE)
public interface TokenGrid {
  @Input(value = {2, 3}, tokens = true) Tensor grid();
  @Embedding(vocabulary = 6, dimension = 2) Tensor cells(Tensor grid);
  @Dense(units = 4, activation = Activation.GELU, bias = false) Tensor hidden(Tensor cells);
  @Flatten Tensor flat(Tensor hidden);
  @LayerNorm Tensor norm(Tensor flat);
  @Dense(units = 2, activation = Activation.GELU) Tensor out(Tensor norm);
}
