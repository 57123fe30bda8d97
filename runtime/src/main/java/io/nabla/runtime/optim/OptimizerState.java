package io.nabla.runtime.optim;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * An optimizer's state, for checkpoints: its kind, named flat buffers with the parameters' layout (e.g. Adam's
 * {@code exp_avg} and {@code exp_avg_sq}, PyTorch's names) and named scalars (e.g. {@code step}). Restoring it
 * into an optimizer of the same kind and hyperparameters continues a run exactly. Buffers are copied in and out.
 */
public final class OptimizerState {
  private static final OptimizerState EMPTY = new OptimizerState("none",
      Collections.<String, float[]>emptyMap(), Collections.<String, Double>emptyMap());

  private final String kind;
  private final Map<String, float[]> buffers;
  private final Map<String, Double> scalars;

  public OptimizerState(String kind, Map<String, float[]> buffers, Map<String, Double> scalars) {
    this.kind = kind;
    Map<String, float[]> b = new LinkedHashMap<>();
    for (Map.Entry<String, float[]> e : buffers.entrySet()) {
      b.put(e.getKey(), e.getValue().clone());
    }
    this.buffers = Collections.unmodifiableMap(b);
    this.scalars = Collections.unmodifiableMap(new LinkedHashMap<>(scalars));
  }

  /** The state of an optimizer that keeps none. */
  public static OptimizerState empty() {
    return EMPTY;
  }

  /** E.g. {@code Adam}; restoring checks it. */
  public String kind() {
    return kind;
  }

  /** Buffer names, in a fixed order. */
  public Map<String, float[]> buffers() {
    return buffers;
  }

  public Map<String, Double> scalars() {
    return scalars;
  }

  /** A copy of buffer {@code name}, or {@code null}. */
  public float @Nullable [] buffer(String name) {
    float[] b = buffers.get(name);
    return b == null ? null : b.clone();
  }

  /** Scalar {@code name}, or {@code otherwise}. */
  public double scalar(String name, double otherwise) {
    Double v = scalars.get(name);
    return v == null ? otherwise : v;
  }

  /** Throws unless this state came from an optimizer of {@code expectedKind}. */
  public void checkKind(String expectedKind) {
    if (!kind.equals(expectedKind) && this != EMPTY) {
      throw new IllegalArgumentException(
          "cannot restore the state of a " + kind + " optimizer into a " + expectedKind + " optimizer");
    }
  }
}
