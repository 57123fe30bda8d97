package io.nabla.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nabla.runtime.optim.ParameterGroup;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Tensor kinds: PyTorch's state_dict names, and the weight/bias classification parameter groups select by. */
class ParameterTensorKindTest {

  private static ParameterTensor tensor(String layer, ParameterTensor.Kind kind) {
    return new ParameterTensor(layer, kind, 0, new int[] {3}, ParameterTensor.Init.RECURRENT_UNIFORM, 3, 9);
  }

  @Test
  void namesAreThoseOfPyTorchsStateDict() {
    assertEquals("gru.weight_ih_l0", tensor("gru", ParameterTensor.Kind.WEIGHT_IH_L0).name());
    assertEquals("gru.bias_hh_l0_reverse", tensor("gru", ParameterTensor.Kind.BIAS_HH_L0_REVERSE).name());
    assertEquals("bn.running_var", tensor("bn", ParameterTensor.Kind.RUNNING_VAR).name());
    assertEquals("attention.out_proj.weight", tensor("attention", ParameterTensor.Kind.OUT_PROJ_WEIGHT).name());
    assertEquals("attention.in_proj_bias", tensor("attention", ParameterTensor.Kind.IN_PROJ_BIAS).name());
    Set<String> suffixes = new HashSet<String>();
    for (ParameterTensor.Kind kind : ParameterTensor.Kind.values()) {
      assertTrue(suffixes.add(kind.suffix()), "suffix " + kind.suffix() + " twice");
      // The processor writes Kind.<constant> from the suffix: weight_ih_l0 is WEIGHT_IH_L0, out_proj.weight
      // OUT_PROJ_WEIGHT.
      assertEquals(kind.name(), kind.suffix().replace('.', '_').toUpperCase(java.util.Locale.ROOT));
    }
  }

  @Test
  void everyKindIsAWeightABiasOrABuffer() {
    for (ParameterTensor.Kind kind : ParameterTensor.Kind.values()) {
      boolean buffer = kind == ParameterTensor.Kind.RUNNING_MEAN || kind == ParameterTensor.Kind.RUNNING_VAR;
      assertFalse(kind.isWeight() && kind.isBias(), kind.name());
      assertEquals(!buffer, kind.isWeight() || kind.isBias(), kind.name());
      assertEquals(kind.suffix().contains("weight"), kind.isWeight(), kind.name());
      assertEquals(kind.suffix().contains("bias"), kind.isBias(), kind.name());
    }
  }

  @Test
  void parameterGroupsSelectRecurrentWeightsAndBiasesByKind() {
    ParameterTensor weightHh = tensor("lstm", ParameterTensor.Kind.WEIGHT_HH_L0_REVERSE);
    ParameterTensor biasIh = tensor("lstm", ParameterTensor.Kind.BIAS_IH_L0);
    assertTrue(ParameterGroup.biases().selects(biasIh));
    assertFalse(ParameterGroup.biases().selects(weightHh));
    assertTrue(ParameterGroup.weights().selects(weightHh));
    assertFalse(ParameterGroup.weights().selects(biasIh));
    assertTrue(ParameterGroup.layers("lstm").selects(biasIh));
    assertTrue(ParameterGroup.tensors("lstm.weight_hh_l0_reverse").selects(weightHh));
  }
}
