package io.nabla.runtime.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {
  @Test
  void parsesValues() throws Json.Problem {
    Map<String, Object> expected = new LinkedHashMap<>();
    expected.put("b", Arrays.asList(1L, -2L, 0L, 1.5, -2.5e-3, 1e300, 12345678901234L, 1e19));
    expected.put("a", "q\" \\ / \b \f \n \r \t é ∇ 🙂");
    expected.put("t", true);
    expected.put("f", false);
    expected.put("e", Collections.emptyMap());
    expected.put("l", Collections.emptyList());
    Object parsed = Json.parse(" {\"b\": [1, -2, 0, 1.5, -2.5E-3, 1e+300, 12345678901234, 10000000000000000000],"
        + " \"a\": \"q\\\" \\\\ \\/ \\b \\f \\n \\r \\t \\u00e9 ∇ \\ud83d\\ude42\", \"t\": true, \"f\": false,"
        + " \"e\": {}, \"l\": [], \"n\": null}\n");
    @SuppressWarnings("unchecked")
    Map<String, Object> map = (Map<String, Object>) parsed;
    assertSame(Json.NULL, map.remove("n"));
    assertEquals(expected, map);
    assertEquals(Arrays.asList("b", "a", "t", "f", "e", "l"), Arrays.asList(map.keySet().toArray()));
  }

  @Test
  void writesStringsThatReadBack() throws Json.Problem {
    String s = "q\" \\ \n \r \t \u0001 \u001f é 🙂";
    String json = Json.string(new StringBuilder(), s).toString();
    assertEquals("\"q\\\" \\\\ \\n \\r \\t \\u0001 \\u001f é 🙂\"", json);
    assertEquals(s, Json.parse(json));
  }

  @Test
  void namesWhatIsWrongAndWhere() {
    assertProblem("", "the JSON ends where a value should be at character 0");
    assertProblem("{\"a\":1,}", "expected a string key, found '}' at character 7");
    assertProblem("[1 2]", "expected ',' or ']', found '2' at character 3");
    assertProblem("{\"a\" 1}", "expected ':', found '1' at character 5");
    assertProblem("\"abc", "a string that never ends at character 0");
    assertProblem("\"a\u0001\"", "a control character (U+0001) inside a string at character 2");
    assertProblem("\"\\x\"", "an unknown escape \\x at character 2");
    assertProblem("\"\\u12g4\"", "a \\u escape with a character that is not a hex digit at character 5");
    assertProblem("01", "unexpected '1' after the end of the JSON value at character 1");
    assertProblem("-", "a number without digits at character 1");
    assertProblem("1.", "a number with no digit after its decimal point at character 2");
    assertProblem("1e", "a number with no digit in its exponent at character 2");
    assertProblem("tru", "unexpected 't' where a value should be at character 0");
    assertProblem("{\"k\":1,\"k\":2}", "the key \"k\" appears twice at character 7");
    StringBuilder deep = new StringBuilder();
    for (int i = 0; i < 100; i++) {
      deep.append('[');
    }
    assertProblem(deep.toString(), "JSON nested deeper than 64 at character 65");
  }

  private static void assertProblem(String json, String message) {
    Json.Problem p = assertThrows(Json.Problem.class, () -> Json.parse(json), json);
    assertEquals(message, p.getMessage(), json);
  }
}
