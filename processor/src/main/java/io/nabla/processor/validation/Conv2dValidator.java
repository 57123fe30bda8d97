package io.nabla.processor.validation;

import io.nabla.processor.model.LayerSpec.Conv2dSpec;
import io.nabla.processor.reading.LayerDeclaration;

/**
 * {@code @Conv2d}: positive filters, one or two positive kernel, stride and dilation sizes, padding of zero or more
 * (or {@code SAME}, with stride 1), groups dividing filters, a usable leaky slope, one input. Whether the kernel
 * fits the input and the groups divide its channels is checked once shapes are known.
 */
final class Conv2dValidator implements LayerValidator {
  @Override
  public void validate(LayerDeclaration layer, ValidationReport report) {
    Conv2dSpec spec = (Conv2dSpec) layer.spec();
    String name = layer.name();
    if (spec.filters() < 1) {
      report.error(ErrorMessages.nonPositiveFilters(name, spec.filters()), layer.method(), layer.annotation(),
          "filters");
    }
    Sizes.check("Conv2d", layer, "kernel", spec.kernel(), 1, report);
    boolean strideOk = Sizes.check("Conv2d", layer, "stride", spec.stride(), 1, report);
    Sizes.check("Conv2d", layer, "dilation", spec.dilation(), 1, report);
    if (spec.samePadding()) {
      if (strideOk && (spec.stride()[0] != 1 || spec.stride()[spec.stride().length - 1] != 1)) {
        report.error(ErrorMessages.samePaddingStride(name, spec.stride()), layer.method(), layer.annotation(),
            "padding");
      }
    } else {
      Sizes.check("Conv2d", layer, "padding", spec.padding(), 0, report);
    }
    if (spec.groups() < 1) {
      report.error(ErrorMessages.badGroups(name, "has groups = " + spec.groups() + "; groups must be at least 1."),
          layer.method(), layer.annotation(), "groups");
    } else if (spec.filters() >= 1 && spec.filters() % spec.groups() != 0) {
      report.error(ErrorMessages.badGroups(name, "has filters = " + spec.filters() + " and groups = "
          + spec.groups() + "; filters must be a multiple of groups (each group has its own filters)."),
          layer.method(), layer.annotation(), "groups");
    }
    LayerValidator.checkLeakySlope(layer, report);
    Sizes.checkOneInput("Conv2d", layer, report);
  }
}
