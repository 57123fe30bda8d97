@file:JvmName("Training")

package io.nabla.kotlin

import io.nabla.runtime.Model
import io.nabla.runtime.optim.GradientClipping
import io.nabla.runtime.optim.Optimizer
import io.nabla.runtime.schedule.LearningRateSchedule
import io.nabla.runtime.train.BatchResult
import io.nabla.runtime.train.ConsoleProgress
import io.nabla.runtime.train.Dataset
import io.nabla.runtime.train.EarlyStopping
import io.nabla.runtime.train.EpochResult
import io.nabla.runtime.train.Evaluation
import io.nabla.runtime.train.History
import io.nabla.runtime.train.Metric
import io.nabla.runtime.train.Trainer
import io.nabla.runtime.train.TrainingListener
import java.io.PrintStream

/** Marks Nabla's Kotlin builders, so that an inner block cannot set an outer block's settings by accident. */
@DslMarker
@Target(AnnotationTarget.CLASS)
annotation class NablaDsl

/**
 * The settings of one training run, set inside `model.fit(train) { ... }` or `trainer { ... }`; each maps to one
 * setting of the Java [Trainer.Builder] and has its default.
 */
@NablaDsl
class TrainingConfig internal constructor() {
    /** The optimizer; Adam with PyTorch's defaults ([adam]) unless set. */
    var optimizer: Optimizer? = null

    /** Passes over the training data (default 10). */
    var epochs: Int = 10

    /** Samples per step, at most the model's `maxBatch`; the last step of an epoch may be smaller (default 32). */
    var batchSize: Int = 32

    /** The seed of the shuffling (initialise the model itself with `model.initialize(seed)`); default 0. */
    var seed: Long = 0

    /**
     * The share of the training data held out (seeded) as validation data when `fit` gets none, in [0, 1);
     * default 0.
     */
    var validationSplit: Double = 0.0

    /** Sets the learning rate before every step, e.g. `cosine(tMax = epochs.toLong())`; none by default. */
    var schedule: LearningRateSchedule? = null

    /**
     * The metric the [schedule] observes after each epoch (only a plateau schedule uses it); by default `val_loss`
     * with validation data, `loss` without.
     */
    var scheduleMonitor: String? = null

    /** Gradient clipping before every step, e.g. [clipNorm] or [clipValue]; none by default. */
    var clipping: GradientClipping? = null

    /** Early stopping, also set by [earlyStopping]; none by default. */
    var earlyStopping: EarlyStopping? = null

    private val metrics = mutableListOf<Metric>()
    private val listeners = mutableListOf<TrainingListener>()

    /** Also reports [metric] on the training and validation data, e.g. `metric(Metric.topKAccuracy(3))`. */
    fun metric(metric: Metric) {
        metrics += metric
    }

    /** Also reports top-k accuracy as `top<k>_accuracy` (and `val_top<k>_accuracy`). */
    fun topKAccuracy(k: Int) = metric(Metric.topKAccuracy(k))

    /**
     * Stops when [monitor] has not improved by more than [minDelta] for [patience] epochs (Keras's
     * `EarlyStopping`): lower is better for names containing "loss", higher otherwise, unless [maximize] says.
     * With [restoreBestWeights] the model ends with its best epoch's weights.
     */
    fun earlyStopping(
        monitor: String = "val_loss",
        patience: Int = 0,
        minDelta: Double = 0.0,
        restoreBestWeights: Boolean = false,
        maximize: Boolean = !monitor.contains("loss"),
    ) {
        val base = EarlyStopping.monitor(monitor).patience(patience).minDelta(minDelta)
            .restoreBestWeights(restoreBestWeights)
        earlyStopping = if (maximize) base.maximize() else base.minimize()
    }

    /** Calls [action] after every epoch with its losses and metrics. */
    fun onEpoch(action: (EpochResult) -> Unit) {
        listeners += TrainingListener { action(it) }
    }

    /** Calls [action] after every optimizer step. */
    fun onBatch(action: (BatchResult) -> Unit) {
        listeners += object : TrainingListener {
            override fun onEpoch(result: EpochResult) {}
            override fun onBatch(result: BatchResult) = action(result)
        }
    }

