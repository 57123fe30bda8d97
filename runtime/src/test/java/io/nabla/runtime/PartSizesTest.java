package io.nabla.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The parts of a data-parallel step ({@link GeneratedModel#trainStep}): every part fits its network. */
class PartSizesTest {
  @Test
  void everyPartOfEveryBatchFitsThePartNetworks() {
    for (int maxBatch = GeneratedModel.SPLIT_FROM; maxBatch <= 1100; maxBatch++) {
      int networks = GeneratedModel.partCount(maxBatch);
      int rows = GeneratedModel.partBatch(maxBatch);
      for (int batch = GeneratedModel.SPLIT_FROM; batch <= maxBatch; batch++) {
        int parts = GeneratedModel.partCount(batch);
        assertTrue(parts >= 2 && parts <= networks && parts <= GeneratedModel.MAX_PARTS, batch + " of " + maxBatch);
        for (int p = 0; p < parts; p++) {
          int size = (int) ((long) batch * (p + 1) / parts) - (int) ((long) batch * p / parts);
          assertTrue(size >= GeneratedModel.PART_SAMPLES && size <= rows,
              "part " + p + " of batch " + batch + " (maxBatch " + maxBatch + "): " + size + " samples, room " + rows);
        }
      }
    }
    assertEquals(4, GeneratedModel.partCount(64));
    assertEquals(24, GeneratedModel.partBatch(64));
    assertEquals(32, GeneratedModel.partBatch(256));
  }
}
