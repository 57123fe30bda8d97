package io.nabla.samples;

import io.nabla.runtime.Model;
import io.nabla.runtime.data.DataException;
import io.nabla.runtime.optim.Adam;
import io.nabla.runtime.train.EpochResult;
import io.nabla.runtime.train.Trainer;
import io.nabla.runtime.train.TrainingDivergedException;
import io.nabla.runtime.train.TrainingListener;
import java.io.File;
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
        ""},
    parameterListHeading = "Parameters:%n",
    optionListHeading = "%nOptions (every sample):%n",
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
        "0:success",
        "1:training diverged",
        "2:an unknown sample or option, an invalid value, or a missing or corrupt data file"})
public final class Samples implements Callable<Integer> {
  static final long DEFAULT_SEED = 42;
  static final int MAX_BATCH = 8192;
  static final String FASHION_INSTALL_HINT =
      "install it with `apt-get install dataset-fashion-mnist` or pass --data DIR";

  private static final Map<String, Sample> SAMPLES = new LinkedHashMap<String, Sample>();

  static {
    SAMPLES.put(DigitsSample.NAME, new DigitsSample());
    SAMPLES.put(FashionSample.NAME, new FashionSample());
  }

  @Spec
  CommandSpec spec;

  @Parameters(index = "0", arity = "0..1", paramLabel = "SAMPLE",
      description = "The sample to run: " + DigitsSample.NAME + " (default) or " + FashionSample.NAME + ".")
  String sampleName = DigitsSample.NAME;

  @Option(names = "--epochs", paramLabel = "N",
      description = "Training epochs, at least 1 (default: " + DigitsSample.NAME + " " + DigitsSample.EPOCHS + ", "
          + FashionSample.NAME + " " + FashionSample.EPOCHS + ").")
  Integer epochs;

  @Option(names = "--batch", paramLabel = "N",
      description = "Minibatch size, 1.." + MAX_BATCH + " (default: " + DigitsSample.NAME + " " + DigitsSample.BATCH
          + ", " + FashionSample.NAME + " " + FashionSample.BATCH + ").")
  Integer batch;

  @Option(names = "--lr", paramLabel = "RATE",
      description = "Adam's initial learning rate, positive, annealed to 0 along a cosine over the run"
          + " (default: " + DigitsSample.LEARNING_RATE + ").")
  Double learningRate;

  @Option(names = "--seed", paramLabel = "N",
      description = "Seed of the initial weights, the shuffling and the " + DigitsSample.NAME + " split (default: "
          + DEFAULT_SEED + ").")
  Long seed;

  @Option(names = "--data", paramLabel = "PATH",
      description = {
          DigitsSample.NAME + ": a CSV file to use instead of the bundled digits, one image per line: "
              + "64 pixel values from 0 to 16, then the label.",
          FashionSample.NAME + ": the directory of the four Fashion-MNIST IDX files, gzipped or not (default: "
              + FashionSample.DEFAULT_DIR + ")."})
  File data;

  @Option(names = {"-h", "--help"}, usageHelp = true, description = "Shows this help and exits.")
  boolean help;

  public static void main(String[] args) {
    PrintWriter out = new PrintWriter(System.out, true);
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
    int e = epochs != null ? epochs : sample.defaultEpochs();
    int b = batch != null ? batch : sample.defaultBatch();
    double lr = learningRate != null ? learningRate : sample.defaultLearningRate();
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

    SampleData d;
    try {
      d = sample.load(data, s);
    } catch (DataException ex) {
      err.println("error: " + explain(sample, ex));
      err.flush();
      return 2;
    }

    Model model = sample.newModel(b);
    model.initialize(s);
    out.println(String.format(Locale.ROOT,
        "sample %s: %s, Adam lr %s cosine-annealed to 0, batch %d, %d epoch%s, seed %d", sample.name(),
        model.name(), lr, b, e, e == 1 ? "" : "s", s));
    out.println("data: " + d.description);
    out.println();
    out.print(model.summary());
    if (!model.summary().endsWith("\n")) {
      out.println();
    }
    out.println();
    out.flush();

    Trainer trainer = Trainer.builder()
        .optimizer(new CosineDecay(Adam.of(lr), (long) e * stepsPerEpoch(d.train.size(), b)))
        .epochs(e)
        .batchSize(b)
        .seed(s)
        .listener(new TrainingListener() {
          @Override
          public void onEpoch(EpochResult result) {
            out.println(result);
            out.flush();
          }
        })
        .build();
    List<EpochResult> history;
    try {
      history = trainer.fit(model, d.train, d.test);
    } catch (TrainingDivergedException ex) {
      err.println("error: training diverged: " + oneLine(ex.getMessage()));
      err.flush();
      return 1;
    }

    double accuracy = history.get(history.size() - 1).validationAccuracy();
    int first = Report.firstMeasuredEpoch(history);
    out.println();
    out.println(String.format(Locale.ROOT,
        "test accuracy %.4f on %d samples; training loop %.2f s, %.1f samples/s over epoch%s",
        accuracy, d.test.size(), Report.trainSeconds(history), Report.samplesPerSecond(history),
        first + 1 == history.size() ? " " + history.size() : "s " + (first + 1) + ".." + history.size()));
    out.println(Report.resultLine(sample.name(), e, b, accuracy, history));
    out.flush();
    return 0;
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
