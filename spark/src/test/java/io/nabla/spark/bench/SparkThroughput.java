package io.nabla.spark.bench;

import io.nabla.runtime.Model;
import io.nabla.runtime.kernel.Kernels;
import io.nabla.runtime.optim.Adam;
import io.nabla.runtime.train.Dataset;
import io.nabla.runtime.train.History;
import io.nabla.runtime.train.Trainer;
import io.nabla.spark.Example;
import io.nabla.spark.Examples;
import io.nabla.spark.ModelFactory;
import io.nabla.spark.SparkTrainer;
import io.nabla.spark.sample.DigitsData;
import io.nabla.spark.sample.DigitsMlpNet;
import java.util.Locale;
import java.util.Random;
import java.util.function.BiFunction;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * The figures of the README's Spark section: training samples/s of gradient mode (and averaging mode) in
 * {@code local[1]} and {@code local[2]} against the single-machine {@link Trainer} on 1 and 2 threads, at several
 * global batch sizes, on the digits network and on the 784-256-128-10 MLP; and Spark's time per step beyond the
 * computation. Run after {@code mvn -B -DskipTests package}:
 *
 * <pre>java @spark/target/local/java.args io.nabla.spark.bench.SparkThroughput [digits|wide|overhead|all]</pre>
 *
 * Throughput is over epochs 2..E (the first warms up the JIT and Spark), data in memory (cached on the executors).
 */
public final class SparkThroughput {
  private SparkThroughput() {}

  public static void main(String[] args) {
    String what = args.length > 0 ? args[0] : "all";
    if (what.equals("digits") || what.equals("all")) {
      Dataset digits = DigitsData.split(42)[0];
      table("DigitsMlp 64-128-10, UCI digits (" + digits.size() + " examples)", digits, DigitsMlpNet::new,
          DigitsMlpNet::new, new int[] {32, 128, 512, 1438}, 5);
    }
    if (what.equals("wide") || what.equals("all")) {
      Dataset wide = synthetic(8192, 784, 10, 1);
      table("WideMlp 784-256-128-10, synthetic (" + wide.size() + " examples)", wide, WideMlpNet::new,
          WideMlpNet::new, new int[] {64, 256, 1024, 4096}, 3);
    }
    if (what.equals("overhead") || what.equals("all")) {
      overhead();
    }
  }

