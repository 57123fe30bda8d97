package io.nabla.samples;

import java.io.PrintWriter;
import java.io.StringWriter;

/** One in-process run of the command line, with what it printed. */
final class Run {
  final int exitCode;
  final String out;
  final String err;

  private Run(int exitCode, String out, String err) {
    this.exitCode = exitCode;
    this.out = out;
    this.err = err;
  }

  static Run of(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Samples.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
    return new Run(code, out.toString(), err.toString());
  }

  /** The lines of stdout, without line separators. */
  String[] outLines() {
    return out.trim().split("\\r?\\n");
  }

  /** The lines of stderr, without line separators (none for an empty stderr). */
  String[] errLines() {
    String e = err.trim();
    return e.isEmpty() ? new String[0] : e.split("\\r?\\n");
  }

  @Override
  public String toString() {
    return "exit " + exitCode + "\n--- stdout\n" + out + "--- stderr\n" + err;
  }
}
