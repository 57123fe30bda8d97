package io.nabla.samples;

import io.nabla.runtime.optim.AdaGrad;
import io.nabla.runtime.optim.Adam;
import io.nabla.runtime.optim.AdamW;
import io.nabla.runtime.optim.Optimizer;
import io.nabla.runtime.optim.RmsProp;
import io.nabla.runtime.optim.Sgd;
import io.nabla.runtime.schedule.LearningRateSchedule;
import io.nabla.runtime.schedule.ReduceOnPlateau;
import io.nabla.runtime.schedule.Schedules;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The optimizer and learning-rate schedule named on the command line, with the defaults a PyTorch user expects:
 * each optimizer's own default learning rate and weight decay unless {@code --lr} / {@code --weight-decay} say
 * otherwise.
 */
final class TrainingOptions {
  static final List<String> OPTIMIZERS =
      Arrays.asList("sgd", "momentum", "nesterov", "adam", "adamw", "rmsprop", "adagrad");
  static final List<String> SCHEDULES =
      Arrays.asList("cosine", "constant", "step", "exponential", "warmup-cosine", "onecycle", "plateau");

  private TrainingOptions() {}

  /** The learning rate {@code --optimizer} uses when {@code --lr} is not given. */
  static double defaultLearningRate(String optimizer) {
    switch (optimizer) {
      case "sgd":
      case "momentum":
      case "nesterov":
        return 0.05;
      case "adagrad":
        return 0.01;
      default:
        return 1e-3;
    }
  }

  /** A new optimizer; {@code weightDecay} {@code null} keeps the optimizer's default (AdamW 1e-2, others 0). */
  static Optimizer optimizer(String name, double lr, Double weightDecay) {
    double wd = weightDecay != null ? weightDecay : name.equals("adamw") ? 1e-2 : 0;
    switch (name) {
      case "sgd":
        return Sgd.builder(lr).weightDecay(wd).build();
      case "momentum":
        return Sgd.builder(lr).momentum(0.9).weightDecay(wd).build();
      case "nesterov":
        return Sgd.builder(lr).momentum(0.9).nesterov(true).weightDecay(wd).build();
      case "adam":
        return Adam.builder().learningRate(lr).weightDecay(wd).build();
      case "adamw":
        return AdamW.builder().learningRate(lr).weightDecay(wd).build();
      case "rmsprop":
        return RmsProp.builder().learningRate(lr).weightDecay(wd).build();
      case "adagrad":
        return AdaGrad.builder().learningRate(lr).weightDecay(wd).build();
      default:
        throw new IllegalArgumentException("unknown optimizer '" + name + "'");
    }
  }

  /**
   * The schedule {@code name} for a run of {@code epochs} epochs of {@code stepsPerEpoch} steps from rate
   * {@code lr}, or {@code null} for a constant rate.
   */
  static LearningRateSchedule schedule(String name, int epochs, long stepsPerEpoch, double lr) {
    long steps = epochs * stepsPerEpoch;
    switch (name) {
      case "constant":
        return null;
      case "cosine":
        // Annealed to 0 along a cosine, step by step, over the whole run.
        return Schedules.cosine(steps).perStep();
      case "step":
        return Schedules.step(Math.max(1, epochs / 3), 0.1);
      case "exponential":
        return Schedules.exponential(0.9);
      case "warmup-cosine": {
        long warmup = Math.max(1, Math.min(stepsPerEpoch, steps / 10));
        return Schedules.sequential(Schedules.linearWarmup(0.1, warmup).perStep(), warmup,
            Schedules.cosine(Math.max(1, steps - warmup)).perStep());
      }
      case "onecycle":
        return Schedules.oneCycle(lr, steps);
      case "plateau":
        return ReduceOnPlateau.builder().patience(1).factor(0.5).build();
      default:
        throw new IllegalArgumentException("unknown schedule '" + name + "'");
    }
  }

  /** How the settings line names the schedule. */
  static String describeSchedule(String name) {
    switch (name) {
      case "cosine":
        return "annealed to 0 along a cosine";
      case "constant":
        return "constant";
      case "step":
        return "divided by 10 every third of the run";
      case "exponential":
        return "times 0.9 every epoch";
      case "warmup-cosine":
        return "warmed up linearly, then annealed along a cosine";
      case "onecycle":
        return "one-cycle with this peak";
      case "plateau":
        return "halved when val_loss stops improving";
      default:
        return name;
    }
  }

  static String lower(String s) {
    return s.toLowerCase(Locale.ROOT);
  }
}
