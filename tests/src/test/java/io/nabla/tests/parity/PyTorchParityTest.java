package io.nabla.tests.parity;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.nabla.runtime.GeneratedInference;
import io.nabla.runtime.LayerInfo;
import io.nabla.runtime.Model;
import io.nabla.runtime.ParameterTensor;
import io.nabla.runtime.kernel.Kernels;
import io.nabla.runtime.kernel.ReferenceKernels;
import io.nabla.runtime.optim.Adam;
import io.nabla.runtime.optim.Optimizer;
import io.nabla.runtime.optim.Sgd;
import io.nabla.tests.JvmOnly;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Checks generated networks against PyTorch: each fixture in {@code src/test/resources/fixtures}, written by
 * {@code tools/reference/make_fixtures.py}, holds a network's initial weights (and batch-norm running statistics),
 * a batch, and PyTorch's outputs, loss, gradients, running statistics and the weights after 3 optimizer steps (SGD
 * with momentum, Nesterov and Adam for the dense networks, Adam for the convolutional and recurrent ones). Each
 * fixture {@code <Name>.json} names its declaration {@code io.nabla.tests.parity.<Declaration>}; both are registered
 * in {@link #FIXTURES}. A convolutional or recurrent declaration has several fixtures (batch 3 and 1, training and
 * inference mode: {@code ConvBatchNorm}, {@code ConvBatchNorm_eval}, {@code GruLayers_b1}, ...).
 *
 * <p>In inference mode ({@code "mode": "eval"}), the model runs with {@code setTraining(false)} and the fixture's
 * running statistics; a convolution folded into its batch norm writes its own output only in backward, so its
 * activations are checked after backward.
 *
 * <p>The generated {@code <Name>Inference} class of each declaration is checked against the fixture's outputs and
 * hidden activations too, wherever inference computes what the fixture did (inference fixtures, and training
 * fixtures without batch norm or dropout).
 *
 * <p>A fixture's {@code rounding_noise} lists elements whose gradient is 0 in exact arithmetic and rounding noise in
 * floating point (an attention's key bias): Adam scales that noise up to its learning rate, so after the steps they
 * are only checked to have moved at most about {@code lr} per step, and the rest of their tensor is compared.
 *
 * <p>Errors are norm-relative, {@code ‖ours − torch‖ / max(‖torch‖, FLOOR)}, per tensor: at most 1e-5 for
 * outputs, hidden activations, the loss, every gradient and the running statistics after a forward, 1e-4 for the
 * weights, running statistics and per-step losses after the optimizer steps. The largest error of each kind, and
 * of each fixture, is printed when the class finishes.
 */
@JvmOnly
class PyTorchParityTest {
  private static final double FORWARD_TOLERANCE = 1e-5;
  private static final double STEP_TOLERANCE = 1e-4;
  /** The smallest norm divided by, so that an all-zero reference tensor needs an all-but-zero result. */
  private static final double FLOOR = 1e-7;

  /** Builds a generated network for at most {@code maxBatch} samples on {@code kernels}. */
  @JvmOnly
  private interface Factory {
    Model create(int maxBatch, Kernels kernels);
  }

  /** Builds a generated inference-only network ({@code <Name>Inference}) for at most {@code maxBatch} samples. */
  @JvmOnly
  private interface InferenceFactory {
    GeneratedInference create(int maxBatch, Kernels kernels);
  }

  /** Each declaration's generated network, by the declaration's simple name. */
  private static final Map<String, Factory> NETWORKS = new LinkedHashMap<String, Factory>();
  /** Each declaration's generated inference class, by the declaration's simple name. */
  private static final Map<String, InferenceFactory> INFERENCE = new LinkedHashMap<String, InferenceFactory>();
  /** Every fixture, by file name (without {@code .json}), to the simple name of its declaration. */
  private static final Map<String, String> FIXTURES = new LinkedHashMap<String, String>();

  static {
    declaration("SoftmaxMlp", SoftmaxMlpNet::new, SoftmaxMlpInference::new, "");
    declaration("SoftmaxOutputMlp", SoftmaxOutputMlpNet::new, SoftmaxOutputMlpInference::new, "");
    declaration("MixedActivationsMse", MixedActivationsMseNet::new, MixedActivationsMseInference::new, "");
    declaration("BceLogits", BceLogitsNet::new, BceLogitsInference::new, "");
    declaration("BceSigmoid", BceSigmoidNet::new, BceSigmoidInference::new, "");
    declaration("ResidualDag", ResidualDagNet::new, ResidualDagInference::new, "");
    declaration("RowsSoftmax", RowsSoftmaxNet::new, RowsSoftmaxInference::new, "");
    declaration("SingleSample", SingleSampleNet::new, SingleSampleInference::new, "");
    declaration("NoBias", NoBiasNet::new, NoBiasInference::new, "");
    declaration("TwoInputsJoin", TwoInputsJoinNet::new, TwoInputsJoinInference::new, "");
    declaration("AddSoftmaxOutput", AddSoftmaxOutputNet::new, AddSoftmaxOutputInference::new, "");
    // Convolutional layers: fixture suffixes "" (batch 3), "_b1" (batch 1), "_eval" (inference mode).
    declaration("ConvStrided", ConvStridedNet::new, ConvStridedInference::new, "", "_b1");
    declaration("ConvDilatedGrouped", ConvDilatedGroupedNet::new, ConvDilatedGroupedInference::new, "", "_b1");
    declaration("ConvDepthwiseSame", ConvDepthwiseSameNet::new, ConvDepthwiseSameInference::new, "", "_b1");
    declaration("MaxPooling", MaxPoolingNet::new, MaxPoolingInference::new, "", "_b1");
    declaration("AvgPooling", AvgPoolingNet::new, AvgPoolingInference::new, "", "_b1");
    declaration("ConvBatchNorm", ConvBatchNormNet::new, ConvBatchNormInference::new, "", "_eval", "_eval_b1");
    declaration("BatchNormVariants", BatchNormVariantsNet::new, BatchNormVariantsInference::new, "", "_b1", "_eval", "_eval_b1");
    declaration("FoldedConvBias", FoldedConvBiasNet::new, FoldedConvBiasInference::new, "_eval", "_eval_b1");
    declaration("ConvConcat", ConvConcatNet::new, ConvConcatInference::new, "", "_b1");
    declaration("ConvDropout", ConvDropoutNet::new, ConvDropoutInference::new, "", "_b1");
    declaration("ConvResidual", ConvResidualNet::new, ConvResidualInference::new, "", "_b1", "_eval");
    // Recurrent layers: every variant of each kind over 5 steps and 1, at batch 3 ("") and 1 ("_b1").
    declaration("GruLayers", GruLayersNet::new, GruLayersInference::new, "", "_b1");
    declaration("GruOneStep", GruOneStepNet::new, GruOneStepInference::new, "", "_b1");
    declaration("LstmLayers", LstmLayersNet::new, LstmLayersInference::new, "", "_b1");
    declaration("LstmOneStep", LstmOneStepNet::new, LstmOneStepInference::new, "", "_b1");
    declaration("SimpleRnnLayers", SimpleRnnLayersNet::new, SimpleRnnLayersInference::new, "", "_b1");
    declaration("SimpleRnnOneStep", SimpleRnnOneStepNet::new, SimpleRnnOneStepInference::new, "", "_b1");
    declaration("GruTagger", GruTaggerNet::new, GruTaggerInference::new, "", "_b1");
    declaration("LstmRegression", LstmRegressionNet::new, LstmRegressionInference::new, "", "_b1");
    // Sequence layers: embeddings, positions, layer norm and attention over several positions and one ("One"), at
    // batch 3 ("") and 1 ("_b1").
    declaration("TransformerBlock", TransformerBlockNet::new, TransformerBlockInference::new, "", "_b1");
    declaration("TransformerBlockOne", TransformerBlockOneNet::new, TransformerBlockOneInference::new, "", "_b1");
    declaration("FullAttention", FullAttentionNet::new, FullAttentionInference::new, "", "_b1");
    declaration("FullAttentionOne", FullAttentionOneNet::new, FullAttentionOneInference::new, "", "_b1");
    declaration("EmbeddingRepeats", EmbeddingRepeatsNet::new, EmbeddingRepeatsInference::new, "", "_b1");
    declaration("SequenceEdges", SequenceEdgesNet::new, SequenceEdgesInference::new, "", "_b1");
    declaration("TokenGrid", TokenGridNet::new, TokenGridInference::new, "", "_b1");
  }

  private static void declaration(String name, Factory factory, InferenceFactory inference,
      String... fixtureSuffixes) {
    NETWORKS.put(name, factory);
    INFERENCE.put(name, inference);
    for (String suffix : fixtureSuffixes) {
      FIXTURES.put(name + suffix, name);
    }
  }

  /** The largest error seen per kind of check, over every fixture, for the summary. */
  private static final Map<String, Double> MAX_ERRORS = Collections.synchronizedMap(new TreeMap<String, Double>());
  /** Where each of {@link #MAX_ERRORS} was seen. */
  private static final Map<String, String> MAX_WHERE = Collections.synchronizedMap(new TreeMap<String, String>());
  /** The largest error per fixture, {@code [forward and gradients, after the optimizer steps]}, for the summary. */
  private static final Map<String, double[]> MAX_BY_FIXTURE =
      Collections.synchronizedMap(new LinkedHashMap<String, double[]>());

  static {
    for (String name : FIXTURES.keySet()) {
      MAX_BY_FIXTURE.put(name, new double[] {0, 0});
    }
  }

  static Stream<String> fixtures() {
    return FIXTURES.keySet().stream();
  }

  static Stream<Arguments> optimizerRuns() {
    List<Arguments> runs = new ArrayList<Arguments>();
    for (String name : FIXTURES.keySet()) {
      for (JsonElement run : Fixture.load(name).json.getAsJsonArray("optimizers")) {
        runs.add(Arguments.of(name, run.getAsJsonObject().get("name").getAsString()));
      }
    }
    return runs.stream();
  }

  @Test
  void everyFixtureHasADeclarationAndEveryDeclarationAFixture() throws URISyntaxException {
    URL dir = PyTorchParityTest.class.getResource("/fixtures");
    assertNotNull(dir, "no fixtures directory on the test class path");
    TreeSet<String> onDisk = new TreeSet<String>();
    for (String file : new File(dir.toURI()).list()) {
      if (file.endsWith(".json")) {
        onDisk.add(file.substring(0, file.length() - ".json".length()));
      }
    }
    assertEquals(new TreeSet<String>(FIXTURES.keySet()), onDisk, "fixtures vs fixtures registered in the test");
    assertTrue(onDisk.size() >= 9, "expected at least 9 fixtures, found " + onDisk);
    for (String name : FIXTURES.keySet()) {
      assertEquals(Fixture.class.getPackage().getName() + "." + FIXTURES.get(name),
          Fixture.load(name).json.get("declaration").getAsString(), name + ": declaration");
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("fixtures")
  void outputsLossAndGradientsMatchPyTorch(String name) {
    Fixture f = Fixture.load(name);
    checkForwardBackward(f, f.create(f.batch, Kernels.portable()), "");
  }

  /** The same on the naive kernels, in buffers sized for more samples than the batch. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("fixtures")
  void referenceKernelsWithSpareCapacityMatchPyTorch(String name) {
    Fixture f = Fixture.load(name);
    checkForwardBackward(f, f.create(f.batch + 5, new ReferenceKernels()),
        " (reference kernels, maxBatch " + (f.batch + 5) + ")");
  }

  /**
   * The fixtures whose forward pass inference mode reproduces: those in inference mode, and those in training mode
   * without batch norm or dropout (which compute differently in training).
   */
  static Stream<String> inferenceFixtures() {
    List<String> names = new ArrayList<String>();
    for (String name : FIXTURES.keySet()) {
      Fixture f = Fixture.load(name);
      boolean differs = false;
      for (JsonElement layer : f.json.getAsJsonArray("layers")) {
        String kind = layer.getAsJsonObject().get("kind").getAsString();
        differs |= kind.equals("BatchNorm") || kind.equals("Dropout");
      }
      if (!f.training || !differs) {
        names.add(name);
      }
    }
    return names.stream();
  }

  /**
   * The generated {@code <Name>Inference} class, forward only (it applies GELU and SiLU inside the dense kernel,
   * where training keeps the pre-activation), given the fixture's initial weights, computes PyTorch's output and
   * hidden activations; on the portable kernels with spare capacity.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("inferenceFixtures")
  void inferenceClassMatchesPyTorch(String name) {
    Fixture f = Fixture.load(name);
    String how = name + " (" + f.declaration + "Inference)";
    InferenceFactory factory = INFERENCE.get(f.declaration);
    assertNotNull(factory, name + ": no inference class registered for declaration " + f.declaration);
    GeneratedInference inference = factory.create(f.batch + 2, Kernels.portable());
    assertEquals(f.declaration, inference.name(), "inference class name");
    f.copy(f.json.getAsJsonObject("parameters"), inference.parameterTensors(), inference.parameterValues());
    if (f.json.has("buffers")) {
      f.copy(f.json.getAsJsonObject("buffers"), inference.buffers().tensors(), inference.buffers().values());
    }
    float[] out = inference.forward(f.inputs(inference.inputs()), f.batch);
    float[] expectedOut = floats(f.json.getAsJsonObject("output"));
    assertEquals(expectedOut.length, f.batch * inference.outputSize(), how + ": output size");
    check(f, how + ": output", "output (inference class)", Arrays.copyOf(out, expectedOut.length), expectedOut,
        FORWARD_TOLERANCE);
    for (Map.Entry<String, JsonElement> e : f.json.getAsJsonObject("activations").entrySet()) {
      if (!f.folded.contains(e.getKey())) {
        check(f, how + ": activations of layer " + e.getKey(), "hidden activations (inference class)",
            inference.activations(e.getKey()), floats(e.getValue().getAsJsonObject()), FORWARD_TOLERANCE);
      }
    }
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("optimizerRuns")
  void weightsAfterThreeOptimizerStepsMatchPyTorch(String name, String optimizerName) {
    Fixture f = Fixture.load(name);
    JsonObject run = f.optimizer(optimizerName);
    Model model = f.create(f.batch, Kernels.portable());
    checkStructure(f, model);
    f.copyInitialState(model);
    Optimizer optimizer = optimizer(run);
    JsonArray losses = run.getAsJsonArray("losses");
    int steps = run.get("steps").getAsInt();
    assertEquals(steps, losses.size(), name + " " + optimizerName + ": losses per step");
    for (int step = 0; step < steps; step++) {
      model.zeroGradients();
      model.forward(f.inputs(model), f.batch);
      float loss = f.loss(model);
      model.backward();
      optimizer.step(model.parameters());
      check(f, name + " " + optimizerName + ": loss at step " + (step + 1), "step losses (" + optimizerName + ")",
          new float[] {loss}, new float[] {losses.get(step).getAsFloat()}, STEP_TOLERANCE);
    }
    JsonObject expected = run.getAsJsonObject("parameters");
    for (ParameterTensor t : model.parameters().tensors()) {
      String what = name + " " + optimizerName + ": " + t.name() + " after " + steps + " steps";
      float[] actual = slice(model.parameters().values(), t);
      float[] reference = floats(expected.getAsJsonObject(t.name()));
      boolean[] noise = f.roundingNoise(t);
      if (noise != null) {
        // Rounding noise scaled up by Adam: each step moves such an element by at most about lr.
        float[] initial = floats(f.json.getAsJsonObject("parameters").getAsJsonObject(t.name()));
        double bound = 1.01 * steps * run.get("lr").getAsDouble();
        for (int i = 0; i < actual.length; i++) {
          if (noise[i]) {
            assertTrue(Math.abs(actual[i] - initial[i]) <= bound, what + ": element " + i + " (rounding noise) moved"
                + " from " + initial[i] + " to " + actual[i] + ", more than " + bound);
          }
        }
        actual = kept(actual, noise);
        reference = kept(reference, noise);
        what += " (without the elements of rounding noise)";
      }
      check(f, what, "weights after 3 steps (" + optimizerName + ")", actual, reference, STEP_TOLERANCE);
    }
    checkBuffers(f, model, run.getAsJsonObject("buffers"), name + " " + optimizerName + ": ",
        " after " + steps + " steps", "running statistics after 3 steps (" + optimizerName + ")", STEP_TOLERANCE);
  }

  @AfterAll
  static void printMaxErrors() {
    StringBuilder sb = new StringBuilder("PyTorch parity, largest norm-relative error per check:\n");
    synchronized (MAX_ERRORS) {
      for (Map.Entry<String, Double> e : MAX_ERRORS.entrySet()) {
        sb.append(String.format("  %-48s %.3e  (%s)%n", e.getKey(), e.getValue(), MAX_WHERE.get(e.getKey())));
      }
    }
    sb.append(String.format("PyTorch parity, largest norm-relative error per fixture:%n  %-26s %-20s %s%n",
        "fixture", "forward, gradients", "after the steps"));
    synchronized (MAX_BY_FIXTURE) {
      for (Map.Entry<String, double[]> e : MAX_BY_FIXTURE.entrySet()) {
        sb.append(String.format("  %-26s %-20.3e %.3e%n", e.getKey(), e.getValue()[0], e.getValue()[1]));
      }
    }
    System.out.print(sb);
  }

  // ---- checks ----

  private static void checkForwardBackward(Fixture f, Model model, String how) {
    String name = f.name + how;
    checkStructure(f, model);
    f.copyInitialState(model);

    float[] out = model.forward(f.inputs(model), f.batch);
    float[] expectedOut = floats(f.json.getAsJsonObject("output"));
    assertEquals(expectedOut.length, f.batch * model.outputSize(), name + ": output size");
    check(f, name + ": output", "output", Arrays.copyOf(out, expectedOut.length), expectedOut, FORWARD_TOLERANCE);

    JsonObject activations = f.json.getAsJsonObject("activations");
    for (Map.Entry<String, JsonElement> e : activations.entrySet()) {
      if (!f.folded.contains(e.getKey())) {
        check(f, name + ": activations of layer " + e.getKey(), "hidden activations",
            model.activations(e.getKey()), floats(e.getValue().getAsJsonObject()), FORWARD_TOLERANCE);
      }
    }
    checkBuffers(f, model, f.json.getAsJsonObject("buffers_after"), name + ": ", " after the forward",
        "running statistics", FORWARD_TOLERANCE);

    float loss = f.loss(model);
    check(f, name + ": loss", "loss", new float[] {loss}, new float[] {f.json.get("loss_value").getAsFloat()},
        FORWARD_TOLERANCE);

    model.backward();
    for (String layer : f.folded) {
      // Inference folded this convolution into its batch norm; backward computed its output, unfolded.
      check(f, name + ": activations of layer " + layer + " (folded, computed in backward)",
          "hidden activations (folded conv, after backward)", model.activations(layer),
          floats(activations.getAsJsonObject(layer)), FORWARD_TOLERANCE);
    }
    JsonObject gradients = f.json.getAsJsonObject("gradients");
    for (ParameterTensor t : model.parameters().tensors()) {
      check(f, name + ": gradient of " + t.name(), "gradients", slice(model.parameters().gradients(), t),
          floats(gradients.getAsJsonObject(t.name())), FORWARD_TOLERANCE);
    }
  }

  /** The model's running statistics against {@code expected} (by name); nothing to check without batch norm. */
  private static void checkBuffers(Fixture f, Model model, JsonObject expected, String prefix, String suffix,
      String kind, double tolerance) {
    if (model.buffers().size() == 0) {
      assertTrue(expected == null, f.name + ": the fixture has running statistics, the model none");
      return;
    }
    assertNotNull(expected, f.name + ": the fixture has no running statistics");
    assertEquals(expected.size(), model.buffers().tensors().size(), f.name + ": number of running statistics");
    for (ParameterTensor t : model.buffers().tensors()) {
      assertTrue(expected.has(t.name()), f.name + ": the fixture has no running statistic " + t.name());
      check(f, prefix + t.name() + suffix, kind, slice(model.buffers().values(), t),
          floats(expected.getAsJsonObject(t.name())), tolerance);
    }
  }

  /** The generated model has the fixture's loss, layers (kind, inputs, shape) and parameter tensors. */
  private static void checkStructure(Fixture f, Model model) {
    assertEquals(f.declaration, model.name(), "model name");
    assertEquals(f.json.get("loss").getAsString(), model.loss().name(), f.name + ": loss");
    JsonArray layers = f.json.getAsJsonArray("layers");
    assertEquals(layers.size(), model.layers().size(), f.name + ": number of layers");
    for (JsonElement element : layers) {
      JsonObject layer = element.getAsJsonObject();
      String layerName = layer.get("name").getAsString();
      LayerInfo info = layer(model, layerName);
      assertEquals(layer.get("kind").getAsString(), info.kind(), f.name + ": kind of layer " + layerName);
      List<String> inputs = new ArrayList<String>();
      if (layer.has("inputs")) {
        for (JsonElement input : layer.getAsJsonArray("inputs")) {
          inputs.add(input.getAsString());
        }
      }
      assertEquals(inputs, info.inputs(), f.name + ": inputs of layer " + layerName);
      assertArrayEquals(ints(layer.getAsJsonArray("outputShape")), info.outputShape(),
          f.name + ": output shape of layer " + layerName);
    }
    JsonObject parameters = f.json.getAsJsonObject("parameters");
    TreeSet<String> names = new TreeSet<String>();
    for (ParameterTensor t : model.parameters().tensors()) {
      names.add(t.name());
      assertTrue(parameters.has(t.name()), f.name + ": the fixture has no tensor " + t.name());
      assertArrayEquals(ints(parameters.getAsJsonObject(t.name()).getAsJsonArray("shape")), t.shape(),
          f.name + ": shape of " + t.name());
    }
    assertEquals(new TreeSet<String>(parameters.keySet()), names, f.name + ": parameter tensors");
    TreeSet<String> buffers = new TreeSet<String>();
    for (ParameterTensor t : model.buffers().tensors()) {
      buffers.add(t.name());
    }
    TreeSet<String> expectedBuffers = new TreeSet<String>();
    if (f.json.has("buffers")) {
      expectedBuffers.addAll(f.json.getAsJsonObject("buffers").keySet());
    }
    assertEquals(expectedBuffers, buffers, f.name + ": running statistics");
  }

  private static LayerInfo layer(Model model, String name) {
    for (LayerInfo info : model.layers()) {
      if (info.name().equals(name)) {
        return info;
      }
    }
    return fail(model.name() + " has no layer '" + name + "'; it has " + model.layers());
  }

  /**
   * Fails unless {@code ‖actual − expected‖ / max(‖expected‖, FLOOR) ≤ tolerance}; records the error under
   * {@code kind} for the summary.
   */
  private static void check(Fixture f, String what, String kind, float[] actual, float[] expected,
      double tolerance) {
    assertEquals(expected.length, actual.length, what + ": length");
    double diff = 0;
    double norm = 0;
    int worst = -1;
    double worstAbs = -1;
    for (int i = 0; i < expected.length; i++) {
      double d = (double) actual[i] - expected[i];
      if (Double.isNaN(d)) {
        fail(what + ": index " + i + " is " + actual[i] + ", PyTorch " + expected[i]);
      }
      diff += d * d;
      norm += (double) expected[i] * expected[i];
      if (Math.abs(d) > worstAbs) {
        worstAbs = Math.abs(d);
        worst = i;
      }
    }
    double error = Math.sqrt(diff) / Math.max(Math.sqrt(norm), FLOOR);
    synchronized (MAX_ERRORS) {
      Double max = MAX_ERRORS.get(kind);
      if (max == null || error > max) {
        MAX_ERRORS.put(kind, error);
        MAX_WHERE.put(kind, what);
      }
    }
    synchronized (MAX_BY_FIXTURE) {
      double[] max = MAX_BY_FIXTURE.get(f.name);
      int column = tolerance == STEP_TOLERANCE ? 1 : 0;
      max[column] = Math.max(max[column], error);
    }
    if (!(error <= tolerance)) {
      fail(String.format("%s: norm-relative error %.3e > %.0e; largest difference at index %d: Nabla %s, "
          + "PyTorch %s%nNabla   %s%nPyTorch %s", what, error, tolerance, worst, actual[worst], expected[worst],
          Arrays.toString(actual), Arrays.toString(expected)));
    }
  }

  private static Optimizer optimizer(JsonObject run) {
    String kind = run.get("kind").getAsString();
    if (kind.equals("sgd")) {
      return Sgd.builder(run.get("lr").getAsDouble())
          .momentum(run.get("momentum").getAsDouble())
          .nesterov(run.get("nesterov").getAsBoolean())
          .build();
    }
    if (kind.equals("adam")) {
      JsonArray betas = run.getAsJsonArray("betas");
      return Adam.builder()
          .learningRate(run.get("lr").getAsDouble())
          .betas(betas.get(0).getAsDouble(), betas.get(1).getAsDouble())
          .epsilon(run.get("eps").getAsDouble())
          .build();
    }
    throw new IllegalArgumentException("unknown optimizer kind " + kind);
  }

  // ---- fixtures ----

  @JvmOnly
  private static final class Fixture {
    final String name;
    /** The simple name of the declaration, e.g. {@code ConvBatchNorm} for {@code ConvBatchNorm_eval}. */
    final String declaration;
    final JsonObject json;
    final int batch;
    /** Training mode ({@code "mode": "train"}, or no mode) or inference ({@code "eval"}). */
    final boolean training;
    /** The convolutions that inference folds into their batch norm (only in inference mode). */
    final List<String> folded = new ArrayList<String>();

    private Fixture(String name, JsonObject json) {
      this.name = name;
      this.json = json;
      String qualified = json.get("declaration").getAsString();
      this.declaration = qualified.substring(qualified.lastIndexOf('.') + 1);
      this.batch = json.get("batch").getAsInt();
      String mode = json.has("mode") ? json.get("mode").getAsString() : "train";
      if (!mode.equals("train") && !mode.equals("eval")) {
        throw new IllegalStateException(name + ": unknown mode " + mode);
      }
      this.training = mode.equals("train");
      if (json.has("folded")) {
        folded.addAll(json.getAsJsonObject("folded").keySet());
      }
    }

    /**
     * For a tensor listed in the fixture's {@code rounding_noise}, which of its elements have a gradient that is 0
     * in exact arithmetic and rounding noise in floating point (the key bias of an attention layer); {@code null}
     * for any other tensor.
     */
    boolean[] roundingNoise(ParameterTensor t) {
      if (!json.has("rounding_noise") || !json.getAsJsonObject("rounding_noise").has(t.name())) {
        return null;
      }
      boolean[] noise = new boolean[t.size()];
      for (JsonElement range : json.getAsJsonObject("rounding_noise").getAsJsonArray(t.name())) {
        int[] bounds = ints(range.getAsJsonArray());
        assertTrue(bounds.length == 2 && 0 <= bounds[0] && bounds[0] < bounds[1] && bounds[1] <= t.size(),
            name + ": rounding_noise of " + t.name() + " " + Arrays.toString(bounds));
        Arrays.fill(noise, bounds[0], bounds[1], true);
      }
      return noise;
    }

    /** The declaration's generated network. */
    Model create(int maxBatch, Kernels kernels) {
      Factory factory = NETWORKS.get(declaration);
      assertNotNull(factory, name + ": no network registered for declaration " + declaration);
      return factory.create(maxBatch, kernels);
    }

    static Fixture load(String name) {
      String path = "/fixtures/" + name + ".json";
      InputStream in = PyTorchParityTest.class.getResourceAsStream(path);
      if (in == null) {
        throw new IllegalStateException("missing test resource " + path);
      }
      try (Reader reader = new InputStreamReader(in, StandardCharsets.UTF_8)) {
        JsonObject json = JsonParser.parseReader(reader).getAsJsonObject();
        if (!name.equals(json.get("name").getAsString())) {
          throw new IllegalStateException(path + " is the fixture of " + json.get("name"));
        }
        return new Fixture(name, json);
      } catch (IOException e) {
        throw new IllegalStateException("cannot read " + path, e);
      }
    }

    JsonObject optimizer(String optimizerName) {
      for (JsonElement run : json.getAsJsonArray("optimizers")) {
        if (run.getAsJsonObject().get("name").getAsString().equals(optimizerName)) {
          return run.getAsJsonObject();
        }
      }
      throw new IllegalArgumentException(name + " has no optimizer run " + optimizerName);
    }

    /**
     * Sets every parameter tensor of {@code model} to the fixture's initial weights, every running statistic to the
     * fixture's, and the model's mode (training or inference) to the fixture's.
     */
    void copyInitialState(Model model) {
      copy(json.getAsJsonObject("parameters"), model.parameters().tensors(), model.parameters().values());
      if (json.has("buffers")) {
        copy(json.getAsJsonObject("buffers"), model.buffers().tensors(), model.buffers().values());
      }
      model.setTraining(training);
    }

    void copy(JsonObject tensors, List<ParameterTensor> into, float[] values) {
      for (ParameterTensor t : into) {
        float[] data = floats(tensors.getAsJsonObject(t.name()));
        assertEquals(t.size(), data.length, name + ": size of " + t.name());
        System.arraycopy(data, 0, values, t.offset(), data.length);
      }
    }

    /** The batch for {@link Model#forward(float[][], int)}, one array per input in declaration order. */
    float[][] inputs(Model model) {
      return inputs(model.inputs());
    }

    /** The batch for the input layers {@code declared}, one array per input in declaration order. */
    float[][] inputs(List<LayerInfo> declared) {
      JsonObject inputs = json.getAsJsonObject("inputs");
      assertEquals(inputs.size(), declared.size(), name + ": number of inputs");
      float[][] data = new float[declared.size()][];
      for (int i = 0; i < data.length; i++) {
        String input = declared.get(i).name();
        assertTrue(inputs.has(input), name + ": the fixture has no input " + input);
        data[i] = floats(inputs.getAsJsonObject(input));
        assertEquals(batch * declared.get(i).outputSize(), data[i].length, name + ": size of input " + input);
      }
      return data;
    }

    /** The loss of the last forward against the fixture's labels or targets. */
    float loss(Model model) {
      if (json.has("labels")) {
        int[] labels = ints(json.getAsJsonObject("labels").getAsJsonArray("data"));
        assertEquals(batch * model.targetsPerSample(), labels.length, name + ": number of labels");
        return model.loss(labels, batch);
      }
      float[] targets = floats(json.getAsJsonObject("targets"));
      assertEquals(batch * model.targetsPerSample(), targets.length, name + ": number of targets");
      return model.loss(targets, batch);
    }
  }

  /** The values whose {@code leftOut} is false, in order. */
  private static float[] kept(float[] values, boolean[] leftOut) {
    float[] kept = new float[values.length];
    int n = 0;
    for (int i = 0; i < values.length; i++) {
      if (!leftOut[i]) {
        kept[n++] = values[i];
      }
    }
    return Arrays.copyOf(kept, n);
  }

  private static float[] slice(float[] flat, ParameterTensor t) {
    return Arrays.copyOfRange(flat, t.offset(), t.offset() + t.size());
  }

  /** The {@code data} of a {@code {shape, data}} tensor, checked against its shape. */
  private static float[] floats(JsonObject tensor) {
    int[] shape = ints(tensor.getAsJsonArray("shape"));
    JsonArray data = tensor.getAsJsonArray("data");
    int size = 1;
    for (int d : shape) {
      size *= d;
    }
    assertEquals(size, data.size(), "tensor of shape " + Arrays.toString(shape));
    float[] values = new float[data.size()];
    for (int i = 0; i < values.length; i++) {
      values[i] = data.get(i).getAsFloat(); // Float.parseFloat of the decimal: the exact float32
    }
    return values;
  }

  private static int[] ints(JsonArray array) {
    int[] values = new int[array.size()];
    for (int i = 0; i < values.length; i++) {
      values[i] = array.get(i).getAsInt();
    }
    return values;
  }
}
