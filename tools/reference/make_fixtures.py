#!/usr/bin/env python3
"""PyTorch reference fixtures for Nabla's parity tests.

How to run (from the repository root; needs PyTorch, e.g. Debian's python3-torch for /usr/bin/python3):

    /usr/bin/python3 tools/reference/make_fixtures.py            # writes every fixture
    /usr/bin/python3 tools/reference/make_fixtures.py --check    # writes nothing; fails if a fixture on disk differs
    /usr/bin/python3 tools/reference/make_fixtures.py [--check] ConvStrided ConvStrided_b1   # only these fixtures

What it writes: one JSON file per fixture, tests/src/test/resources/fixtures/<Name>.json, read by
tests/src/test/java/io/nabla/tests/parity/PyTorchParityTest.java. A fixture's `declaration` is the Nabla interface
io.nabla.tests.parity.<Declaration> (its generated class is <Declaration>Net): <Name> itself for the dense networks,
and for the convolutional, recurrent and sequence ones <Declaration> plus a suffix per variant (batch size, training or
inference mode), e.g. ConvStrided (batch 3) and ConvStrided_b1 (batch 1), ConvBatchNorm_eval, GruLayers_b1. Each network is declared once, in
NETWORKS below, in the vocabulary of Nabla's annotations; this script builds the equivalent PyTorch module, whose
state_dict names are Nabla's parameter names:

    @Dense       nn.Linear                  <layer>.weight (out, in), <layer>.bias
    @Conv2d      nn.Conv2d                  <layer>.weight (F, C/groups, kH, kW), <layer>.bias; padding SAME is
                                            padding='same' (checked here to put the extra row/column at the
                                            bottom/right, as Nabla does)
    @BatchNorm   nn.BatchNorm1d (rank-1 or -2 input), nn.BatchNorm2d (rank 3): <layer>.weight, <layer>.bias, and
                                            the buffers <layer>.running_mean, <layer>.running_var
    @MaxPool2d   F.max_pool2d               @AvgPool2d  F.avg_pool2d (count_include_pad=True)
    @GlobalAvgPool  mean over (H, W)        @Flatten    flatten(1)
    @Concat      torch.cat(dim=1)           @Dropout    F.dropout (inference mode only: masks come from
                                                        different random streams, so only the identity compares)
    @Add         sum of the operands
    @SimpleRnn   nn.RNN (tanh)              one layer, batch_first=True: <layer>.weight_ih_l0 (G*units, features),
    @Gru         nn.GRU                     <layer>.weight_hh_l0 (G*units, units), <layer>.bias_ih_l0,
    @Lstm        nn.LSTM                    <layer>.bias_hh_l0 (G*units), and <layer>.*_l0_reverse when
                                            bidirectional (G = 1, 3, 4); the output is every step's output with
                                            returnSequences, else h_n with the directions joined, (batch, D*units)
    @Input(tokens = true)                   integer ids, written as floats (the Java test passes a float[]), each
                                            below the vocabulary of every embedding reading the input
    @Embedding   nn.Embedding               <layer>.weight (vocabulary, dimension), looked up with the ids (long)
    @PositionalEmbedding  x + P             <layer>.weight P (time, dimension) (an nn.Embedding(time, dimension)
                                            whose weight is added row by row: nn.Embedding indexed by arange)
    @LayerNorm   nn.LayerNorm(last dim, eps)  <layer>.weight, <layer>.bias
    @MultiHeadAttention  nn.MultiheadAttention(d, heads, batch_first=True), called as self-attention
                                            m(x, x, x, attn_mask=M, need_weights=False) with M =
                                            triu(ones(T, T), 1).bool() when causal (True = masked), else None:
                                            <layer>.in_proj_weight (3d, d), <layer>.in_proj_bias (3d),
                                            <layer>.out_proj.weight (d, d), <layer>.out_proj.bias (d); checked
                                            here against the formula of the annotation's Javadoc, in float64
    activations  RELU F.relu, LEAKY_RELU F.leaky_relu, SIGMOID, TANH, SOFTMAX (last axis), GELU F.gelu (exact,
                 erf), SILU F.silu

and each fixture holds, all float32:

    name, declaration, about       the network and the Java interface it must match
    loss, batch, layers            the declaration as data: kind, inputs, units, activation, bias, output shape
                                   (the test checks the generated model's layers() against it)
    mode                           (convolutional fixtures) "train" or "eval": the model.setTraining(...) of every
                                   pass, forward and the optimizer steps; PyTorch's module.train() / .eval()
    folded                         (eval fixtures) {conv: batch norm} for each convolution without activation read
                                   only by a batch norm: Nabla folds it in inference and computes its own output
                                   only in backward, so the test checks its activations after backward
    inputs                         {input layer: {shape: [batch, ...], data: [...]}}, row-major (token inputs:
                                   integer ids as floats)
    labels | targets               int class labels (softmax cross-entropy, one per row of the output's last axis)
                                   or float targets (MSE, binary cross-entropy), shape [batch, ...]
    parameters                     the initial weights by state_dict name: {shape, data}
    buffers                        (with batch norm) the initial running_mean / running_var by name
    activations                    every hidden layer's output (after its activation), to localise a mismatch
    output                         the network's output, after the output activation if any (a softmax or
                                   sigmoid output fused with the loss holds probabilities)
    loss_value                     the mean loss (cross-entropy and BCE on the logits, before the output's
                                   softmax/sigmoid)
    gradients                      d loss / d parameter, by state_dict name, after one backward from zero
    buffers_after                  (with batch norm) the running statistics after that forward (updated with
                                   momentum in training, unchanged in inference)
    rounding_noise                 (with attention) {tensor: [[start, end], ...]}: elements whose gradient is 0
                                   in exact arithmetic, rounding noise in floating point; the key bias of an
                                   attention layer, in_proj_bias[d:2d] (a constant added to every score of a
                                   softmax row changes nothing). Adam divides by the gradient's own scale, so
                                   after its steps these elements hold noise of up to lr per step, different in
                                   any other implementation: they are compared in the gradients (≈1e-8, within the
                                   tensor's norm-relative tolerance) but left out after the optimizer steps
    optimizers                     a list of runs, each from the initial weights and recomputing forward/backward
                                   on the same batch every step: zero_grad, forward, loss, backward, step, 3 times.
                                   kind "sgd" (lr 0.1, momentum 0.9, plain and Nesterov) or "adam" (lr 0.01,
                                   betas (0.9, 0.999), eps 1e-8); "losses" is the loss at each step (before its
                                   update) and "parameters" the weights after the last step ("buffers" the
                                   running statistics then). The dense networks have all three runs, the
                                   convolutional, recurrent and sequence ones Adam only (the optimizers are checked
                                   elsewhere).

Everything is deterministic: single-threaded CPU float32, one seeded torch.Generator per fixture for weights,
inputs, labels and running statistics (random weights and biases, not Nabla's or PyTorch's initialisation, so
biases are non-zero and batch-norm scales are not 1), and floats written as the shortest decimal that reads back
as the same float32 (read them with Float.parseFloat).

The script also refuses to write a fixture that a correct float32 implementation could fail for reasons of
rounding: every ReLU/leaky-ReLU pre-activation, in every forward pass of every run, must be at least
KINK_MARGIN away from the kink at 0 (so rounding cannot flip a derivative), the largest value of every
max-pooling window at least POOL_MARGIN above the next smaller one (so rounding cannot move the maximum; exact
ties are copies of one value, see pool_gaps), and the float32 results must agree with the same computation in
float64 to within a small fraction of the Java test's tolerances (1e-5 for outputs, loss, gradients and running
statistics, 1e-4 after the optimizer steps). A fixture that fails these checks needs another seed.

The sequence layers' fixtures (TransformerBlock, FullAttention, EmbeddingRepeats) cover embeddings, positions,
layer norm and attention over several positions and one (the "One" declarations; one position makes the attention
probabilities 1, so queries and keys get exact zero gradients), at batch 3 and 1, causal and not; EmbeddingRepeats
is checked here to repeat ids within a sample and across the batch, so rows of the table sum several gradients.

Not compared, because PyTorch cannot give a reference: dropout in training (Nabla's masks come from its own seeded
stream), batch norm over features (BatchNorm1d on a (batch, C) input) in training at batch 1, which PyTorch
rejects ("Expected more than 1 value per channel when training"), and the bias of a convolution before a batch
norm in training, whose gradient is 0 but for rounding (such convolutions are compared in inference only).
"""

