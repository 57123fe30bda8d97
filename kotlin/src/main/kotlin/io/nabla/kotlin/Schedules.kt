@file:JvmName("LearningRates")

package io.nabla.kotlin

import io.nabla.runtime.schedule.ClosedFormSchedule
import io.nabla.runtime.schedule.OneCycleSchedule
import io.nabla.runtime.schedule.ReduceOnPlateau
import io.nabla.runtime.schedule.Schedules
import io.nabla.runtime.schedule.SequentialSchedule

// The runtime's schedules with named arguments and PyTorch 1.13's defaults. Positions count epochs unless
// perStep = true (then optimizer steps); see io.nabla.runtime.schedule.LearningRateSchedule.

private fun ClosedFormSchedule.stepping(perStep: Boolean): ClosedFormSchedule = if (perStep) perStep() else this

/** `CosineAnnealingLR(T_max, eta_min)`: from the base rate down to [etaMin] over [tMax] epochs (or steps). */
fun cosine(tMax: Long, etaMin: Double = 0.0, perStep: Boolean = false): ClosedFormSchedule =
    Schedules.cosine(tMax, etaMin).stepping(perStep)

/** `StepLR(step_size, gamma)`: the rate times [gamma] every [stepSize] epochs (or steps). */
fun stepLr(stepSize: Long, gamma: Double = 0.1, perStep: Boolean = false): ClosedFormSchedule =
    Schedules.step(stepSize, gamma).stepping(perStep)

/** `MultiStepLR(milestones, gamma)`: the rate times [gamma] at each milestone. */
fun multiStepLr(milestones: List<Long>, gamma: Double = 0.1, perStep: Boolean = false): ClosedFormSchedule =
    Schedules.multiStep(gamma, *milestones.toLongArray()).stepping(perStep)

/** `ExponentialLR(gamma)`: the rate times [gamma] every epoch (or step). */
fun exponentialLr(gamma: Double, perStep: Boolean = false): ClosedFormSchedule =
    Schedules.exponential(gamma).stepping(perStep)

/** `LinearLR(start_factor, end_factor, total_iters)`: a linear factor on the base rate, e.g. a warm-up. */
fun linearLr(
    startFactor: Double = 1.0 / 3,
    endFactor: Double = 1.0,
    totalIters: Long = 5,
    perStep: Boolean = false,
): ClosedFormSchedule = Schedules.linear(startFactor, endFactor, totalIters).stepping(perStep)

/** `ConstantLR(factor, total_iters)`: the base rate times [factor] for [totalIters], then the base rate. */
fun constantLr(factor: Double = 1.0 / 3, totalIters: Long = 5, perStep: Boolean = false): ClosedFormSchedule =
    Schedules.constant(factor, totalIters).stepping(perStep)

/** `OneCycleLR(max_lr, total_steps, ...)`, always per step; [totalSteps] is usually `epochs * stepsPerEpoch`. */
fun oneCycle(
    maxLr: Double,
    totalSteps: Long,
    pctStart: Double = 0.3,
    anneal: OneCycleSchedule.Anneal = OneCycleSchedule.Anneal.COS,
    divFactor: Double = 25.0,
    finalDivFactor: Double = 1e4,
    threePhase: Boolean = false,
): OneCycleSchedule = OneCycleSchedule.builder(maxLr, totalSteps).pctStart(pctStart).anneal(anneal)
    .divFactor(divFactor).finalDivFactor(finalDivFactor).threePhase(threePhase).build()

/**
 * `ReduceLROnPlateau(mode, factor, patience, threshold, threshold_mode, cooldown, min_lr, eps)`: the rate times
 * [factor] when the monitored metric (`val_loss` by default, see [TrainingConfig.scheduleMonitor]) stops improving.
 */
fun reduceOnPlateau(
    mode: ReduceOnPlateau.Mode = ReduceOnPlateau.Mode.MIN,
    factor: Double = 0.1,
    patience: Int = 10,
    threshold: Double = 1e-4,
    thresholdMode: ReduceOnPlateau.ThresholdMode = ReduceOnPlateau.ThresholdMode.REL,
    cooldown: Int = 0,
    minLr: Double = 0.0,
    eps: Double = 1e-8,
): ReduceOnPlateau = ReduceOnPlateau.builder().mode(mode).factor(factor).patience(patience).threshold(threshold)
    .thresholdMode(thresholdMode).cooldown(cooldown).minLearningRate(minLr).eps(eps).build()

/**
 * `SequentialLR(schedulers, milestones)`: [first] until [milestone], then [then] counted from 0, e.g. a warm-up
 * then cosine: `sequential(linearLr(0.1, totalIters = 2), 2, cosine(tMax = 8))`.
 */
fun sequential(first: ClosedFormSchedule, milestone: Long, then: ClosedFormSchedule): SequentialSchedule =
    Schedules.sequential(first, milestone, then)

/** `SequentialLR` over more than two parts: `parts.size - 1` increasing milestones. */
fun sequential(parts: List<ClosedFormSchedule>, milestones: List<Long>): SequentialSchedule =
    Schedules.sequential(parts, *milestones.toLongArray())
