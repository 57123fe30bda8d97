package io.nabla.spark.sample;

import io.nabla.runtime.checkpoint.CheckpointIOException;
import io.nabla.runtime.data.DataException;
import io.nabla.runtime.optim.Adam;
import io.nabla.runtime.schedule.Schedules;
import io.nabla.runtime.train.ConsoleProgress;
import io.nabla.runtime.train.Dataset;
import io.nabla.runtime.train.EpochResult;
import io.nabla.runtime.train.Evaluation;
import io.nabla.runtime.train.History;
import io.nabla.runtime.train.TrainingDivergedException;
import io.nabla.spark.Example;
import io.nabla.spark.Examples;
import io.nabla.spark.SparkTrainer;
import java.io.File;
import java.io.PrintStream;
import java.util.Locale;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * The digits sample on Spark: {@link DigitsMlp} trained by {@link SparkTrainer} on the bundled UCI digits (or a
 * CSV file of the same layout on any file system Spark reads, {@code --data hdfs:///...}), tested on the 20 % held
 * out. Locally: {@code java @spark/target/local/java.args io.nabla.spark.sample.SparkDigits --master 'local[2]'};
 * on a cluster: {@code spark-submit --class io.nabla.spark.sample.SparkDigits spark/target/nabla-spark-sample.jar}.
 * Ends with one machine-readable line {@code result: {...}}; exit code 2 for a bad option or data, 1 if training
 * diverged.
 */
public final class SparkDigits {
  static final String USAGE = String.join("\n",
      "usage: SparkDigits [--master URL] [--mode gradient|averaging] [--epochs N] [--batch N] [--frequency K]",
      "                   [--lr RATE] [--partitions N] [--seed N] [--checkpoint FILE] [--resume FILE] [--data PATH]",
      "  --master      Spark master when not run by spark-submit (default: spark-submit's, else local[2])",
      "  --mode        gradient (default): gradients summed every step; averaging: parameters averaged",
      "  --epochs      training epochs (default 30)",
      "  --batch       global batch, over all partitions (default 64)",
      "  --frequency   averaging mode: local steps between averagings (default 4)",
      "  --lr          Adam's learning rate, annealed to 0 along a cosine (default 0.002)",
      "  --partitions  partitions of the data (default: Spark's default parallelism)",
      "  --seed        seed of the weights, the split and the shuffling (default 42)",
      "  --checkpoint  saves a checkpoint to FILE every 5 epochs and at the end, on the driver",
      "  --resume      continues the run saved in FILE, with the same options",
      "  --data        a CSV file of digits (64 pixels 0..16, then the label) instead of the bundled ones");

  private SparkDigits() {}

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  /** Runs the sample with {@code args}; returns the exit code. */
  static int run(String[] args, PrintStream out, PrintStream err) {
    Options options;
    try {
      options = Options.parse(args);
    } catch (IllegalArgumentException e) {
      err.println("error: " + e.getMessage());
      err.println(USAGE);
      return 2;
    }
    if (options.help) {
      out.println(USAGE);
      return 0;
    }
    SparkConf conf = new SparkConf().setAppName("nabla-spark-digits");
    if (options.master != null) {
      conf.setMaster(options.master);
    } else if (!conf.contains("spark.master")) {
      conf.setMaster("local[2]");
    }
    if (conf.get("spark.master").startsWith("local")) {
      // Local mode binds to the loopback address: no network, no host name to resolve, no web UI.
      conf.setIfMissing("spark.driver.host", "127.0.0.1");
      conf.setIfMissing("spark.driver.bindAddress", "127.0.0.1");
      conf.setIfMissing("spark.ui.enabled", "false");
    }
    try (JavaSparkContext spark = new JavaSparkContext(conf)) {
      return train(spark, options, out, err);
    }
  }

  private static int train(JavaSparkContext spark, Options o, PrintStream out, PrintStream err) {
    int partitions = o.partitions != null ? o.partitions : spark.defaultParallelism();
    JavaRDD<Example> train;
    JavaRDD<Example> test;
    String source;
    if (o.data == null) {
      Dataset[] split = DigitsData.split(o.seed);
      train = Examples.parallelize(spark, split[0], partitions);
      test = Examples.parallelize(spark, split[1], partitions);
      source = "classpath:" + DigitsData.RESOURCE;
    } else {
      JavaRDD<Example>[] split = spark.textFile(o.data, partitions).filter(line -> !line.trim().isEmpty())
          .map(DigitsData::parseLine)
          .randomSplit(new double[] {DigitsData.TRAIN_FRACTION, 1 - DigitsData.TRAIN_FRACTION}, o.seed);
      train = split[0];
      test = split[1];
      source = o.data;
    }
    DigitsMlpNet model = new DigitsMlpNet(o.batch);
    model.initialize(o.seed);
    long examples;
    try {
      examples = train.count();
    } catch (Exception e) {
      // A line that is not a digit fails the task that parses it: Spark reports it wrapped in a SparkException.
      err.println("error: " + source + ": " + rootMessage(e));
      return 2;
    }
    long stepsPerEpoch = (examples + o.batch - 1) / o.batch;
    double lr = o.lr;
    SparkTrainer.Builder builder = SparkTrainer.builder(DigitsMlpNet::new)
        .mode(o.mode)
        .optimizer(() -> Adam.of(lr))
        .schedule(Schedules.cosine(Math.max(1, o.epochs * stepsPerEpoch)).perStep())
        .epochs(o.epochs)
        .batchSize(o.batch)
        .averagingFrequency(o.frequency)
        .seed(o.seed)
        .listener(new ConsoleProgress(out, false));
    if (o.checkpoint != null) {
      builder.checkpoint(new File(o.checkpoint), 5);
    }
    if (o.resume != null) {
      builder.resumeFrom(new File(o.resume));
    }
    SparkTrainer trainer = builder.build();
    out.println(String.format(Locale.ROOT, "spark-digits: %s on %s, %d partitions, %s mode%s, global batch %d,"
            + " %d epochs, Adam lr %s annealed to 0, seed %d", model.name(), spark.master(), partitions,
        o.mode.name().toLowerCase(Locale.ROOT), o.mode == SparkTrainer.Mode.AVERAGING ? " every " + o.frequency
            + " local steps" : "", o.batch, o.epochs, o.lr, o.seed));
    out.println("data: " + source + ", " + examples + " examples for training");
    History history;
    Evaluation evaluation;
    try {
      history = trainer.fit(model, train);
      evaluation = trainer.evaluate(model, test);
    } catch (TrainingDivergedException e) {
      err.println("error: training diverged: " + e.getMessage());
      return 1;
    } catch (IllegalArgumentException | DataException | CheckpointIOException e) {
      err.println("error: " + e.getMessage());
      return 2;
    }
    double seconds = 0;
    long measuredSamples = 0;
    double measuredSeconds = 0;
    for (int i = 0; i < history.size(); i++) {
      EpochResult epoch = history.get(i);
      seconds += epoch.seconds();
      // Throughput over epochs 2..E: the first warms up the JIT, as the samples module measures.
      if (i > 0 || history.size() == 1) {
        measuredSamples += epoch.samples();
        measuredSeconds += epoch.seconds();
      }
    }
    out.println(String.format(Locale.ROOT, "test accuracy %.4f, loss %.4f", evaluation.accuracy(),
        evaluation.loss()));
    out.println(String.format(Locale.ROOT,
        "result: {\"sample\":\"spark-digits\",\"master\":\"%s\",\"partitions\":%d,\"mode\":\"%s\",\"epochs\":%d,"
            + "\"batch\":%d,\"test_accuracy\":%.4f,\"train_seconds\":%.2f,\"samples_per_second\":%.1f}",
        spark.master(), partitions, o.mode.name().toLowerCase(Locale.ROOT), o.epochs, o.batch,
        evaluation.accuracy(), seconds, measuredSamples / measuredSeconds));
    return 0;
  }

  private static String rootMessage(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null) {
      root = root.getCause();
    }
    return root.getMessage();
  }

  /** The command line. */
  static final class Options {
    String master;
    SparkTrainer.Mode mode = SparkTrainer.Mode.GRADIENT;
    int epochs = 30;
    int batch = 64;
    int frequency = 4;
    double lr = 2e-3;
    Integer partitions;
    long seed = 42;
    String checkpoint;
    String resume;
    String data;
    boolean help;

    static Options parse(String[] args) {
      Options o = new Options();
      for (int i = 0; i < args.length; i++) {
        String name = args[i];
        if (name.equals("-h") || name.equals("--help")) {
          o.help = true;
          continue;
        }
        if (i + 1 >= args.length) {
          throw new IllegalArgumentException(name.startsWith("--") ? name + " needs a value"
              : "unexpected argument '" + name + "'");
        }
        String value = args[++i];
        switch (name) {
          case "--master":
            o.master = value;
            break;
          case "--mode":
            if (value.equals("gradient")) {
              o.mode = SparkTrainer.Mode.GRADIENT;
            } else if (value.equals("averaging")) {
              o.mode = SparkTrainer.Mode.AVERAGING;
            } else {
              throw new IllegalArgumentException("--mode must be gradient or averaging, got '" + value + "'");
            }
            break;
          case "--epochs":
            o.epochs = positive(name, value);
            break;
          case "--batch":
            o.batch = positive(name, value);
            break;
          case "--frequency":
            o.frequency = positive(name, value);
            break;
          case "--partitions":
            o.partitions = positive(name, value);
            break;
          case "--lr":
            try {
              o.lr = Double.parseDouble(value);
            } catch (NumberFormatException e) {
              o.lr = Double.NaN;
            }
            if (!(o.lr > 0) || Double.isInfinite(o.lr)) {
              throw new IllegalArgumentException("--lr must be a positive number, got '" + value + "'");
            }
            break;
          case "--seed":
            try {
              o.seed = Long.parseLong(value);
            } catch (NumberFormatException e) {
              throw new IllegalArgumentException("--seed must be an integer, got '" + value + "'");
            }
            break;
          case "--checkpoint":
            o.checkpoint = value;
            break;
          case "--resume":
            o.resume = value;
            break;
          case "--data":
            o.data = value;
            break;
          default:
            throw new IllegalArgumentException("unknown option '" + name + "'");
        }
      }
      return o;
    }

    private static int positive(String name, String value) {
      int n;
      try {
        n = Integer.parseInt(value);
      } catch (NumberFormatException e) {
        n = 0;
      }
      if (n < 1) {
        throw new IllegalArgumentException(name + " must be a positive integer, got '" + value + "'");
      }
      return n;
    }
  }
}
