package io.nabla.runtime.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nabla.runtime.ParameterTensor;
import io.nabla.runtime.Parameters;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * Parameter groups: selection, the overlap rule (per hyperparameter, the last group that sets it wins), errors at
 * resolution, and the learning rates that schedules and checkpoints change. The layout is {@link TinyMlp}'s:
 * {@code hidden.weight}, {@code hidden.bias}, {@code out.weight}, {@code out.bias}.
 *
 * <p>Per-tensor hyperparameters are read off plain SGD steps: from {@code w = 0, g = 1} a step moves a weight by
 * {@code -lr}; from {@code w = 1, g = 0} by {@code -lr · weightDecay}.
 */
class ParameterGroupTest {
  private static final double TOL = 1e-7;

  /** The learning rate each tensor gets, read off one step from w = 0, g = 1. */
  private static Map<String, Double> learningRates(Optimizer opt) {
    Parameters p = TinyMlp.parameters(new float[TinyMlp.SIZE]);
    Arrays.fill(p.gradients(), 1f);
    opt.step(p);
    return perTensor(p, -1);
  }

  /** lr · weightDecay of each tensor, read off one step from w = 1, g = 0. */
  private static Map<String, Double> decays(Optimizer opt) {
    float[] ones = new float[TinyMlp.SIZE];
    Arrays.fill(ones, 1f);
    Parameters p = TinyMlp.parameters(ones);
    opt.step(p);
    Map<String, Double> out = perTensor(p, 1);
    for (Map.Entry<String, Double> e : out.entrySet()) {
      e.setValue(1 - e.getValue());
    }
    return out;
  }

  /** The value of each tensor's elements times sign, checking they are all the same. */
  private static Map<String, Double> perTensor(Parameters p, int sign) {
    Map<String, Double> out = new HashMap<>();
    for (ParameterTensor t : p.tensors()) {
      float v = p.values()[t.offset()];
      for (int i = 0; i < t.size(); i++) {
        assertEquals(v, p.values()[t.offset() + i], 0f, t.name() + " elements differ");
      }
      out.put(t.name(), (double) sign * v);
    }
    return out;
  }

  private static void assertPerTensor(Map<String, Double> actual, double hiddenWeight, double hiddenBias,
      double outWeight, double outBias) {
    assertEquals(hiddenWeight, actual.get("hidden.weight"), TOL, "hidden.weight " + actual);
    assertEquals(hiddenBias, actual.get("hidden.bias"), TOL, "hidden.bias " + actual);
    assertEquals(outWeight, actual.get("out.weight"), TOL, "out.weight " + actual);
    assertEquals(outBias, actual.get("out.bias"), TOL, "out.bias " + actual);
  }

  @Test
  void withoutGroupsEveryTensorUsesTheOptimizersValues() {
    assertPerTensor(learningRates(Sgd.of(0.1)), 0.1, 0.1, 0.1, 0.1);
    assertPerTensor(decays(Sgd.builder(0.1).weightDecay(0.5).build()), 0.05, 0.05, 0.05, 0.05);
  }

  @Test
  void groupsSelectBiasesWeightsLayersAndTensors() {
    assertPerTensor(learningRates(Sgd.builder(0.1).group(ParameterGroup.biases().learningRate(0.2)).build()),
        0.1, 0.2, 0.1, 0.2);
    assertPerTensor(learningRates(Sgd.builder(0.1).group(ParameterGroup.weights().learningRate(0.2)).build()),
        0.2, 0.1, 0.2, 0.1);
    assertPerTensor(learningRates(Sgd.builder(0.1).group(ParameterGroup.layers("out").learningRate(0.2)).build()),
        0.1, 0.1, 0.2, 0.2);
    assertPerTensor(learningRates(Sgd.builder(0.1)
        .group(ParameterGroup.tensors("hidden.bias", "out.weight").learningRate(0.3)).build()), 0.1, 0.3, 0.3, 0.1);
    assertPerTensor(learningRates(Sgd.builder(0.1)
        .group(ParameterGroup.layers("hidden", "out").learningRate(0.3)).build()), 0.3, 0.3, 0.3, 0.3);
  }