    /** Calls [action] before the first epoch with the number of epochs, steps per epoch and samples per epoch. */
    fun onTrainBegin(action: (epochs: Int, stepsPerEpoch: Int, samplesPerEpoch: Int) -> Unit) {
        listeners += object : TrainingListener {
            override fun onEpoch(result: EpochResult) {}
            override fun onTrainBegin(epochs: Int, stepsPerEpoch: Int, samplesPerEpoch: Int) =
                action(epochs, stepsPerEpoch, samplesPerEpoch)
        }
    }

    /** Calls [action] after the last epoch, or when early stopping ends training. */
    fun onTrainEnd(action: (History) -> Unit) {
        listeners += object : TrainingListener {
            override fun onEpoch(result: EpochResult) {}
            override fun onTrainEnd(history: History) = action(history)
        }
    }

    /** Adds a Java [TrainingListener]. */
    fun listener(listener: TrainingListener) {
        listeners += listener
    }

    /**
     * Keras-like progress, one line per epoch, on [out]; [interactive] redraws the line in place (by default when
     * [out] is standard output on a terminal).
     */
    fun progress(out: PrintStream = System.out, interactive: Boolean = out === System.out && System.console() != null) {
        listeners += ConsoleProgress(out, interactive)
    }

    internal fun toTrainer(): Trainer {
        val builder = Trainer.builder()
            .optimizer(optimizer ?: adam())
            .epochs(epochs)
            .batchSize(batchSize)
            .seed(seed)
            .validationSplit(validationSplit)
        // The Java setters take a value (the runtime is null-marked); an unset setting keeps the builder's "none".
        clipping?.let { builder.clipping(it) }
        earlyStopping?.let { builder.earlyStopping(it) }
        val schedule = schedule
        if (schedule != null) {
            val monitor = scheduleMonitor
            if (monitor != null) builder.schedule(schedule, monitor) else builder.schedule(schedule)
        }
        metrics.forEach { builder.metric(it) }
        listeners.forEach { builder.listener(it) }
        return builder.build()
    }
}

/**
 * A Java [Trainer] with these settings, to run on several models or datasets:
 * `trainer { epochs = 5 }.fit(model, train, null)`. A trainer holds its optimizer, whose state carries over from
 * one `fit` to the next, as the Java one does.
 *
 * @throws IllegalArgumentException if a setting is out of range (naming it)
 */
fun trainer(configure: TrainingConfig.() -> Unit): Trainer = TrainingConfig().apply(configure).toTrainer()

/**
 * Trains this model on [train], reporting on [validation] after every epoch if given (or on a seeded
 * [TrainingConfig.validationSplit] of [train]), and returns one [EpochResult] per epoch run:
 *
 * ```
 * val history = model.fit(train, test) {
 *     optimizer = adam(lr = 1e-3)
 *     epochs = 5; batchSize = 64; seed = 42
 *     schedule = cosine(tMax = 5)
 *     onEpoch { println(it) }
 * }
 * ```
 *
 * @throws IllegalArgumentException if a setting is out of range or the data does not fit the model (naming which)
 * @throws io.nabla.runtime.train.TrainingDivergedException if the loss becomes NaN or infinite
 */
fun Model.fit(train: Dataset, validation: Dataset? = null, configure: TrainingConfig.() -> Unit = {}): History =
    trainer(configure).fit(this, train, validation)

/** The mean loss and accuracy of this model on [data], in inference mode, in batches of at most `maxBatch`. */
fun Model.evaluate(data: Dataset, batchSize: Int = maxBatch()): Evaluation = Trainer.evaluate(this, data, batchSize)

/** `loss`, `accuracy` and each of [metrics] of this model on [data], in inference mode. */
fun Model.evaluate(data: Dataset, metrics: List<Metric>, batchSize: Int = maxBatch()): Map<String, Double> =
    Trainer.evaluate(this, data, batchSize, metrics)

/** A metric of this epoch by name, `result["val_accuracy"]`; NaN if not measured. */
operator fun EpochResult.get(name: String): Double = metric(name)

/** One metric over the epochs run, `history["val_loss"]`; NaN where not measured. */
operator fun History.get(name: String): List<Double> = map { it.metric(name) }