import argparse
import json
import math
import os
import sys
import warnings

import numpy as np
import torch
import torch.nn.functional as F

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), os.pardir, os.pardir))
OUT_DIR = os.path.join(ROOT, "tests", "src", "test", "resources", "fixtures")
PACKAGE = "io.nabla.tests.parity"

KINK_MARGIN = 1e-4     # minimum |pre-activation| at a ReLU / leaky-ReLU kink (float32 rounding is ~1e-6)
POOL_MARGIN = 1e-4     # minimum gap between the two largest values of a max-pooling window
FP64_GRAD_LIMIT = 2e-6  # float32 vs float64 norm-relative error allowed for outputs, loss, gradients
FP64_STEP_LIMIT = 2e-5  # ... and for weights after the optimizer steps
STEPS = 3
DEFAULT_LEAKY_SLOPE = 0.01  # Nabla's default, as PyTorch's

OPTIMIZERS = [
    dict(name="sgd_momentum", kind="sgd", lr=0.1, momentum=0.9, nesterov=False),
    dict(name="sgd_nesterov", kind="sgd", lr=0.1, momentum=0.9, nesterov=True),
    dict(name="adam", kind="adam", lr=0.01, betas=[0.9, 0.999], eps=1e-8),
]
RELU_FAMILY = ("RELU", "LEAKY_RELU")


# ---- the networks, in Nabla's vocabulary ----

def input_layer(name, *shape, tokens=False):
    """@Input(shape); with tokens, @Input(value = shape, tokens = true): integer ids, for embeddings only."""
    layer = dict(kind="Input", name=name, shape=list(shape))
    if tokens:
        layer["tokens"] = True
    return layer


def dense(name, source, units, activation="IDENTITY", bias=True, slope=None):
    layer = dict(kind="Dense", name=name, inputs=[source], units=units, activation=activation, bias=bias)
    if activation == "LEAKY_RELU":
        layer["leakySlope"] = DEFAULT_LEAKY_SLOPE if slope is None else slope
    return layer


def add(name, sources, activation="IDENTITY", slope=None):
    layer = dict(kind="Add", name=name, inputs=list(sources), activation=activation)
    if activation == "LEAKY_RELU":
        layer["leakySlope"] = DEFAULT_LEAKY_SLOPE if slope is None else slope
    return layer


def pair(value):
    return [value, value] if isinstance(value, int) else list(value)


def with_activation(layer, activation, slope):
    layer["activation"] = activation
    if activation == "LEAKY_RELU":
        layer["leakySlope"] = DEFAULT_LEAKY_SLOPE if slope is None else slope
    return layer


def conv(name, source, filters, kernel, stride=1, padding=0, dilation=1, groups=1, bias=True,
         activation="IDENTITY", slope=None):
    """@Conv2d; padding "SAME" as Conv2d.SAME."""
    return with_activation(dict(kind="Conv2d", name=name, inputs=[source], filters=filters, kernel=pair(kernel),
                                stride=pair(stride), padding="SAME" if padding == "SAME" else pair(padding),
                                dilation=pair(dilation), groups=groups, bias=bias), activation, slope)


def max_pool(name, source, kernel, stride=None, padding=0):
    return dict(kind="MaxPool2d", name=name, inputs=[source], kernel=pair(kernel),
                stride=pair(kernel if stride is None else stride), padding=pair(padding))


def avg_pool(name, source, kernel, stride=None, padding=0):
    return dict(kind="AvgPool2d", name=name, inputs=[source], kernel=pair(kernel),
                stride=pair(kernel if stride is None else stride), padding=pair(padding))


def global_avg_pool(name, source):
    return dict(kind="GlobalAvgPool", name=name, inputs=[source])


def flatten(name, source):
    return dict(kind="Flatten", name=name, inputs=[source])


def dropout(name, source, rate):
    return dict(kind="Dropout", name=name, inputs=[source], rate=rate)


def batch_norm(name, source, momentum=0.1, epsilon=1e-5, activation="IDENTITY", slope=None):
    return with_activation(dict(kind="BatchNorm", name=name, inputs=[source], momentum=momentum, epsilon=epsilon),
                           activation, slope)


def concat(name, sources):
    return dict(kind="Concat", name=name, inputs=list(sources))


def recurrent(kind, name, source, units, return_sequences=False, bidirectional=False):
    """@SimpleRnn, @Gru or @Lstm."""
    return dict(kind=kind, name=name, inputs=[source], units=units, returnSequences=return_sequences,
                bidirectional=bidirectional)


RECURRENT = {"SimpleRnn": 1, "Gru": 3, "Lstm": 4}  # the kinds, with their gates per unit


def embedding(name, source, vocabulary, dimension):
    """@Embedding(vocabulary, dimension) over a token input."""
    return dict(kind="Embedding", name=name, inputs=[source], vocabulary=vocabulary, dimension=dimension)


def positional(name, source):
    """@PositionalEmbedding over (time, dimension)."""
    return dict(kind="PositionalEmbedding", name=name, inputs=[source])


def layer_norm(name, source, epsilon=1e-5):
    """@LayerNorm(epsilon) over the last dimension."""
    return dict(kind="LayerNorm", name=name, inputs=[source], epsilon=epsilon)


def attention(name, source, heads, causal=False):
    """@MultiHeadAttention(heads, causal): self-attention over (time, d)."""
    return dict(kind="MultiHeadAttention", name=name, inputs=[source], heads=heads, causal=causal)


def variants(name, about, loss, layers, runs):
    """One fixture per run (suffix, seed, batch, mode) of the declaration `name`: Adam only."""
    nets = []
    for suffix, seed, batch, mode in runs:
        nets.append(dict(name=name + suffix, declaration=name, seed=seed, batch=batch, loss=loss, mode=mode,
                         optimizers=["adam"],
                         about="%s; batch %d, %s mode" % (about, batch, "training" if mode == "train"
                                                          else "inference"),
                         layers=layers))
    return nets


