package io.nabla.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nabla.runtime.optim.Adam;
import io.nabla.runtime.train.Dataset;
import io.nabla.spark.sample.DigitsData;
import io.nabla.spark.sample.DigitsMlpNet;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Every bad input is one exception whose message names what to fix and where. */
class BadInputTest {
  private static JavaSparkContext spark;
  private static SparkSession session;
  private static List<Example> digits;

  @BeforeAll
  static void start() {
    spark = LocalSpark.start("local[2]");
    session = SparkSession.builder().sparkContext(spark.sc()).getOrCreate();
    digits = Examples.of(DigitsData.split(42)[0].take(20));
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  private static SparkTrainer trainer() {
    return SparkTrainer.builder(DigitsMlpNet::new).optimizer(() -> Adam.of(1e-3)).epochs(1).batchSize(8).build();
  }

  /** The 20 digits with example {@code index} replaced; partition 1 holds indices 10..19. */
  private static JavaRDD<Example> digitsWith(int index, Example bad) {
    List<Example> examples = new ArrayList<>(digits);
    examples.set(index, bad);
    return spark.parallelize(examples, 2);
  }

  private static String trainingFails(JavaRDD<Example> data) {
    return assertThrows(IllegalArgumentException.class, () -> trainer().fit(new DigitsMlpNet(8), data))
        .getMessage();
  }

  @Test
  void aFeatureVectorOfTheWrongLengthNamesItsPartitionAndExample() {
    assertEquals("example 5 of partition 1 has 63 features, but DigitsMlp's input 'pixels' takes 64",
        trainingFails(digitsWith(15, Example.ofLabel(new float[63], 3))));
  }

  @Test
  void aModelWithBatchNormStatisticsIsRefused() {
    SparkTrainer trainer = SparkTrainer.builder(NormalizedMlpNet::new).optimizer(() -> Adam.of(1e-3)).epochs(1)
        .batchSize(8).build();
    String message = assertThrows(IllegalArgumentException.class,
        () -> trainer.fit(new NormalizedMlpNet(8), spark.parallelize(digits, 2))).getMessage();
    assertEquals("NormalizedMlp has batch-norm running statistics (normalized.running_mean, ...), which Spark"
        + " training does not synchronise yet; train it with the single-machine Trainer", message);
  }

  @Test
  void aLabelOutOfRangeIsNamed() {
    assertEquals("example 3 of partition 0 has label 12, out of range: DigitsMlp's output 'logits' has 10 classes"
        + " (0..9)", trainingFails(digitsWith(3, Example.ofLabel(new float[64], 12))));
    assertEquals("example 0 of partition 0 has label -1, out of range: DigitsMlp's output 'logits' has 10 classes"
        + " (0..9)", trainingFails(digitsWith(0, Example.ofLabel(new float[64], -1))));
  }

  @Test
  void targetsForALabelModelAndNonFiniteFeaturesAreNamed() {
    assertEquals("example 9 of partition 0 has targets, but DigitsMlp's loss SOFTMAX_CROSS_ENTROPY takes integer"
        + " labels (Example.ofLabel)", trainingFails(digitsWith(9, Example.ofTargets(new float[64], 1f))));
    float[] pixels = new float[64];
    pixels[7] = Float.NaN;
    assertEquals("example 0 of partition 1 has feature 7 = NaN; features must be finite",
        trainingFails(digitsWith(10, Example.ofLabel(pixels, 1))));
    assertEquals("example 1 of partition 1 has 2 labels, but DigitsMlp takes 1 per example",
        trainingFails(digitsWith(11, Example.ofLabels(new float[64], 1, 2))));
    assertEquals("example 2 of partition 1 is null", trainingFails(digitsWith(12, null)));
  }

  @Test
  void badValidationDataIsNamedToo() {
    JavaRDD<Example> validation = spark.parallelize(
        Collections.singletonList(Example.ofLabel(new float[10], 1)), 1);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> trainer().fit(new DigitsMlpNet(8), spark.parallelize(digits, 2), validation));
    assertEquals("example 0 of partition 0 has 10 features, but DigitsMlp's input 'pixels' takes 64",
        e.getMessage());
  }

  @Test
  void emptyDataIsRefused() {
    JavaRDD<Example> empty = spark.parallelize(Collections.<Example>emptyList(), 2);
    assertEquals("the training data is empty (2 empty partitions)", trainingFails(empty));
  }

