package io.nabla.runtime.checkpoint;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The little JSON that a safetensors header needs (RFC 8259), without dependencies. Reading gives
 * {@code Map<String, Object>} (keys in file order; a repeated key is an error), {@code List<Object>},
 * {@code String}, {@code Long} (an integer that fits), {@code Double} (any other number), {@code Boolean} and
 * {@link #NULL}. Writing covers strings and the characters that must be escaped.
 */
final class Json {
  /** JSON's {@code null}. */
  static final Object NULL = new Object() {
    @Override
    public String toString() {
      return "null";
    }
  };

  /** Malformed JSON; the message gives the character offset. */
  static final class Problem extends Exception {
    private static final long serialVersionUID = 1L;

    Problem(String message) {
      super(message);
    }
  }

  private static final int MAX_DEPTH = 64;

  private final String text;
  private int pos;

  private Json(String text) {
    this.text = text;
  }

  /** Parses one JSON value; only whitespace may follow it. */
  static Object parse(String text) throws Problem {
    Json json = new Json(text);
    json.skipSpace();
    Object value = json.value(0);
    json.skipSpace();
    if (json.pos < text.length()) {
      throw json.problem("unexpected " + json.describeHere() + " after the end of the JSON value");
    }
    return value;
  }

  private Object value(int depth) throws Problem {
    if (depth > MAX_DEPTH) {
      throw problem("JSON nested deeper than " + MAX_DEPTH);
    }
    if (pos >= text.length()) {
      throw problem("the JSON ends where a value should be");
    }
    char c = text.charAt(pos);
    switch (c) {
      case '{':
        return object(depth);
      case '[':
        return array(depth);
      case '"':
        return string();
      case 't':
        return literal("true", Boolean.TRUE);
      case 'f':
        return literal("false", Boolean.FALSE);
      case 'n':
        return literal("null", NULL);
      default:
        if (c == '-' || (c >= '0' && c <= '9')) {
          return number();
        }
        throw problem("unexpected " + describeHere() + " where a value should be");
    }
  }

  private Map<String, Object> object(int depth) throws Problem {
    pos++; // {
    Map<String, Object> map = new LinkedHashMap<>();
    skipSpace();
    if (peek() == '}') {
      pos++;
      return map;
    }
    while (true) {
      skipSpace();
      if (peek() != '"') {
        throw problem("expected a string key, found " + describeHere());
      }
      int keyAt = pos;
      String key = string();
      skipSpace();
      expect(':');
      skipSpace();
      Object v = value(depth + 1);
      if (map.containsKey(key)) {
        pos = keyAt;
        throw problem("the key \"" + key + "\" appears twice");
      }
      map.put(key, v);
      skipSpace();
      char c = peek();
      pos++;
      if (c == '}') {
        return map;
      }
      if (c != ',') {
        pos--;
        throw problem("expected ',' or '}', found " + describeHere());
      }
    }
  }

  private List<Object> array(int depth) throws Problem {
    pos++; // [
    List<Object> list = new ArrayList<>();
    skipSpace();
    if (peek() == ']') {
      pos++;
      return list;
    }
    while (true) {
      skipSpace();
      list.add(value(depth + 1));
      skipSpace();
      char c = peek();
      pos++;
      if (c == ']') {
        return list;
      }
      if (c != ',') {
        pos--;
        throw problem("expected ',' or ']', found " + describeHere());
      }
    }
  }

  private String string() throws Problem {
    int start = pos;
    pos++; // "
    StringBuilder sb = new StringBuilder();
    while (true) {
      if (pos >= text.length()) {
        pos = start;
        throw problem("a string that never ends");
      }
      char c = text.charAt(pos++);
      if (c == '"') {
        return sb.toString();
      }
      if (c < 0x20) {
        pos--;
        throw problem("a control character (U+" + String.format(Locale.ROOT, "%04X", (int) c)
            + ") inside a string");
      }
      if (c != '\\') {
        sb.append(c);
        continue;
      }
      if (pos >= text.length()) {
        throw problem("a string that ends in a backslash");
      }
      char e = text.charAt(pos++);
      switch (e) {
        case '"':
        case '\\':
        case '/':
          sb.append(e);
          break;
        case 'b':
          sb.append('\b');
          break;
        case 'f':
          sb.append('\f');
          break;
        case 'n':
          sb.append('\n');
          break;
        case 'r':
          sb.append('\r');
          break;
        case 't':
          sb.append('\t');
          break;
        case 'u':
          if (pos + 4 > text.length()) {
            throw problem("a \\u escape with fewer than 4 hex digits");
          }
          int code = 0;
          for (int i = 0; i < 4; i++) {
            int d = Character.digit(text.charAt(pos++), 16);
            if (d < 0) {
              pos--;
              throw problem("a \\u escape with a character that is not a hex digit");
            }
            code = code * 16 + d;
          }
          sb.append((char) code);
          break;
        default:
          pos--;
          throw problem("an unknown escape \\" + e);
      }
    }
  }

  private Object number() throws Problem {
    int start = pos;
    if (peek() == '-') {
      pos++;
    }
    if (peek() == '0') {
      pos++;
    } else if (isDigit(peek())) {
      digits();
    } else {
      throw problem("a number without digits");
    }
    boolean integer = true;
    if (peek() == '.') {
      integer = false;
      pos++;
      if (!isDigit(peek())) {
        throw problem("a number with no digit after its decimal point");
      }
      digits();
    }
    if (peek() == 'e' || peek() == 'E') {
      integer = false;
      pos++;
      if (peek() == '+' || peek() == '-') {
        pos++;
      }
      if (!isDigit(peek())) {
        throw problem("a number with no digit in its exponent");
      }
      digits();
    }
    String s = text.substring(start, pos);
    if (integer) {
      try {
        return Long.parseLong(s);
      } catch (NumberFormatException e) {
        // beyond a long: a Double, which callers wanting an integer reject
      }
    }
    return Double.parseDouble(s);
  }

  private void digits() {
    while (isDigit(peek())) {
      pos++;
    }
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  private Object literal(String word, Object value) throws Problem {
    if (!text.startsWith(word, pos)) {
      throw problem("unexpected " + describeHere() + " where a value should be");
    }
    pos += word.length();
    return value;
  }

  private void expect(char c) throws Problem {
    if (peek() != c) {
      throw problem("expected '" + c + "', found " + describeHere());
    }
    pos++;
  }

  /** The current character, or 0 at the end. */
  private char peek() {
    return pos < text.length() ? text.charAt(pos) : 0;
  }

  private void skipSpace() {
    while (pos < text.length()) {
      char c = text.charAt(pos);
      if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
        return;
      }
      pos++;
    }
  }

  private String describeHere() {
    if (pos >= text.length()) {
      return "the end of the JSON";
    }
    char c = text.charAt(pos);
    return c >= 0x20 && c < 0x7F ? "'" + c + "'" : String.format(Locale.ROOT, "U+%04X", (int) c);
  }

  private Problem problem(String message) {
    return new Problem(message + " at character " + pos);
  }

  // ---- writing ----

  /** Appends {@code s} as a JSON string. */
  static StringBuilder string(StringBuilder sb, String s) {
    sb.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"':
          sb.append("\\\"");
          break;
        case '\\':
          sb.append("\\\\");
          break;
        case '\n':
          sb.append("\\n");
          break;
        case '\r':
          sb.append("\\r");
          break;
        case '\t':
          sb.append("\\t");
          break;
        default:
          if (c < 0x20) {
            sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
      }
    }
    return sb.append('"');
  }
}
