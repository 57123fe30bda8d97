package broken

import io.nabla.Activation
import io.nabla.Dense
import io.nabla.Input
import io.nabla.Loss
import io.nabla.Network
import io.nabla.Tensor

@Network(loss = Loss.SOFTMAX_CROSS_ENTROPY)
interface Broken {
    @Input(4) fun pixels(): Tensor
    @Dense(units = 0, activation = Activation.RELU) fun hidden(pixels: Tensor): Tensor
    @Dense(units = 3) fun logits(hidden: Tensor): Tensor
}
