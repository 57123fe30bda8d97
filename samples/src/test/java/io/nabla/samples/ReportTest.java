package io.nabla.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.nabla.runtime.train.EpochResult;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReportTest {
  private static EpochResult epoch(int epoch, int epochs, double seconds, int samples) {
    return new EpochResult(epoch, epochs, 0.5, 0.9, 0.4, 0.95, seconds, samples);
  }

  @Test
  void throughputLeavesTheFirstEpochOut() {
    List<EpochResult> history = Arrays.asList(epoch(1, 3, 10.0, 1000), epoch(2, 3, 1.0, 1000),
        epoch(3, 3, 3.0, 1000));
    assertEquals(14.0, Report.trainSeconds(history), 1e-12);
    assertEquals(500.0, Report.samplesPerSecond(history), 1e-9);
    assertEquals("result: {\"sample\":\"digits\",\"epochs\":3,\"batch\":32,\"test_accuracy\":0.9722,"
        + "\"train_seconds\":14.00,\"samples_per_second\":500.0}",
        Report.resultLine("digits", 3, 32, 0.97216, history));
  }

  @Test
  void aLanguageModelReportsItsValidationLoss() {
    List<EpochResult> history = Arrays.asList(epoch(1, 2, 10.0, 1000), epoch(2, 2, 4.0, 1000));
    assertEquals("result: {\"sample\":\"charlm\",\"epochs\":2,\"batch\":32,\"validation_loss\":1.6543,"
        + "\"train_seconds\":14.00,\"samples_per_second\":250.0}",
        Report.resultLine("charlm", 2, 32, "validation_loss", 1.65432, history));
  }

  @Test
  void aSingleEpochIsMeasuredItself() {
    List<EpochResult> history = Collections.singletonList(epoch(1, 1, 4.0, 1000));
    assertEquals(4.0, Report.trainSeconds(history), 1e-12);
    assertEquals(250.0, Report.samplesPerSecond(history), 1e-9);
  }
}
