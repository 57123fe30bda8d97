package io.nabla.runtime.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nabla.runtime.TinyDenseModel;
import io.nabla.runtime.optim.Adam;
import io.nabla.runtime.optim.GradientClipping;
import io.nabla.runtime.optim.Sgd;
import io.nabla.runtime.schedule.ReduceOnPlateau;
import io.nabla.runtime.schedule.Schedules;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Validation split, extra metrics, batch listeners, early stopping, history files and console progress. */
class TrainerFeaturesTest {


  @Test
  void validationSplitHoldsOutASeededShare() {
    TinyDenseModel model = TinyDenseModel.softmaxClassifier(16);
    History history = Trainer.builder().optimizer(Adam.of(0.05)).epochs(3).batchSize(16).seed(1)
        .validationSplit(0.25).build().fit(model, Clusters.of(200, 1, 0.6f), null);
    assertEquals(150, history.last().samples());
    assertFalse(Double.isNaN(history.last().validationLoss()));
    assertTrue(history.last().validationAccuracy() > 0.9, history.last().toString());
  }

  @Test
  void topKAccuracyIsReportedForTrainingAndValidation() {
    TinyDenseModel model = TinyDenseModel.softmaxClassifier(16);
    Dataset data = Clusters.of(120, 2, 3f);
    History history = Trainer.builder().optimizer(Adam.of(0.05)).epochs(2).batchSize(16).seed(2)
        .metric(Metric.topKAccuracy(1)).metric(Metric.topKAccuracy(3)).build().fit(model, data, data);
    EpochResult last = history.last();
    // Top-1 is accuracy (no ties with random data); top-3 of 3 classes is always right.
    assertEquals(last.validationAccuracy(), last.metric("val_top1_accuracy"), 1e-12);
    assertEquals(1.0, last.metric("top3_accuracy"), 1e-12);
    assertEquals(1.0, last.metric("val_top3_accuracy"), 1e-12);
    assertTrue(last.metrics().containsKey("lr"));
  }

  @Test
  void batchListenersSeeEveryStep() {
    // The trainer reuses one BatchResult: keep copies of what is read.
    final List<int[]> batches = new ArrayList<>();
    final int[] begun = new int[3];
    TrainingListener listener = new TrainingListener() {
      @Override
      public void onTrainBegin(int epochs, int stepsPerEpoch, int samplesPerEpoch) {
        begun[0] = epochs;
        begun[1] = stepsPerEpoch;
        begun[2] = samplesPerEpoch;
      }

      @Override
      public void onBatch(BatchResult result) {
        batches.add(new int[] {result.epoch(), result.step(), result.samplesSeen()});
      }

      @Override
      public void onEpoch(EpochResult result) {}
    };
    Trainer.builder().optimizer(Sgd.of(0.1)).epochs(2).batchSize(32).listener(listener).build()
        .fit(TinyDenseModel.softmaxClassifier(32), Clusters.of(100, 3, 0.6f), null);
    assertEquals(2, begun[0]);
    assertEquals(4, begun[1]);
    assertEquals(100, begun[2]);
    assertEquals(8, batches.size());
    int[] lastOfFirstEpoch = batches.get(3);
    assertEquals(1, lastOfFirstEpoch[0]);
    assertEquals(4, lastOfFirstEpoch[1]);
    assertEquals(100, lastOfFirstEpoch[2]);
  }

  @Test
  void earlyStoppingStopsAndRestoresTheBestWeights() {
    // A learning rate far too high makes validation loss worse after the first epochs.
    TinyDenseModel model = TinyDenseModel.softmaxClassifier(8);
    model.initialize(4);
    final List<float[]> weights = new ArrayList<>();
    final TinyDenseModel m = model;
    TrainingListener snapshot = new TrainingListener() {
      @Override
      public void onEpoch(EpochResult result) {
        weights.add(m.parameters().values().clone());
      }
    };
    Dataset data = Clusters.of(64, 4, 4f);
    History history = Trainer.builder().optimizer(Sgd.builder(50).momentum(0.9).build()).epochs(40).batchSize(8)
        .seed(4).listener(snapshot)
        .earlyStopping(EarlyStopping.monitor("val_loss").patience(2).restoreBestWeights(true))
        .build().fit(model, data, data);
    assertTrue(history.stoppedEarly(), "ran all " + history.size() + " epochs");
    assertEquals(history.bestEpoch() + 2, history.size(), "stops after patience epochs without improvement");
    double best = Double.MAX_VALUE;
    for (EpochResult e : history) {
      best = Math.min(best, e.validationLoss());
    }
    assertEquals(best, history.get(history.bestEpoch() - 1).validationLoss());
    assertTrue(java.util.Arrays.equals(weights.get(history.bestEpoch() - 1), model.parameters().values()),
        "the model holds the best epoch's weights");
  }

  @Test
  void earlyStoppingMaximizesOnlyAccuracies() {
    // Keras's "auto" mode: names with "acc" go up, everything else (losses, errors) goes down.
    assertTrue(EarlyStopping.monitor("val_accuracy").improves(0.9, 0.8));
    assertTrue(EarlyStopping.monitor("val_top3_accuracy").improves(0.9, 0.8));
    assertTrue(EarlyStopping.monitor("val_mae").improves(0.1, 0.2));
    assertFalse(EarlyStopping.monitor("val_mae").improves(0.3, 0.2));
    assertTrue(EarlyStopping.monitor("val_mae").maximize().improves(0.3, 0.2));
  }

