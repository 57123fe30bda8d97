package io.nabla.runtime.optim;

import io.nabla.runtime.ParameterTensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Hyperparameters for some of a model's parameter tensors, PyTorch's {@code param_groups} addressed by the names
 * of the declaration rather than by tensor objects:
 *
 * <pre>{@code
 * AdamW.builder().learningRate(1e-3).weightDecay(0.01)
 *     .group(ParameterGroup.biases().weightDecay(0))            // no weight decay on any bias
 *     .group(ParameterGroup.layers("logits").learningRate(1e-4)) // a smaller learning rate for one layer
 *     .build();
 * }</pre>
 *
 * <p>A group selects tensors ({@link #biases()}, {@link #weights()}, {@link #layers(String...)},
 * {@link #tensors(String...)}) and overrides the optimizer's learning rate, its weight decay, or both; every other
 * hyperparameter is the optimizer's. Tensors that no group selects keep the optimizer's own values (the
 * <em>default group</em>).
 *
 * <p><b>Resolution.</b> Groups are resolved against {@link io.nabla.runtime.Parameters#tensors()} at the
 * optimizer's first step. A layer or tensor name that the model does not have is an
 * {@link IllegalArgumentException} naming it and listing the model's layers (or tensors) with parameters.
 * {@link #biases()} on a model without biases selects nothing, which is not an error.
 *
 * <p><b>Overlaps.</b> Groups may overlap; they are applied in the order they were added to the builder, each
 * setting only the hyperparameters it overrides, so for each tensor and each hyperparameter <em>the last group
 * that selects the tensor and sets that hyperparameter wins</em>. With the example above, {@code logits.bias} has
 * learning rate 1e-4 and weight decay 0.
 *
 * <p><b>Learning rates and schedules.</b> A group that sets a learning rate keeps its own: the optimizer's
 * {@link Optimizer#setLearningRate(double)} changes the default group and every group that does not set one, and
 * leaves the others alone; {@link Optimizer#scaleLearningRates(double)} sets every group's learning rate to its
 * initial value times a factor, as PyTorch's schedulers do ({@code group["lr"] = group["initial_lr"] · factor}).
 * Weight decay is not scheduled.
 *
 * <p>Instances are immutable: {@link #learningRate(double)} and {@link #weightDecay(double)} return a new group.
 */
public final class ParameterGroup {
  private enum Selector {
    BIASES,
    WEIGHTS,
    LAYERS,
    TENSORS
  }

  private final Selector selector;
  private final List<String> names;
  /** NaN when the group does not set it. */
  private final double learningRate;
  /** NaN when the group does not set it. */
  private final double weightDecay;

  private ParameterGroup(Selector selector, List<String> names, double learningRate, double weightDecay) {
    this.selector = selector;
    this.names = names;
    this.learningRate = learningRate;
    this.weightDecay = weightDecay;
  }

  /**
   * Every bias tensor (each {@link ParameterTensor.Kind#isBias()}: {@code bias}, a recurrent layer's
   * {@code bias_ih_l0}, ...), e.g. to exempt biases from weight decay.
   */
  public static ParameterGroup biases() {
    return new ParameterGroup(Selector.BIASES, Collections.<String>emptyList(), Double.NaN, Double.NaN);
  }

  /** Every weight tensor (each {@link ParameterTensor.Kind#isWeight()}). */
  public static ParameterGroup weights() {
    return new ParameterGroup(Selector.WEIGHTS, Collections.<String>emptyList(), Double.NaN, Double.NaN);
  }

  /**
   * Every tensor (weight and bias) of these layers, named as in the declaration, e.g. {@code layers("logits")}.
   *
   * @throws IllegalArgumentException if no name is given or a name is empty
   */
  public static ParameterGroup layers(String... layers) {
    return new ParameterGroup(Selector.LAYERS, names("layers", layers), Double.NaN, Double.NaN);
  }

  /**
   * These tensors, by their full names, e.g. {@code tensors("logits.bias")}.
   *
   * @throws IllegalArgumentException if no name is given or a name is empty
   */
  public static ParameterGroup tensors(String... tensors) {
    return new ParameterGroup(Selector.TENSORS, names("tensors", tensors), Double.NaN, Double.NaN);
  }

  private static List<String> names(String what, String[] names) {
    if (names == null || names.length == 0) {
      throw new IllegalArgumentException("ParameterGroup." + what + "(...) needs at least one name");
    }
    Set<String> unique = new LinkedHashSet<>();
    for (String name : names) {
      if (name == null || name.isEmpty()) {
        throw new IllegalArgumentException(
            "ParameterGroup." + what + "(...) got an empty name in " + Arrays.toString(names));
      }
      unique.add(name);
    }
    return Collections.unmodifiableList(new ArrayList<>(unique));
  }

  /**
   * This group with its own learning rate. Zero is allowed and freezes the group's tensors (their optimizer state
   * still advances, as in PyTorch).
   *
   * @throws IllegalArgumentException if {@code learningRate} is negative, infinite or NaN
   */
  public ParameterGroup learningRate(double learningRate) {
    Checks.nonNegative("parameter group " + describe() + " learning rate", learningRate);
    return new ParameterGroup(selector, names, learningRate, weightDecay);
  }

  /**
   * This group with its own weight decay: the L2 penalty of SGD, Adam, RMSprop and Adagrad, the decoupled decay
   * of AdamW, whichever the optimizer applies.
   *
   * @throws IllegalArgumentException if {@code weightDecay} is negative, infinite or NaN
   */
  public ParameterGroup weightDecay(double weightDecay) {
    Checks.nonNegative("parameter group " + describe() + " weight decay", weightDecay);
    return new ParameterGroup(selector, names, learningRate, weightDecay);
  }

  /** Whether this group selects {@code tensor} (by kind or name only; unknown names are checked elsewhere). */
  public boolean selects(ParameterTensor tensor) {
    switch (selector) {
      case BIASES:
        return tensor.kind().isBias();
      case WEIGHTS:
        return tensor.kind().isWeight();
      case LAYERS:
        return names.contains(tensor.layer());
      case TENSORS:
        return names.contains(tensor.name());
      default:
        throw new AssertionError(selector);
    }
  }

  boolean setsLearningRate() {
    return !Double.isNaN(learningRate);
  }

  boolean setsWeightDecay() {
    return !Double.isNaN(weightDecay);
  }

  /** The learning rate this group sets ({@code NaN} if none). */
  double ownLearningRate() {
    return learningRate;
  }

  /** The weight decay this group sets ({@code NaN} if none). */
  double ownWeightDecay() {
    return weightDecay;
  }

  /**
   * Throws if this group names a layer or tensor that {@code tensors} does not have.
   *
   * @throws IllegalArgumentException naming the unknown layer (tensor) and listing the known ones
   */
  void checkNames(List<ParameterTensor> tensors) {
    if (selector != Selector.LAYERS && selector != Selector.TENSORS) {
      return;
    }
    Set<String> known = new LinkedHashSet<>();
    for (ParameterTensor t : tensors) {
      known.add(selector == Selector.LAYERS ? t.layer() : t.name());
    }
    for (String name : names) {
      if (!known.contains(name)) {
        String what = selector == Selector.LAYERS ? "layer" : "parameter tensor";
        String list = selector == Selector.LAYERS ? "layers with parameters" : "parameter tensors";
        throw new IllegalArgumentException("parameter group " + describe() + " names " + what + " '" + name
            + "', which the model does not have; its " + list + " are: " + join(known));
      }
    }
  }

  private static String join(Set<String> names) {
    StringBuilder sb = new StringBuilder();
    for (String name : names) {
      if (sb.length() > 0) {
        sb.append(", ");
      }
      sb.append(name);
    }
    return sb.length() == 0 ? "(none)" : sb.toString();
  }

  /** The selection alone, e.g. {@code layers(logits)}. */
  private String describe() {
    switch (selector) {
      case BIASES:
        return "biases()";
      case WEIGHTS:
        return "weights()";
      case LAYERS:
        return "layers(" + commaSeparated(names) + ")";
      default:
        return "tensors(" + commaSeparated(names) + ")";
    }
  }

  /** As {@code String.join(", ", names)}, which Android 21 lacks. */
  private static String commaSeparated(List<String> names) {
    StringBuilder sb = new StringBuilder();
    for (String name : names) {
      sb.append(sb.length() == 0 ? "" : ", ").append(name);
    }
    return sb.toString();
  }

  /** E.g. {@code layers(logits).learningRate(1.0E-4)}. */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder(describe());
    if (setsLearningRate()) {
      sb.append(".learningRate(").append(learningRate).append(')');
    }
    if (setsWeightDecay()) {
      sb.append(".weightDecay(").append(weightDecay).append(')');
    }
    return sb.toString();
  }
}