  @Test
  void aFactoryForAnotherNetworkIsRefusedBeforeAnyJob() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> SparkTrainer.builder(TinyRegressionNet::new).optimizer(() -> Adam.of(1e-3)).build()
            .fit(new DigitsMlpNet(8), spark.parallelize(digits, 2)));
    assertTrue(e.getMessage().startsWith("the model factory makes TinyRegression, which is not the network being"
        + " trained (DigitsMlp): "), e.getMessage());
  }

  @Test
  void settingsAreCheckedWhenBuilt() {
    assertEquals("a SparkTrainer needs an optimizer, e.g. optimizer(() -> Adam.of(1e-3))",
        assertThrows(IllegalArgumentException.class, () -> SparkTrainer.builder(DigitsMlpNet::new).build())
            .getMessage());
    assertEquals("batch size must be at least 1, got 0", assertThrows(IllegalArgumentException.class,
        () -> SparkTrainer.builder(DigitsMlpNet::new).optimizer(() -> Adam.of(1e-3)).batchSize(0).build())
        .getMessage());
    assertEquals("averaging frequency must be at least 1 step, got 0", assertThrows(IllegalArgumentException.class,
        () -> SparkTrainer.builder(DigitsMlpNet::new).optimizer(() -> Adam.of(1e-3)).averagingFrequency(0).build())
        .getMessage());
  }

  // ---- DataFrames ----

  private static final StructType DIGITS_SCHEMA = new StructType()
      .add("pixels", DataTypes.createArrayType(DataTypes.FloatType))
      .add("digit", DataTypes.DoubleType);

  private static org.apache.spark.sql.Dataset<Row> frame(List<Row> rows, StructType schema) {
    return session.createDataFrame(spark.parallelize(rows, 2), schema);
  }

  private static Row digitRow(Object pixels, Object label) {
    return RowFactory.create(pixels, label);
  }

  private static float[] pixels(int n) {
    float[] pixels = new float[n];
    Arrays.fill(pixels, 0.5f);
    return pixels;
  }

  @Test
  void dataFrameColumnsAreCheckedOnTheDriver() {
    org.apache.spark.sql.Dataset<Row> rows = frame(Arrays.asList(digitRow(pixels(64), 1.0)), DIGITS_SCHEMA);
    DigitsMlpNet model = new DigitsMlpNet(8);
    assertEquals("the features column 'image' is not in the DataFrame; its columns are [pixels, digit]",
        assertThrows(IllegalArgumentException.class, () -> Examples.fromRows(rows, "image", "digit", model))
            .getMessage());
    assertEquals("the features column 'digit' is double; it must be an array of numbers (convert an ML vector"
            + " with org.apache.spark.ml.functions.vector_to_array)",
        assertThrows(IllegalArgumentException.class, () -> Examples.fromRows(rows, "digit", "digit", model))
            .getMessage());
    StructType stringLabels = new StructType().add("pixels", DataTypes.createArrayType(DataTypes.FloatType))
        .add("digit", DataTypes.StringType);
    org.apache.spark.sql.Dataset<Row> named = frame(Arrays.asList(digitRow(pixels(64), "one")), stringLabels);
    assertEquals("the label column 'digit' is string; DigitsMlp's loss SOFTMAX_CROSS_ENTROPY takes a class: an"
            + " integral number (or a float or double with a whole value), or an array of them",
        assertThrows(IllegalArgumentException.class, () -> Examples.fromRows(named, "pixels", "digit", model))
            .getMessage());
  }

  @Test
  void dataFrameValuesAreCheckedWhereTheyAreRead() {
    DigitsMlpNet model = new DigitsMlpNet(8);
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      rows.add(digitRow(pixels(64), (double) (i % 10)));
    }
    rows.set(4, digitRow(pixels(64), 2.5));
    assertEquals("example 1 of partition 1 has label 2.5 in column 'digit', which is not a class number (a whole"
            + " number)",
        assertThrows(IllegalArgumentException.class,
            () -> trainer().fit(model, frame(rows, DIGITS_SCHEMA), "pixels", "digit")).getMessage());
    rows.set(4, digitRow(null, 2.0));
    assertEquals("example 1 of partition 1 has null in column 'pixels'",
        assertThrows(IllegalArgumentException.class,
            () -> trainer().fit(model, frame(rows, DIGITS_SCHEMA), "pixels", "digit")).getMessage());
    rows.set(4, digitRow(pixels(60), 2.0));
    assertEquals("example 1 of partition 1 has 60 features, but DigitsMlp's input 'pixels' takes 64",
        assertThrows(IllegalArgumentException.class,
            () -> trainer().fit(model, frame(rows, DIGITS_SCHEMA), "pixels", "digit")).getMessage());
  }

  @Test
  void aDataFrameTrainsExactlyAsTheSameExamplesInAnRdd() {
    Dataset data = DigitsData.split(42)[0].take(200);
    List<Row> rows = new ArrayList<>();
    for (Example example : Examples.of(data)) {
      rows.add(digitRow(example.features(), (double) example.labels()[0]));
    }
    DigitsMlpNet fromRows = new DigitsMlpNet(8);
    fromRows.initialize(3);
    trainer().fit(fromRows, frame(rows, DIGITS_SCHEMA), "pixels", "digit");
    DigitsMlpNet fromExamples = new DigitsMlpNet(8);
    fromExamples.initialize(3);
    trainer().fit(fromExamples, Examples.parallelize(spark, data, 2));
    org.junit.jupiter.api.Assertions.assertArrayEquals(fromExamples.parameters().values(),
        fromRows.parameters().values());
  }
}
