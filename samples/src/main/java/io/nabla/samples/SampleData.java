package io.nabla.samples;

import io.nabla.runtime.train.Dataset;

/** What a sample trains on and what it reports its test accuracy (a language model: its validation loss) on. */
final class SampleData {
  final Dataset train;
  final Dataset test;
  /** How the data was obtained, for the header line. */
  final String description;
  /** A language model's text, its vocabulary and split; {@code null} for other samples. */
  final CharCorpus corpus;

  SampleData(Dataset train, Dataset test, String description) {
    this(train, test, description, null);
  }

  SampleData(Dataset train, Dataset test, String description, CharCorpus corpus) {
    this.train = train;
    this.test = test;
    this.description = description;
    this.corpus = corpus;
  }
}
