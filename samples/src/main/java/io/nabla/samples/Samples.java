package io.nabla.samples;

import io.nabla.runtime.Model;
import io.nabla.runtime.checkpoint.CheckpointIOException;
import io.nabla.runtime.data.DataException;
import io.nabla.runtime.kernel.Kernels;
import io.nabla.runtime.optim.GradientClipping;
import io.nabla.runtime.optim.Optimizer;
import io.nabla.runtime.schedule.LearningRateSchedule;
import io.nabla.runtime.train.ConsoleProgress;
import io.nabla.runtime.train.EpochResult;
import io.nabla.runtime.train.History;
import io.nabla.runtime.train.Trainer;
import io.nabla.runtime.train.TrainingDivergedException;
import io.nabla.runtime.train.TrainingListener;
import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * The samples' command line: {@code java -jar nabla-samples.jar [SAMPLE] [OPTIONS]}. Prints the run's settings,
 * the model summary and one line per epoch, then the test accuracy, and ends with one machine-readable line
 * {@code result: {...}}. Exit codes: 0 success, 1 training diverged, 2 a bad argument or a missing or corrupt
 * data file (one line on stderr, no stack trace).
 */
@Command(
    name = "nabla-samples",
    sortOptions = false,
    usageHelpAutoWidth = true,
    customSynopsis = "java -jar nabla-samples.jar [SAMPLE] [OPTIONS]",
    description = {
        "Trains a network declared with Nabla's annotations, prints its progress and",
        "test accuracy, and ends with a machine-readable line 'result: {...}'.",
        "",
        "Samples:",
        "  " + DigitsSample.NAME + "       (default) DigitsMlp 64-128-10 on the 1797 UCI 8x8",
        "               handwritten digits bundled in the jar; tested on 20%% of",
        "               them, held out by the seed",
        "  " + FashionSample.NAME + "  FashionMlp 784-256-128-10 on Fashion-MNIST; tested on",
        "               its official 10,000 test images",
        "  " + DigitsCnnSample.NAME + "   DigitsCnn, 2x[conv 3x3 + batch norm + ReLU + max pool] +",
        "               dense, on the bundled digits, split as digits",
        "  " + FashionCnnSample.NAME + "  FashionCnn, 2x[conv 3x3 + batch norm + ReLU + max pool] +",
        "               dense 128 with dropout, on Fashion-MNIST; --arch small: the",
        "               CNN of the PyTorch comparison (conv 16, conv 32, dense 10)",
        "  " + FashionResNetSample.NAME + "  FashionResNet, two residual blocks (@Add) and global",
        "               average pooling, on Fashion-MNIST",
        "  " + FashionGruSample.NAME + "  FashionGru, Fashion-MNIST read row by row: a GRU of 128",
        "               units over 28 steps of 28 pixels, then dense 10; --arch lstm:",
        "               the same with an LSTM",
        "  " + CharLmSample.NAME + "       CharTransformer, a small GPT (2 blocks of causal",
        "               attention and a GELU MLP) that predicts each next character of",
        "               The Devil's Dictionary (bundled); reports the validation loss",
        "               in nats/char on its last 10%%, then writes text; --arch lstm:",
        "               an LSTM of 256 units",
        ""},
    parameterListHeading = "Parameters:%n",
    optionListHeading = "%nOptions (every sample):%n",
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
        "0:success",
        "1:training diverged",
        "2:an unknown sample or option, an invalid value, or a missing or corrupt data file",
        "3:an unexpected error (a bug: please report it)"})
public final class Samples implements Callable<Integer> {
  static final long DEFAULT_SEED = 42;
  static final int MAX_BATCH = 8192;
  static final int MAX_SAMPLE_LENGTH = 100000;
  static final String FASHION_INSTALL_HINT =
      "install it with `apt-get install dataset-fashion-mnist` or pass --data DIR";

  private static final Map<String, Sample> SAMPLES = new LinkedHashMap<String, Sample>();

