package io.nabla.samples.kotlin

import io.nabla.Activation
import io.nabla.Dense
import io.nabla.Input
import io.nabla.Loss
import io.nabla.Network
import io.nabla.Tensor

/**
 * A small classifier of the 8x8 UCI handwritten digits, declared in Kotlin: 64 pixels, 128 ReLU units, 10 logits.
 * kapt runs Nabla's processor over it and generates `DigitsMlpNet` (Java) in this package.
 */
@Network(loss = Loss.SOFTMAX_CROSS_ENTROPY)
interface DigitsMlp {
    @Input(64) fun pixels(): Tensor
    @Dense(units = 128, activation = Activation.RELU) fun hidden(pixels: Tensor): Tensor
    @Dense(units = 10) fun logits(hidden: Tensor): Tensor
}
