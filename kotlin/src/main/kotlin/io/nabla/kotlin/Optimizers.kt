@file:JvmName("Optimizers")

package io.nabla.kotlin

import io.nabla.runtime.optim.AdaGrad
import io.nabla.runtime.optim.Adam
import io.nabla.runtime.optim.AdamW
import io.nabla.runtime.optim.GradientClipping
import io.nabla.runtime.optim.ParameterGroup
import io.nabla.runtime.optim.RmsProp
import io.nabla.runtime.optim.Sgd

// Named arguments as PyTorch's (lr, betas, eps, weight_decay, ...), with PyTorch 1.13's defaults. Each is checked
// when built: an out-of-range value throws IllegalArgumentException naming it.

/** `torch.optim.Adam`: L2 weight decay added to the gradient, optional AMSGrad. */
fun adam(
    lr: Double = 1e-3,
    betas: Pair<Double, Double> = 0.9 to 0.999,
    eps: Double = 1e-8,
    weightDecay: Double = 0.0,
    amsgrad: Boolean = false,
    groups: List<ParameterGroup> = emptyList(),
): Adam = Adam.builder().learningRate(lr).betas(betas.first, betas.second).epsilon(eps).weightDecay(weightDecay)
    .amsgrad(amsgrad).apply { groups.forEach { group(it) } }.build()

/** `torch.optim.AdamW`: decoupled weight decay (default 1e-2), optional AMSGrad. */
fun adamW(
    lr: Double = 1e-3,
    betas: Pair<Double, Double> = 0.9 to 0.999,
    eps: Double = 1e-8,
    weightDecay: Double = 1e-2,
    amsgrad: Boolean = false,
    groups: List<ParameterGroup> = emptyList(),
): AdamW = AdamW.builder().learningRate(lr).betas(betas.first, betas.second).epsilon(eps).weightDecay(weightDecay)
    .amsgrad(amsgrad).apply { groups.forEach { group(it) } }.build()

/** `torch.optim.SGD`: the learning rate has no default, as in PyTorch; momentum, dampening, Nesterov, L2 decay. */
fun sgd(
    lr: Double,
    momentum: Double = 0.0,
    dampening: Double = 0.0,
    weightDecay: Double = 0.0,
    nesterov: Boolean = false,
    groups: List<ParameterGroup> = emptyList(),
): Sgd = Sgd.builder(lr).momentum(momentum).dampening(dampening).weightDecay(weightDecay).nesterov(nesterov)
    .apply { groups.forEach { group(it) } }.build()

/** `torch.optim.RMSprop`: smoothing [alpha], optional momentum and centering, L2 decay. */
fun rmsProp(
    lr: Double = 1e-2,
    alpha: Double = 0.99,
    eps: Double = 1e-8,
    weightDecay: Double = 0.0,
    momentum: Double = 0.0,
    centered: Boolean = false,
    groups: List<ParameterGroup> = emptyList(),
): RmsProp = RmsProp.builder().learningRate(lr).alpha(alpha).epsilon(eps).weightDecay(weightDecay)
    .momentum(momentum).centered(centered).apply { groups.forEach { group(it) } }.build()

/** `torch.optim.Adagrad`: learning-rate decay, initial accumulator, L2 decay. */
fun adaGrad(
    lr: Double = 1e-2,
    lrDecay: Double = 0.0,
    weightDecay: Double = 0.0,
    initialAccumulatorValue: Double = 0.0,
    eps: Double = 1e-10,
    groups: List<ParameterGroup> = emptyList(),
): AdaGrad = AdaGrad.builder().learningRate(lr).lrDecay(lrDecay).weightDecay(weightDecay)
    .initialAccumulatorValue(initialAccumulatorValue).epsilon(eps).apply { groups.forEach { group(it) } }.build()

/** Every bias tensor, with its own learning rate and/or weight decay: `adamW(groups = listOf(biases(weightDecay = 0.0)))`. */
fun biases(lr: Double? = null, weightDecay: Double? = null): ParameterGroup =
    ParameterGroup.biases().with(lr, weightDecay)

/** Every weight tensor, with its own learning rate and/or weight decay. */
fun weights(lr: Double? = null, weightDecay: Double? = null): ParameterGroup =
    ParameterGroup.weights().with(lr, weightDecay)

/** Both tensors of these layers (named as in the declaration), with their own learning rate and/or weight decay. */
fun layers(vararg names: String, lr: Double? = null, weightDecay: Double? = null): ParameterGroup =
    ParameterGroup.layers(*names).with(lr, weightDecay)

private fun ParameterGroup.with(lr: Double?, weightDecay: Double?): ParameterGroup {
    var group = this
    if (lr != null) group = group.learningRate(lr)
    if (weightDecay != null) group = group.weightDecay(weightDecay)
    return group
}

/** PyTorch's `clip_grad_norm_(parameters, maxNorm)` before every step. */
fun clipNorm(maxNorm: Double): GradientClipping = GradientClipping.byNorm(maxNorm)

/** PyTorch's `clip_grad_value_(parameters, clipValue)` before every step. */
fun clipValue(clipValue: Double): GradientClipping = GradientClipping.byValue(clipValue)