  static {
    SAMPLES.put(DigitsSample.NAME, new DigitsSample());
    SAMPLES.put(FashionSample.NAME, new FashionSample());
    SAMPLES.put(DigitsCnnSample.NAME, new DigitsCnnSample());
    SAMPLES.put(FashionCnnSample.NAME, new FashionCnnSample());
    SAMPLES.put(FashionResNetSample.NAME, new FashionResNetSample());
    SAMPLES.put(FashionGruSample.NAME, new FashionGruSample());
    SAMPLES.put(CharLmSample.NAME, new CharLmSample());
  }

  @Spec
  CommandSpec spec;

  @Parameters(index = "0", arity = "0..1", paramLabel = "SAMPLE",
      description = "The sample to run: " + DigitsSample.NAME + " (default), " + FashionSample.NAME + ", "
          + DigitsCnnSample.NAME + ", " + FashionCnnSample.NAME + ", " + FashionResNetSample.NAME + ", "
          + FashionGruSample.NAME + " or " + CharLmSample.NAME + ".")
  String sampleName = DigitsSample.NAME;

  @Option(names = "--epochs", paramLabel = "N",
      description = "Training epochs, at least 1 (default: " + DigitsSample.NAME + " " + DigitsSample.EPOCHS + ", "
          + FashionSample.NAME + " " + FashionSample.EPOCHS + ", " + DigitsCnnSample.NAME + " "
          + DigitsCnnSample.EPOCHS + ", " + FashionCnnSample.NAME + " and " + FashionResNetSample.NAME + " "
          + FashionCnnSample.EPOCHS + ", " + FashionGruSample.NAME + " " + FashionGruSample.EPOCHS + ", "
          + CharLmSample.NAME + " " + CharLmSample.EPOCHS + ").")
  Integer epochs;

  @Option(names = "--batch", paramLabel = "N",
      description = "Minibatch size, 1.." + MAX_BATCH + " (default: the digits samples " + DigitsSample.BATCH
          + ", the Fashion-MNIST samples " + FashionSample.BATCH + ", " + CharLmSample.NAME + " "
          + CharLmSample.BATCH + " windows of " + CharCorpus.CONTEXT + " characters).")
  Integer batch;

  @Option(names = "--arch", paramLabel = "NAME",
      description = "The network of the sample, where it has several (" + FashionCnnSample.NAME + ": default or "
          + FashionCnnSample.SMALL + "; " + FashionGruSample.NAME + ": default or " + FashionGruSample.LSTM + "; "
          + CharLmSample.NAME + ": default (transformer) or " + CharLmSample.LSTM + ").")
  String architecture = Sample.DEFAULT_ARCHITECTURE;

  @Option(names = "--lr", paramLabel = "RATE",
      description = "The initial (peak, for onecycle) learning rate, positive (default: adam, adamw, rmsprop"
          + " 0.001; sgd, momentum, nesterov 0.05; adagrad 0.01; " + CharLmSample.NAME + " with adam or adamw "
          + CharLmSample.LEARNING_RATE + ").")
  Double learningRate;

  @Option(names = "--optimizer", paramLabel = "NAME",
      description = "sgd, momentum (SGD, momentum 0.9), nesterov, adam (default), adamw, rmsprop or adagrad,"
          + " with PyTorch's update rules and defaults.")
  String optimizerName = "adam";

  @Option(names = "--schedule", paramLabel = "NAME",
      description = "The learning-rate schedule: cosine (default: annealed to 0 over the run, per step),"
          + " constant, step (x0.1 every third of the run), exponential (x0.9 per epoch), warmup-cosine,"
          + " onecycle, plateau (halved when val_loss stalls); " + CharLmSample.NAME + ": "
          + CharLmSample.SCHEDULE + " by default.")
  String scheduleName;

