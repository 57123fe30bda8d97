package io.nabla.tests.inference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nabla.Activation;
import io.nabla.BatchNorm;
import io.nabla.Conv2d;
import io.nabla.Dense;
import io.nabla.Dropout;
import io.nabla.Flatten;
import io.nabla.Input;
import io.nabla.Loss;
import io.nabla.MaxPool2d;
import io.nabla.Network;
import io.nabla.Tensor;
import io.nabla.runtime.GeneratedInference;
import io.nabla.runtime.Model;
import io.nabla.runtime.checkpoint.Checkpoint;
import io.nabla.runtime.checkpoint.Safetensors;
import io.nabla.runtime.optim.Adam;
import io.nabla.runtime.optim.Optimizer;
import java.io.File;
import java.io.IOException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The generated {@code <Name>Inference} class: loaded from a checkpoint or a safetensors file of the trained
 * {@code <Name>Net}, it predicts exactly what the trained network predicts in inference mode, with no gradient
 * buffers; a file of another network is refused naming the tensor.
 */
class InferenceClassTest {

  @Network(loss = Loss.SOFTMAX_CROSS_ENTROPY)
  interface SmallCnn {
    @Input({1, 6, 6}) Tensor image();
    @Conv2d(filters = 4, kernel = 3, padding = 1, bias = false) Tensor conv(Tensor image);
    @BatchNorm(activation = Activation.RELU) Tensor bn(Tensor conv);
    @MaxPool2d(kernel = 2) Tensor pool(Tensor bn);
    @Flatten Tensor flat(Tensor pool);
    @Dropout(rate = 0.2) Tensor dropped(Tensor flat);
    @Dense(units = 3, activation = Activation.SOFTMAX) Tensor classes(Tensor dropped);
  }

  @Network(loss = Loss.MSE)
  interface Other {
    @Input({36}) Tensor x();
    @Dense(units = 3) Tensor classes(Tensor x);
  }

  private static final int BATCH = 5;

  /** A few Adam steps in training mode, so weights and running statistics are far from their start. */
  private static Model trained() {
    Model net = new InferenceClassTest_SmallCnnNet(BATCH);
    net.initialize(3);
    Optimizer adam = Adam.of(0.01);
    float[] x = input();
    for (int step = 0; step < 5; step++) {
      net.zeroGradients();
      net.forward(x, BATCH);
      net.loss(new int[] {0, 1, 2, 1, 0}, BATCH);
      net.backward();
      adam.step(net.parameters());
    }
    return net;
  }

  private static float[] input() {
    float[] x = new float[BATCH * 36];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) Math.sin(0.37 * i);
    }
    return x;
  }

  private static void assertSamePredictions(Model net, GeneratedInference inference) {
    net.setTraining(false);
    float[] expected = net.predict(input(), BATCH);
    assertArrayEquals(expected, inference.predict(input(), BATCH), "the same bits as the trained class");
    int[] classes = net.predictClasses(input(), BATCH);
    assertArrayEquals(classes, inference.predictClasses(input(), BATCH));
    // What an app classifying every frame calls: the caller's arrays, nothing allocated.
    float[] outputs = new float[expected.length];
    assertArrayEquals(expected, inference.predict(input(), BATCH, outputs));
    int[] into = new int[classes.length];
    assertArrayEquals(classes, inference.predictClasses(input(), BATCH, into));
  }

  @Test
  void loadsACheckpointAndPredictsAsTheTrainedNetwork(@TempDir File dir) throws IOException {
    Model net = trained();
    File file = new File(dir, "small.nabla");
    Checkpoint.save(file, net);
    InferenceClassTest_SmallCnnInference inference = new InferenceClassTest_SmallCnnInference(BATCH);
    inference.load(file);
    assertSamePredictions(net, inference);
    assertArrayEquals(net.buffers().values(), inference.buffers().values(), "running statistics loaded");
  }

  @Test
  void loadsSafetensors(@TempDir File dir) throws IOException {
    Model net = trained();
    File file = new File(dir, "small.safetensors");
    Safetensors.save(file, net);
    InferenceClassTest_SmallCnnInference inference = new InferenceClassTest_SmallCnnInference(BATCH);
    inference.load(file);
    assertSamePredictions(net, inference);
  }

  @Test
  void refusesAFileOfAnotherNetworkNamingTheTensor(@TempDir File dir) throws IOException {
    File file = new File(dir, "other.nabla");
    Checkpoint.save(file, new InferenceClassTest_OtherNet(1));
    InferenceClassTest_SmallCnnInference inference = new InferenceClassTest_SmallCnnInference(BATCH);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> inference.load(file));
    assertTrue(e.getMessage().contains("has no tensor conv.weight (4, 1, 3, 3)"), e.getMessage());
    for (float v : inference.parameterValues()) {
      assertEquals(0f, v, "nothing loaded");
    }
  }

  @Test
  void hasNoTrainingMembers() {
    for (java.lang.reflect.Field field : InferenceClassTest_SmallCnnInference.class.getDeclaredFields()) {
      assertTrue(!field.getName().endsWith("Grad"), "no gradient buffer: " + field.getName());
    }
    for (java.lang.reflect.Method method : InferenceClassTest_SmallCnnInference.class.getDeclaredMethods()) {
      assertTrue(!method.getName().endsWith("Backward") && !method.getName().equals("lossPass"),
          "no backward or loss: " + method.getName());
    }
    assertTrue(!Model.class.isAssignableFrom(InferenceClassTest_SmallCnnInference.class), "cannot be trained");
  }

  @Test
  void summaryIsTheSameTable() {
    String summary = new InferenceClassTest_SmallCnnInference(1).summary();
    assertTrue(summary.startsWith("SmallCnn (inference)"), summary);
    assertTrue(summary.contains("Forward FLOPs per sample"), summary);
  }
}