NETWORKS = [
    dict(name="SoftmaxMlp", seed=101, batch=4, loss="SOFTMAX_CROSS_ENTROPY",
         about="(a) softmax cross-entropy MLP: ReLU hidden layer, identity logits",
         layers=[input_layer("x", 5),
                 dense("hidden", "x", 6, "RELU"),
                 dense("logits", "hidden", 3)]),
    dict(name="SoftmaxOutputMlp", seed=101, batch=4, loss="SOFTMAX_CROSS_ENTROPY",
         about="(b) SoftmaxMlp (same seed, same data) with a SOFTMAX output fused with the loss: outputs are "
               "probabilities, loss and gradients are unchanged",
         layers=[input_layer("x", 5),
                 dense("hidden", "x", 6, "RELU"),
                 dense("logits", "hidden", 3, "SOFTMAX")]),
    dict(name="MixedActivationsMse", seed=113, batch=3, loss="MSE",
         about="(c) leaky ReLU (slope 0.2), tanh and sigmoid hidden layers, 2 linear outputs, MSE",
         layers=[input_layer("x", 4),
                 dense("leaky", "x", 5, "LEAKY_RELU", slope=0.2),
                 dense("squash", "leaky", 4, "TANH"),
                 dense("gate", "squash", 3, "SIGMOID"),
                 dense("out", "gate", 2)]),
    dict(name="BceLogits", seed=104, batch=4, loss="BINARY_CROSS_ENTROPY_WITH_LOGITS",
         about="(d) binary cross-entropy with logits on an identity output (the output is the logits)",
         layers=[input_layer("x", 4),
                 dense("hidden", "x", 5, "TANH"),
                 dense("out", "hidden", 3)]),
    dict(name="BceSigmoid", seed=105, batch=4, loss="BINARY_CROSS_ENTROPY_WITH_LOGITS",
         about="(d) binary cross-entropy on a SIGMOID output fused with the loss: outputs are probabilities",
         layers=[input_layer("x", 4),
                 dense("hidden", "x", 5, "TANH"),
                 dense("out", "hidden", 3, "SIGMOID")]),
    dict(name="ResidualDag", seed=106, batch=4, loss="SOFTMAX_CROSS_ENTROPY",
         about="(e) residual DAG: stem feeds both branch and the @Add(RELU) join",
         layers=[input_layer("x", 5),
                 dense("stem", "x", 4, "RELU"),
                 dense("branch", "stem", 4, "TANH"),
                 add("joined", ["branch", "stem"], "RELU"),
                 dense("logits", "joined", 3)]),
    dict(name="RowsSoftmax", seed=107, batch=2, loss="SOFTMAX_CROSS_ENTROPY",
         about="(f) rank-2 input (3, 5): Dense on the last axis, one label per row (3 per sample), "
               "cross-entropy averaged over all batch*3 rows",
         layers=[input_layer("x", 3, 5),
                 dense("hidden", "x", 4, "TANH"),
                 dense("logits", "hidden", 3)]),
    dict(name="SingleSample", seed=108, batch=1, loss="SOFTMAX_CROSS_ENTROPY",
         about="(g) batch of one sample; leaky ReLU with the default slope 0.01, softmax output",
         layers=[input_layer("x", 4),
                 dense("hidden", "x", 5, "LEAKY_RELU"),
                 dense("logits", "hidden", 3, "SOFTMAX")]),
    dict(name="NoBias", seed=109, batch=3, loss="MSE",
         about="(h) Dense layers with bias = false (ReLU and identity), then a sigmoid output with bias, MSE",
         layers=[input_layer("x", 4),
                 dense("hidden", "x", 5, "RELU", bias=False),
                 dense("mid", "hidden", 4, bias=False),
                 dense("out", "mid", 2, "SIGMOID")]),
    # Beyond the required list: several inputs, a three-way join, rank-2 targets, a join as the output.
    dict(name="TwoInputsJoin", seed=110, batch=2, loss="BINARY_CROSS_ENTROPY_WITH_LOGITS",
         about="two rank-2 inputs (2, 4) and (2, 3); `a` feeds two layers; an @Add(LEAKY_RELU, slope 0.1) of three "
               "operands; a sigmoid output of shape (2, 2) fused with binary cross-entropy",
         layers=[input_layer("a", 2, 4),
                 input_layer("b", 2, 3),
                 dense("pa", "a", 4, "RELU"),
                 dense("pb", "b", 4, "TANH"),
                 dense("skip", "a", 4),
                 add("joined", ["pa", "pb", "skip"], "LEAKY_RELU", slope=0.1),
                 dense("out", "joined", 2, "SIGMOID")]),
    dict(name="AddSoftmaxOutput", seed=111, batch=3, loss="SOFTMAX_CROSS_ENTROPY",
         about="an @Add(SOFTMAX) output layer fused with softmax cross-entropy",
         layers=[input_layer("x", 4),
                 dense("p", "x", 3),
                 dense("q", "x", 3, "TANH"),
                 add("out", ["p", "q"], "SOFTMAX")]),
]

# Convolutional layers: each declaration at batch 3 and batch 1 (batch norm over features cannot train on one
# sample in PyTorch), in training mode and, where batch norm or dropout make it differ, in inference mode.
NETWORKS += variants(
    "ConvStrided", "convolutions with stride, rectangular kernels and padding that differs between height and width, "
    "flattened into a dense layer", "SOFTMAX_CROSS_ENTROPY",
    [input_layer("image", 2, 7, 6),
     conv("conv1", "image", 3, 3, padding=1, activation="TANH"),
     conv("conv2", "conv1", 4, [3, 2], stride=[2, 1], padding=[1, 2], activation="RELU"),
     conv("conv3", "conv2", 2, [1, 3], stride=[1, 3], activation="LEAKY_RELU", slope=0.1),
     flatten("features", "conv3"),
     dense("logits", "features", 3)],
    [("", 201, 3, "train"), ("_b1", 202, 1, "train")])
NETWORKS += variants(
    "ConvDilatedGrouped", "dilation (different per axis) with groups, then a strided grouped convolution with "
    "dilation and padding, global average pooling, MSE", "MSE",
    [input_layer("image", 4, 9, 8),
     conv("conv1", "image", 6, 3, dilation=[2, 1], groups=2, activation="TANH"),
     conv("conv2", "conv1", 4, [2, 3], stride=2, padding=1, dilation=[1, 2], groups=2, activation="SIGMOID"),
     global_avg_pool("pooled", "conv2"),
     dense("y", "pooled", 2)],
    [("", 211, 3, "train"), ("_b1", 212, 1, "train")])
NETWORKS += variants(
    "ConvDepthwiseSame", "a depthwise convolution (channel multiplier 2) with SAME padding and no bias, then "
    "SAME convolutions with even kernels (extra row and column at the bottom and right) as the MSE output",
    "MSE",
    [input_layer("image", 3, 6, 7),
     conv("depthwise", "image", 6, 3, padding="SAME", groups=3, bias=False, activation="TANH"),
     conv("even", "depthwise", 4, [4, 2], padding="SAME", groups=2, activation="TANH"),
     conv("out", "even", 2, 2, padding="SAME", dilation=[1, 3])],
    [("", 221, 3, "train"), ("_b1", 222, 1, "train")])
NETWORKS += variants(
    "MaxPooling", "max pooling: odd input, stride different from the kernel, padding, a rectangular window, and "
    "the default stride dropping the last row and column", "SOFTMAX_CROSS_ENTROPY",
    [input_layer("image", 2, 9, 7),
     conv("conv1", "image", 3, 3, padding=1, activation="TANH"),
     max_pool("pool1", "conv1", 3, stride=2, padding=1),
     max_pool("pool2", "pool1", [2, 3], stride=[1, 2], padding=1),
     max_pool("pool3", "pool2", 2),
     flatten("features", "pool3"),
     dense("logits", "features", 3)],
    [("", 23100, 3, "train"), ("_b1", 232, 1, "train")])
NETWORKS += variants(
    "AvgPooling", "average pooling with padding counted in the mean (count_include_pad), stride different from the "
    "kernel, a rectangular window, the default stride on an odd size", "SOFTMAX_CROSS_ENTROPY",
    [input_layer("image", 2, 9, 7),
     conv("conv1", "image", 3, 3, padding=1, activation="TANH"),
     avg_pool("pool1", "conv1", 3, stride=2, padding=1),
     avg_pool("pool2", "pool1", [2, 3], stride=[1, 2], padding=1),
     avg_pool("pool3", "pool2", 2),
     flatten("features", "pool3"),
     dense("logits", "features", 3)],
    [("", 241, 3, "train"), ("_b1", 242, 1, "train")])
NETWORKS += variants(
    "ConvBatchNorm", "batch norm after a convolution without bias (2-D, ReLU; folded into the convolution in "
    "inference) and after a dense layer (1-D, momentum 0.2, sigmoid)", "SOFTMAX_CROSS_ENTROPY",
    [input_layer("image", 3, 5, 5),
     conv("conv1", "image", 4, 3, padding=1, bias=False),
     batch_norm("bn1", "conv1", activation="RELU"),
     avg_pool("pool1", "bn1", 2),
     flatten("features", "pool1"),
     dense("hidden", "features", 5, bias=False),
     batch_norm("bn2", "hidden", momentum=0.2, activation="SIGMOID"),
     dense("logits", "bn2", 3)],
    [("", 25102, 3, "train"), ("_eval", 25200, 3, "eval"), ("_eval_b1", 253, 1, "eval")])
NETWORKS += variants(
    "BatchNormVariants", "batch norm on the input (momentum 0.3, epsilon 1e-3), after a convolution (leaky ReLU "
    "0.1, epsilon 1e-4; folded in inference), and after a convolution with an activation (not folded, momentum "
    "0.05)", "MSE",
    [input_layer("image", 3, 6, 5),
     batch_norm("bn0", "image", momentum=0.3, epsilon=1e-3),
     conv("conv1", "bn0", 4, 3, padding=[1, 0], bias=False),
     batch_norm("bn1", "conv1", epsilon=1e-4, activation="LEAKY_RELU", slope=0.1),
     conv("conv2", "bn1", 4, [1, 3], activation="TANH"),
     batch_norm("bn2", "conv2", momentum=0.05),
     flatten("features", "bn2"),
     dense("y", "features", 2)],
    [("", 261, 3, "train"), ("_b1", 262, 1, "train"), ("_eval", 26300, 3, "eval"), ("_eval_b1", 264, 1, "eval")])
