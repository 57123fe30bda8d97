package io.nabla.processor.model;

import io.nabla.Add;
import io.nabla.AvgPool2d;
import io.nabla.BatchNorm;
import io.nabla.Concat;
import io.nabla.Conv2d;
import io.nabla.Dense;
import io.nabla.Dropout;
import io.nabla.Embedding;
import io.nabla.Flatten;
import io.nabla.GlobalAvgPool;
import io.nabla.Gru;
import io.nabla.Input;
import io.nabla.LayerNorm;
import io.nabla.Lstm;
import io.nabla.MaxPool2d;
import io.nabla.MultiHeadAttention;
import io.nabla.PositionalEmbedding;
import io.nabla.SimpleRnn;
import java.lang.annotation.Annotation;

/** The kinds of layer a declaration can hold, one per layer annotation. */
public enum LayerKind {
  INPUT(Input.class),
  DENSE(Dense.class),
  ADD(Add.class),
  CONV2D(Conv2d.class),
  MAX_POOL2D(MaxPool2d.class),
  AVG_POOL2D(AvgPool2d.class),
  GLOBAL_AVG_POOL(GlobalAvgPool.class),
  FLATTEN(Flatten.class),
  DROPOUT(Dropout.class),
  BATCH_NORM(BatchNorm.class),
  CONCAT(Concat.class),
  SIMPLE_RNN(SimpleRnn.class),
  LSTM(Lstm.class),
  GRU(Gru.class),
  EMBEDDING(Embedding.class),
  POSITIONAL_EMBEDDING(PositionalEmbedding.class),
  LAYER_NORM(LayerNorm.class),
  MULTI_HEAD_ATTENTION(MultiHeadAttention.class);

  private final Class<? extends Annotation> annotation;

  LayerKind(Class<? extends Annotation> annotation) {
    this.annotation = annotation;
  }

  public Class<? extends Annotation> annotation() {
    return annotation;
  }

  /** Whether the annotation has an {@code activation} (the others pass values through unchanged). */
  public boolean hasActivation() {
    return this == DENSE || this == ADD || this == CONV2D || this == BATCH_NORM;
  }

  /** The annotation's simple name, as users write it: {@code Dense}. */
  public String displayName() {
    return annotation.getSimpleName();
  }
}
