package io.nabla.samples;

import io.nabla.Activation;
import io.nabla.Add;
import io.nabla.BatchNorm;
import io.nabla.Conv2d;
import io.nabla.Dense;
import io.nabla.GlobalAvgPool;
import io.nabla.Input;
import io.nabla.Loss;
import io.nabla.Network;
import io.nabla.Tensor;

/**
 * A small residual network for Fashion-MNIST, declared as a graph: each block is two 3×3 convolutions with batch
 * norm whose output is added to the block's input ({@code @Add}); a strided convolution halves the resolution
 * between stages; global average pooling feeds the classifier.
 */
@Network(loss = Loss.SOFTMAX_CROSS_ENTROPY)
public interface FashionResNet {
  @Input({1, 28, 28}) Tensor image();

  // Stem: 16 channels at 28×28.
  @Conv2d(filters = 16, kernel = 3, padding = 1, bias = false) Tensor stem(Tensor image);
  @BatchNorm(activation = Activation.RELU) Tensor stemBn(Tensor stem);

  // Block 1 (16 channels, 28×28): relu(x + bn(conv(relu(bn(conv(x)))))).
  @Conv2d(filters = 16, kernel = 3, padding = 1, bias = false) Tensor conv1a(Tensor stemBn);
  @BatchNorm(activation = Activation.RELU) Tensor bn1a(Tensor conv1a);
  @Conv2d(filters = 16, kernel = 3, padding = 1, bias = false) Tensor conv1b(Tensor bn1a);
  @BatchNorm Tensor bn1b(Tensor conv1b);
  @Add(activation = Activation.RELU) Tensor block1(Tensor bn1b, Tensor stemBn);

  // Downsampling to 32 channels at 14×14.
  @Conv2d(filters = 32, kernel = 3, stride = 2, padding = 1, bias = false) Tensor down(Tensor block1);
  @BatchNorm(activation = Activation.RELU) Tensor downBn(Tensor down);

  // Block 2 (32 channels, 14×14).
  @Conv2d(filters = 32, kernel = 3, padding = 1, bias = false) Tensor conv2a(Tensor downBn);
  @BatchNorm(activation = Activation.RELU) Tensor bn2a(Tensor conv2a);
  @Conv2d(filters = 32, kernel = 3, padding = 1, bias = false) Tensor conv2b(Tensor bn2a);
  @BatchNorm Tensor bn2b(Tensor conv2b);
  @Add(activation = Activation.RELU) Tensor block2(Tensor bn2b, Tensor downBn);

  @GlobalAvgPool Tensor pooled(Tensor block2);

  @Dense(units = 10) Tensor logits(Tensor pooled);
}
