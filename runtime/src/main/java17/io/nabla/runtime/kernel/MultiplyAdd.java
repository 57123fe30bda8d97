package io.nabla.runtime.kernel;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.lang.management.ManagementFactory;

/**
 * Java 17+ version of the portable kernels' multiply-add (the runtime jar's {@code META-INF/versions/17}):
 * {@code Math.fma(a, b, c)}, one rounding and one instruction, when the JVM compiles {@code Math.fma} to the CPU's
 * FMA instruction; otherwise {@code a · b + c} as on Java 8, because without FMA hardware HotSpot's
 * {@code Math.fma} is a software path dozens of times slower. Whether it does is HotSpot's {@code UseFMA} option,
 * read once when this class initialises (about 15-30 ms, the first time the portable kernels multiply); a JVM
 * without that option or without the {@code jdk.management} module gets {@code a · b + c}. {@link #FUSED} is a
 * static final, so the JIT folds the choice away.
 */
@Java17Only
final class MultiplyAdd {
  private static final boolean FUSED = hardwareFma();

  private MultiplyAdd() {}

  /** {@code a · b + c}, rounded once when {@link #fused()}. */
  static float fma(float a, float b, float c) {
    return FUSED ? Math.fma(a, b, c) : a * b + c;
  }

  /** Whether {@link #fma} is {@code Math.fma}. */
  static boolean fused() {
    return FUSED;
  }

  private static boolean hardwareFma() {
    try {
      HotSpotDiagnosticMXBean hotSpot = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
      return hotSpot != null && Boolean.parseBoolean(hotSpot.getVMOption("UseFMA").getValue());
    } catch (RuntimeException | LinkageError e) {
      // No such option (not HotSpot), no jdk.management module (a jlinked image), or management refused.
      return false;
    }
  }
}
