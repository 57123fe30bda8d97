package io.nabla.processor.writing;

import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeSpec;
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

  /**
   * Adds the layer's own fields and constants beyond its output and gradient buffers (scratch space, window
   * geometry), each allocated in {@code constructor} for {@code maxBatch} samples.
   */
  default void addMembers(LayerNode layer, EmitContext context, TypeSpec.Builder type,
      MethodSpec.Builder constructor) {}

  /** How {@code forwardPass} calls the forward method. */
  default CodeBlock forwardCall(LayerNode layer, EmitContext context) {
    return CodeBlock.of("$N(batch)", context.names.forward(layer));
  }

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
      EMITTERS.put(LayerKind.CONV2D, new Conv2dEmitter());
      EMITTERS.put(LayerKind.MAX_POOL2D, new PoolEmitter());
      EMITTERS.put(LayerKind.AVG_POOL2D, new PoolEmitter());
      EMITTERS.put(LayerKind.GLOBAL_AVG_POOL, new GlobalAvgPoolEmitter());
      EMITTERS.put(LayerKind.FLATTEN, new FlattenEmitter());
      EMITTERS.put(LayerKind.DROPOUT, new DropoutEmitter());
      EMITTERS.put(LayerKind.BATCH_NORM, new BatchNormEmitter());
      EMITTERS.put(LayerKind.CONCAT, new ConcatEmitter());
      EMITTERS.put(LayerKind.SIMPLE_RNN, new RecurrentEmitter());
      EMITTERS.put(LayerKind.LSTM, new RecurrentEmitter());
      EMITTERS.put(LayerKind.GRU, new RecurrentEmitter());
      EMITTERS.put(LayerKind.EMBEDDING, new EmbeddingEmitter());
      EMITTERS.put(LayerKind.POSITIONAL_EMBEDDING, new PositionalEmbeddingEmitter());
      EMITTERS.put(LayerKind.LAYER_NORM, new LayerNormEmitter());
      EMITTERS.put(LayerKind.MULTI_HEAD_ATTENTION, new AttentionEmitter());
    }

    private Table() {}
  }
}
