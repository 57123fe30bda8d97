package io.nabla.processor.writing;

import com.palantir.javapoet.MethodSpec;
import io.nabla.processor.model.LayerNode;

/** {@code @Input}: nothing to compute; the forward pass stores the caller's array in the input's field. */
final class InputEmitter implements LayerEmitter {
  @Override
  public MethodSpec forward(LayerNode layer, EmitContext context) {
    return null;
  }

  @Override
  public MethodSpec backward(LayerNode layer, EmitContext context) {
    return null;
  }
}
