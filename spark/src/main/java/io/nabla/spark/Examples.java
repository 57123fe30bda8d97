package io.nabla.spark;

import io.nabla.Loss;
import io.nabla.runtime.Model;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.ByteType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DoubleType;
import org.apache.spark.sql.types.FloatType;
import org.apache.spark.sql.types.IntegerType;
import org.apache.spark.sql.types.LongType;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.ShortType;
import org.apache.spark.sql.types.StructType;

/** Making the {@code JavaRDD<Example>} that {@link SparkTrainer} trains on, from a runtime dataset or a DataFrame. */
public final class Examples {
  private Examples() {}

  /** The samples of a runtime {@link io.nabla.runtime.train.Dataset}, in order, as examples (arrays copied). */
  public static List<Example> of(io.nabla.runtime.train.Dataset data) {
    List<Example> examples = new ArrayList<>(data.size());
    int width = data.featureSize();
    int per = data.targetsPerSample();
    for (int i = 0; i < data.size(); i++) {
      float[] features = Arrays.copyOfRange(data.features(), i * width, (i + 1) * width);
      examples.add(data.hasLabels()
          ? Example.ofLabels(features, Arrays.copyOfRange(data.labels(), i * per, (i + 1) * per))
          : Example.ofTargets(features, Arrays.copyOfRange(data.targets(), i * per, (i + 1) * per)));
    }
    return examples;
  }

  /**
   * A runtime dataset spread over {@code partitions} partitions, in order: partition {@code p} holds samples
   * {@code [p·n/P, (p+1)·n/P)}, the contiguous slices {@code JavaSparkContext.parallelize} would cut. For data
   * that fits the driver, such as a sample's.
   *
   * <p>Unlike {@code parallelize} on a list of examples, whose partitions carry their data inside every task that
   * touches them (each training step would ship the whole data set again), the arrays travel once, as a broadcast
   * variable, and the partitions hold only their index.
   */
  public static JavaRDD<Example> parallelize(JavaSparkContext spark, io.nabla.runtime.train.Dataset data,
      int partitions) {
    if (partitions < 1) {
      throw new IllegalArgumentException("partitions must be at least 1, got " + partitions);
    }
    List<Integer> indices = new ArrayList<>(partitions);
    for (int p = 0; p < partitions; p++) {
      indices.add(p);
    }
    Broadcast<DatasetArrays> arrays = spark.broadcast(new DatasetArrays(data));
    return spark.parallelize(indices, partitions).mapPartitionsWithIndex(new Slice(arrays, partitions), true);
  }

  /** A runtime dataset's arrays, to broadcast (the runtime's class is not serialisable). */
  private static final class DatasetArrays implements Serializable {
    private static final long serialVersionUID = 1L;
    final float[] features;
    final int featureSize;
    final int[] labels;
    final float[] targets;
    final int targetsPerSample;
    final int count;

    DatasetArrays(io.nabla.runtime.train.Dataset data) {
      this.features = data.features();
      this.featureSize = data.featureSize();
      this.labels = data.labels();
      this.targets = data.targets();
      this.targetsPerSample = data.targetsPerSample();
      this.count = data.size();
    }
  }

  /** Partition {@code p}'s slice of the broadcast dataset, as examples. */
  private static final class Slice implements Function2<Integer, Iterator<Integer>, Iterator<Example>> {
    private static final long serialVersionUID = 1L;
    private final Broadcast<DatasetArrays> arrays;
    private final int partitions;

    Slice(Broadcast<DatasetArrays> arrays, int partitions) {
      this.arrays = arrays;
      this.partitions = partitions;
    }

    @Override
    public Iterator<Example> call(Integer partition, Iterator<Integer> ignored) {
      DatasetArrays d = arrays.value();
      int from = (int) ((long) partition * d.count / partitions);
      int to = (int) ((long) (partition + 1) * d.count / partitions);
      List<Example> examples = new ArrayList<>(to - from);
      int width = d.featureSize;
      int per = d.targetsPerSample;
      for (int i = from; i < to; i++) {
        float[] features = Arrays.copyOfRange(d.features, i * width, (i + 1) * width);
        examples.add(d.labels != null
            ? Example.ofLabels(features, Arrays.copyOfRange(d.labels, i * per, (i + 1) * per))
            : Example.ofTargets(features, Arrays.copyOfRange(d.targets, i * per, (i + 1) * per)));
      }
      return examples.iterator();
    }
  }

