package io.nabla.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The parts of a data-parallel step ({@link GeneratedModel#trainStep}): every part fits its network. */
class PartSizesTest {
  @Test
  void everyPartOfEveryBatchFitsThePartNetworks() {
    for (int partSamples = GeneratedModel.PART_SAMPLES; partSamples >= 1; partSamples /= 2) {
      for (int maxBatch = GeneratedModel.SPLIT_FROM; maxBatch <= 1100; maxBatch++) {
        int networks = GeneratedModel.partCount(maxBatch, partSamples);
        int rows = GeneratedModel.partBatch(maxBatch, partSamples);
        for (int batch = GeneratedModel.SPLIT_FROM; batch <= maxBatch; batch++) {
          int parts = GeneratedModel.partCount(batch, partSamples);
          String where = batch + " of " + maxBatch + " in parts of " + partSamples;
          assertTrue(parts >= 2 && parts <= networks && parts <= GeneratedModel.MAX_PARTS, where);
          for (int p = 0; p < parts; p++) {
            int size = (int) ((long) batch * (p + 1) / parts) - (int) ((long) batch * p / parts);
            assertTrue(size >= partSamples && size <= rows,
                "part " + p + " of " + where + ": " + size + " samples, room " + rows);
          }
        }
      }
    }
    assertEquals(4, GeneratedModel.partCount(64, 16));
    assertEquals(24, GeneratedModel.partBatch(64, 16));
    assertEquals(32, GeneratedModel.partBatch(256, 16));
    assertEquals(8, GeneratedModel.partCount(64, 8));
    assertEquals(12, GeneratedModel.partBatch(64, 8));
    assertEquals(8, GeneratedModel.partCount(32, 1));
    assertEquals(4, GeneratedModel.partBatch(32, 1));
  }

  @Test
  void partsHalveUntilTheirBuffersFitTheBudget() {
    assertEquals(16, GeneratedModel.partSamples(0));
    assertEquals(16, GeneratedModel.partSamples(GeneratedModel.PART_BYTES / 16));
    assertEquals(8, GeneratedModel.partSamples(GeneratedModel.PART_BYTES / 16 + 1));
    // The small CNN of the benchmarks (426 KB per sample) and a transformer of context 64, width 128 (2.4 MB).
    assertEquals(8, GeneratedModel.partSamples(435_984));
    assertEquals(1, GeneratedModel.partSamples(2_476_544));
    assertEquals(1, GeneratedModel.partSamples(Long.MAX_VALUE / 32));
  }
}