  @Test
  void earlyStoppingOnAnUnmeasuredMetricIsAnError() {
    Trainer trainer = Trainer.builder().optimizer(Sgd.of(0.1)).epochs(2)
        .earlyStopping(EarlyStopping.monitor("val_loss")).build();
    IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> trainer.fit(TinyDenseModel.softmaxClassifier(32), Clusters.of(40, 5, 0.6f), null));
    assertTrue(e.getMessage().contains("'val_loss'"), e.getMessage());
  }

  @Test
  void aScheduleSetsTheLearningRateEveryEpoch() {
    History history = Trainer.builder().optimizer(Sgd.of(0.1)).epochs(5).batchSize(16).seed(1)
        .schedule(Schedules.step(2, 0.5)).build()
        .fit(TinyDenseModel.softmaxClassifier(16), Clusters.of(64, 10, 0.6f), null);
    double[] expected = {0.1, 0.1, 0.05, 0.05, 0.025};
    for (int e = 0; e < 5; e++) {
      assertEquals(expected[e], history.get(e).metric("lr"), 1e-7, "epoch " + (e + 1));
    }
  }

  @Test
  void aPlateauScheduleObservesTheValidationLoss() {
    // Validation labels that contradict training make val_loss rise: the plateau schedule must cut the rate.
    Dataset train = Clusters.of(64, 11, 0.6f);
    int[] wrong = train.labels().clone();
    for (int i = 0; i < wrong.length; i++) {
      wrong[i] = (wrong[i] + 1) % 3;
    }
    Dataset contradicting = Dataset.ofLabels(train.features(), 2, wrong);
    History history = Trainer.builder().optimizer(Sgd.of(0.1)).epochs(6).batchSize(16).seed(1)
        .schedule(ReduceOnPlateau.builder().patience(0).factor(0.5).build()).build()
        .fit(TinyDenseModel.softmaxClassifier(16), train, contradicting);
    assertTrue(history.last().metric("lr") < 0.1 * 0.5 * 0.5, history.toCsv());
  }

  @Test
  void clippingByValueBoundsEveryGradientBeforeTheStep() {
    // With clipping at 1e-3 and plain SGD at lr 1, no weight can move by more than 1e-3 per step.
    TinyDenseModel model = TinyDenseModel.softmaxClassifier(64);
    model.initialize(3);
    float[] before = model.parameters().values().clone();
    Trainer.builder().optimizer(Sgd.of(1)).epochs(1).batchSize(64).clipping(GradientClipping.byValue(1e-3))
        .build().fit(model, Clusters.of(64, 12, 0.6f), null);
    float[] after = model.parameters().values();
    for (int i = 0; i < after.length; i++) {
      assertTrue(Math.abs(after[i] - before[i]) <= 1e-3 + 1e-7, "weight " + i + " moved " + (after[i] - before[i]));
    }
  }

  @Test
  void historyWritesCsvAndSvg(@TempDir File dir) throws IOException {
    History history = Trainer.builder().optimizer(Adam.of(0.05)).epochs(3).batchSize(16).seed(6).build()
        .fit(TinyDenseModel.softmaxClassifier(16), Clusters.of(64, 6, 0.6f), Clusters.of(32, 7, 0.6f));
    File csv = new File(dir, "out/history.csv");
    File svg = new File(dir, "out/history.svg");
    history.writeCsv(csv);
    history.writeSvg(svg);
    List<String> lines = Files.readAllLines(csv.toPath(), StandardCharsets.UTF_8);
    assertEquals(4, lines.size());
    assertEquals("epoch,loss,accuracy,val_loss,val_accuracy,lr,seconds,samples_per_second", lines.get(0));
    assertTrue(lines.get(3).startsWith("3,"), lines.get(3));
    String picture = new String(Files.readAllBytes(svg.toPath()), StandardCharsets.UTF_8);
    assertTrue(picture.startsWith("<svg") && picture.trim().endsWith("</svg>"));
    assertEquals(4, count(picture, "<polyline"), "train and validation curves in both panels");
  }

  @Test
  void progressPrintsPlainLinesWhenNotATerminal() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(bytes, true);
    Trainer.builder().optimizer(Adam.of(0.05)).epochs(2).batchSize(16).listener(new ConsoleProgress(out, false))
        .build().fit(TinyDenseModel.softmaxClassifier(16), Clusters.of(64, 8, 0.6f), null);
    String text = new String(bytes.toByteArray(), StandardCharsets.UTF_8);
    assertFalse(text.contains("\r"), "no carriage returns in a log");
    String[] lines = text.split("\n");
    assertEquals(2, lines.length, text);
    assertTrue(lines[1].startsWith("epoch 2/2 [==============================] 64/64"), lines[1]);
    assertTrue(lines[1].contains("loss") && lines[1].contains("accuracy") && lines[1].contains("samples/s"));
  }

  @Test
  void progressRedrawsOneLineOnATerminal() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(bytes, true);
    Trainer.builder().optimizer(Adam.of(0.05)).epochs(1).batchSize(16).listener(new ConsoleProgress(out, true))
        .build().fit(TinyDenseModel.softmaxClassifier(16), Clusters.of(64, 9, 0.6f), null);
    String text = new String(bytes.toByteArray(), StandardCharsets.UTF_8);
    assertTrue(text.contains("\r"), text);
    assertTrue(text.contains("ETA"), text);
    assertEquals(1, count(text, "\n"));
  }

  private static int count(String text, String part) {
    int n = 0;
    for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
      n++;
    }
    return n;
  }
}