  /** Gaussian features, uniform labels: speed does not depend on the values. */
  static Dataset synthetic(int count, int features, int classes, long seed) {
    Random random = new Random(seed);
    float[] x = new float[count * features];
    int[] y = new int[count];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) random.nextGaussian();
    }
    for (int i = 0; i < count; i++) {
      y[i] = random.nextInt(classes);
    }
    return Dataset.ofLabels(x, features, y);
  }

  private static final int REPEATS = 3;

  private static void table(String title, Dataset data, ModelFactory factory,
      BiFunction<Integer, Kernels, Model> withKernels, int[] batches, int epochs) {
    System.out.println();
    System.out.println(title + ", Adam, samples/s over epochs 2.." + epochs + ", median of " + REPEATS + " runs");
    System.out.println(String.format(Locale.ROOT, "%8s %12s %12s %14s %14s %16s %14s", "batch", "Trainer 1t",
        "Trainer 2t", "grad local[1]", "grad local[2]", "avg local[2] K8", "step local[2]"));
    double[][] single = new double[batches.length][2];
    for (int b = 0; b < batches.length; b++) {
      for (int threads = 1; threads <= 2; threads++) {
        double[] runs = new double[REPEATS];
        for (int r = 0; r < REPEATS; r++) {
          Model model = withKernels.apply(batches[b], Kernels.portable(threads));
          model.initialize(1);
          runs[r] = samplesPerSecond(Trainer.builder().optimizer(Adam.of(1e-3)).epochs(epochs).batchSize(batches[b])
              .seed(1).build().fit(model, data, null));
        }
        single[b][threads - 1] = median(runs);
      }
    }
    double[][] spark = new double[batches.length][3];
    for (int cores = 1; cores <= 2; cores++) {
      try (JavaSparkContext context = local(cores)) {
        JavaRDD<Example> rdd = Examples.parallelize(context, data, cores);
        for (int b = 0; b < batches.length; b++) {
          for (SparkTrainer.Mode mode : SparkTrainer.Mode.values()) {
            if (cores == 1 && mode == SparkTrainer.Mode.AVERAGING) {
              continue;
            }
            double[] runs = new double[REPEATS];
            for (int r = 0; r < REPEATS; r++) {
              runs[r] = sparkSamplesPerSecond(rdd, factory, mode, batches[b], epochs);
            }
            spark[b][mode == SparkTrainer.Mode.AVERAGING ? 2 : cores - 1] = median(runs);
          }
        }
      }
    }
    int breakEven = -1;
    for (int b = 0; b < batches.length; b++) {
      System.out.println(String.format(Locale.ROOT, "%8d %12.0f %12.0f %14.0f %14.0f %16.0f %11.1f ms",
          batches[b], single[b][0], single[b][1], spark[b][0], spark[b][1], spark[b][2],
          1e3 * batches[b] / spark[b][1]));
      if (breakEven < 0 && spark[b][1] >= Math.max(single[b][0], single[b][1])) {
        breakEven = batches[b];
      }
    }
    System.out.println(breakEven < 0 ? "gradient mode on local[2] never caught up with the best single-machine run"
        : "gradient mode on local[2] first matches the best single-machine run at batch " + breakEven);
  }

  private static double median(double[] values) {
    double[] sorted = values.clone();
    java.util.Arrays.sort(sorted);
    return sorted[sorted.length / 2];
  }

  private static double sparkSamplesPerSecond(JavaRDD<Example> rdd, ModelFactory factory, SparkTrainer.Mode mode,
      int batch, int epochs) {
    Model model = factory.create(1);
    model.initialize(1);
    History history = SparkTrainer.builder(factory).mode(mode).averagingFrequency(8).optimizer(() -> Adam.of(1e-3))
        .epochs(epochs).batchSize(batch).seed(1).build().fit(model, rdd);
    return samplesPerSecond(history);
  }

  /** Spark's time per step beyond computing: gradient mode at batch 2 (one example per partition). */
  private static void overhead() {
    System.out.println();
    System.out.println("Spark's time per gradient step with one example per partition (DigitsMlp), median of 5 runs"
        + " of 200 steps:");
    Dataset tiny = DigitsData.split(42)[0].take(400);
    for (int cores = 1; cores <= 2; cores++) {
      try (JavaSparkContext context = local(cores)) {
        JavaRDD<Example> rdd = Examples.parallelize(context, tiny, 2).cache();
        rdd.count();
        double[] perStep = new double[5];
        for (int run = 0; run < 6; run++) {
          DigitsMlpNet model = new DigitsMlpNet(2);
          long start = System.nanoTime();
          SparkTrainer.builder(DigitsMlpNet::new).optimizer(() -> Adam.of(1e-3)).epochs(1).batchSize(2).seed(1)
              .build().fit(model, rdd);
          if (run > 0) {
            perStep[run - 1] = (System.nanoTime() - start) / 1e6 / 200;
          }
        }
        java.util.Arrays.sort(perStep);
        System.out.println(String.format(Locale.ROOT, "  local[%d], 2 partitions: %.1f ms per step", cores,
            perStep[2]));
      }
    }
  }

  private static double samplesPerSecond(History history) {
    long samples = 0;
    double seconds = 0;
    for (int i = 1; i < history.size(); i++) {
      samples += history.get(i).samples();
      seconds += history.get(i).seconds();
    }
    return samples / seconds;
  }

  private static JavaSparkContext local(int cores) {
    return new JavaSparkContext(new SparkConf().setMaster("local[" + cores + "]").setAppName("nabla-throughput")
        .set("spark.driver.host", "127.0.0.1").set("spark.driver.bindAddress", "127.0.0.1")
        .set("spark.ui.enabled", "false"));
  }
}
