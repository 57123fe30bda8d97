package io.nabla.samples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.nabla.runtime.ParameterTensor;
import io.nabla.runtime.Parameters;
import io.nabla.runtime.optim.Sgd;
import java.util.Collections;
import org.junit.jupiter.api.Test;

class CosineDecayTest {

  @Test
  void factorFallsFromOneTowardsZero() {
    assertEquals(1.0, CosineDecay.factor(0, 10), 0);
    assertEquals(0.5, CosineDecay.factor(5, 10), 1e-12);
    assertEquals(0.5 * (1 + Math.cos(Math.PI * 0.9)), CosineDecay.factor(9, 10), 1e-12);
    assertEquals(0.0, CosineDecay.factor(10, 10), 1e-12);
    assertEquals(0.0, CosineDecay.factor(11, 10), 1e-12, "stays at 0 past the end");
  }

  @Test
  void scalesEachUpdateOfTheWrappedOptimizer() {
    float[] w = {1f, -2f};
    float[] g = {0.5f, 0.25f};
    Parameters p = new Parameters(w, g, Collections.<ParameterTensor>emptyList());
    CosineDecay decay = new CosineDecay(Sgd.of(0.1), 4);
    decay.step(p); // factor 1: w -= 0.1 g
    assertArrayEquals(new float[] {0.95f, -2.025f}, w, 1e-6f);
    double f = CosineDecay.factor(1, 4);
    decay.step(p); // factor (1 + cos(π/4)) / 2
    assertArrayEquals(new float[] {(float) (0.95 - f * 0.05), (float) (-2.025 - f * 0.025)}, w, 1e-6f);
    assertEquals(CosineDecay.factor(2, 4), decay.nextFactor(), 0);
  }
}
