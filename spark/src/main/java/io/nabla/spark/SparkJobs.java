package io.nabla.spark;

import java.util.function.Supplier;

/**
 * Runs a Spark job and turns a task's failure back into the exception the task threw. Spark wraps it in a
 * {@code SparkException} ("Job aborted due to stage failure: Task 0 in stage 3.0 failed 1 times, most recent
 * failure: ..."); a bad example or a wrong model factory is the user's to fix, so it surfaces as the
 * {@link IllegalArgumentException} or {@link IllegalStateException} it was, with its own message first and
 * Spark's report as the cause.
 */
final class SparkJobs {
  private SparkJobs() {}

  static <T> T run(Supplier<T> job) {
    try {
      return job.get();
    } catch (RuntimeException e) {
      throw unwrap(e);
    } catch (Exception e) {
      // SparkException is checked in Java's eyes, though Scala code throws it undeclared.
      throw unwrap(e);
    }
  }

  private static RuntimeException unwrap(Exception failure) {
    for (Throwable cause = failure.getCause(); cause != null; cause = cause.getCause()) {
      if (cause instanceof IllegalArgumentException) {
        return new IllegalArgumentException(cause.getMessage(), failure);
      }
      if (cause instanceof IllegalStateException) {
        return new IllegalStateException(cause.getMessage(), failure);
      }
    }
    return failure instanceof RuntimeException ? (RuntimeException) failure
        : new IllegalStateException("a Spark job failed: " + failure.getMessage(), failure);
  }
}
