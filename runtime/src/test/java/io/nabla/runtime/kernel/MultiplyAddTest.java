package io.nabla.runtime.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.net.URL;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import org.junit.jupiter.api.Test;

/**
 * The portable kernels' multiply-add is the one {@link MultiplyAdd} says it is. Run on {@code target/classes} (the
 * Java 8 class: {@code a·b + c}) and on the multi-release jar (see the runtime pom), where Java 17+ loads the
 * {@code META-INF/versions/17} class: {@code Math.fma} exactly when HotSpot's {@code UseFMA} is on. The pom says
 * which class to expect in {@code nabla.test.multiplyAdd} ({@code java8}, the default, or {@code java17}).
 */
class MultiplyAddTest {

  @Test
  void roundsOnceExactlyWhenItSaysItIsFused() {
    // a·a = 1 + 2^-11 + 2^-24 exactly; rounded to float first, the 2^-24 (half an ulp of 1, a tie to even) is lost.
    float a = 1f + 0x1p-12f;
    float once = 0x1p-11f + 0x1p-24f;
    float twice = 0x1p-11f;
    assertEquals(twice, a * a - 1f, "Java's float arithmetic rounds the product");
    assertEquals(MultiplyAdd.fused() ? once : twice, MultiplyAdd.fma(a, a, -1f));
  }

  @Test
  void plainValuesAreMultipliedAndAdded() {
    assertEquals(7f, MultiplyAdd.fma(2f, 3f, 1f));
    assertEquals(-5f, MultiplyAdd.fma(-2f, 3f, 1f));
    assertEquals(1f, MultiplyAdd.fma(0f, 0f, 1f));
    assertTrue(Float.isNaN(MultiplyAdd.fma(Float.NaN, 1f, 1f)));
  }

  @Test
  void theExpectedClassIsLoadedAndFusesWhenTheJvmHasFma() throws Exception {
    URL where = MultiplyAdd.class.getResource("MultiplyAdd.class");
    assertNotNull(where);
    boolean java17 = where.toString().contains("/META-INF/versions/17/");
    if ("java17".equals(System.getProperty("nabla.test.multiplyAdd", "java8"))) {
      assertTrue(java17, "expected the Java 17 class, loaded " + where);
      assertEquals(hotSpotUsesFma(), MultiplyAdd.fused(), "Math.fma exactly when HotSpot's UseFMA is on");
    } else {
      assertFalse(java17, "expected the Java 8 class, loaded " + where);
      assertFalse(MultiplyAdd.fused());
    }
  }

  /** HotSpot's {@code UseFMA} option, through JMX (the test compiles for Java 8 without {@code com.sun} types). */
  private static boolean hotSpotUsesFma() throws Exception {
    CompositeData option = (CompositeData) ManagementFactory.getPlatformMBeanServer().invoke(
        new ObjectName("com.sun.management:type=HotSpotDiagnostic"), "getVMOption", new Object[] {"UseFMA"},
        new String[] {String.class.getName()});
    return Boolean.parseBoolean((String) option.get("value"));
  }
}
