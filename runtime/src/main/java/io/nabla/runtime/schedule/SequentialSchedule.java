package io.nabla.runtime.schedule;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * PyTorch's {@code SequentialLR}: one schedule after another, switching at milestones, each part starting again
 * from its own position 0 with the shared base learning rate. Typically a warm-up then an annealing:
 *
 * <pre>{@code
 * Schedules.sequential(Schedules.linearWarmup(0.1, 5), 5, Schedules.cosine(95))   // 5 epochs up, 95 down
 * }</pre>
 *
 * <pre>
 * lr(t) = part_i.lr(t − m_i),   i = number of milestones ≤ t,   m_0 = 0, m_i = milestones[i − 1]
 * </pre>
 *
 * As in PyTorch, where each part is restarted at its milestone ({@code scheduler.step(0)}, the closed form) and
 * all parts share the optimizer's {@code initial_lr}. The parts must advance in the same unit, which becomes this
 * schedule's; their own base learning rates are not used. Milestones: one fewer than the parts, strictly
 * increasing, ≥ 1, and each part other than the last must be defined over its whole span (a
 * {@link OneCycleSchedule} must have enough steps). {@link ReduceOnPlateau} cannot be a part (nor can it in
 * PyTorch). Its state is the base learning rate alone: the position is the caller's.
 */
public final class SequentialSchedule extends ClosedFormSchedule {
  private static final String NAME = "SequentialSchedule";

  private final List<ClosedFormSchedule> parts;
  private final long[] milestones;

  SequentialSchedule(List<? extends ClosedFormSchedule> parts, long[] milestones) {
    super(firstUnit(parts));
    this.parts = Collections.unmodifiableList(new ArrayList<ClosedFormSchedule>(parts));
    this.milestones = Checks.notNull(NAME, "milestones", milestones).clone();
    if (this.milestones.length != this.parts.size() - 1) {
      throw new IllegalArgumentException(NAME + " takes one milestone fewer than parts: got " + this.parts.size()
          + " parts and " + this.milestones.length + " milestones " + Arrays.toString(this.milestones));
    }
    for (int i = 0; i < this.milestones.length; i++) {
      if (this.milestones[i] < 1 || (i > 0 && this.milestones[i] <= this.milestones[i - 1])) {
        throw new IllegalArgumentException(NAME + " milestones must be strictly increasing and at least 1, got "
            + Arrays.toString(this.milestones));
      }
    }
    for (int i = 0; i < this.parts.size(); i++) {
      ClosedFormSchedule part = this.parts.get(i);
      if (part.unit() != unit()) {
        throw new IllegalArgumentException(NAME + " parts must advance in the same unit, but part 0 advances per "
            + unit() + " and part " + i + " (" + part + ") per " + part.unit()
            + "; call perStep() or perEpoch() on the parts");
      }
      if (i < this.milestones.length) {
        long span = this.milestones[i] - (i == 0 ? 0 : this.milestones[i - 1]);
        if (part.lastPosition() < span - 1) {
          throw new IllegalArgumentException(NAME + " part " + i + " (" + part + ") is defined for positions 0.."
              + part.lastPosition() + " but runs for " + span + " positions until milestone " + this.milestones[i]);
        }
      }
    }
  }

  private static LearningRateSchedule.Unit firstUnit(List<? extends ClosedFormSchedule> parts) {
    Checks.notNull(NAME, "parts", parts);
    if (parts.isEmpty()) {
      throw new IllegalArgumentException(NAME + " needs at least one part");
    }
    for (int i = 0; i < parts.size(); i++) {
      if (parts.get(i) == null) {
        throw new IllegalArgumentException(NAME + " part " + i + " is null");
      }
    }
    return parts.get(0).unit();
  }

  /** The parts, in order. */
  public List<ClosedFormSchedule> parts() {
    return parts;
  }

  @Override
  protected double compute(double base, long t) {
    int i = MultiStepSchedule.reached(milestones, t);
    return parts.get(i).learningRateAt(base, i == 0 ? t : t - milestones[i - 1]);
  }

  @Override
  protected boolean usesBaseLearningRate() {
    for (ClosedFormSchedule part : parts) {
      if (part.usesBaseLearningRate()) {
        return true;
      }
    }
    return false;
  }

  @Override
  protected long lastPosition() {
    long last = parts.get(parts.size() - 1).lastPosition();
    long offset = milestones.length == 0 ? 0 : milestones[milestones.length - 1];
    return last > Long.MAX_VALUE - offset ? Long.MAX_VALUE : last + offset;
  }

  @Override
  protected String parameters() {
    return "parts=" + parts + ", milestones=" + Arrays.toString(milestones);
  }
}
