package io.nabla.kotlin

import io.nabla.runtime.optim.AdaGrad
import io.nabla.runtime.optim.Adam
import io.nabla.runtime.optim.AdamW
import io.nabla.runtime.optim.ParameterGroup
import io.nabla.runtime.optim.RmsProp
import io.nabla.runtime.optim.Sgd
import io.nabla.runtime.schedule.OneCycleSchedule
import io.nabla.runtime.schedule.ReduceOnPlateau
import io.nabla.runtime.schedule.Schedules
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows

class OptimizersTest {
    @Test
    fun `the defaults are PyTorch's, as the Java builders'`() {
        assertEquals(Adam.defaults().toString(), adam().toString())
        assertEquals(AdamW.defaults().toString(), adamW().toString())
        assertEquals(RmsProp.defaults().toString(), rmsProp().toString())
        assertEquals(AdaGrad.defaults().toString(), adaGrad().toString())
        assertEquals(Sgd.of(0.1).toString(), sgd(lr = 0.1).toString())
        assertEquals(0.01, adamW().weightDecay(), 1e-9)
        assertEquals(0.0, adam().weightDecay(), 0.0)
    }

    @Test
    fun `named arguments reach the Java optimizers`() {
        assertEquals(
            Adam.builder().learningRate(3e-4).betas(0.8, 0.99).epsilon(1e-6).weightDecay(1e-4).amsgrad(true)
                .group(ParameterGroup.layers("logits").learningRate(1e-3)).build().toString(),
            adam(lr = 3e-4, betas = 0.8 to 0.99, eps = 1e-6, weightDecay = 1e-4, amsgrad = true,
                groups = listOf(layers("logits", lr = 1e-3))).toString())
        assertEquals(
            Sgd.builder(0.1).momentum(0.9).weightDecay(5e-4).nesterov(true).build().toString(),
            sgd(lr = 0.1, momentum = 0.9, weightDecay = 5e-4, nesterov = true).toString())
        assertEquals(
            RmsProp.builder().learningRate(1e-3).alpha(0.9).momentum(0.5).centered(true).build().toString(),
            rmsProp(lr = 1e-3, alpha = 0.9, momentum = 0.5, centered = true).toString())
        assertEquals(
            AdaGrad.builder().learningRate(0.1).lrDecay(1e-3).initialAccumulatorValue(0.1).build().toString(),
            adaGrad(lr = 0.1, lrDecay = 1e-3, initialAccumulatorValue = 0.1).toString())
        assertEquals(ParameterGroup.weights().learningRate(0.5).weightDecay(0.1).toString(),
            weights(lr = 0.5, weightDecay = 0.1).toString())
    }

    @Test
    fun `out-of-range hyperparameters throw, naming them`() {
        val e = assertThrows<IllegalArgumentException> { adam(lr = -1.0) }
        assertTrue(e.message!!.contains("Adam learning rate"), e.message)
        val n = assertThrows<IllegalArgumentException> { sgd(lr = 0.1, nesterov = true) }
        assertTrue(n.message!!.contains("Nesterov"), n.message)
    }

    @Test
    fun `schedules give the Java schedules' rates`() {
        fun rates(s: io.nabla.runtime.schedule.LearningRateSchedule, steps: Int) =
            (0 until steps).map { s.learningRate(it.toLong(), it) }
        val cases = listOf(
            cosine(tMax = 10).baseLearningRate(0.1) to Schedules.cosine(10).baseLearningRate(0.1),
            cosine(tMax = 10, etaMin = 1e-3).baseLearningRate(0.1) to Schedules.cosine(10, 1e-3).baseLearningRate(0.1),
            stepLr(stepSize = 3).baseLearningRate(0.1) to Schedules.step(3).baseLearningRate(0.1),
            multiStepLr(listOf(2L, 5L), gamma = 0.5).baseLearningRate(0.1) to
                Schedules.multiStep(0.5, 2, 5).baseLearningRate(0.1),
            exponentialLr(0.9).baseLearningRate(0.1) to Schedules.exponential(0.9).baseLearningRate(0.1),
            linearLr().baseLearningRate(0.1) to Schedules.linear(1.0 / 3, 1.0, 5).baseLearningRate(0.1),
            constantLr().baseLearningRate(0.1) to Schedules.constant(1.0 / 3, 5).baseLearningRate(0.1),
            oneCycle(maxLr = 0.1, totalSteps = 10) to Schedules.oneCycle(0.1, 10),
            sequential(linearLr(0.1, totalIters = 2), 2, cosine(tMax = 8)).baseLearningRate(0.1) to
                Schedules.sequential(Schedules.linearWarmup(0.1, 2), 2, Schedules.cosine(8)).baseLearningRate(0.1),
        )
        for ((kotlin, java) in cases) {
            assertEquals(rates(java, 10), rates(kotlin, 10), "$kotlin")
            assertEquals(java.unit(), kotlin.unit())
        }
        assertEquals(io.nabla.runtime.schedule.LearningRateSchedule.Unit.STEP, cosine(tMax = 5, perStep = true).unit())
        assertEquals(OneCycleSchedule.builder(0.1, 10).build().toString(), oneCycle(0.1, 10).toString())
        assertEquals(ReduceOnPlateau.builder().build().toString(), reduceOnPlateau().toString())
    }
}
