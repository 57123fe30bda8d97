package io.nabla.runtime.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link Kernels#best} picks an implementation and says so at most once. Run three ways (see the runtime pom): on
 * {@code target/classes} (the Java 8 choice: portable, silent), and on the multi-release jar with and without
 * {@code --add-modules jdk.incubator.vector}; the pom says which class to expect in {@code nabla.test.bestKernels}
 * and whether a notice is due in {@code nabla.test.notice}.
 */
class KernelChoiceTest {
  private static String stderr;
  private static Kernels first;
  private static Kernels second;

  @BeforeAll
  static void chooseTwice() {
    PrintStream saved = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true));
    try {
      first = Kernels.best();
      second = Kernels.best(2);
    } finally {
      System.setErr(saved);
    }
    stderr = captured.toString();
  }

  @Test
  void bestIsTheExpectedImplementation() {
    String expected = System.getProperty("nabla.test.bestKernels", "PortableKernels");
    assertEquals(expected, first.getClass().getSimpleName());
    assertEquals(expected, second.getClass().getSimpleName());
    assertNotSame(first, Kernels.best(), "an instance keeps scratch space, so each model needs its own");
  }

  @Test
  void portableKernelsOnJava17AreAnnouncedOnceOnOneLine() {
    if (Boolean.getBoolean("nabla.test.notice")) {
      assertEquals(1, stderr.split("\n", -1).length - 1, "one line: " + stderr);
      assertTrue(stderr.contains("--add-modules jdk.incubator.vector"), stderr);
    } else {
      assertEquals("", stderr);
    }
  }

  @Test
  void threadCountIsChecked() {
    assertThrows(IllegalArgumentException.class, () -> Kernels.best(0));
  }
}
