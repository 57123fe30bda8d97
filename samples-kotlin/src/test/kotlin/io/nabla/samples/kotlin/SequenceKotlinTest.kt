package io.nabla.samples.kotlin

import io.nabla.runtime.Rng
import io.nabla.runtime.optim.Adam
import io.nabla.runtime.train.Dataset
import io.nabla.runtime.train.Trainer
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertThrows
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test

class SequenceKotlinTest {
    /** Random sequences of 8 ids and, at every position, the id two positions earlier (the first two: itself). */
    private fun lagged(n: Int, seed: Long): Dataset {
        val rng = Rng(seed)
        val ids = FloatArray(n * 8) { rng.nextInt(8).toFloat() }
        val labels = IntArray(n * 8) { i -> ids[i / 8 * 8 + maxOf(0, i % 8 - 2)].toInt() }
        return Dataset.ofLabels(ids, 8, labels, 8)
    }

    @Test
    fun `a transformer declared in Kotlin learns to look back two positions`() {
        val model = LagTransformerNet(32)
        model.initialize(1)
        assertEquals(listOf("text", "embed", "positioned"), model.layers().take(3).map { it.name() })
        val history = Trainer.builder().optimizer(Adam.of(0.01)).epochs(15).batchSize(32).seed(1).build()
            .fit(model, lagged(1024, 1), lagged(256, 101))
        val accuracy = history.last().validationAccuracy()
        assertTrue(accuracy > 0.97, "held-out accuracy per position $accuracy")
    }

    @Test
    fun `a token id outside the vocabulary names the sample and position`() {
        val ids = FloatArray(2 * 8) { 1f }
        ids[8 + 5] = 9f
        val e = assertThrows(IllegalArgumentException::class.java) { LagTransformerNet(2).forward(ids, 2) }
        assertTrue(e.message!!.contains("sample 1, position 5"), e.message)
    }
}