  @Option(names = "--weight-decay", paramLabel = "W",
      description = "Weight decay, >= 0: L2 for sgd/adam/rmsprop/adagrad, decoupled for adamw (default: adamw"
          + " 0.01, others 0).")
  Double weightDecay;

  @Option(names = "--clip-norm", paramLabel = "MAX",
      description = "Clips the gradients' global L2 norm to MAX before every step (PyTorch's clip_grad_norm_;"
          + " default: none, " + CharLmSample.NAME + " " + CharLmSample.CLIP_NORM + ").")
  Double clipNorm;

  @Option(names = "--checkpoint", paramLabel = "FILE",
      description = "Saves a checkpoint to FILE after every epoch (atomically: a crash leaves the previous one).")
  File checkpoint;

  @Option(names = "--resume", paramLabel = "FILE",
      description = "Continues the run saved in FILE by --checkpoint, with the same options and data.")
  File resume;

  @Option(names = "--threads", paramLabel = "N",
      description = "Threads for the matrix products, 1..256 (default: the available cores). Results are the"
          + " same bits for any N.")
  Integer threads;

  @Option(names = "--report", paramLabel = "DIR",
      description = "Writes the training history to DIR/history.csv and its curves to DIR/history.svg.")
  File report;

  @Option(names = "--seed", paramLabel = "N",
      description = "Seed of the initial weights, the shuffling, the " + DigitsSample.NAME + " split and the text "
          + CharLmSample.NAME + " writes (default: " + DEFAULT_SEED + ").")
  Long seed;

  @Option(names = "--data", paramLabel = "PATH",
      description = {
          "the digits samples: a CSV file to use instead of the bundled digits, one image per line: "
              + "64 pixel values from 0 to 16, then the label.",
          "the Fashion-MNIST samples: the directory of the four Fashion-MNIST IDX files, gzipped or not"
              + " (default: " + FashionSample.DEFAULT_DIR + ").",
          CharLmSample.NAME + ": not taken; it reads the bundled text."})
  File data;

  @Option(names = "--prompt", paramLabel = "TEXT",
      description = CharLmSample.NAME + ": the text that the generated text continues (default: '"
          + CharLmSample.PROMPT + "').")
  String prompt;

  @Option(names = "--sample-length", paramLabel = "N",
      description = CharLmSample.NAME + ": how many characters to generate after training, 0.." + MAX_SAMPLE_LENGTH
          + " (default: " + CharLmSample.SAMPLE_LENGTH + ").")
  Integer sampleLength;

  @Option(names = "--temperature", paramLabel = "T",
      description = CharLmSample.NAME + ": the sampling temperature, >= 0; 0 always takes the most likely"
          + " character (default: " + CharLmSample.TEMPERATURE + ").")
  Double temperature;

  @Option(names = {"-h", "--help"}, usageHelp = true, description = "Shows this help and exits.")
  boolean help;

  private static PrintWriter STANDARD_OUT;

  public static void main(String[] args) {
    PrintWriter out = new PrintWriter(System.out, true);
    STANDARD_OUT = out;
    PrintWriter err = new PrintWriter(System.err, true);
    int code = run(args, out, err);
    out.flush();
    err.flush();
    System.exit(code);
  }

  /** Runs the command line {@code args}, printing to {@code out} and {@code err}; returns the exit code. */
  static int run(String[] args, PrintWriter out, PrintWriter err) {
    CommandLine cmd = new CommandLine(new Samples());
    cmd.setOut(out);
    cmd.setErr(err);
    cmd.setParameterExceptionHandler(new CommandLine.IParameterExceptionHandler() {
      @Override
      public int handleParseException(ParameterException ex, String[] arguments) {
        PrintWriter e = ex.getCommandLine().getErr();
        e.println("error: " + oneLine(ex.getMessage()) + " (see --help)");
        e.flush();
        return CommandLine.ExitCode.USAGE;
      }
    });
    cmd.setExecutionExceptionHandler(new CommandLine.IExecutionExceptionHandler() {
      @Override
      public int handleExecutionException(Exception ex, CommandLine commandLine,
          CommandLine.ParseResult parseResult) {
        // Anything unexpected: one line and exit code 3, never the exit code of a diverged training (1).
        PrintWriter e = commandLine.getErr();
        e.println("error: unexpected " + ex.getClass().getSimpleName() + ": " + oneLine(ex.getMessage())
            + " (please report)");
        e.flush();
        return 3;
      }
    });
    int code = cmd.execute(args);
    out.flush();
    err.flush();
    return code;
  }