# A bias before a batch norm has no effect in training (its gradient is 0 but for rounding, which no relative
# tolerance can compare), so convolutions with bias folded into a batch norm are compared in inference only.
NETWORKS += variants(
    "FoldedConvBias", "batch norms folded in inference into convolutions with bias: strided and grouped, then "
    "depthwise with SAME padding", "SOFTMAX_CROSS_ENTROPY",
    [input_layer("image", 4, 7, 6),
     conv("conv1", "image", 4, 3, stride=2, padding=1, groups=2),
     batch_norm("bn1", "conv1", activation="TANH"),
     conv("depthwise", "bn1", 8, 3, padding="SAME", groups=4),
     batch_norm("bn2", "depthwise", epsilon=1e-3, activation="LEAKY_RELU", slope=0.2),
     flatten("features", "bn2"),
     dense("logits", "features", 3)],
    [("_eval", 30100, 3, "eval"), ("_eval_b1", 302, 1, "eval")])
NETWORKS += variants(
    "ConvConcat", "channel concatenation of two convolutions, a max pooling and the input itself, and a "
    "concatenation of features (global average pooling and a flattened strided convolution)",
    "SOFTMAX_CROSS_ENTROPY",
    [input_layer("image", 2, 6, 6),
     conv("wide", "image", 3, 3, padding=1, activation="TANH"),
     conv("narrow", "image", 2, 1, activation="RELU"),
     max_pool("pooled", "image", 3, stride=1, padding=1),
     concat("joined", ["wide", "narrow", "pooled", "image"]),
     conv("conv", "joined", 4, 3, stride=2, activation="TANH"),
     global_avg_pool("summary", "joined"),
     flatten("flat", "conv"),
     concat("features", ["summary", "flat"]),
     dense("logits", "features", 3)],
    [("", 271, 3, "train"), ("_b1", 272, 1, "train")])
NETWORKS += variants(
    "ConvDropout", "dropout after a convolution and after a dense layer, compared in inference (the identity): "
    "training masks come from Nabla's own random stream", "SOFTMAX_CROSS_ENTROPY",
    [input_layer("image", 2, 5, 6),
     conv("conv1", "image", 3, 3, activation="TANH"),
     dropout("drop1", "conv1", 0.3),
     flatten("features", "drop1"),
     dense("hidden", "features", 6, "TANH"),
     dropout("drop2", "hidden", 0.5),
     dense("logits", "drop2", 3)],
    [("", 281, 3, "eval"), ("_b1", 282, 1, "eval")])
NETWORKS += variants(
    "ConvResidual", "residual blocks with @Add(RELU): an identity shortcut around two convolution + batch norm "
    "layers, and a strided block with a 1x1 convolution + batch norm shortcut", "SOFTMAX_CROSS_ENTROPY",
    [input_layer("image", 3, 6, 5),
     conv("stem", "image", 4, 3, padding=1, activation="RELU"),
     conv("c1", "stem", 4, 3, padding="SAME", bias=False),
     batch_norm("b1", "c1", activation="RELU"),
     conv("c2", "b1", 4, 3, padding=1, bias=False),
     batch_norm("b2", "c2"),
     add("add1", ["b2", "stem"], "RELU"),
     conv("c3", "add1", 6, 3, stride=2, padding=1, bias=False),
     batch_norm("b3", "c3", activation="RELU"),
     conv("c4", "b3", 6, 3, padding="SAME", bias=False),
     batch_norm("b4", "c4"),
     conv("shortcut", "add1", 6, 1, stride=2, bias=False),
     batch_norm("bs", "shortcut"),
     add("add2", ["b4", "bs"], "RELU"),
     global_avg_pool("pooled", "add2"),
     dense("logits", "pooled", 3)],
    [("", 291, 3, "train"), ("_b1", 292, 1, "train"), ("_eval", 293, 3, "eval")])



def recurrent_variants(kind, time, seed):
    """Every variant of one recurrent kind over `time` steps: one direction and two, every step and the last,
    reading the input (no input gradient) and reading a layer, stacked on a recurrent layer."""
    name = kind + ("OneStep" if time == 1 else "Layers")
    return variants(
        name, "@%s over %d step%s: one direction and two, every step's state and the last, reading the input and "
        "reading a dense layer, stacked" % (kind, time, "" if time == 1 else "s"), "SOFTMAX_CROSS_ENTROPY",
        [input_layer("x", time, 3),
         dense("embedded", "x", 4, "TANH"),
         recurrent(kind, "seqUni", "embedded", 4, return_sequences=True),
         recurrent(kind, "lastBi", "seqUni", 3, bidirectional=True),
         recurrent(kind, "seqBi", "x", 3, return_sequences=True, bidirectional=True),
         recurrent(kind, "lastUni", "seqBi", 4),
         concat("joined", ["lastBi", "lastUni"]),
         dense("logits", "joined", 3)],
        [("", seed, 3, "train"), ("_b1", seed + 1, 1, "train")])


# Recurrent layers: each kind over 5 steps and over 1, at batch 3 and batch 1.
NETWORKS += recurrent_variants("Gru", 5, 401)
NETWORKS += recurrent_variants("Gru", 1, 411)
NETWORKS += recurrent_variants("Lstm", 5, 421)
NETWORKS += recurrent_variants("Lstm", 1, 431)
NETWORKS += recurrent_variants("SimpleRnn", 5, 441)
NETWORKS += recurrent_variants("SimpleRnn", 1, 451)
NETWORKS += variants(
    "GruTagger", "a bidirectional GRU read by a per-step classifier: one label per step", "SOFTMAX_CROSS_ENTROPY",
    [input_layer("x", 6, 3),
     recurrent("Gru", "tags", "x", 4, return_sequences=True, bidirectional=True),
     dense("logits", "tags", 3)],
    [("", 461, 3, "train"), ("_b1", 462, 1, "train")])
NETWORKS += variants(
    "LstmRegression", "an LSTM over every step as the output, MSE against a target per step", "MSE",
    [input_layer("x", 4, 2),
     dense("embedded", "x", 3, "TANH"),
     recurrent("Lstm", "y", "embedded", 3, return_sequences=True)],
    [("", 471, 3, "train"), ("_b1", 472, 1, "train")])


# Sequence layers: each declaration at batch 3 and batch 1, over several positions and over one ("One"), causal
# attention in TransformerBlock and both kinds in FullAttention.
def transformer_block(time, seed):
    name = "TransformerBlock" + ("One" if time == 1 else "")
    return variants(
        name, "a pre-norm transformer block over %d token%s (vocabulary 11, dimension 8): embedding, learned "
        "positions, layer norm, causal 2-head self-attention with a residual @Add, layer norm, a GELU feed-forward "
        "(16) with a residual @Add, layer norm, logits per position (one label per position)"
        % (time, "" if time == 1 else "s"), "SOFTMAX_CROSS_ENTROPY",
        [input_layer("tokens", time, tokens=True),
         embedding("embed", "tokens", 11, 8),
         positional("positioned", "embed"),
         layer_norm("norm1", "positioned"),
         attention("attention", "norm1", 2, causal=True),
         add("residual1", ["attention", "positioned"]),
         layer_norm("norm2", "residual1"),
         dense("ff1", "norm2", 16, "GELU"),
         dense("ff2", "ff1", 8),
         add("residual2", ["ff2", "residual1"]),
         layer_norm("norm3", "residual2"),
         dense("logits", "norm3", 11)],
        [("", seed, 3, "train"), ("_b1", seed + 1, 1, "train")])


def full_attention(time, seed):
    name = "FullAttention" + ("One" if time == 1 else "")
    return variants(
        name, "self-attention over %d position%s of 6 features: 3 heads without a mask reading the input (no input "
        "gradient), a SiLU dense layer, 1 causal head, layer norm (epsilon 1e-3), flattened into the logits"
        % (time, "" if time == 1 else "s"), "SOFTMAX_CROSS_ENTROPY",
        [input_layer("x", time, 6),
         attention("mixed", "x", 3),
         dense("gated", "mixed", 6, "SILU"),
         attention("masked", "gated", 1, causal=True),
         layer_norm("norm", "masked", epsilon=1e-3),
         flatten("features", "norm"),
         dense("logits", "features", 3)],
        [("", seed, 3, "train"), ("_b1", seed + 1, 1, "train")])


