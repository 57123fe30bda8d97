package io.nabla.processor.model;

import java.util.Arrays;

/** A per-sample tensor shape (no batch dimension), row-major: the last dimension varies fastest. */
public record Shape(int[] dims) {
  public Shape {
    dims = dims.clone();
  }

  public static Shape of(int... dims) {
    return new Shape(dims);
  }

  public int rank() {
    return dims.length;
  }

  public int last() {
    return dims[dims.length - 1];
  }

  /** The number of elements. */
  public int size() {
    int n = 1;
    for (int d : dims) {
      n *= d;
    }
    return n;
  }

  /** The product of every dimension but the last: how many rows a last-axis operation sees per sample. */
  public int rows() {
    return size() / last();
  }

  /** This shape with its last dimension replaced. */
  public Shape withLast(int last) {
    int[] d = dims.clone();
    d[d.length - 1] = last;
    return new Shape(d);
  }

  /** This shape with one more dimension at the end: {@code (64)} and 128 give {@code (64, 128)}. */
  public Shape withAppended(int last) {
    int[] d = Arrays.copyOf(dims, dims.length + 1);
    d[dims.length] = last;
    return new Shape(d);
  }

  @Override
  public int[] dims() {
    return dims.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Shape s && Arrays.equals(dims, s.dims);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(dims);
  }

  /** As written in messages and comments: {@code (784)}, {@code (28, 28)}. */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("(");
    for (int i = 0; i < dims.length; i++) {
      sb.append(i == 0 ? "" : ", ").append(dims[i]);
    }
    return sb.append(')').toString();
  }
}
