package io.nabla.samples.kotlin

import io.nabla.kotlin.adam
import io.nabla.kotlin.cosine
import io.nabla.kotlin.evaluate
import io.nabla.kotlin.fit
import io.nabla.runtime.data.Csv
import io.nabla.runtime.data.DataException
import io.nabla.runtime.train.Dataset
import io.nabla.runtime.train.EpochResult
import io.nabla.runtime.train.History
import kotlin.system.exitProcess

/** The classpath resource: the UCI digits (see DATA.md beside it), 64 pixels 0..16 then the label per line. */
const val DIGITS_RESOURCE = "io/nabla/samples/kotlin/digits.csv.gz"

/** The bundled UCI digits, 1797 samples, pixels scaled by 1/16 to 0..1. */
fun loadDigits(): Dataset {
    val stream = DigitsMlp::class.java.classLoader.getResourceAsStream(DIGITS_RESOURCE)
        ?: throw DataException(DataException.Kind.MISSING_FILE, "classpath:$DIGITS_RESOURCE",
            "classpath:$DIGITS_RESOURCE not found")
    return stream.use { Csv.format().header(false).readLabels(it, "classpath:$DIGITS_RESOURCE") }.scaled(1f / 16)
}

/** What [trainDigits] returns: the per-epoch history and the accuracy on the held-out samples. */
class DigitsRun(val model: DigitsMlpNet, val history: History, val train: Dataset, val test: Dataset,
                val testAccuracy: Double)

/**
 * Trains [DigitsMlp] on 80 % of the digits (split by [seed]) with Adam and a cosine schedule annealed to 0 over
 * the run, reporting on the other 20 % after every epoch, as the Java `digits` sample does.
 */
fun trainDigits(epochs: Int = 50, batchSize: Int = 32, seed: Long = 42, onEpoch: (EpochResult) -> Unit = {}): DigitsRun {
    val (train, test) = loadDigits().split(0.8, seed)
    val model = DigitsMlpNet(batchSize)
    model.initialize(seed)
    val history = model.fit(train, test) {
        optimizer = adam(lr = 1e-3)
        this.epochs = epochs
        this.batchSize = batchSize
        this.seed = seed
        schedule = cosine(tMax = epochs.toLong())
        onEpoch(onEpoch)
    }
    return DigitsRun(model, history, train, test, model.evaluate(test).accuracy())
}

private const val USAGE = "usage: java -jar nabla-samples-kotlin.jar [--epochs N] [--batch N] [--seed S]"

/** Trains the digits MLP and prints the summary, one line per epoch and the test accuracy. */
fun main(args: Array<String>) {
    var epochs = 50
    var batch = 32
    var seed = 42L
    var i = 0
    fun value(): String = args.getOrNull(++i) ?: usage("${args[i - 1]} needs a value")
    while (i < args.size) {
        when (val arg = args[i]) {
            "--epochs" -> epochs = value().toIntOrNull()?.takeIf { it >= 1 } ?: usage("--epochs takes an integer >= 1")
            "--batch" -> batch = value().toIntOrNull()?.takeIf { it >= 1 } ?: usage("--batch takes an integer >= 1")
            "--seed" -> seed = value().toLongOrNull() ?: usage("--seed takes an integer")
            "-h", "--help" -> { println(USAGE); return }
            else -> usage("unknown option $arg")
        }
        i++
    }
    println(DigitsMlpNet(batch).summary())
    val run = trainDigits(epochs, batch, seed) { println(it) }
    println("digits: ${run.train.size()} samples for training, ${run.test.size()} held out")
    println("test accuracy: %.4f".format(java.util.Locale.ROOT, run.testAccuracy))
}

private fun usage(problem: String): Nothing {
    System.err.println("$problem\n$USAGE")
    exitProcess(2)
}
