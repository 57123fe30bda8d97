package io.nabla.spark;

import io.nabla.Loss;
import io.nabla.runtime.LayerInfo;
import io.nabla.runtime.Model;
import io.nabla.runtime.Parameters;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/** A model that throws in its {@code failAt}-th backward pass in this JVM, once (a marker file remembers it). */
final class FailingModel implements Model {
  static final AtomicInteger BACKWARDS = new AtomicInteger();

  private final Model model;
  private final File marker;
  private final int failAt;

  FailingModel(Model model, String marker, int failAt) {
    this.model = model;
    this.marker = new File(marker);
    this.failAt = failAt;
  }

  @Override
  public void backward() {
    try {
      if (BACKWARDS.incrementAndGet() >= failAt && marker.createNewFile()) {
        throw new RuntimeException("injected failure in backward pass " + BACKWARDS.get());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    model.backward();
  }

  @Override
  public String name() {
    return model.name();
  }

  @Override
  public Loss loss() {
    return model.loss();
  }

  @Override
  public int maxBatch() {
    return model.maxBatch();
  }

  @Override
  public Parameters parameters() {
    return model.parameters();
  }

  @Override
  public List<LayerInfo> layers() {
    return model.layers();
  }

  @Override
  public List<LayerInfo> inputs() {
    return model.inputs();
  }

  @Override
  public LayerInfo output() {
    return model.output();
  }

  @Override
  public int inputSize() {
    return model.inputSize();
  }

  @Override
  public int outputSize() {
    return model.outputSize();
  }

  @Override
  public int targetsPerSample() {
    return model.targetsPerSample();
  }

  @Override
  public int classCount() {
    return model.classCount();
  }

  @Override
  public void initialize(long seed) {
    model.initialize(seed);
  }

  @Override
  public void setTraining(boolean training) {
    model.setTraining(training);
  }

  @Override
  public boolean isTraining() {
    return model.isTraining();
  }

  @Override
  public float[] forward(float[] input, int batch) {
    return model.forward(input, batch);
  }

  @Override
  public float[] forward(float[][] inputs, int batch) {
    return model.forward(inputs, batch);
  }

  @Override
  public float loss(int[] labels, int batch) {
    return model.loss(labels, batch);
  }

  @Override
  public float loss(float[] targets, int batch) {
    return model.loss(targets, batch);
  }

  @Override
  public void zeroGradients() {
    model.zeroGradients();
  }

  @Override
  public float[] predict(float[] input, int batch) {
    return model.predict(input, batch);
  }

  @Override
  public int[] predictClasses(float[] input, int batch) {
    return model.predictClasses(input, batch);
  }

  @Override
  public int countCorrect(int[] labels, float[] targets, int batch) {
    return model.countCorrect(labels, targets, batch);
  }

  @Override
  public float[] activations(String layer) {
    return model.activations(layer);
  }

  @Override
  public String describeNonFinite() {
    return model.describeNonFinite();
  }

  @Override
  public io.nabla.runtime.Buffers buffers() {
    return model.buffers();
  }

  @Override
  public long randomState() {
    return model.randomState();
  }

  @Override
  public void restoreRandomState(long state) {
    model.restoreRandomState(state);
  }

  @Override
  public String summary() {
    return model.summary();
  }
}