  @Test
  void overlappingGroupsMergePerHyperparameterAndTheLastOneWins() {
    Sgd.Builder b = Sgd.builder(0.1).weightDecay(0.5)
        .group(ParameterGroup.biases().weightDecay(0))
        .group(ParameterGroup.layers("out").learningRate(0.2))
        .group(ParameterGroup.tensors("out.weight").weightDecay(0.25).learningRate(0.4));
    // out.bias: lr 0.2 from layers(out), weight decay 0 from biases(); out.weight: the last group sets both.
    assertPerTensor(learningRates(b.build()), 0.1, 0.1, 0.4, 0.2);
    assertPerTensor(decays(b.build()), 0.1 * 0.5, 0, 0.4 * 0.25, 0);
    // The order matters: a later group wins where they overlap.
    Sgd reversed = Sgd.builder(0.1)
        .group(ParameterGroup.tensors("out.bias").learningRate(0.3))
        .group(ParameterGroup.layers("out").learningRate(0.2))
        .build();
    assertPerTensor(learningRates(reversed), 0.1, 0.1, 0.2, 0.2);
  }

  @Test
  void aZeroLearningRateFreezesAGroup() {
    assertPerTensor(learningRates(Adam.builder().learningRate(0.1)
        .group(ParameterGroup.layers("hidden").learningRate(0)).build()), 0, 0, 0.1, 0.1);
  }

  @Test
  void setLearningRateMovesTheDefaultGroupAndGroupsWithoutTheirOwn() {
    Sgd sgd = Sgd.builder(0.1)
        .group(ParameterGroup.layers("out").learningRate(0.2))
        .group(ParameterGroup.biases().weightDecay(0))
        .build();
    sgd.setLearningRate(0.05);
    assertEquals(0.05f, sgd.learningRate());
    assertPerTensor(learningRates(sgd), 0.05, 0.05, 0.2, 0.2);
  }

