package io.nabla.runtime.data;

import static io.nabla.runtime.data.TestFiles.cut;
import static io.nabla.runtime.data.TestFiles.gzip;
import static io.nabla.runtime.data.TestFiles.utf8;
import static io.nabla.runtime.data.TestFiles.write;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nabla.runtime.train.Dataset;
import java.io.ByteArrayInputStream;
import java.io.File;
import java.io.IOException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CsvTest {
  private static final String ROWS = "1.5,2,0\n-3,4e-1,1\n5,6,2\n";
  private static final float[] ROW_FEATURES = {1.5f, 2, -3, 0.4f, 5, 6};

  @TempDir File dir;

  private File csv(String name, String text) throws IOException {
    return write(dir, name, utf8(text));
  }

  private static DataException assertFails(DataException.Kind kind, File file, Runnable read, String... parts) {
    DataException e = assertThrows(DataException.class, read::run);
    assertEquals(kind, e.kind(), e.getMessage());
    assertTrue(e.getMessage().contains(file.getPath()), "names the file: " + e.getMessage());
    for (String part : parts) {
      assertTrue(e.getMessage().contains(part), "says \"" + part + "\": " + e.getMessage());
    }
    return e;
  }

  @Test
  void noHeaderLabelLast() throws IOException {
    Dataset d = Csv.format().readLabels(csv("plain.csv", ROWS));
    assertEquals(3, d.size());
    assertEquals(2, d.featureSize());
    assertArrayEquals(ROW_FEATURES, d.features());
    assertArrayEquals(new int[] {0, 1, 2}, d.labels());
    assertNull(d.targets());
  }

  @Test
  void detectedHeaderAndLabelByName() throws IOException {
    File file = csv("iris.csv", "width,length,species\n" + ROWS);
    Dataset d = Csv.format().labelColumn("species").readLabels(file);
    assertArrayEquals(ROW_FEATURES, d.features());
    assertArrayEquals(new int[] {0, 1, 2}, d.labels());
    Dataset byName = Csv.format().labelColumn("width").readTargets(file);
    assertEquals(2, byName.featureSize());
    assertArrayEquals(new float[] {1.5f, -3, 5}, byName.targets());
    assertArrayEquals(new float[] {2, 0, 0.4f, 1, 6, 2}, byName.features());
    // the header is detected without naming a column too
    assertEquals(3, Csv.format().readLabels(file).size());
  }

  @Test
  void labelColumnFirstAndNegative() throws IOException {
    File file = csv("first.csv", "0,1.5,2\n1,-3,4e-1\n2,5,6\n");
    Dataset d = Csv.format().labelColumn(0).readLabels(file);
    assertArrayEquals(ROW_FEATURES, d.features());
    assertArrayEquals(new int[] {0, 1, 2}, d.labels());
    Dataset middle = Csv.format().labelColumn(-2).readTargets(file);
    assertArrayEquals(new float[] {1.5f, -3, 5}, middle.targets());
    assertArrayEquals(new float[] {0, 2, 1, 0.4f, 2, 6}, middle.features());
  }

  @Test
  void forcedHeader() throws IOException {
    File file = csv("numeric-header.csv", "10,20,30\n" + ROWS);
    assertEquals(4, Csv.format().readLabels(file).size());
    Dataset d = Csv.format().header(true).readLabels(file);
    assertEquals(3, d.size());
    assertArrayEquals(ROW_FEATURES, d.features());
    assertEquals(3, Csv.format().header(true).labelColumn("30").readLabels(file).size());
    assertEquals(4, Csv.format().header(true).detectHeader().readLabels(file).size());
  }

  @Test
  void forcedNoHeaderRejectsText() throws IOException {
    File file = csv("header.csv", "a,b,c\n" + ROWS);
    assertFails(DataException.Kind.BAD_FORMAT, file, () -> Csv.format().header(false).readLabels(file),
        "line 1, column 1", "\"a\" is not a number");
    assertFails(DataException.Kind.BAD_FORMAT, file,
        () -> Csv.format().header(false).labelColumn("c").readLabels(file), "no header", "\"c\"");
  }

  @Test
  void gzipByMagic() throws IOException {
    byte[] gz = gzip(utf8("x,y,label\n" + ROWS));
    for (File file : new File[] {write(dir, "data.csv.gz", gz), write(dir, "data.csv", gz)}) {
      Dataset d = Csv.format().readLabels(file);
      assertArrayEquals(ROW_FEATURES, d.features(), file.getName());
      assertArrayEquals(new int[] {0, 1, 2}, d.labels(), file.getName());
    }
    Dataset fromStream = Csv.format().readLabels(new ByteArrayInputStream(gz), "asset.csv");
    assertEquals(3, fromStream.size());
    assertEquals(3, Csv.format().readTargets(new ByteArrayInputStream(utf8(ROWS)), "asset.csv").size());
  }

  @Test
  void targets() throws IOException {
    Dataset d = Csv.format().readTargets(csv("reg.csv", "1,2,0.25\n3,4,-7.5\n"));
    assertFalse(d.hasLabels());
    assertEquals(1, d.targetsPerSample());
    assertArrayEquals(new float[] {0.25f, -7.5f}, d.targets());
    assertArrayEquals(new float[] {1, 2, 3, 4}, d.features());
  }

  @Test
  void separatorQuotesSpacesBlankLinesCrlfAndBom() throws IOException {
    File file = csv("semi.csv", "\uFEFF\"a;1\" ; \"b\";label\r\n\r\n 1,5 ; 2;3\r\n  \n\"4\";5e1 ;6\r\n");
    // "1,5" is not a number with ';' separators
    assertFails(DataException.Kind.BAD_FORMAT, file, () -> Csv.format().separator(';').readLabels(file),
        "line 3, column 1 (a;1)", "\"1,5\" is not a number");
    File good = csv("semi2.csv", "\uFEFF\"a;1\" ; \"b\";label\r\n\r\n 1.5 ; 2;3\r\n  \n\"4\";5e1 ;6\r\n");
    Dataset d = Csv.format().separator(';').labelColumn("label").readLabels(good);
    assertArrayEquals(new float[] {1.5f, 2, 4, 50}, d.features());
    assertArrayEquals(new int[] {3, 6}, d.labels());
    assertEquals(2, Csv.format().separator('\t').readLabels(csv("tabs.tsv", "1\t2\t3\n4\t5\t6\n")).size());
  }

  @Test
  void specialNumbersAndIntegralLabels() throws IOException {
    File file = csv("special.csv", "nan,inf,2.0\n-Infinity,1e3,3.000000e+00\n");
    Dataset d = Csv.format().readLabels(file);
    assertTrue(Float.isNaN(d.features()[0]));
    assertEquals(Float.POSITIVE_INFINITY, d.features()[1]);
    assertEquals(Float.NEGATIVE_INFINITY, d.features()[2]);
    assertArrayEquals(new int[] {2, 3}, d.labels());
  }

  @Test
  void wrongFieldCount() throws IOException {
    File file = csv("ragged.csv", "a,b,c\n1,2,3\n\n4,5\n");
    assertFails(DataException.Kind.BAD_FORMAT, file, () -> Csv.format().readLabels(file),
        "line 4 has 2 fields, expected 3", "line 1");
  }

  @Test
  void nonNumericValue() throws IOException {
    File file = csv("words.csv", "1,2,3\n4,five,6\n");
    assertFails(DataException.Kind.BAD_FORMAT, file, () -> Csv.format().readLabels(file),
        "line 2, column 2", "\"five\" is not a number");
    File named = csv("named.csv", "x,y,z\n1,2,3\n4,,6\n");
    assertFails(DataException.Kind.BAD_FORMAT, named, () -> Csv.format().readTargets(named),
        "line 3, column 2 (y)", "empty value");
    File hex = csv("hex.csv", "1,2,3\n0x10,2f,6\n");
    assertFails(DataException.Kind.BAD_FORMAT, hex, () -> Csv.format().readLabels(hex),
        "line 2, column 1", "\"0x10\"");
  }

  @Test
  void nonIntegerLabel() throws IOException {
    File file = csv("labels.csv", "x,y,class\n1,2,3\n4,5,1.5\n");
    assertFails(DataException.Kind.BAD_FORMAT, file, () -> Csv.format().readLabels(file),
        "line 3, column 3 (class)", "label \"1.5\" is not a non-negative integer");
    File negative = csv("negative.csv", "1,2,-1\n");
    assertFails(DataException.Kind.BAD_FORMAT, negative, () -> Csv.format().readLabels(negative),
        "line 1, column 3", "label \"-1\"");
    // the same file is fine as float targets
    assertArrayEquals(new float[] {3, 1.5f}, Csv.format().readTargets(file).targets());
  }

  @Test
  void missingFile() {
    File file = new File(dir, "nowhere.csv");
    DataException e = assertFails(DataException.Kind.MISSING_FILE, file, () -> Csv.format().readLabels(file),
        "not found");
    assertTrue(e.isMissingFile());
  }

  @Test
  void unknownLabelNameAndColumnOutOfRange() throws IOException {
    File file = csv("cols.csv", "x,y,z\n1,2,3\n");
    assertFails(DataException.Kind.BAD_FORMAT, file, () -> Csv.format().labelColumn("w").readLabels(file),
        "no column named \"w\"", "x, y, z");
    assertFails(DataException.Kind.BAD_FORMAT, file, () -> Csv.format().labelColumn(3).readLabels(file),
        "3 columns", "label column 3");
    assertFails(DataException.Kind.BAD_FORMAT, file, () -> Csv.format().labelColumn(-4).readLabels(file),
        "label column -4");
  }

  @Test
  void emptyHeaderOnlyAndSingleColumn() throws IOException {
    File empty = csv("empty.csv", "\n\n");
    assertFails(DataException.Kind.BAD_FORMAT, empty, () -> Csv.format().readLabels(empty), "is empty");
    File headerOnly = csv("header-only.csv", "x,y\n");
    assertFails(DataException.Kind.BAD_FORMAT, headerOnly, () -> Csv.format().readLabels(headerOnly),
        "no data rows");
    File single = csv("single.csv", "1\n2\n");
    assertFails(DataException.Kind.BAD_FORMAT, single, () -> Csv.format().readLabels(single),
        "at least two");
  }

  @Test
  void unclosedQuote() throws IOException {
    File file = csv("quote.csv", "1,2,3\n4,\"5,6\n");
    assertFails(DataException.Kind.BAD_FORMAT, file, () -> Csv.format().readLabels(file),
        "line 2, column 2", "not closed");
  }

  @Test
  void truncatedGzip() throws IOException {
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < 3000; i++) {
      text.append(i * 7919 % 1000).append(',').append(i * 31 % 977).append(',').append(i % 10).append('\n');
    }
    byte[] gz = gzip(utf8(text.toString()));
    assertEquals(3000, Csv.format().readLabels(write(dir, "whole.csv.gz", gz)).size());
    File file = write(dir, "cut.csv.gz", cut(gz, gz.length / 2));
    assertFails(DataException.Kind.TRUNCATED, file, () -> Csv.format().readLabels(file), "cut off after line");
  }

  @Test
  void nonNumericCellNamesLineAndColumnInGzipAndQuotes() throws IOException {
    File gz = write(dir, "cells.csv.gz", gzip(utf8("x,y,label\n1,2,0\n3,\"4\",1\n5,\"six\",2\n")));
    assertFails(DataException.Kind.BAD_FORMAT, gz, () -> Csv.format().readLabels(gz), "line 4, column 2 (y)",
        "\"six\" is not a number");
    File label = csv("label-cell.csv", "1,2,0\n3,4,one\n");
    assertFails(DataException.Kind.BAD_FORMAT, label, () -> Csv.format().readTargets(label),
        "line 2, column 3", "\"one\" is not a number");
  }

  @Test
  void lineEndingsOfEveryKindAndAtBufferBoundaries() throws IOException {
    Dataset cr = Csv.format().readLabels(csv("cr.csv", "1,2,0\r3,4,1\r\r5,6,2"));
    assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, cr.features());
    assertArrayEquals(new int[] {0, 1, 2}, cr.labels());
    // a \r\n pair may straddle two reads of the buffer (64 Ki characters)
    for (int pad = 65525; pad <= 65540; pad++) {
      StringBuilder text = new StringBuilder("1,2,3");
      for (int i = 0; i < pad; i++) {
        text.append(' ');
      }
      text.append("\r\n4,5,6\r\n\r\n7,8,9");
      Dataset d = Csv.format().readLabels(new ByteArrayInputStream(utf8(text.toString())), "pad" + pad);
      assertArrayEquals(new int[] {3, 6, 9}, d.labels(), "padding " + pad);
    }
  }

  @Test
  void overlongLineIsAnErrorNotAnOutOfMemory() throws IOException {
    byte[] line = new byte[Csv.MAX_LINE_CHARS + 10];
    java.util.Arrays.fill(line, (byte) '7');
    byte[] text = new byte[line.length + 6];
    System.arraycopy(utf8("1,2,3\n"), 0, text, 0, 6);
    System.arraycopy(line, 0, text, 6, line.length);
    File file = write(dir, "long.csv", text);
    assertFails(DataException.Kind.BAD_FORMAT, file, () -> Csv.format().readLabels(file),
        "line 2 is longer than " + Csv.MAX_LINE_CHARS + " characters");
  }
}
