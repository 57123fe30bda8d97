package io.nabla.samples.kotlin

import java.io.ByteArrayOutputStream
import java.io.PrintStream
import org.junit.jupiter.api.Assertions.assertArrayEquals
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test

class DigitsKotlinTest {
    @Test
    fun `the Kotlin declaration is generated with its Kotlin parameter names`() {
        val model = DigitsMlpNet(8)
        assertEquals(listOf("pixels", "hidden", "logits"), model.layers().map { it.name() })
        assertEquals(64, model.inputSize())
        assertEquals(10, model.classCount())
        assertEquals(64 * 128 + 128 + 128 * 10 + 10, model.parameters().values().size)
    }

    @Test
    fun `the bundled data is the UCI digits`() {
        val all = loadDigits()
        assertEquals(1797, all.size())
        assertEquals(64, all.featureSize())
        assertEquals(1f, all.features().max(), 0f)
        assertEquals(178, all.labelCounts()[0])
        assertEquals(180, all.labelCounts()[9])
    }

    @Test
    fun `trains to at least 95 percent on the held-out 20 percent, reproducibly`() {
        val epochs = mutableListOf<Int>()
        val run = trainDigits(seed = 42) { epochs += it.epoch() }
        assertEquals(1438, run.train.size())
        assertEquals(359, run.test.size())
        assertEquals((1..50).toList(), epochs)
        assertTrue(run.testAccuracy >= 0.95, "test accuracy ${run.testAccuracy}")
        val again = trainDigits(epochs = 2, seed = 42)
        val twice = trainDigits(epochs = 2, seed = 42)
        assertArrayEquals(again.model.parameters().values(), twice.model.parameters().values())
    }

    @Test
    fun `main prints the summary, the epochs and the test accuracy`() {
        val out = ByteArrayOutputStream()
        val saved = System.out
        System.setOut(PrintStream(out, true, "UTF-8"))
        try {
            main(arrayOf("--epochs", "3", "--seed", "7"))
        } finally {
            System.setOut(saved)
        }
        val text = out.toString("UTF-8")
        assertTrue(text.contains("DigitsMlp (loss SOFTMAX_CROSS_ENTROPY)"), text)
        assertTrue(text.contains("epoch 3/3"), text)
        val last = text.trim().lines().last()
        assertTrue(Regex("test accuracy: 0\\.\\d{4}").matches(last), last)
    }
}
