package io.nabla.processor.validation;

import io.nabla.processor.reading.LayerDeclaration;

/** Checks shared by the 2-D window layers' size attributes. */
final class Sizes {
  private Sizes() {}

  /** One or two values, each at least {@code min}; reports on the attribute and says whether it was fine. */
  static boolean check(String kind, LayerDeclaration layer, String attribute, int[] values, int min,
      ValidationReport report) {
    String rule = null;
    if (values.length < 1 || values.length > 2) {
      rule = "give one value for both axes or two, {height, width}";
    } else {
      for (int v : values) {
        if (v < min) {
          rule = "every value must be at least " + min;
        }
      }
    }
    if (rule != null) {
      report.error(ErrorMessages.badSize(kind, layer.name(), attribute, values, rule), layer.method(),
          layer.annotation(), attribute);
      return false;
    }
    return true;
  }

  static void checkOneInput(String kind, LayerDeclaration layer, ValidationReport report) {
    int n = layer.inputParameters().size();
    if (n != 1) {
      report.error(ErrorMessages.arity(kind, layer.name(), "exactly one input", n), layer.method(),
          layer.annotation());
    }
  }
}
