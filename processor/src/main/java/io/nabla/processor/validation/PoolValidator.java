package io.nabla.processor.validation;

import io.nabla.processor.model.LayerSpec.PoolSpec;
import io.nabla.processor.model.Window;
import io.nabla.processor.reading.LayerDeclaration;

/**
 * {@code @MaxPool2d} and {@code @AvgPool2d}: one or two positive kernel sizes, a stride likewise (or empty: the
 * kernel), padding of at most half the kernel, one input.
 */
final class PoolValidator implements LayerValidator {
  @Override
  public void validate(LayerDeclaration layer, ValidationReport report) {
    PoolSpec spec = (PoolSpec) layer.spec();
    String kind = layer.kind().displayName();
    boolean kernelOk = Sizes.check(kind, layer, "kernel", spec.kernel(), 1, report);
    if (spec.stride().length > 0) {
      Sizes.check(kind, layer, "stride", spec.stride(), 1, report);
    }
    if (Sizes.check(kind, layer, "padding", spec.padding(), 0, report) && kernelOk) {
      int[] k = Window.pair(spec.kernel());
      int[] p = Window.pair(spec.padding());
      if (2 * p[0] > k[0] || 2 * p[1] > k[1]) {
        report.error(ErrorMessages.poolPadding(kind, layer.name(), spec.padding(), Window.pairText(k[0], k[1])),
            layer.method(), layer.annotation(), "padding");
      }
    }
    Sizes.checkOneInput(kind, layer, report);
  }
}