  /** The sample names, in the order of the help. */
  static List<String> sampleNames() {
    return new ArrayList<String>(SAMPLES.keySet());
  }

  @Override
  public Integer call() {
    CommandLine cmd = spec.commandLine();
    final PrintWriter out = cmd.getOut();
    PrintWriter err = cmd.getErr();

    Sample sample = SAMPLES.get(sampleName);
    if (sample == null) {
      throw new ParameterException(cmd, "unknown sample '" + sampleName + "'; the samples are "
          + join(sampleNames()));
    }
    if (!sample.architectures().contains(architecture)) {
      throw new ParameterException(cmd, "--arch: " + sample.name() + " has no architecture '" + architecture
          + "'; choose one of " + join(sample.architectures()));
    }
    int e = epochs != null ? epochs : sample.defaultEpochs();
    int b = batch != null ? batch : sample.defaultBatch();
    String optimizerKey = TrainingOptions.lower(optimizerName);
    String scheduleKey = TrainingOptions.lower(scheduleName != null ? scheduleName : sample.defaultSchedule());
    if (!TrainingOptions.OPTIMIZERS.contains(optimizerKey)) {
      throw new ParameterException(cmd, "--optimizer: unknown optimizer '" + optimizerName + "'; choose one of "
          + join(TrainingOptions.OPTIMIZERS));
    }
    if (!TrainingOptions.SCHEDULES.contains(scheduleKey)) {
      throw new ParameterException(cmd, "--schedule: unknown schedule '" + scheduleName + "'; choose one of "
          + join(TrainingOptions.SCHEDULES));
    }
    double lr = learningRate != null ? learningRate : sample.defaultLearningRate(optimizerKey);
    long s = seed != null ? seed : DEFAULT_SEED;
    if (e < 1) {
      throw new ParameterException(cmd, "--epochs must be at least 1, got " + e);
    }
    if (b < 1 || b > MAX_BATCH) {
      throw new ParameterException(cmd, "--batch must be in 1.." + MAX_BATCH + ", got " + b);
    }
    if (!(lr > 0) || Double.isInfinite(lr)) {
      throw new ParameterException(cmd, "--lr must be a positive number, got " + lr);
    }
    if (weightDecay != null && (!(weightDecay >= 0) || Double.isInfinite(weightDecay))) {
      throw new ParameterException(cmd, "--weight-decay must be zero or positive, got " + weightDecay);
    }
    if (clipNorm != null && (!(clipNorm > 0) || Double.isInfinite(clipNorm))) {
      throw new ParameterException(cmd, "--clip-norm must be a positive number, got " + clipNorm);
    }
    Double clipTo = clipNorm != null ? clipNorm : sample.defaultClipNorm() > 0 ? sample.defaultClipNorm() : null;
    if (!sample.isLanguageModel()) {
      String textOption = prompt != null ? "--prompt" : sampleLength != null ? "--sample-length"
          : temperature != null ? "--temperature" : null;
      if (textOption != null) {
        throw new ParameterException(cmd, textOption + ": " + sample.name() + " generates no text; only "
            + CharLmSample.NAME + " does");
      }
    }
    String p = prompt != null ? prompt : CharLmSample.PROMPT;
    int length = sampleLength != null ? sampleLength : CharLmSample.SAMPLE_LENGTH;
    double temp = temperature != null ? temperature : CharLmSample.TEMPERATURE;
    if (length < 0 || length > MAX_SAMPLE_LENGTH) {
      throw new ParameterException(cmd, "--sample-length must be in 0.." + MAX_SAMPLE_LENGTH + ", got " + length);
    }
    if (!(temp >= 0) || Double.isInfinite(temp)) {
      throw new ParameterException(cmd, "--temperature must be zero or positive, got " + temp);
    }
    if (p.isEmpty()) {
      throw new ParameterException(cmd, "--prompt must not be empty");
    }
    int t = threads != null ? threads : Math.min(256, Runtime.getRuntime().availableProcessors());
    if (t < 1 || t > 256) {
      throw new ParameterException(cmd, "--threads must be in 1..256, got " + t);
    }
    Optimizer optimizer;
    GradientClipping clipping;
    // A value the optimizer refuses (e.g. one that does not fit a float) is one line naming the option.
    try {
      optimizer = TrainingOptions.optimizer(optimizerKey, lr, weightDecay);
    } catch (IllegalArgumentException ex) {
      String option = ex.getMessage().contains("weight decay") ? "--weight-decay" : "--lr";
      throw new ParameterException(cmd, option + ": " + oneLine(ex.getMessage()));
    }
    try {
      clipping = clipTo == null ? null : GradientClipping.byNorm(clipTo);
    } catch (IllegalArgumentException ex) {
      throw new ParameterException(cmd, "--clip-norm: " + oneLine(ex.getMessage()));
    }
    if (resume != null && !resume.isFile()) {
      err.println("error: --resume " + resume + ": no such file; pass a file written by --checkpoint");
      err.flush();
      return 2;
    }

    SampleData d;
    try {
      d = sample.load(data, s);
    } catch (DataException ex) {
      err.println("error: " + explain(sample, ex));
      err.flush();
      return 2;
    }
    if (sample.isLanguageModel()) {
      for (int i = 0; i < p.length(); i++) {
        if (d.corpus.id(p.charAt(i)) < 0) {
          throw new ParameterException(cmd, "--prompt: character " + (i + 1) + " '" + p.charAt(i)
              + "' is not one of the " + d.corpus.vocabularySize() + " characters of " + d.corpus.source()
              + ": newline, space and " + d.corpus.vocabulary().trim());
        }
      }
    }

    Model model = sample.newModel(architecture, b, Kernels.best(t));
    model.initialize(s);
    out.println(String.format(Locale.ROOT,
        "sample %s: %s, %s lr %s %s%s, batch %d, %d epoch%s, seed %d, %d thread%s", sample.name(),
        model.name(), optimizerKey, lr, TrainingOptions.describeSchedule(scheduleKey),
        clipTo == null ? "" : ", gradient norm clipped to " + clipTo, b, e, e == 1 ? "" : "s", s, t,
        t == 1 ? "" : "s"));
    out.println("data: " + d.description);
    out.println();
    out.print(model.summary());
    if (!model.summary().endsWith("\n")) {
      out.println();
    }
    out.println();
    out.flush();

    Trainer.Builder builder = Trainer.builder()
        .optimizer(optimizer)
        .epochs(e)
        .batchSize(b)
        .seed(s)
        .listener(new ConsoleProgress(out, interactive(out)));
    if (sample.isLanguageModel()) {
      builder.listener(new TrainingListener() {
        @Override
        public void onEpoch(EpochResult result) {
          out.println(String.format(Locale.ROOT, "  validation %.4f nats/char, %.4f bits/char",
              result.validationLoss(), CharLmSample.bits(result.validationLoss())));
          out.flush();
        }
      });
    }
    LearningRateSchedule schedule =
        TrainingOptions.schedule(scheduleKey, e, stepsPerEpoch(d.train.size(), b), lr);
    if (schedule != null) {
      // The test set is what the result line reports, so a plateau schedule watches the training loss.
      builder.schedule(schedule, "loss");
    }
    if (clipping != null) {
      builder.clipping(clipping);
    }
    if (checkpoint != null) {
      builder.checkpoint(checkpoint, 1);
    }
    if (resume != null) {
      builder.resumeFrom(resume);
    }
    Trainer trainer = builder.build();
    History history;
    try {
      history = trainer.fit(model, d.train, d.test);
    } catch (TrainingDivergedException ex) {
      err.println("error: training diverged: " + oneLine(ex.getMessage()));
      err.flush();
      return 1;
    } catch (CheckpointIOException | IllegalArgumentException ex) {
      // A checkpoint that cannot be read or written, or that belongs to another model or data set.
      err.println("error: " + oneLine(ex.getMessage()));
      err.flush();
      return 2;
    }

    double accuracy = history.get(history.size() - 1).validationAccuracy();
    double validationLoss = history.get(history.size() - 1).validationLoss();
    int first = Report.firstMeasuredEpoch(history);
    String epochsMeasured =
        first + 1 == history.size() ? " " + history.size() : "s " + (first + 1) + ".." + history.size();
    out.println();
    if (sample.isLanguageModel()) {
      out.println(String.format(Locale.ROOT,
          "validation loss %.4f nats/char (%.4f bits/char, next-character accuracy %.4f) on %d windows of %d;"
              + " training loop %.2f s, %.1f samples/s (%.0f characters/s) over epoch%s",
          validationLoss, CharLmSample.bits(validationLoss), accuracy, d.test.size(), d.test.featureSize(),
          Report.trainSeconds(history), Report.samplesPerSecond(history),
          Report.samplesPerSecond(history) * d.train.featureSize(), epochsMeasured));
    } else {
      out.println(String.format(Locale.ROOT,
          "test accuracy %.4f on %d samples; training loop %.2f s, %.1f samples/s over epoch%s",
          accuracy, d.test.size(), Report.trainSeconds(history), Report.samplesPerSecond(history), epochsMeasured));
    }
    if (report != null) {
      try {
        history.writeCsv(new File(report, "history.csv"));
        history.writeSvg(new File(report, "history.svg"));
        out.println("report: " + new File(report, "history.csv") + ", " + new File(report, "history.svg"));
      } catch (IOException ex) {
        err.println("error: --report " + report + ": cannot write the history: " + oneLine(ex.getMessage()));
        err.flush();
        return 2;
      }
    }
    if (sample.isLanguageModel()) {
      if (length > 0) {
        out.println();
        sample.generate(model, d, p, length, temp, s, out);
      }
      out.println(Report.resultLine(sample.name(), e, b, "validation_loss", validationLoss, history));
    } else {
      out.println(Report.resultLine(sample.name(), e, b, accuracy, history));
    }
    out.flush();
    return 0;
  }

  /** Whether progress may redraw a line: only when writing to standard output on a terminal. */
  private static boolean interactive(PrintWriter out) {
    return System.console() != null && out == STANDARD_OUT;
  }

  /** Minibatches per epoch: the last one may be smaller. */
  static long stepsPerEpoch(int samples, int batch) {
    return (samples + (long) batch - 1) / batch;
  }

  /** One line for a data problem: the message, and for a missing Fashion-MNIST file how to get it. */
  static String explain(Sample sample, DataException ex) {
    String message = oneLine(ex.getMessage());
    if (!ex.isMissingFile()) {
      return message;
    }
    if (sample instanceof FashionSample) {
      return message + "; " + FASHION_INSTALL_HINT;
    }
    return message + "; pass --data with an existing CSV file, or leave it out to use the bundled digits";
  }

  private static String oneLine(String message) {
    return message == null ? "" : message.replace("\r\n", " ").replace('\n', ' ').replace('\r', ' ');
  }

  private static String join(List<String> names) {
    StringBuilder sb = new StringBuilder();
    for (String name : names) {
      sb.append(sb.length() == 0 ? "" : ", ").append(name);
    }
    return sb.toString();
  }
}
