package io.nabla.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nabla.runtime.optim.Sgd;
import io.nabla.runtime.train.Evaluation;
import io.nabla.runtime.train.History;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
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

/** Float targets (MSE): from examples and from a DataFrame's numeric column, in both modes. */
class RegressionTest {
  private static final float[] WEIGHTS = {0.5f, -1.5f, 2f};
  private static final float BIAS = 0.25f;

  private static JavaSparkContext spark;
  private static List<Example> examples;

  @BeforeAll
  static void start() {
    spark = LocalSpark.start("local[2]");
    Random random = new Random(1);
    examples = new ArrayList<>();
    for (int i = 0; i < 400; i++) {
      float[] x = {(float) random.nextGaussian(), (float) random.nextGaussian(), (float) random.nextGaussian()};
      float y = BIAS;
      for (int j = 0; j < 3; j++) {
        y += WEIGHTS[j] * x[j];
      }
      examples.add(Example.ofTargets(x, y));
    }
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  private static SparkTrainer trainer(SparkTrainer.Mode mode) {
    return SparkTrainer.builder(TinyRegressionNet::new).mode(mode).averagingFrequency(2)
        .optimizer(() -> Sgd.builder(0.2).build()).epochs(8).batchSize(40).seed(1).build();
  }

  @Test
  void bothModesFitALinearFunction() {
    for (SparkTrainer.Mode mode : SparkTrainer.Mode.values()) {
      TinyRegressionNet model = new TinyRegressionNet(40);
      JavaRDD<Example> data = spark.parallelize(examples, 2);
      SparkTrainer trainer = trainer(mode);
      History history = trainer.fit(model, data);
      Evaluation evaluation = trainer.evaluate(model, data);
      assertTrue(evaluation.loss() < 1e-4, mode + ": mean squared error " + evaluation.loss());
      assertTrue(Double.isNaN(evaluation.accuracy()), "MSE has no accuracy");
      assertTrue(Double.isNaN(history.last().trainAccuracy()));
      float[] fitted = model.parameters().values();
      assertEquals(WEIGHTS[1], fitted[model.parameters().tensor("y.weight").offset() + 1], 1e-2);
      assertEquals(BIAS, fitted[model.parameters().tensor("y.bias").offset()], 1e-2);
    }
  }

  @Test
  void aNumericColumnIsTheTarget() {
    SparkSession session = SparkSession.builder().sparkContext(spark.sc()).getOrCreate();
    List<Row> rows = new ArrayList<>();
    for (Example example : examples) {
      double[] x = new double[3];
      for (int j = 0; j < 3; j++) {
        x[j] = example.features()[j];
      }
      rows.add(RowFactory.create(x, (double) example.targets()[0]));
    }
    StructType schema = new StructType().add("x", DataTypes.createArrayType(DataTypes.DoubleType))
        .add("y", DataTypes.DoubleType);
    TinyRegressionNet model = new TinyRegressionNet(40);
    SparkTrainer trainer = trainer(SparkTrainer.Mode.GRADIENT);
    trainer.fit(model, session.createDataFrame(spark.parallelize(rows, 2), schema), "x", "y");
    assertTrue(trainer.evaluate(model, spark.parallelize(examples, 2)).loss() < 1e-4);
  }
}
