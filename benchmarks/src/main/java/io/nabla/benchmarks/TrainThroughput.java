package io.nabla.benchmarks;

import io.nabla.runtime.Model;
import io.nabla.runtime.kernel.Kernels;
import io.nabla.runtime.optim.Adam;
import io.nabla.runtime.train.Dataset;
import io.nabla.runtime.train.EpochResult;
import io.nabla.runtime.train.History;
import io.nabla.runtime.train.Trainer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Training throughput with {@link Trainer}, Adam lr 1e-3, data in memory: for each batch size and thread count, a
 * fresh model (seed 42) trains {@code E} epochs over the first {@code S} training samples and the samples/s of the
 * training loop over epochs 2..E is printed, from the same code path as the samples' {@code samples_per_second}.
 * Before that run, the model trains untimed epochs until the JIT compilers are quiet ({@link JitWarmUp}); the
 * samples' figure has no such warm-up (a training run of minutes hardly notices it). Optionally, the single-sample
 * {@code predict} latency of the MLP.
 *
 * <pre>
 * java -cp benchmarks/target/nabla-benchmarks.jar io.nabla.benchmarks.TrainThroughput \
 *     [--arch mlp|cnn|gru|transformer] [--batches 1,32,256] [--threads 1,2] [--epochs 3]
 *     [--samples 1=5000,32=20000,256=60000] [--data DIR|random] [--seed 42] [--predict] [--kernels best,portable]
 * </pre>
 *
 * {@code --arch} (default {@code mlp}) picks the network, each the same as PyTorch's in {@code bench/pytorch_mlp.py
 * --arch}: {@code mlp}, {@link Mlp} (784-256-128-10, default batches 1, 32 and 256); {@code cnn}, {@link SmallCnn}
 * (the samples' {@code fashion-cnn --arch small}, default batch 64); {@code gru}, {@link RowGru} (the samples'
 * {@code fashion-gru}: 28 rows of 28 pixels, GRU 128, dense 10; default batch 64): these three train on
 * Fashion-MNIST's training images (random data of that shape when the files are not installed);
 * {@code transformer}, {@link TinyTransformer} (a causal language model, 2 pre-norm blocks, width 128, context 64,
 * vocabulary 96; default batch 32), on random tokens ({@link BenchData#tokens}); its samples are sequences of 64
 * tokens.
 *
 * {@code --kernels}: {@code best} ({@link Kernels#best(int)}, the Vector API kernels when the JVM runs with
 * {@code --add-modules jdk.incubator.vector}) and/or {@code portable} ({@link Kernels#portable(int)}); default
 * {@code best}.
 *
 * Each result is also printed as one machine-readable line,
 * {@code result: {"impl":"nabla","batch":32,"threads":2,...,"samples_per_second":12345.6}}, which
 * {@code bench/compare.sh} reads.
 */
public final class TrainThroughput {
  /** The networks {@code --arch} chooses from, with their default batch sizes and samples per epoch. */
  enum Arch {
    MLP("MLP 784-256-128-10", "1=5000,32=20000,256=60000"),
    CNN("CNN (fashion-cnn --arch small)", "64=6000"),
    GRU("GRU 128 (fashion-gru)", "64=6000"),
    TRANSFORMER("Transformer LM (2 blocks, d 128, context 64)", "32=640");

    /** How the results name the network. */
    final String label;
    /**
     * Samples per epoch by batch size, about 1-3 s per epoch on a 2-core machine; the first batch size is the
     * default.
     */
    final Map<Integer, Integer> samples = new LinkedHashMap<>();

    Arch(String label, String samples) {
      this.label = label;
      for (String pair : samples.split(",")) {
        String[] kv = pair.split("=");
        this.samples.put(Integer.parseInt(kv[0]), Integer.parseInt(kv[1]));
      }
    }

    String id() {
      return name().toLowerCase(Locale.ROOT);
    }

    static Arch of(String id) {
      for (Arch a : values()) {
        if (a.id().equals(id)) {
          return a;
        }
      }
      System.err.println("error: --arch must be one of mlp, cnn, gru, transformer; got '" + id + "'");
      System.exit(2);
      return null;
    }

    Model newModel(int batch, Kernels kernels) {
      switch (this) {
        case CNN:
          return new SmallCnnNet(batch, kernels);
        case GRU:
          return new RowGruNet(batch, kernels);
        case TRANSFORMER:
          return new TinyTransformerNet(batch, kernels);
        default:
          return new MlpNet(batch, kernels);
      }
    }

    /** The data of {@code count} samples or more. */
    Dataset data(String dir, long seed, int count) {
      return this == TRANSFORMER ? BenchData.tokens(count, seed) : BenchData.load(dir, seed);
    }

    String describe(Dataset data, String dir) {
      return this == TRANSFORMER
          ? String.format(Locale.ROOT, "random tokens, %d sequences of %d ids in [0, %d), the next id as label at"
              + " every position", data.size(), TinyTransformer.CONTEXT, TinyTransformer.VOCABULARY)
          : BenchData.describe(data, dir);
    }
  }

  private TrainThroughput() {}

  public static void main(String[] args) {
    Arch arch = Arch.MLP;
    List<Integer> batches = null;
    List<Integer> threads = Arrays.asList(1, 2);
    Map<Integer, Integer> samples = new LinkedHashMap<>();
    String samplesOption = null;
    int epochs = 3;
    String data = null;
    long seed = 42;
    boolean predict = false;
    boolean train = true;
    List<String> kernelNames = Arrays.asList("best");
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      switch (arg) {
        case "--batches":
          batches = ints(value(args, ++i, arg));
          break;
        case "--threads":
          threads = ints(value(args, ++i, arg));
          break;
        case "--epochs":
          epochs = Integer.parseInt(value(args, ++i, arg));
          break;
        case "--arch":
          arch = Arch.of(value(args, ++i, arg));
          break;
        case "--samples":
          samplesOption = value(args, ++i, arg);
          break;
        case "--data":
          data = value(args, ++i, arg);
          break;
        case "--seed":
          seed = Long.parseLong(value(args, ++i, arg));
          break;
        case "--predict":
          predict = true;
          break;
        case "--kernels":
          kernelNames = Arrays.asList(value(args, ++i, arg).split(","));
          break;
        case "--predict-only":
          predict = true;
          train = false;
          break;
        case "-h":
        case "--help":
          System.out.println("usage: TrainThroughput [--arch mlp|cnn|gru|transformer] [--batches 1,32,256]"
              + " [--threads 1,2] [--epochs 3]"
              + " [--samples 1=5000,32=20000,256=60000 | N] [--data DIR|random] [--seed 42] [--predict]"
              + " [--predict-only] [--kernels best,portable]");
          return;
        default:
          System.err.println("error: unknown option '" + arg + "'; see --help");
          System.exit(2);
      }
    }
    if (batches == null) {
      batches = new ArrayList<>(arch.samples.keySet());
      if (arch != Arch.MLP) {
        batches = batches.subList(0, 1);
      }
    }
    samples.putAll(arch.samples);
    if (samplesOption != null) {
      for (String pair : samplesOption.split(",")) {
        String[] kv = pair.split("=");
        if (kv.length == 1) {
          for (Integer b : batches) {
            samples.put(b, Integer.parseInt(kv[0]));
          }
        } else {
          samples.put(Integer.parseInt(kv[0]), Integer.parseInt(kv[1]));
        }
      }
    }
    if (epochs < 2) {
      System.err.println("error: --epochs must be at least 2 (epoch 1 is not counted)");
      System.exit(2);
    }

    System.out.println(String.format(Locale.ROOT, "java %s (%s), %d cores", System.getProperty("java.version"),
        System.getProperty("java.vm.name"), Runtime.getRuntime().availableProcessors()));
    for (String kernels : kernelNames) {
      System.out.println("kernels " + kernels + ": " + BenchKernels.describe(kernels));
    }
    if (train) {
      int most = 0;
      for (int batch : batches) {
        most = Math.max(most, samples.containsKey(batch) ? samples.get(batch) : BenchData.TRAIN_SIZE);
      }
      Dataset all = arch.data(data, seed, most);
      System.out.println("data: " + arch.describe(all, data));
      for (int batch : batches) {
        int count = Math.min(all.size(), samples.containsKey(batch) ? samples.get(batch) : all.size());
        Dataset subset = all.take(count);
        for (String kernels : kernelNames) {
          for (int t : threads) {
            Timed timed = train(arch, subset, batch, kernels, t, epochs, seed);
            double perSecond = timed.samplesPerSecond;
            System.out.println(String.format(Locale.ROOT,
                "%s batch %d, %s kernels, %d thread%s: %.1f samples/s (%d samples x %d epochs, epochs 2..%d timed;"
                    + " warm-up %s)",
                arch.label, batch, kernels, t, t == 1 ? "" : "s", perSecond, count, epochs, epochs,
                timed.warmUp.describe("epoch")));
            System.out.println(String.format(Locale.ROOT,
                "result: {\"impl\":\"nabla\",\"arch\":\"%s\",\"kernels\":\"%s\",\"batch\":%d,\"threads\":%d,"
                    + "\"samples\":%d,\"epochs\":%d,\"samples_per_second\":%.1f,\"warm_up_epochs\":%d}", arch.id(),
                kernels, batch, t, count, epochs, perSecond, timed.warmUp.runs));
            System.out.flush();
          }
        }
      }
    }
    if (predict) {
      for (String kernels : kernelNames) {
        double micros = predictLatency(kernels, seed);
        System.out.println(String.format(Locale.ROOT, "MLP 784-256-128-10 predict(x, 1), %s kernels, 1 thread: %.2f us",
            kernels, micros));
        System.out.println(String.format(Locale.ROOT,
            "result: {\"impl\":\"nabla\",\"kernels\":\"%s\",\"predict_batch\":1,\"threads\":1,"
                + "\"microseconds\":%.2f}", kernels, micros));
      }
    }
  }

  /** A timed run's samples per second, and the warm-up before it. */
  static final class Timed {
    final double samplesPerSecond;
    final JitWarmUp.Result warmUp;

    Timed(double samplesPerSecond, JitWarmUp.Result warmUp) {
      this.samplesPerSecond = samplesPerSecond;
      this.warmUp = warmUp;
    }
  }

  /**
   * Samples per second of {@link Trainer#fit}'s training loop over epochs 2..E, after untimed epochs on the same
   * model until the JIT compilers are quiet ({@link JitWarmUp}).
   */
  static Timed train(Arch arch, Dataset data, int batch, String kernels, int threads, int epochs, long seed) {
    Model model = arch.newModel(batch, BenchKernels.create(kernels, threads));
    model.initialize(seed);
    Trainer oneEpoch = adamTrainer(batch, 1, seed);
    JitWarmUp.Result warmUp = JitWarmUp.run(() -> oneEpoch.fit(model, data, null), 1, JitWarmUp.MAX_NANOS);
    History history = adamTrainer(batch, epochs, seed).fit(model, data, null);
    long samples = 0;
    double seconds = 0;
    for (int i = 1; i < history.size(); i++) {
      EpochResult r = history.get(i);
      samples += r.samples();
      seconds += r.seconds();
    }
    return new Timed(samples / seconds, warmUp);
  }

  /** The benchmarks' trainer: Adam at learning rate 1e-3, as PyTorch's side runs. */
  static Trainer adamTrainer(int batch, int epochs, long seed) {
    return Trainer.builder()
        .optimizer(Adam.builder().learningRate(1e-3).build())
        .epochs(epochs)
        .batchSize(batch)
        .seed(seed)
        .build();
  }

  /** The median over rounds of the mean time of {@code predict(x, 1)}, in microseconds, after a warm-up. */
  static double predictLatency(String kernels, long seed) {
    MlpNet model = new MlpNet(1, BenchKernels.create(kernels, 1));
    model.initialize(seed);
    model.setTraining(false);
    float[] x = BenchData.random(64, seed).features();
    float[][] inputs = new float[64][];
    for (int s = 0; s < 64; s++) {
      inputs[s] = Arrays.copyOfRange(x, s * 784, (s + 1) * 784);
    }
    float sink = 0;
    long warmUntil = System.nanoTime() + 2_000_000_000L;
    for (int c = 0; System.nanoTime() < warmUntil; c++) {
      sink += model.predict(inputs[c & 63], 1)[0];
    }
    int rounds = 9;
    int calls = 5_000;
    double[] means = new double[rounds];
    for (int r = 0; r < rounds; r++) {
      long start = System.nanoTime();
      for (int c = 0; c < calls; c++) {
        sink += model.predict(inputs[c & 63], 1)[0];
      }
      means[r] = (System.nanoTime() - start) / 1e3 / calls;
    }
    if (sink == 42.4242f) {
      System.out.println("(unlikely)");
    }
    Arrays.sort(means);
    return means[rounds / 2];
  }

  private static String value(String[] args, int i, String option) {
    if (i >= args.length) {
      System.err.println("error: " + option + " needs a value");
      System.exit(2);
    }
    return args[i];
  }

  private static List<Integer> ints(String list) {
    List<Integer> values = new ArrayList<>();
    for (String s : list.split(",")) {
      values.add(Integer.parseInt(s.trim()));
    }
    return values;
  }
}
