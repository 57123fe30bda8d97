package io.nabla;

/**
 * The type of a layer in a declaration: the return type of every layer method and the type of every parameter
 * that names an input. It is a marker only; nothing implements it at run time.
 */
public interface Tensor {}