  @Test
  void scaleLearningRatesScalesEveryGroupFromItsInitialValue() {
    Sgd sgd = Sgd.builder(0.1).group(ParameterGroup.layers("out").learningRate(0.2)).build();
    sgd.setLearningRate(0.7);
    sgd.scaleLearningRates(0.5); // from the initial rates, not the current ones
    assertEquals(0.05f, sgd.learningRate());
    assertPerTensor(learningRates(sgd), 0.05, 0.05, 0.1, 0.1);
    sgd.scaleLearningRates(1);
    assertPerTensor(learningRates(sgd), 0.1, 0.1, 0.2, 0.2);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> sgd.scaleLearningRates(-1));
    assertTrue(e.getMessage().contains("factor") && e.getMessage().contains("-1.0"), e.getMessage());
  }

  @Test
  void withoutGroupsScalingIsSettingTheInitialRateTimesTheFactor() {
    Adam adam = Adam.of(0.01);
    adam.scaleLearningRates(0.1);
    assertEquals((float) 0.001, adam.learningRate());
    adam.setLearningRate(0.5);
    adam.scaleLearningRates(2);
    assertEquals(0.02f, adam.learningRate());
  }

  @Test
  void groupLearningRatesAreSavedAndRestored() {
    Sgd a = Sgd.builder(0.1).momentum(0.9).group(ParameterGroup.biases().weightDecay(0))
        .group(ParameterGroup.layers("out").learningRate(0.2)).build();
    a.scaleLearningRates(0.5);
    OptimizerState state = a.state();
    assertEquals(0.05f, state.scalar("lr", 0), 0);
    assertEquals(0.1f, state.scalar("groups.1.lr", 0), 0);
    assertTrue(!state.scalars().containsKey("groups.0.lr"), "biases() sets no learning rate: " + state.scalars());

    Sgd b = Sgd.builder(0.1).momentum(0.9).group(ParameterGroup.biases().weightDecay(0))
        .group(ParameterGroup.layers("out").learningRate(0.2)).build();
    b.restore(state);
    assertPerTensor(learningRates(b), 0.05, 0.05, 0.1, 0.1);

    Sgd withoutGroups = Sgd.builder(0.1).momentum(0.9).build();
    assertRejected(() -> withoutGroups.restore(state), "parameter group 1");
  }

  private static void assertRejected(Executable executable, String... words) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, executable);
    for (String word : words) {
      assertTrue(e.getMessage().contains(word), "message should name '" + word + "': " + e.getMessage());
    }
  }

  @Test
  void anUnknownLayerIsRejectedAtTheFirstStepNamingItAndListingTheLayers() {
    Optimizer opt = AdamW.builder().group(ParameterGroup.layers("logits").learningRate(1e-4)).build();
    Parameters p = TinyMlp.parameters(new float[TinyMlp.SIZE]);
    assertRejected(() -> opt.step(p), "'logits'", "layers(logits)", "hidden, out");
    assertEquals(0f, p.values()[0], "nothing was updated");
  }

  @Test
  void anUnknownTensorIsRejectedNamingItAndListingTheTensors() {
    Optimizer opt = Sgd.builder(0.1).group(ParameterGroup.tensors("out.bias", "hidden.bais").weightDecay(0)).build();
    assertRejected(() -> opt.step(TinyMlp.parameters(new float[TinyMlp.SIZE])), "'hidden.bais'",
        "hidden.weight, hidden.bias, out.weight, out.bias");
  }

  @Test
  void biasesOnAModelWithoutBiasesSelectNothing() {
    Sgd sgd = Sgd.builder(0.1).group(ParameterGroup.biases().learningRate(0.5)).build();
    Parameters p = OptimTesting.scalars(0f, 0f);
    OptimTesting.setGradients(p, 1f, 1f);
    sgd.step(p);
    assertEquals(-0.1f, p.values()[0], 1e-7f);
  }

  @Test
  void elementsOutsideEveryTensorUseTheDefaultGroup() {
    // Two tensors covering [1, 2) and [3, 4) of 5 values.
    Parameters p = new Parameters(new float[5], new float[5], Arrays.asList(
        new ParameterTensor("a", ParameterTensor.Kind.WEIGHT, 1, new int[] {1}, ParameterTensor.Init.ZEROS, 1, 1),
        new ParameterTensor("a", ParameterTensor.Kind.BIAS, 3, new int[] {1}, ParameterTensor.Init.ZEROS, 1, 1)));
    Arrays.fill(p.gradients(), 1f);
    Sgd.builder(0.1).group(ParameterGroup.layers("a").learningRate(0.2)).build().step(p);
    assertEquals(Arrays.toString(new float[] {-0.1f, -0.2f, -0.1f, -0.2f, -0.1f}), Arrays.toString(p.values()));
  }

  @Test
  void overlappingTensorsCannotBeResolved() {
    Parameters p = new Parameters(new float[4], new float[4], Arrays.asList(
        new ParameterTensor("a", ParameterTensor.Kind.WEIGHT, 0, new int[] {3}, ParameterTensor.Init.ZEROS, 1, 1),
        new ParameterTensor("b", ParameterTensor.Kind.WEIGHT, 2, new int[] {2}, ParameterTensor.Init.ZEROS, 1, 1)));
    assertRejected(() -> Sgd.builder(0.1).group(ParameterGroup.biases().weightDecay(0)).build().step(p),
        "b.weight", "overlaps");
  }

  @Test
  void groupsAreValidatedWhenMadeAndWhenAdded() {
    assertRejected(() -> ParameterGroup.layers(), "at least one");
    assertRejected(() -> ParameterGroup.tensors("out.bias", ""), "empty");
    assertRejected(() -> ParameterGroup.layers("out").learningRate(-0.1), "layers(out)", "learning rate", "-0.1");
    assertRejected(() -> ParameterGroup.biases().learningRate(Double.NaN), "biases()", "learning rate", "NaN");
    assertRejected(() -> ParameterGroup.biases().weightDecay(-1), "biases()", "weight decay", "-1.0");
    assertRejected(() -> Adam.builder().group(ParameterGroup.layers("out")), "layers(out)", "sets no");
    assertRejected(() -> AdamW.builder().group(null), "null");
  }

  @Test
  void groupsAreImmutableAndDescribeThemselves() {
    ParameterGroup out = ParameterGroup.layers("out");
    ParameterGroup slow = out.learningRate(1e-4);
    assertEquals("layers(out)", out.toString());
    assertEquals("layers(out).learningRate(1.0E-4)", slow.toString());
    assertEquals("biases().weightDecay(0.0)", ParameterGroup.biases().weightDecay(0).toString());
    AdamW adamW = AdamW.builder().group(ParameterGroup.biases().weightDecay(0)).group(slow).build();
    assertEquals(Arrays.asList(ParameterGroup.biases().weightDecay(0).toString(), slow.toString()),
        Arrays.asList(adamW.groups().get(0).toString(), adamW.groups().get(1).toString()));
    assertTrue(adamW.toString().contains("groups=[biases().weightDecay(0.0), layers(out).learningRate(1.0E-4)]"),
        adamW.toString());
  }
}
