package io.nabla.samples;

import io.nabla.runtime.train.Dataset;

/** What a sample trains on and what it reports its test accuracy on. */
final class SampleData {
  final Dataset train;
  final Dataset test;
  /** How the data was obtained, for the header line. */
  final String description;

  SampleData(Dataset train, Dataset test, String description) {
    this.train = train;
    this.test = test;
    this.description = description;
  }
}