NETWORKS += transformer_block(5, 501)
NETWORKS += transformer_block(1, 511)
NETWORKS += full_attention(4, 521)
NETWORKS += full_attention(1, 531)
NETWORKS += [dict(net, repeated_ids=True) for net in variants(
    "EmbeddingRepeats", "an embedding (vocabulary 4) over 6 tokens per sample, so ids repeat within a sample and "
    "across the batch and their gradients add up in the table's rows, then a GELU dense layer and a linear output "
    "per position, MSE", "MSE",
    [input_layer("ids", 6, tokens=True),
     embedding("table", "ids", 4, 3),
     dense("hidden", "table", 5, "GELU"),
     dense("y", "hidden", 2)],
    [("", 541, 3, "train"), ("_b1", 542, 1, "train")])]

NETWORKS += variants(
    "SequenceEdges", "the sequence layers' edge cases: layer norm and learned positions reading a features input (no "
    "input gradient), two embeddings of one token input (ids below the smaller vocabulary), a four-way @Add, "
    "attention with heads of size 1, a SiLU dense layer without bias, and a causal attention as the MSE output",
    "MSE",
    [input_layer("x", 3, 4),
     input_layer("ids", 3, tokens=True),
     layer_norm("normIn", "x"),
     positional("posIn", "x"),
     embedding("small", "ids", 5, 4),
     embedding("large", "ids", 7, 4),
     add("joined", ["normIn", "posIn", "small", "large"]),
     attention("wide", "joined", 4),
     dense("gated", "wide", 4, "SILU", bias=False),
     attention("out", "gated", 2, causal=True)],
    [("", 551, 3, "train"), ("_b1", 552, 1, "train")])
NETWORKS += variants(
    "TokenGrid", "a rank-2 token input (2, 3) embedded to (2, 3, 2), a GELU dense layer without bias on the last "
    "axis, flattened, layer norm over 24 features, and a GELU output, MSE", "MSE",
    [input_layer("grid", 2, 3, tokens=True),
     embedding("cells", "grid", 6, 2),
     dense("hidden", "cells", 4, "GELU", bias=False),
     flatten("flat", "hidden"),
     layer_norm("norm", "flat"),
     dense("out", "norm", 2, "GELU")],
    [("", 561, 3, "train"), ("_b1", 562, 1, "train")])


# ---- PyTorch equivalent ----

def topological(layers):
    """Layers in an order where every layer follows its inputs (declaration order may differ)."""
    by_name = {layer["name"]: layer for layer in layers}
    done, order = set(), []

    def visit(name):
        if name in done:
            return
        for source in by_name[name].get("inputs", []):
            visit(source)
        done.add(name)
        order.append(by_name[name])

    for layer in layers:
        visit(layer["name"])
    return order


def output_layer(layers):
    read = {source for layer in layers for source in layer.get("inputs", [])}
    outputs = [layer for layer in layers if layer["name"] not in read]
    assert len(outputs) == 1, outputs
    return outputs[0]


def fused(net, layer):
    return layer is output_layer(net["layers"]) and (
        (layer.get("activation") == "SOFTMAX" and net["loss"] == "SOFTMAX_CROSS_ENTROPY")
        or (layer.get("activation") == "SIGMOID" and net["loss"] == "BINARY_CROSS_ENTROPY_WITH_LOGITS"))