  /**
   * The rows of a DataFrame as examples for {@code model}, partitioned as the DataFrame is. {@code featuresColumn}
   * must be an array of numbers (for a Spark ML vector, convert it first with
   * {@code org.apache.spark.ml.functions.vector_to_array}). For a softmax cross-entropy model
   * {@code labelColumn} holds the class: an integral number, or a float or double with a whole value (as Spark ML
   * writes labels), or an array of them for several labels per example; for the other losses, a number or an
   * array of numbers. The column types are checked here; null values and fractional labels when the examples are
   * read, naming the partition and example.
   *
   * @throws IllegalArgumentException naming the column, if a column is missing or of another type
   */
  public static JavaRDD<Example> fromRows(Dataset<Row> rows, String featuresColumn, String labelColumn,
      Model model) {
    StructType schema = rows.schema();
    DataType features = type(schema, featuresColumn, "features");
    DataType label = type(schema, labelColumn, "label");
    boolean labels = model.loss() == Loss.SOFTMAX_CROSS_ENTROPY;
    if (!(features instanceof ArrayType) || !(((ArrayType) features).elementType() instanceof NumericType)) {
      throw new IllegalArgumentException("the features column '" + featuresColumn + "' is "
          + features.simpleString() + "; it must be an array of numbers (convert an ML vector with"
          + " org.apache.spark.ml.functions.vector_to_array)");
    }
    boolean labelArray = label instanceof ArrayType;
    DataType labelElement = labelArray ? ((ArrayType) label).elementType() : label;
    boolean fits = labels ? integral(labelElement) || labelElement instanceof FloatType
        || labelElement instanceof DoubleType : labelElement instanceof NumericType;
    if (!fits) {
      throw new IllegalArgumentException("the label column '" + labelColumn + "' is " + label.simpleString()
          + "; " + model.name() + "'s loss " + model.loss() + " takes " + (labels
          ? "a class: an integral number (or a float or double with a whole value), or an array of them"
          : "a number or an array of numbers"));
    }
    return rows.select(featuresColumn, labelColumn).javaRDD()
        .mapPartitionsWithIndex(new RowsToExamples(featuresColumn, labelColumn, labels, labelArray), true);
  }

  private static DataType type(StructType schema, String column, String what) {
    if (column == null || !Arrays.asList(schema.fieldNames()).contains(column)) {
      throw new IllegalArgumentException("the " + what + " column '" + column + "' is not in the DataFrame; its"
          + " columns are " + Arrays.toString(schema.fieldNames()));
    }
    return schema.apply(column).dataType();
  }

  private static boolean integral(DataType type) {
    return type instanceof ByteType || type instanceof ShortType || type instanceof IntegerType
        || type instanceof LongType;
  }

  /** Converts rows of (features, label) into examples, naming the partition and example of a bad value. */
  private static final class RowsToExamples implements Function2<Integer, Iterator<Row>, Iterator<Example>> {
    private static final long serialVersionUID = 1L;

    private final String featuresColumn;
    private final String labelColumn;
    private final boolean labels;
    private final boolean labelArray;

    RowsToExamples(String featuresColumn, String labelColumn, boolean labels, boolean labelArray) {
      this.featuresColumn = featuresColumn;
      this.labelColumn = labelColumn;
      this.labels = labels;
      this.labelArray = labelArray;
    }

    @Override
    public Iterator<Example> call(Integer partition, Iterator<Row> rows) {
      return new Iterator<Example>() {
        long index;

        @Override
        public boolean hasNext() {
          return rows.hasNext();
        }

        @Override
        public Example next() {
          String where = DataShape.where(partition, index++);
          Row row = rows.next();
          float[] features = floats(row, 0, featuresColumn, where);
          if (!labels) {
            return Example.ofTargets(features, labelArray ? floats(row, 1, labelColumn, where)
                : new float[] {number(row.isNullAt(1) ? null : row.get(1), labelColumn, where).floatValue()});
          }
          if (!labelArray) {
            return Example.ofLabel(features, label(row.isNullAt(1) ? null : row.get(1), where));
          }
          List<Object> values = list(row, 1, labelColumn, where);
          int[] classes = new int[values.size()];
          for (int i = 0; i < classes.length; i++) {
            classes[i] = label(values.get(i), where);
          }
          return Example.ofLabels(features, classes);
        }
      };
    }

    private static float[] floats(Row row, int column, String name, String where) {
      List<Object> values = list(row, column, name, where);
      float[] out = new float[values.size()];
      for (int i = 0; i < out.length; i++) {
        out[i] = number(values.get(i), name + "[" + i + "]", where).floatValue();
      }
      return out;
    }

    private static List<Object> list(Row row, int column, String name, String where) {
      if (row.isNullAt(column)) {
        throw new IllegalArgumentException(where + " has null in column '" + name + "'");
      }
      return row.getList(column);
    }

    private static Number number(Object value, String name, String where) {
      if (value == null) {
        throw new IllegalArgumentException(where + " has null in column '" + name + "'");
      }
      return (Number) value;
    }

    private int label(Object value, String where) {
      Number n = number(value, labelColumn, where);
      double d = n.doubleValue();
      if (d != Math.rint(d) || d < Integer.MIN_VALUE || d > Integer.MAX_VALUE) {
        throw new IllegalArgumentException(where + " has label " + n + " in column '" + labelColumn
            + "', which is not a class number (a whole number)");
      }
      return (int) d;
    }
  }
}
