package io.nabla.kotlin

import io.nabla.runtime.Model
import io.nabla.runtime.Rng
import io.nabla.runtime.checkpoint.Architecture
import io.nabla.runtime.checkpoint.Checkpoint
import io.nabla.runtime.checkpoint.Safetensors
import io.nabla.runtime.data.Csv
import io.nabla.runtime.kernel.Concatenation
import io.nabla.runtime.kernel.Kernels
import io.nabla.runtime.optim.OptimizerState
import io.nabla.runtime.schedule.ClosedFormSchedule
import io.nabla.runtime.schedule.Schedules
import io.nabla.runtime.train.Dataset
import io.nabla.runtime.train.Metric
import io.nabla.runtime.train.Trainer
import java.io.File
import kotlin.reflect.KType
import kotlin.reflect.typeOf
import org.junit.jupiter.api.Assertions.assertArrayEquals
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertNotEquals
import org.junit.jupiter.api.Assertions.assertNotNull
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.io.TempDir

/**
 * The runtime's packages are null-marked (JSpecify's `@NullMarked`, with `@Nullable` where null is allowed), so
 * Kotlin sees its types as `T` or `T?`, never as platform types `T!` that let anything through.
 *
 * Compiling this file is the main check: it does not compile if an annotation is wrong.
 * - Non-null results are used as they are, with no `!!` and no `?.`: a stray `@Nullable` would break that.
 * - `null` is passed where the runtime takes it (the validation set, the optional checkpoint sections and
 *   safetensors metadata, batch buffers, the entries of `Concatenation.backward`), and a Kotlin [Metric] overrides
 *   `update` with `IntArray?` and `FloatArray?`: in a null-marked package, a missing `@Nullable` would break those.
 * - Nullable results are read with `?.` and `?:`. The compiler accepts those on platform types too, so [staticType]
 *   asserts, at run time, the type it inferred: `File?`, not `File!`; and, for one non-null result per package,
 *   `T`, not `T!` (a package that lost its `@NullMarked` would give platform types there).
 */
class NullabilityTest {
    @TempDir
    lateinit var dir: File

    private val train = blobs(perClass = 20, seed = 1)

    private fun model() = BlobsNet(32).apply { initialize(1) }

    @Test
    fun `staticType tells a nullable type from a platform type`() {
        // java.io.File carries no nullness annotations: getParentFile() is the platform type File!.
        assertNotEquals(typeOf<File?>(), staticType(File("x").parentFile))
        assertNotEquals(typeOf<File>(), staticType(File("x").parentFile))
        assertEquals(typeOf<File?>(), staticType<File?>(null))
    }

    @Test
    fun `every package of the runtime is null-marked - its non-null types are T, not T!`() {
        val model = model()
        assertEquals(typeOf<Rng>(), staticType(Rng.forStream(1, 2)))
        assertEquals(typeOf<FloatArray>(), staticType(model.parameters().values()))
        assertEquals(typeOf<Architecture>(), staticType(Architecture.of(model)))
        assertEquals(typeOf<Csv>(), staticType(Csv.format()))
        assertEquals(typeOf<Kernels>(), staticType(Kernels.portable()))
        assertEquals(typeOf<OptimizerState>(), staticType(sgd(lr = 0.1).state()))
        assertEquals(typeOf<ClosedFormSchedule>(), staticType(Schedules.cosine(10).perStep()))
        assertEquals(typeOf<FloatArray>(), staticType(train.features()))
    }

    @Test
    fun `a checkpoint's source is File?, its architecture and sections are typed exactly`() {
        val model = model()
        val file = File(dir, "blobs.ckpt")
        Checkpoint.save(file, model, null, null) // the optimizer and trainer sections are optional
        val read = Checkpoint.read(file)
        val inMemory = Checkpoint.capture(model, null, null)

        assertEquals(typeOf<File?>(), staticType(read.source()))
        assertEquals("blobs.ckpt", read.source()?.name)
        assertEquals("captured", inMemory.source()?.name ?: "captured")

        val architecture: Architecture = read.architecture()
        assertEquals("Blobs", architecture.modelName())
        assertEquals(listOf(16, 2), architecture.tensor("hidden.weight")?.shape()?.toList())
        assertNull(architecture.tensor("no.such.tensor"))
        assertNull(architecture.differenceFrom(Architecture.of(model)))
        assertEquals(typeOf<String?>(), staticType(architecture.differenceFrom(Architecture.of(model))))
        assertNull(read.optimizerState()?.kind())
        assertTrue(read.trainerState().isEmpty())
        assertEquals(inMemory.tensor("logits.bias").toList(), read.tensor("logits.bias").toList())

        val weights = File(dir, "blobs.safetensors")
        Safetensors.save(weights, model, null) // no "__metadata__"
        assertTrue(Safetensors.read(weights).metadata().isEmpty())
        assertEquals("blobs.safetensors", Safetensors.read(weights).source().name)
    }

    @Test
    fun `a dataset has labels or targets, and any batch buffer may be null`() {
        assertEquals(typeOf<IntArray?>(), staticType(train.labels()))
        assertEquals(60, train.labels()?.size)
        assertNull(train.targets())
        val regression = Dataset.ofTargets(floatArrayOf(1f, 2f), 1, floatArrayOf(3f, 4f), 1)
        assertNull(regression.labels())
        val features = FloatArray(1)
        regression.gather(1, 0, features, null, null)
        assertArrayEquals(floatArrayOf(2f), features)
    }

    @Test
    fun `fit takes a null validation set and a Kotlin metric sees the labels and null targets`() {
        var updates = 0
        val counting = object : Metric("updates") {
            override fun reset() {}

            override fun update(model: Model, output: FloatArray, labels: IntArray?, targets: FloatArray?, batch: Int) {
                assertNotNull(labels)
                assertNull(targets)
                updates++
            }

            override fun value(): Double = updates.toDouble()
        }
        val sgd = sgd(lr = 0.1, momentum = 0.9)
        assertNull(sgd.velocity())
        assertNull(sgd.state().buffer("momentum_buffer"))
        val model = model()
        val history = Trainer.builder().optimizer(sgd).epochs(1).metric(counting).build().fit(model, train, null)
        assertEquals(2, updates) // 60 samples in batches of 32
        assertEquals(2.0, history.last()["updates"])
        assertEquals(model.parameters().size(), sgd.velocity()?.size)
        assertEquals(typeOf<FloatArray?>(), staticType(sgd.state().buffer("momentum_buffer")))
        assertEquals(model.parameters().size(), sgd.state().buffer("momentum_buffer")?.size)
    }

    @Test
    fun `Concatenation backward skips the null entries of inputs that take no gradient`() {
        val dy = floatArrayOf(1f, 2f, 3f)
        val dx = FloatArray(2)
        // Array<FloatArray?>: compiles only if the entries are @Nullable (not the array itself).
        Concatenation.backward(dy, intArrayOf(1, 2), 1, arrayOf(null, dx))
        assertArrayEquals(floatArrayOf(2f, 3f), dx)
    }
}

/** The type the compiler inferred for [value], e.g. `java.io.File?`; a platform type prints as `java.io.File!`. */
@Suppress("UNUSED_PARAMETER")
private inline fun <reified T> staticType(value: T): KType = typeOf<T>()