def window(layer):
    """(kernel, stride, (top, bottom, left, right), dilation) of a Conv2d or pooling layer; SAME as Nabla resolves
    it: total d·(k - 1), the smaller half at the top and left."""
    kernel, stride = layer["kernel"], layer["stride"]
    dilation = layer.get("dilation", [1, 1])
    if layer.get("padding") == "SAME":
        total = [d * (k - 1) for k, d in zip(kernel, dilation)]
        pads = (total[0] // 2, total[0] - total[0] // 2, total[1] // 2, total[1] - total[1] // 2)
    else:
        pads = (layer["padding"][0], layer["padding"][0], layer["padding"][1], layer["padding"][1])
    return kernel, stride, pads, dilation


def window_output(layer, height, width):
    kernel, stride, (top, bottom, left, right), dilation = window(layer)
    return [(height + top + bottom - dilation[0] * (kernel[0] - 1) - 1) // stride[0] + 1,
            (width + left + right - dilation[1] * (kernel[1] - 1) - 1) // stride[1] + 1]


def shapes_of(layers):
    shapes = {}
    for layer in topological(layers):
        kind = layer["kind"]
        if kind == "Input":
            shapes[layer["name"]] = list(layer["shape"])
            continue
        source = shapes[layer["inputs"][0]]
        if kind == "Dense":
            shapes[layer["name"]] = source[:-1] + [layer["units"]]
        elif kind == "Conv2d":
            shapes[layer["name"]] = [layer["filters"]] + window_output(layer, source[1], source[2])
        elif kind in ("MaxPool2d", "AvgPool2d"):
            shapes[layer["name"]] = [source[0]] + window_output(layer, source[1], source[2])
        elif kind == "GlobalAvgPool":
            shapes[layer["name"]] = [source[0]]
        elif kind == "Flatten":
            shapes[layer["name"]] = [int(np.prod(source))]
        elif kind == "Concat":
            shapes[layer["name"]] = [sum(shapes[s][0] for s in layer["inputs"])] + source[1:]
        elif kind in RECURRENT:
            width = layer["units"] * (2 if layer["bidirectional"] else 1)
            shapes[layer["name"]] = [source[0], width] if layer["returnSequences"] else [width]
        elif kind == "Embedding":
            shapes[layer["name"]] = source + [layer["dimension"]]
        else:  # Add, BatchNorm, Dropout, PositionalEmbedding, LayerNorm, MultiHeadAttention
            shapes[layer["name"]] = source
    return shapes


def folded(net):
    """{conv: batch norm} that Nabla folds in inference: a Conv2d without activation read only by a BatchNorm."""
    result = {}
    for layer in net["layers"]:
        if layer["kind"] != "Conv2d" or layer["activation"] != "IDENTITY":
            continue
        readers = [r for r in net["layers"] if layer["name"] in r.get("inputs", [])]
        if len(readers) == 1 and readers[0]["kind"] == "BatchNorm":
            result[layer["name"]] = readers[0]["name"]
    return result


def activate(z, layer):
    act = layer.get("activation", "IDENTITY")
    if act == "IDENTITY":
        return z
    if act == "RELU":
        return F.relu(z)
    if act == "LEAKY_RELU":
        return F.leaky_relu(z, layer["leakySlope"])
    if act == "SIGMOID":
        return torch.sigmoid(z)
    if act == "TANH":
        return torch.tanh(z)
    if act == "SOFTMAX":
        return torch.softmax(z, dim=-1)
    if act == "GELU":
        return F.gelu(z)  # the exact (erf) form
    if act == "SILU":
        return F.silu(z)
    raise ValueError(act)


def pool_gaps(x, layer):
    """The gap between the largest value of every max-pooling window and the next smaller one (padding never
    counts). Exact ties are left out: they are copies of one value (overlapping windows of an earlier max pooling,
    zeros after a ReLU), equal in any implementation, and both Nabla and PyTorch take the first of them."""
    kernel, stride, (top, bottom, left, right), _ = window(layer)
    padded = F.pad(x.detach(), (left, right, top, bottom), value=-math.inf)
    columns = F.unfold(padded, kernel, stride=stride)  # (B, C·kH·kW, L)
    columns = columns.reshape(x.shape[0], x.shape[1], kernel[0] * kernel[1], -1)
    largest = columns.max(dim=2, keepdim=True).values
    below = torch.where(columns < largest, columns, torch.full_like(columns, -math.inf))
    return (largest - below.max(dim=2, keepdim=True).values).squeeze(2)


class Net(torch.nn.Module):
    """One PyTorch module per parameterised layer, registered under the layer's name: state_dict keys are Nabla's
    names."""

    def __init__(self, net, dtype):
        super().__init__()
        self.net = net
        self.order = topological(net["layers"])
        shapes = shapes_of(net["layers"])
        for layer in self.order:
            source = shapes[layer["inputs"][0]] if layer.get("inputs") else None
            if layer["kind"] == "Dense":
                module = torch.nn.Linear(source[-1], layer["units"], bias=layer["bias"], dtype=dtype)
            elif layer["kind"] == "Conv2d":
                module = torch.nn.Conv2d(source[0], layer["filters"], tuple(layer["kernel"]),
                                         stride=tuple(layer["stride"]),
                                         padding="same" if layer["padding"] == "SAME" else tuple(layer["padding"]),
                                         dilation=tuple(layer["dilation"]), groups=layer["groups"],
                                         bias=layer["bias"], dtype=dtype)
            elif layer["kind"] == "BatchNorm":
                norm = torch.nn.BatchNorm2d if len(source) == 3 else torch.nn.BatchNorm1d
                module = norm(source[0], eps=layer["epsilon"], momentum=layer["momentum"], dtype=dtype)
            elif layer["kind"] in RECURRENT:
                rnn = {"SimpleRnn": torch.nn.RNN, "Gru": torch.nn.GRU, "Lstm": torch.nn.LSTM}[layer["kind"]]
                module = rnn(source[-1], layer["units"], batch_first=True, bidirectional=layer["bidirectional"],
                             dtype=dtype)
            elif layer["kind"] == "Embedding":
                module = torch.nn.Embedding(layer["vocabulary"], layer["dimension"], dtype=dtype)
            elif layer["kind"] == "PositionalEmbedding":
                module = torch.nn.Embedding(source[0], source[1], dtype=dtype)  # its weight P, added row by row
            elif layer["kind"] == "LayerNorm":
                module = torch.nn.LayerNorm(source[-1], eps=layer["epsilon"], dtype=dtype)
            elif layer["kind"] == "MultiHeadAttention":
                module = torch.nn.MultiheadAttention(source[-1], layer["heads"], batch_first=True, dtype=dtype)
            else:
                continue
            self.add_module(layer["name"], module)

    def forward(self, inputs):
        """(output, the tensor the loss reads, every layer's output, every kinked pre-activation, every max-pooling
        window's gap between its two largest values)."""
        values, kinks, gaps = dict(inputs), [], []
        out = self.order[-1]
        assert out is output_layer(self.net["layers"])
        loss_input = None
        for layer in self.order:
            kind = layer["kind"]
            if kind == "Input":
                continue
            x = values[layer["inputs"][0]]
            if kind in ("Dense", "Conv2d", "BatchNorm", "LayerNorm"):
                z = getattr(self, layer["name"])(x)
            elif kind == "Embedding":
                assert torch.equal(x, x.round()) and x.min() >= 0 and x.max() < layer["vocabulary"], x
                z = getattr(self, layer["name"])(x.long())
            elif kind == "PositionalEmbedding":
                z = x + getattr(self, layer["name"]).weight  # (B, T, D) + P (T, D)
            elif kind == "MultiHeadAttention":
                time = x.shape[1]
                mask = torch.triu(torch.ones(time, time, dtype=torch.bool), 1) if layer["causal"] else None
                z = getattr(self, layer["name"])(x, x, x, attn_mask=mask, need_weights=False)[0]
            elif kind == "Add":
                z = sum(values[source] for source in layer["inputs"])
            elif kind == "MaxPool2d":
                z = F.max_pool2d(x, layer["kernel"], layer["stride"], layer["padding"])
                gaps.append((layer["name"], pool_gaps(x, layer)))
            elif kind == "AvgPool2d":
                z = F.avg_pool2d(x, layer["kernel"], layer["stride"], layer["padding"], count_include_pad=True)
            elif kind == "GlobalAvgPool":
                z = x.mean(dim=(2, 3))
            elif kind == "Flatten":
                z = x.flatten(1)
            elif kind == "Dropout":
                assert not self.training, "dropout compares in inference mode only"
                z = F.dropout(x, layer["rate"], training=False)
            elif kind == "Concat":
                z = torch.cat([values[source] for source in layer["inputs"]], dim=1)
            elif kind in RECURRENT:
                steps, final = getattr(self, layer["name"])(x)
                final = final[0] if kind == "Lstm" else final  # LSTM: (h_n, c_n)
                # h_n is (directions, batch, units): each direction's final state, joined as (batch, D*units).
                z = steps if layer["returnSequences"] else final.permute(1, 0, 2).reshape(x.shape[0], -1)
            else:
                raise ValueError(kind)
            if layer.get("activation") in RELU_FAMILY:
                kinks.append((layer["name"], z.detach()))
            values[layer["name"]] = activate(z, layer)
            if layer is out:
                loss_input = z if fused(self.net, layer) else values[layer["name"]]
        return values[out["name"]], loss_input, values, kinks, gaps


def loss_of(net, loss_input, labels, targets):
    if net["loss"] == "SOFTMAX_CROSS_ENTROPY":
        classes = loss_input.shape[-1]
        return F.cross_entropy(loss_input.reshape(-1, classes), labels.reshape(-1))
    if net["loss"] == "BINARY_CROSS_ENTROPY_WITH_LOGITS":
        return F.binary_cross_entropy_with_logits(loss_input, targets)
    if net["loss"] == "MSE":
        return F.mse_loss(loss_input, targets)
    raise ValueError(net["loss"])


# ---- data ----

def make_data(net):
    """Initial weights, inputs, labels/targets and running statistics, all float32 from one seeded generator."""
    gen = torch.Generator().manual_seed(net["seed"])
    shapes = shapes_of(net["layers"])
    state = {}
    norms = []
    for layer in topological(net["layers"]):
        name = layer["name"]
        if layer["kind"] == "Dense":
            fan_in = shapes[layer["inputs"][0]][-1]
            state[name + ".weight"] = torch.randn(layer["units"], fan_in, generator=gen) / math.sqrt(fan_in)
            if layer["bias"]:
                state[name + ".bias"] = 0.3 * torch.randn(layer["units"], generator=gen)
        elif layer["kind"] == "Conv2d":
            per_group = shapes[layer["inputs"][0]][0] // layer["groups"]
            fan_in = per_group * layer["kernel"][0] * layer["kernel"][1]
            state[name + ".weight"] = torch.randn([layer["filters"], per_group] + layer["kernel"],
                                                  generator=gen) / math.sqrt(fan_in)
            if layer["bias"]:
                state[name + ".bias"] = 0.3 * torch.randn(layer["filters"], generator=gen)
        elif layer["kind"] in RECURRENT:
            rows, units = RECURRENT[layer["kind"]] * layer["units"], layer["units"]
            bound = 1 / math.sqrt(units)  # PyTorch's init range, drawn from this fixture's generator
            for suffix in ["_l0", "_l0_reverse"] if layer["bidirectional"] else ["_l0"]:
                features = shapes[layer["inputs"][0]][-1]
                for tensor, shape in (("weight_ih", [rows, features]), ("weight_hh", [rows, units]),
                                      ("bias_ih", [rows]), ("bias_hh", [rows])):
                    state[name + "." + tensor + suffix] = bound * (2 * torch.rand(shape, generator=gen) - 1)
        elif layer["kind"] == "BatchNorm":
            channels = shapes[name][0]
            state[name + ".weight"] = 0.75 + 0.5 * torch.rand(channels, generator=gen)
            state[name + ".bias"] = 0.3 * torch.randn(channels, generator=gen)
            norms.append((name, channels))
        elif layer["kind"] == "Embedding":
            state[name + ".weight"] = torch.randn(layer["vocabulary"], layer["dimension"], generator=gen)
        elif layer["kind"] == "PositionalEmbedding":
            state[name + ".weight"] = 0.5 * torch.randn(shapes[name], generator=gen)
        elif layer["kind"] == "LayerNorm":
            features = shapes[name][-1]
            state[name + ".weight"] = 0.75 + 0.5 * torch.rand(features, generator=gen)
            state[name + ".bias"] = 0.3 * torch.randn(features, generator=gen)
        elif layer["kind"] == "MultiHeadAttention":
            d = shapes[name][-1]
            state[name + ".in_proj_weight"] = torch.randn(3 * d, d, generator=gen) / math.sqrt(d)
            state[name + ".in_proj_bias"] = 0.3 * torch.randn(3 * d, generator=gen)
            state[name + ".out_proj.weight"] = torch.randn(d, d, generator=gen) / math.sqrt(d)
            state[name + ".out_proj.bias"] = 0.3 * torch.randn(d, generator=gen)
    inputs = {}
    for layer in net["layers"]:
        if layer["kind"] != "Input":
            continue
        shape = [net["batch"]] + layer["shape"]
        if layer.get("tokens"):
            # integer ids as floats (the Java test passes them in a float[]), valid for every embedding reading them
            vocabulary = min(r["vocabulary"] for r in net["layers"] if layer["name"] in r.get("inputs", []))
            inputs[layer["name"]] = torch.randint(0, vocabulary, shape, generator=gen).float()
        else:
            inputs[layer["name"]] = torch.randn(shape, generator=gen)
    out_shape = [net["batch"]] + shapes[output_layer(net["layers"])["name"]]
    labels = targets = None
    if net["loss"] == "SOFTMAX_CROSS_ENTROPY":
        labels = torch.randint(0, out_shape[-1], out_shape[:-1], generator=gen)
    elif net["loss"] == "BINARY_CROSS_ENTROPY_WITH_LOGITS":
        soft = torch.rand(out_shape, generator=gen)
        hard = (torch.rand(out_shape, generator=gen) < 0.5).float()
        mix = torch.arange(soft.numel()).reshape(out_shape) % 2 == 0
        targets = torch.where(mix, hard, soft)  # half 0/1, half soft targets in (0, 1)
    else:
        targets = 0.5 * torch.randn(out_shape, generator=gen)
    buffers = {}
    for name, channels in norms:  # running statistics away from PyTorch's (0, 1), for inference and the update
        buffers[name + ".running_mean"] = 0.2 * torch.randn(channels, generator=gen)
        buffers[name + ".running_var"] = 0.6 + 0.8 * torch.rand(channels, generator=gen)
    return state, inputs, labels, targets, buffers


def cast(data, dtype):
    state, inputs, labels, targets, buffers = data
    return ({k: v.to(dtype) for k, v in state.items()}, {k: v.to(dtype) for k, v in inputs.items()}, labels,
            None if targets is None else targets.to(dtype), {k: v.to(dtype) for k, v in buffers.items()})


def make_module(net, state, buffers, dtype):
    module = Net(net, dtype)
    module.train(net.get("mode", "train") == "train")
    expected = {k for k in module.state_dict() if not k.endswith(".num_batches_tracked")}
    missing = expected ^ (set(state) | set(buffers))
    assert not missing, missing
    result = module.load_state_dict(dict(state, **buffers), strict=False)
    assert not result.unexpected_keys, result
    return module


def running_stats(module):
    return {name: b.detach().clone() for name, b in module.named_buffers() if not name.endswith(".num_batches_tracked")}


def min_kink(kinks):
    return min((float(z.abs().min()) for _, z in kinks), default=math.inf)


def min_gap(gaps):
    return min((float(g.min()) for _, g in gaps), default=math.inf)


def forward_backward(net, data, dtype):
    state, inputs, labels, targets, buffers = cast(data, dtype)
    module = make_module(net, state, buffers, dtype)
    output, loss_input, values, kinks, gaps = module(inputs)
    loss = loss_of(net, loss_input, labels, targets)
    module.zero_grad()
    loss.backward()
    grads = {name: p.grad.detach().clone() for name, p in module.named_parameters()}
    activations = {layer["name"]: values[layer["name"]].detach() for layer in topological(net["layers"])
                   if layer["kind"] != "Input" and layer is not output_layer(net["layers"])}
    return dict(output=output.detach(), loss=loss.detach(), gradients=grads, activations=activations,
                buffers=running_stats(module), min_kink=min_kink(kinks), min_gap=min_gap(gaps))


def run_optimizer(net, data, spec, dtype):
    state, inputs, labels, targets, buffers = cast(data, dtype)
    module = make_module(net, state, buffers, dtype)
    if spec["kind"] == "sgd":
        opt = torch.optim.SGD(module.parameters(), lr=spec["lr"], momentum=spec["momentum"],
                              nesterov=spec["nesterov"], foreach=False)
    else:
        opt = torch.optim.Adam(module.parameters(), lr=spec["lr"], betas=tuple(spec["betas"]), eps=spec["eps"],
                               foreach=False)
    losses, kink, gap = [], math.inf, math.inf
    for _ in range(STEPS):
        opt.zero_grad()
        _, loss_input, _, kinks, gaps = module(inputs)
        loss = loss_of(net, loss_input, labels, targets)
        loss.backward()
        opt.step()
        losses.append(loss.detach())
        kink, gap = min(kink, min_kink(kinks)), min(gap, min_gap(gaps))
    weights = {name: p.detach().clone() for name, p in module.named_parameters()}
    stats = running_stats(module)
    # the forward pass after the last step is not part of the fixture, but keep its kinks away from 0 as well
    _, _, _, kinks, gaps = module(inputs)
    kink, gap = min(kink, min_kink(kinks)), min(gap, min_gap(gaps))
    return dict(losses=torch.stack(losses), parameters=weights, buffers=stats, min_kink=kink, min_gap=gap)


def check_same_padding(net):
    """PyTorch's padding='same' equals Nabla's explicit padding (the extra row/column at the bottom/right)."""
    gen = torch.Generator().manual_seed(0)
    shapes = shapes_of(net["layers"])
    for layer in net["layers"]:
        if layer["kind"] != "Conv2d" or layer["padding"] != "SAME":
            continue
        source = shapes[layer["inputs"][0]]
        x = torch.randn([2] + source, generator=gen, dtype=torch.float64)
        w = torch.randn([layer["filters"], source[0] // layer["groups"]] + layer["kernel"], generator=gen,
                        dtype=torch.float64)
        kernel, stride, (top, bottom, left, right), dilation = window(layer)
        same = F.conv2d(x, w, stride=stride, padding="same", dilation=dilation, groups=layer["groups"])
        explicit = F.conv2d(F.pad(x, (left, right, top, bottom)), w, stride=stride, dilation=dilation,
                            groups=layer["groups"])
        assert same.shape == explicit.shape and torch.allclose(same, explicit, rtol=0, atol=1e-12), \
            (net["name"], layer["name"], "padding='same' is not (top %d, bottom %d, left %d, right %d)"
             % (top, bottom, left, right))


def check_attention(net):
    """nn.MultiheadAttention as this script calls it (batch_first, query = key = value, the boolean upper-triangle
    mask) computes the formula of Nabla's @MultiHeadAttention, written out here in float64."""
    gen = torch.Generator().manual_seed(0)
    shapes = shapes_of(net["layers"])
    for layer in net["layers"]:
        if layer["kind"] != "MultiHeadAttention":
            continue
        (time, d), heads = shapes[layer["name"]], layer["heads"]
        module = torch.nn.MultiheadAttention(d, heads, batch_first=True, dtype=torch.float64)
        with torch.no_grad():
            for p in module.parameters():
                p.copy_(torch.randn(p.shape, generator=gen, dtype=torch.float64))
        x = torch.randn(2, time, d, generator=gen, dtype=torch.float64)
        mask = torch.triu(torch.ones(time, time, dtype=torch.bool), 1) if layer["causal"] else None
        ours = module(x, x, x, attn_mask=mask, need_weights=False)[0]
        q, k, v = (x @ module.in_proj_weight.T + module.in_proj_bias).split(d, dim=-1)
        size = d // heads
        outputs = []
        for h in range(heads):
            cols = slice(h * size, (h + 1) * size)
            scores = q[..., cols] @ k[..., cols].transpose(1, 2) / math.sqrt(size)
            if layer["causal"]:
                later = torch.arange(time)[None, :] > torch.arange(time)[:, None]
                scores = scores.masked_fill(later, -math.inf)
            outputs.append(torch.softmax(scores, dim=-1) @ v[..., cols])
        formula = torch.cat(outputs, dim=-1) @ module.out_proj.weight.T + module.out_proj.bias
        assert torch.allclose(ours, formula, rtol=0, atol=1e-10), (net["name"], layer["name"])


def rounding_noise(net):
    """{tensor: [[start, end), ...]}: the elements whose gradient is 0 in exact arithmetic but rounding noise in
    floating point, so that Adam, which divides by the gradient's own scale, moves them by up to its learning rate
    in a direction that depends on the rounding. The key bias of an attention layer (the middle third of
    in_proj_bias): adding q·b_k to every score of a row does not change its softmax."""
    shapes = shapes_of(net["layers"])
    noise = {}
    for layer in net["layers"]:
        if layer["kind"] == "MultiHeadAttention":
            d = shapes[layer["name"]][-1]
            noise[layer["name"] + ".in_proj_bias"] = [[d, 2 * d]]
    return noise


def without(t, ranges):
    """The flattened tensor without the elements in `ranges`."""
    keep = torch.ones(t.numel(), dtype=torch.bool)
    for start, end in ranges:
        keep[start:end] = False
    return t.reshape(-1)[keep]


def rel(a, b):
    a, b = a.double(), b.double()
    return float((a - b).norm() / max(float(b.norm()), 1e-30))


# ---- JSON ----

def f32(x):
    v = np.float32(x)
    assert np.isfinite(v), x
    s = str(v)  # numpy's shortest string that reads back as this float32
    assert np.float32(float(s)) == v, (s, v)
    return s


def tensor_json(t, ints=False):
    t = t.detach()
    values = t.reshape(-1).tolist()
    data = "[" + ", ".join(str(int(v)) if ints else f32(v) for v in values) + "]"
    return '{"shape": %s, "data": %s}' % (json.dumps(list(t.shape)), data)


def obj(entries, indent):
    pad, inner = " " * indent, " " * (indent + 2)
    return "{\n" + ",\n".join(inner + json.dumps(k) + ": " + v for k, v in entries) + "\n" + pad + "}"


def tensors_json(tensors, names, indent):
    return obj([(k, tensor_json(tensors[k])) for k in names], indent)


def fixture_json(net, data, ref, runs):
    state, inputs, labels, targets, buffers = data
    shapes = shapes_of(net["layers"])
    layers = []
    for layer in net["layers"]:  # declaration order, as the Java interface lists them
        d = {k: v for k, v in layer.items() if k != "shape"}
        d["outputShape"] = shapes[layer["name"]]
        layers.append(json.dumps(d))
    entries = [
        ("name", json.dumps(net["name"])),
        ("declaration", json.dumps(PACKAGE + "." + net.get("declaration", net["name"]))),
        ("about", json.dumps(net["about"])),
        ("generator", json.dumps("tools/reference/make_fixtures.py, torch %s, seed %d"
                                 % (torch.__version__, net["seed"]))),
        ("loss", json.dumps(net["loss"])),
        ("batch", str(net["batch"])),
    ]
    if "mode" in net:
        entries.append(("mode", json.dumps(net["mode"])))
        if net["mode"] == "eval" and folded(net):
            entries.append(("folded", json.dumps(folded(net))))
    entries += [
        ("layers", "[\n" + ",\n".join("    " + s for s in layers) + "\n  ]"),
        ("inputs", obj([(k, tensor_json(v)) for k, v in inputs.items()], 2)),
    ]
    if labels is not None:
        entries.append(("labels", tensor_json(labels, ints=True)))
    else:
        entries.append(("targets", tensor_json(targets)))
    entries.append(("parameters", tensors_json(state, state, 2)))
    if buffers:
        entries.append(("buffers", tensors_json(buffers, buffers, 2)))
    entries += [
        ("activations", obj([(k, tensor_json(v)) for k, v in ref["activations"].items()], 2)),
        ("output", tensor_json(ref["output"])),
        ("loss_value", f32(ref["loss"].item())),
        ("gradients", tensors_json(ref["gradients"], state, 2)),
    ]
    if buffers:
        entries.append(("buffers_after", tensors_json(ref["buffers"], buffers, 2)))
    if rounding_noise(net):
        entries.append(("rounding_noise", json.dumps(rounding_noise(net))))
    opt_entries = []
    for spec, run in zip(optimizers(net), runs):
        fields = [(k, json.dumps(v)) for k, v in spec.items()]
        fields.append(("steps", str(STEPS)))
        fields.append(("losses", "[" + ", ".join(f32(v) for v in run["losses"].tolist()) + "]"))
        fields.append(("parameters", tensors_json(run["parameters"], state, 6)))
        if buffers:
            fields.append(("buffers", tensors_json(run["buffers"], buffers, 6)))
        opt_entries.append("    " + obj(fields, 4))
    entries.append(("optimizers", "[\n" + ",\n".join(opt_entries) + "\n  ]"))
    return obj(entries, 0) + "\n"


# ---- main ----

def optimizers(net):
    names = net.get("optimizers")
    return [spec for spec in OPTIMIZERS if names is None or spec["name"] in names]


def check_repeated_ids(net, inputs):
    """With repeated_ids, every token input has an id twice within one sample and, at batch > 1, an id in two
    samples: the embedding's gradient sums several rows into one row of its table."""
    if not net.get("repeated_ids"):
        return
    for layer in net["layers"]:
        if layer.get("tokens"):
            ids = inputs[layer["name"]].reshape(net["batch"], -1).long()
            within = any(len(set(row.tolist())) < len(row) for row in ids)
            sets = [set(row.tolist()) for row in ids]
            across = net["batch"] == 1 or any(sets[i] & sets[j] for i in range(len(sets)) for j in range(i))
            assert within and across, (net["name"], layer["name"], ids)


def build(net):
    check_same_padding(net)
    check_attention(net)
    data = make_data(net)
    check_repeated_ids(net, data[1])
    ref = forward_backward(net, data, torch.float32)
    ref64 = forward_backward(net, data, torch.float64)
    runs = [run_optimizer(net, data, spec, torch.float32) for spec in optimizers(net)]
    runs64 = [run_optimizer(net, data, spec, torch.float64) for spec in optimizers(net)]

    kink = min([ref["min_kink"]] + [r["min_kink"] for r in runs])
    if kink < KINK_MARGIN:
        raise SystemExit("%s: a ReLU pre-activation is %.3g from 0 (< %g); change the seed"
                         % (net["name"], kink, KINK_MARGIN))
    gap = min([ref["min_gap"]] + [r["min_gap"] for r in runs])
    if gap < POOL_MARGIN:
        raise SystemExit("%s: a max-pooling window's two largest values are %.3g apart (< %g); change the seed"
                         % (net["name"], gap, POOL_MARGIN))
    grad_err = max([rel(ref["output"], ref64["output"]), rel(ref["loss"], ref64["loss"])]
                   + [rel(ref["gradients"][k], ref64["gradients"][k]) for k in ref["gradients"]]
                   + [rel(ref["buffers"][k], ref64["buffers"][k]) for k in ref["buffers"]])
    noise = rounding_noise(net)
    step_err = max(rel(without(r[part][k], noise.get(k, [])), without(r64[part][k], noise.get(k, [])))
                   for r, r64 in zip(runs, runs64) for part in ("parameters", "buffers") for k in r[part])
    if grad_err > FP64_GRAD_LIMIT or step_err > FP64_STEP_LIMIT:
        raise SystemExit("%s: float32 is too far from float64 (%.3g, %.3g); ill-conditioned, change the seed"
                         % (net["name"], grad_err, step_err))
    text = fixture_json(net, data, ref, runs)
    json.loads(text)  # well-formed
    return text, kink, gap, grad_err, step_err


def main():
    warnings.filterwarnings("ignore", message="Using padding='same' with even kernel lengths")
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="compare with the files on disk, write nothing")
    parser.add_argument("names", nargs="*", help="only these fixtures (default: all)")
    args = parser.parse_args()
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    os.makedirs(OUT_DIR, exist_ok=True)
    unknown = set(args.names) - {net["name"] for net in NETWORKS}
    if unknown:
        raise SystemExit("no such fixture: " + ", ".join(sorted(unknown)))
    stale = []
    for net in NETWORKS:
        if args.names and net["name"] not in args.names:
            continue
        text, kink, gap, grad_err, step_err = build(net)
        path = os.path.join(OUT_DIR, net["name"] + ".json")
        if args.check:
            if not os.path.exists(path):
                stale.append(path + " (missing)")
            else:
                with open(path, encoding="utf-8") as f:
                    if f.read() != text:
                        stale.append(path)
        else:
            with open(path, "w", encoding="utf-8", newline="\n") as f:
                f.write(text)
        print("%-26s %6d bytes  min |relu pre-activation| %.3g  min max-pool gap %.3g  fp32 vs fp64: grads %.2g, "
              "steps %.2g" % (net["name"], len(text.encode("utf-8")), kink, gap, grad_err, step_err))
    if args.check and not args.names:
        expected = {net["name"] + ".json" for net in NETWORKS}
        extra = sorted(f for f in os.listdir(OUT_DIR) if f.endswith(".json") and f not in expected)
        stale += [os.path.join(OUT_DIR, f) + " (no network writes it)" for f in extra]
    if stale:
        raise SystemExit("out of date: " + ", ".join(stale))


if __name__ == "__main__":
    main()
