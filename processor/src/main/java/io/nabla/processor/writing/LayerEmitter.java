package io.nabla.processor.writing;

import com.palantir.javapoet.MethodSpec;
import io.nabla.processor.model.LayerKind;
import io.nabla.processor.model.LayerNode;
import java.util.EnumMap;
import java.util.Map;

/**
 * Writes one kind of layer's forward/backward method pair. One implementation per {@link LayerKind}, looked up in
 * {@link #forKind}; the kernels the methods call live in the runtime, so a faster kernel never changes an emitter.
 */
interface LayerEmitter {
  /** The forward method, {@code void <layer>Forward(int batch)}, or {@code null} (inputs). */
  MethodSpec forward(LayerNode layer, EmitContext context);

  /** The backward method, {@code void <layer>Backward(int batch)}, or {@code null} (inputs). */
  MethodSpec backward(LayerNode layer, EmitContext context);

  static LayerEmitter forKind(LayerKind kind) {
    LayerEmitter emitter = Table.EMITTERS.get(kind);
    if (emitter == null) {
      throw new IllegalStateException("no emitter for layer kind " + kind);
    }
    return emitter;
  }

  /** The table. */
  final class Table {
    private static final Map<LayerKind, LayerEmitter> EMITTERS = new EnumMap<>(LayerKind.class);

    static {
      EMITTERS.put(LayerKind.INPUT, new InputEmitter());
      EMITTERS.put(LayerKind.DENSE, new DenseEmitter());
      EMITTERS.put(LayerKind.ADD, new AddEmitter());
    }

    private Table() {}
  }
}
