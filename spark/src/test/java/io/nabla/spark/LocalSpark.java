package io.nabla.spark;

import java.io.File;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;

/** Spark in local mode for the tests: loopback only, no web UI, no console progress bar. */
final class LocalSpark {
  private LocalSpark() {}

  /**
   * A context on {@code master}, e.g. {@code local[2]} (two task threads, a failed task fails the job) or
   * {@code local[2,3]} (a task may fail twice and is retried).
   */
  static JavaSparkContext start(String master) {
    File scratch = new File("target/spark-local");
    SparkConf conf = new SparkConf()
        .setMaster(master)
        .setAppName("nabla-spark-test")
        // Bind to the loopback address: the sandbox has no resolvable host name and no network.
        .set("spark.driver.host", "127.0.0.1")
        .set("spark.driver.bindAddress", "127.0.0.1")
        .set("spark.ui.enabled", "false")
        .set("spark.ui.showConsoleProgress", "false")
        .set("spark.sql.shuffle.partitions", "2")
        .set("spark.sql.warehouse.dir", new File(scratch, "warehouse").getAbsolutePath());
    return new JavaSparkContext(conf);
  }
}
