package io.nabla.kotlin

import io.nabla.runtime.optim.AdamW
import io.nabla.runtime.optim.GradientClipping
import io.nabla.runtime.optim.ParameterGroup
import io.nabla.runtime.schedule.Schedules
import io.nabla.runtime.train.EpochResult
import io.nabla.runtime.train.Metric
import io.nabla.runtime.train.Trainer
import java.io.ByteArrayOutputStream
import java.io.PrintStream
import org.junit.jupiter.api.Assertions.assertArrayEquals
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows

class TrainingDslTest {
    private val train = blobs(perClass = 100, seed = 1)
    private val test = blobs(perClass = 50, seed = 2)

    private fun model(seed: Long = 42) = BlobsNet(32).apply { initialize(seed) }

    @Test
    fun `fit learns the blobs and calls onEpoch once per epoch`() {
        val model = model()
        val seen = mutableListOf<EpochResult>()
        val history = model.fit(train, test) {
            optimizer = adam(lr = 1e-2)
            epochs = 5
            batchSize = 32
            seed = 42
            onEpoch { seen += it }
        }
        assertEquals(5, history.size)
        assertEquals((1..5).toList(), seen.map { it.epoch() })
        assertEquals(history.toList(), seen)
        val accuracy = model.evaluate(test).accuracy()
        assertTrue(accuracy >= 0.95, "test accuracy $accuracy")
        assertEquals(accuracy, history.last()["val_accuracy"], 1e-12)
        assertEquals(history.map { it.trainLoss() }, history["loss"])
        assertTrue(history["loss"].last() < history["loss"].first(), "the loss goes down: ${history["loss"]}")
    }

    @Test
    fun `every setting reaches the Java trainer, bit for bit`() {
        val dsl = model()
        val java = model()
        val dslHistory = dsl.fit(train) {
            optimizer = adamW(lr = 3e-3, weightDecay = 0.05, groups = listOf(biases(weightDecay = 0.0)))
            epochs = 4
            batchSize = 16
            seed = 7
            validationSplit = 0.25
            schedule = sequential(linearLr(startFactor = 0.1, totalIters = 1), 1, cosine(tMax = 3))
            clipping = clipNorm(1.0)
            topKAccuracy(2)
        }
        val javaHistory = Trainer.builder()
            .optimizer(AdamW.builder().learningRate(3e-3).weightDecay(0.05)
                .group(ParameterGroup.biases().weightDecay(0.0)).build())
            .epochs(4).batchSize(16).seed(7).validationSplit(0.25)
            .schedule(Schedules.sequential(Schedules.linear(0.1, 1.0, 1), 1, Schedules.cosine(3)))
            .clipping(GradientClipping.byNorm(1.0))
            .metric(Metric.topKAccuracy(2))
            .build()
            .fit(java, train, null)
        assertArrayEquals(java.parameters().values(), dsl.parameters().values())
        assertEquals(javaHistory.map { it.metrics() }, dslHistory.map { it.metrics() })
        assertTrue(dslHistory.last().metrics().containsKey("val_top2_accuracy"), "${dslHistory.last().metrics()}")
    }

    @Test
    fun `the default optimizer is Adam with PyTorch's defaults`() {
        val dsl = model()
        val java = model()
        dsl.fit(train) { epochs = 2; seed = 3 }
        Trainer.builder().optimizer(io.nabla.runtime.optim.Adam.defaults()).epochs(2).batchSize(32).seed(3).build()
            .fit(java, train, null)
        assertArrayEquals(java.parameters().values(), dsl.parameters().values())
    }

    @Test
    fun `early stopping ends training and restores the best weights`() {
        val model = model()
        var ended = 0
        val history = model.fit(train, test) {
            optimizer = sgd(lr = 1e-9)
            epochs = 50
            earlyStopping(monitor = "val_loss", patience = 1, minDelta = 1.0, restoreBestWeights = true)
            onTrainEnd { ended++ }
        }
        assertTrue(history.stoppedEarly())
        assertEquals(2, history.size)
        assertEquals(1, history.bestEpoch())
        assertEquals(1, ended)
    }

    @Test
    fun `earlyStopping picks the direction from the name, as Keras, unless told`() {
        fun run(maximize: Boolean?) = model().fit(train) {
            optimizer = adam(lr = 1e-2)
            epochs = 4
            if (maximize == null) earlyStopping(monitor = "loss", patience = 1)
            else earlyStopping(monitor = "loss", patience = 1, maximize = maximize)
        }
        assertFalse(run(null).stoppedEarly(), "a falling loss improves")
        assertFalse(run(false).stoppedEarly(), "a falling loss improves")
        val backwards = run(true)
        assertTrue(backwards.stoppedEarly(), "maximizing a falling loss stops")
        assertEquals(2, backwards.size)
    }

    @Test
    fun `onBatch, onTrainBegin and progress see the run`() {
        val model = model()
        var begin: Triple<Int, Int, Int>? = null
        var batches = 0
        val out = ByteArrayOutputStream()
        model.fit(train) {
            epochs = 2
            batchSize = 32
            onTrainBegin { epochs, steps, samples -> begin = Triple(epochs, steps, samples) }
            onBatch { batches++ }
            progress(PrintStream(out, true, "UTF-8"))
        }
        assertEquals(Triple(2, 10, 300), begin)
        assertEquals(20, batches)
        val printed = out.toString("UTF-8")
        assertTrue(printed.contains("epoch 1/2") && printed.contains("epoch 2/2"), printed)
    }

    @Test
    fun `a trainer built once trains several models`() {
        val trainer = trainer { optimizer = sgd(lr = 0.1, momentum = 0.9); epochs = 3; seed = 1 }
        val a = model(1)
        val b = model(2)
        assertEquals(3, trainer.fit(a, train, null).size)
        assertEquals(3, trainer.fit(b, train, null).size)
    }

    @Test
    fun `bad settings throw, naming the setting`() {
        val model = model()
        val batch = assertThrows<IllegalArgumentException> { model.fit(train) { batchSize = 64 } }
        assertTrue(batch.message!!.contains("maxBatch 32"), batch.message)
        val epochs = assertThrows<IllegalArgumentException> { model.fit(train) { epochs = 0 } }
        assertTrue(epochs.message!!.contains("epochs"), epochs.message)
        val split = assertThrows<IllegalArgumentException> { model.fit(train) { validationSplit = 1.0 } }
        assertTrue(split.message!!.contains("validation split"), split.message)
        val monitor = assertThrows<IllegalArgumentException> {
            model.fit(train) { earlyStopping(monitor = "val_loss") }
        }
        assertTrue(monitor.message!!.contains("no validation data"), monitor.message)
    }
}
