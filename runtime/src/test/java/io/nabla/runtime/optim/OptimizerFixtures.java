package io.nabla.runtime.optim;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.nabla.runtime.Parameters;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The fixtures of {@code tools/reference/make_optimizer_fixtures.py} ({@code fixtures/optim/<family>.json}, the
 * format is described in the script's header), and how one of their runs is replayed here: the optimizer built
 * from the run's PyTorch options with Nabla's builders, its parameter groups, clipping and learning-rate events.
 */
final class OptimizerFixtures {
  static final String[] FAMILIES = {"sgd", "adam", "adamw", "rmsprop", "adagrad", "clipping", "groups"};

  private OptimizerFixtures() {}

  /** One run of a fixture, with the problem it runs on. */
  static final class Run {
    final String family;
    final String name;
    final JsonObject json;
    final TinyMlp problem;
    final float[] initial;

    Run(String family, JsonObject json, TinyMlp problem, float[] initial) {
      this.family = family;
      this.name = json.get("name").getAsString();
      this.json = json;
      this.problem = problem;
      this.initial = initial;
    }

    int steps() {
      return json.get("steps").getAsInt();
    }

    /** A fresh optimizer configured as the run says. */
    Optimizer optimizer() {
      return build(json);
    }

    /** Fresh parameters at the initial weights. */
    Parameters parameters() {
      return TinyMlp.parameters(initial);
    }

    /**
     * One iteration of the run at step {@code t} (0-based): learning-rate events, gradient, clipping, step.
     * Returns the loss before the step and, for clipping by norm, the norm (else NaN) in {@code norm[0]}.
     */
    double step(Optimizer optimizer, Parameters p, int t, double[] norm) {
      JsonElement schedule = json.get("schedule");
      if (schedule != null) {
        for (JsonElement e : schedule.getAsJsonArray()) {
          JsonObject event = e.getAsJsonObject();
          if (event.get("at").getAsInt() == t) {
            if (event.has("set_lr")) {
              optimizer.setLearningRate(event.get("set_lr").getAsDouble());
            }
            if (event.has("scale")) {
              optimizer.scaleLearningRates(event.get("scale").getAsDouble());
            }
          }
        }
      }
      double loss = problem.lossAndGradient(p);
      norm[0] = Double.NaN;
      JsonObject clip = json.getAsJsonObject("clip");
      if (clip != null && clip.has("max_norm")) {
        norm[0] = GradientClipping.clipNorm(p, clip.get("max_norm").getAsDouble());
      }
      if (clip != null && clip.has("clip_value")) {
        GradientClipping.clipValue(p, clip.get("clip_value").getAsDouble());
      }
      optimizer.step(p);
      return loss;
    }

    @Override
    public String toString() {
      return family + "/" + name;
    }
  }

  /** Every run of every fixture, in file order. */
  static List<Run> runs() {
    List<Run> runs = new ArrayList<>();
    for (String family : FAMILIES) {
      JsonObject root = read(family);
      JsonObject problem = root.getAsJsonObject("problem");
      TinyMlp mlp = new TinyMlp(data(problem.getAsJsonObject("inputs")), data(problem.getAsJsonObject("targets")));
      float[] initial = flat(problem.getAsJsonObject("parameters"));
      for (JsonElement run : root.getAsJsonArray("runs")) {
        runs.add(new Run(family, run.getAsJsonObject(), mlp, initial));
      }
    }
    return runs;
  }

  static JsonObject read(String family) {
    String path = "/fixtures/optim/" + family + ".json";
    InputStream in = OptimizerFixtures.class.getResourceAsStream(path);
    if (in == null) {
      throw new IllegalStateException("missing test resource " + path
          + "; run /usr/bin/python3 tools/reference/make_optimizer_fixtures.py");
    }
    try (Reader reader = new InputStreamReader(in, StandardCharsets.UTF_8)) {
      return JsonParser.parseReader(reader).getAsJsonObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static float[] floats(JsonArray array) {
    float[] out = new float[array.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = Float.parseFloat(array.get(i).getAsString());
    }
    return out;
  }

  static double[] doubles(JsonArray array) {
    double[] out = new double[array.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = Float.parseFloat(array.get(i).getAsString());
    }
    return out;
  }

  /** The data of a {@code {shape, data}} tensor. */
  static float[] data(JsonObject tensor) {
    return floats(tensor.getAsJsonArray("data"));
  }

  /** {@code {name: {shape, data}}} in Nabla's buffer order, concatenated. */
  static float[] flat(JsonObject byName) {
    float[] out = new float[TinyMlp.SIZE];
    int pos = 0;
    for (String name : TinyMlp.NAMES) {
      float[] d = data(byName.getAsJsonObject(name));
      System.arraycopy(d, 0, out, pos, d.length);
      pos += d.length;
    }
    if (pos != out.length) {
      throw new IllegalStateException("fixture parameters hold " + pos + " values, expected " + out.length);
    }
    return out;
  }

  /** The state buffers of a run, by PyTorch's name. */
  static Map<String, float[]> stateBuffers(JsonObject run) {
    Map<String, float[]> out = new LinkedHashMap<>();
    for (Map.Entry<String, JsonElement> e : run.getAsJsonObject("state").entrySet()) {
      if (e.getValue().isJsonArray()) {
        out.put(e.getKey(), floats(e.getValue().getAsJsonArray()));
      }
    }
    return out;
  }

  // ---- building optimizers from PyTorch's keyword arguments ----

  private static boolean has(JsonObject o, String key) {
    return o.has(key) && !o.get(key).isJsonNull();
  }

  private static double num(JsonObject o, String key) {
    return o.get(key).getAsDouble();
  }

  /** Adam's and AdamW's shared keyword arguments. */
  private static <B extends AdamBase.Settings<B>> B adamFamily(B b, JsonObject o, double lr,
      List<ParameterGroup> groups) {
    b.learningRate(lr);
    if (has(o, "betas")) {
      JsonArray betas = o.getAsJsonArray("betas");
      b.betas(betas.get(0).getAsDouble(), betas.get(1).getAsDouble());
    }
    if (has(o, "eps")) {
      b.epsilon(num(o, "eps"));
    }
    if (has(o, "weight_decay")) {
      b.weightDecay(num(o, "weight_decay"));
    }
    if (has(o, "amsgrad")) {
      b.amsgrad(o.get("amsgrad").getAsBoolean());
    }
    for (ParameterGroup group : groups) {
      b.group(group);
    }
    return b;
  }

  static Optimizer build(JsonObject run) {
    String kind = run.get("optimizer").getAsString();
    JsonObject o = run.getAsJsonObject("options");
    List<ParameterGroup> groups = groups(run.getAsJsonArray("groups"));
    double lr = num(o, "lr");
    switch (kind) {
      case "SGD": {
        Sgd.Builder b = Sgd.builder(lr);
        if (has(o, "momentum")) {
          b.momentum(num(o, "momentum"));
        }
        if (has(o, "dampening")) {
          b.dampening(num(o, "dampening"));
        }
        if (has(o, "nesterov")) {
          b.nesterov(o.get("nesterov").getAsBoolean());
        }
        if (has(o, "weight_decay")) {
          b.weightDecay(num(o, "weight_decay"));
        }
        groups.forEach(b::group);
        return b.build();
      }
      case "Adam":
        return adamFamily(Adam.builder(), o, lr, groups).build();
      case "AdamW":
        return adamFamily(AdamW.builder(), o, lr, groups).build();
      case "RMSprop": {
        RmsProp.Builder b = RmsProp.builder().learningRate(lr);
        if (has(o, "alpha")) {
          b.alpha(num(o, "alpha"));
        }
        if (has(o, "eps")) {
          b.epsilon(num(o, "eps"));
        }
        if (has(o, "weight_decay")) {
          b.weightDecay(num(o, "weight_decay"));
        }
        if (has(o, "momentum")) {
          b.momentum(num(o, "momentum"));
        }
        if (has(o, "centered")) {
          b.centered(o.get("centered").getAsBoolean());
        }
        groups.forEach(b::group);
        return b.build();
      }
      case "Adagrad": {
        AdaGrad.Builder b = AdaGrad.builder().learningRate(lr);
        if (has(o, "lr_decay")) {
          b.lrDecay(num(o, "lr_decay"));
        }
        if (has(o, "weight_decay")) {
          b.weightDecay(num(o, "weight_decay"));
        }
        if (has(o, "initial_accumulator_value")) {
          b.initialAccumulatorValue(num(o, "initial_accumulator_value"));
        }
        if (has(o, "eps")) {
          b.epsilon(num(o, "eps"));
        }
        groups.forEach(b::group);
        return b.build();
      }
      default:
        throw new IllegalArgumentException("unknown optimizer " + kind);
    }
  }

  private static List<ParameterGroup> groups(JsonArray specs) {
    List<ParameterGroup> out = new ArrayList<>();
    if (specs == null) {
      return out;
    }
    for (JsonElement e : specs) {
      JsonObject spec = e.getAsJsonObject();
      String select = spec.get("select").getAsString();
      ParameterGroup group;
      switch (select) {
        case "biases":
          group = ParameterGroup.biases();
          break;
        case "weights":
          group = ParameterGroup.weights();
          break;
        case "layers":
          group = ParameterGroup.layers(strings(spec.getAsJsonArray("names")));
          break;
        case "tensors":
          group = ParameterGroup.tensors(strings(spec.getAsJsonArray("names")));
          break;
        default:
          throw new IllegalArgumentException("unknown group selector " + select);
      }
      if (has(spec, "lr")) {
        group = group.learningRate(num(spec, "lr"));
      }
      if (has(spec, "weight_decay")) {
        group = group.weightDecay(num(spec, "weight_decay"));
      }
      out.add(group);
    }
    return out;
  }

  private static String[] strings(JsonArray array) {
    String[] out = new String[array.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = array.get(i).getAsString();
    }
    return out;
  }
}
