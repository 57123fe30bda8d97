#!/usr/bin/env python3
"""PyTorch reference fixtures for Nabla's parity tests.

How to run (from the repository root; needs PyTorch, e.g. Debian's python3-torch for /usr/bin/python3):

    /usr/bin/python3 tools/reference/make_fixtures.py            # writes every fixture
    /usr/bin/python3 tools/reference/make_fixtures.py --check    # writes nothing; fails if a fixture on disk differs

What it writes: one JSON file per network, tests/src/test/resources/fixtures/<Name>.json, read by
tests/src/test/java/io/nabla/tests/parity/PyTorchParityTest.java. <Name> is also the simple name of the matching
Nabla declaration io.nabla.tests.parity.<Name> (its generated class is <Name>Net). Each network is declared once,
in NETWORKS below, in the vocabulary of Nabla's annotations; this script builds the equivalent PyTorch module
(nn.Linear per @Dense, so state_dict names are Nabla's parameter names, `<layer>.weight` of shape (out, in) and
`<layer>.bias`), and each fixture holds, all float32:

    name, declaration, about       the network and the Java interface it must match
    loss, batch, layers            the declaration as data: kind, inputs, units, activation, bias, output shape
                                   (the test checks the generated model's layers() against it)
    inputs                         {input layer: {shape: [batch, ...], data: [...]}}, row-major
    labels | targets               int class labels (softmax cross-entropy, one per row of the output's last axis)
                                   or float targets (MSE, binary cross-entropy), shape [batch, ...]
    parameters                     the initial weights by state_dict name: {shape, data}
    activations                    every hidden layer's output (after its activation), to localise a mismatch
    output                         the network's output, after the output activation if any (a softmax or
                                   sigmoid output fused with the loss holds probabilities)
    loss_value                     the mean loss (cross-entropy and BCE on the logits, before the output's
                                   softmax/sigmoid)
    gradients                      d loss / d parameter, by state_dict name, after one backward from zero
    optimizers                     a list of runs, each from the initial weights and recomputing forward/backward
                                   on the same batch every step: zero_grad, forward, loss, backward, step, 3 times.
                                   kind "sgd" (lr 0.1, momentum 0.9, plain and Nesterov) or "adam" (lr 0.01,
                                   betas (0.9, 0.999), eps 1e-8); "losses" is the loss at each step (before its
                                   update) and "parameters" the weights after the last step.

Everything is deterministic: single-threaded CPU float32, one seeded torch.Generator per network for weights,
inputs and labels (random weights and biases, not Nabla's initialisation, so biases are non-zero), and floats
written as the shortest decimal that reads back as the same float32 (read them with Float.parseFloat).

The script also refuses to write a fixture that a correct float32 implementation could fail for reasons of
rounding: every ReLU/leaky-ReLU pre-activation, in every forward pass of every run, must be at least MARGIN
away from the kink at 0 (so rounding cannot flip a derivative), and the float32 results must agree with the
same computation in float64 to within a small fraction of the Java test's tolerances (1e-5 for outputs, loss
and gradients, 1e-4 for weights after the optimizer steps).
"""

import argparse
import json
import math
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), os.pardir, os.pardir))
OUT_DIR = os.path.join(ROOT, "tests", "src", "test", "resources", "fixtures")
PACKAGE = "io.nabla.tests.parity"

MARGIN = 1e-3          # minimum |pre-activation| at a ReLU / leaky-ReLU kink
FP64_GRAD_LIMIT = 2e-6  # float32 vs float64 norm-relative error allowed for outputs, loss, gradients
FP64_STEP_LIMIT = 2e-5  # ... and for weights after the optimizer steps
STEPS = 3
DEFAULT_LEAKY_SLOPE = 0.01  # Nabla's default, as PyTorch's

OPTIMIZERS = [
    dict(name="sgd_momentum", kind="sgd", lr=0.1, momentum=0.9, nesterov=False),
    dict(name="sgd_nesterov", kind="sgd", lr=0.1, momentum=0.9, nesterov=True),
    dict(name="adam", kind="adam", lr=0.01, betas=[0.9, 0.999], eps=1e-8),
]


# ---- the networks, in Nabla's vocabulary ----

def input_layer(name, *shape):
    return dict(kind="Input", name=name, shape=list(shape))


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
        (layer["activation"] == "SOFTMAX" and net["loss"] == "SOFTMAX_CROSS_ENTROPY")
        or (layer["activation"] == "SIGMOID" and net["loss"] == "BINARY_CROSS_ENTROPY_WITH_LOGITS"))


def shapes_of(layers):
    shapes = {}
    for layer in topological(layers):
        if layer["kind"] == "Input":
            shapes[layer["name"]] = list(layer["shape"])
        elif layer["kind"] == "Dense":
            shapes[layer["name"]] = shapes[layer["inputs"][0]][:-1] + [layer["units"]]
        else:
            shapes[layer["name"]] = shapes[layer["inputs"][0]]
    return shapes


def activate(z, layer):
    act = layer["activation"]
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
    raise ValueError(act)


class Net(torch.nn.Module):
    """One nn.Linear per @Dense, registered under the layer's name: state_dict keys are Nabla's names."""

    def __init__(self, net, dtype):
        super().__init__()
        self.net = net
        self.order = topological(net["layers"])
        shapes = shapes_of(net["layers"])
        for layer in self.order:
            if layer["kind"] == "Dense":
                fan_in = shapes[layer["inputs"][0]][-1]
                self.add_module(layer["name"],
                                torch.nn.Linear(fan_in, layer["units"], bias=layer["bias"], dtype=dtype))

    def forward(self, inputs):
        """(output, the tensor the loss reads, every layer's output, every kinked pre-activation)."""
        values, kinks = dict(inputs), []
        out = self.order[-1]
        assert out is output_layer(self.net["layers"])
        loss_input = None
        for layer in self.order:
            if layer["kind"] == "Input":
                continue
            if layer["kind"] == "Dense":
                z = getattr(self, layer["name"])(values[layer["inputs"][0]])
            else:
                z = sum(values[source] for source in layer["inputs"])
            if layer["activation"] in ("RELU", "LEAKY_RELU"):
                kinks.append((layer["name"], z.detach()))
            values[layer["name"]] = activate(z, layer)
            if layer is out:
                loss_input = z if fused(self.net, layer) else values[layer["name"]]
        return values[out["name"]], loss_input, values, kinks


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
    """Initial weights, inputs, labels/targets, all float32 from one seeded generator."""
    gen = torch.Generator().manual_seed(net["seed"])
    shapes = shapes_of(net["layers"])
    state = {}
    for layer in topological(net["layers"]):
        if layer["kind"] != "Dense":
            continue
        fan_in = shapes[layer["inputs"][0]][-1]
        state[layer["name"] + ".weight"] = torch.randn(layer["units"], fan_in, generator=gen) / math.sqrt(fan_in)
        if layer["bias"]:
            state[layer["name"] + ".bias"] = 0.3 * torch.randn(layer["units"], generator=gen)
    inputs = {layer["name"]: torch.randn([net["batch"]] + layer["shape"], generator=gen)
              for layer in net["layers"] if layer["kind"] == "Input"}
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
    return state, inputs, labels, targets


def cast(data, dtype):
    state, inputs, labels, targets = data
    return ({k: v.to(dtype) for k, v in state.items()}, {k: v.to(dtype) for k, v in inputs.items()}, labels,
            None if targets is None else targets.to(dtype))


def make_module(net, state, dtype):
    module = Net(net, dtype)
    missing = set(module.state_dict()) ^ set(state)
    assert not missing, missing
    module.load_state_dict(state)
    return module


def min_kink(kinks):
    return min((float(z.abs().min()) for _, z in kinks), default=math.inf)


def forward_backward(net, data, dtype):
    state, inputs, labels, targets = cast(data, dtype)
    module = make_module(net, state, dtype)
    output, loss_input, values, kinks = module(inputs)
    loss = loss_of(net, loss_input, labels, targets)
    module.zero_grad()
    loss.backward()
    grads = {name: p.grad.detach().clone() for name, p in module.named_parameters()}
    activations = {layer["name"]: values[layer["name"]].detach() for layer in topological(net["layers"])
                   if layer["kind"] != "Input" and layer is not output_layer(net["layers"])}
    return dict(output=output.detach(), loss=loss.detach(), gradients=grads, activations=activations,
                min_kink=min_kink(kinks))


def run_optimizer(net, data, spec, dtype):
    state, inputs, labels, targets = cast(data, dtype)
    module = make_module(net, state, dtype)
    if spec["kind"] == "sgd":
        opt = torch.optim.SGD(module.parameters(), lr=spec["lr"], momentum=spec["momentum"],
                              nesterov=spec["nesterov"], foreach=False)
    else:
        opt = torch.optim.Adam(module.parameters(), lr=spec["lr"], betas=tuple(spec["betas"]), eps=spec["eps"],
                               foreach=False)
    losses, kink = [], math.inf
    for _ in range(STEPS):
        opt.zero_grad()
        _, loss_input, _, kinks = module(inputs)
        loss = loss_of(net, loss_input, labels, targets)
        loss.backward()
        opt.step()
        losses.append(loss.detach())
        kink = min(kink, min_kink(kinks))
    # the forward pass after the last step is not part of the fixture, but keep its kinks away from 0 as well
    _, _, _, kinks = module(inputs)
    kink = min(kink, min_kink(kinks))
    weights = {name: p.detach().clone() for name, p in module.named_parameters()}
    return dict(losses=torch.stack(losses), parameters=weights, min_kink=kink)


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


def fixture_json(net, data, ref, runs):
    state, inputs, labels, targets = data
    shapes = shapes_of(net["layers"])
    layers = []
    for layer in net["layers"]:  # declaration order, as the Java interface lists them
        d = {k: v for k, v in layer.items() if k != "shape"}
        d["outputShape"] = shapes[layer["name"]]
        layers.append(json.dumps(d))
    entries = [
        ("name", json.dumps(net["name"])),
        ("declaration", json.dumps(PACKAGE + "." + net["name"])),
        ("about", json.dumps(net["about"])),
        ("generator", json.dumps("tools/reference/make_fixtures.py, torch %s, seed %d"
                                 % (torch.__version__, net["seed"]))),
        ("loss", json.dumps(net["loss"])),
        ("batch", str(net["batch"])),
        ("layers", "[\n" + ",\n".join("    " + s for s in layers) + "\n  ]"),
        ("inputs", obj([(k, tensor_json(v)) for k, v in inputs.items()], 2)),
    ]
    if labels is not None:
        entries.append(("labels", tensor_json(labels, ints=True)))
    else:
        entries.append(("targets", tensor_json(targets)))
    entries += [
        ("parameters", obj([(k, tensor_json(v)) for k, v in state.items()], 2)),
        ("activations", obj([(k, tensor_json(v)) for k, v in ref["activations"].items()], 2)),
        ("output", tensor_json(ref["output"])),
        ("loss_value", f32(ref["loss"].item())),
        ("gradients", obj([(k, tensor_json(ref["gradients"][k])) for k in state], 2)),
    ]
    opt_entries = []
    for spec, run in zip(OPTIMIZERS, runs):
        fields = [(k, json.dumps(v)) for k, v in spec.items()]
        fields.append(("steps", str(STEPS)))
        fields.append(("losses", "[" + ", ".join(f32(v) for v in run["losses"].tolist()) + "]"))
        fields.append(("parameters", obj([(k, tensor_json(run["parameters"][k])) for k in state], 6)))
        opt_entries.append("    " + obj(fields, 4))
    entries.append(("optimizers", "[\n" + ",\n".join(opt_entries) + "\n  ]"))
    return obj(entries, 0) + "\n"


# ---- main ----

def build(net):
    data = make_data(net)
    ref = forward_backward(net, data, torch.float32)
    ref64 = forward_backward(net, data, torch.float64)
    runs = [run_optimizer(net, data, spec, torch.float32) for spec in OPTIMIZERS]
    runs64 = [run_optimizer(net, data, spec, torch.float64) for spec in OPTIMIZERS]

    kink = min([ref["min_kink"]] + [r["min_kink"] for r in runs])
    if kink < MARGIN:
        raise SystemExit("%s: a ReLU pre-activation is %.3g from 0 (< %g); change the seed"
                         % (net["name"], kink, MARGIN))
    grad_err = max([rel(ref["output"], ref64["output"]), rel(ref["loss"], ref64["loss"])]
                   + [rel(ref["gradients"][k], ref64["gradients"][k]) for k in ref["gradients"]])
    step_err = max(rel(r["parameters"][k], r64["parameters"][k])
                   for r, r64 in zip(runs, runs64) for k in r["parameters"])
    if grad_err > FP64_GRAD_LIMIT or step_err > FP64_STEP_LIMIT:
        raise SystemExit("%s: float32 is too far from float64 (%.3g, %.3g); ill-conditioned, change the seed"
                         % (net["name"], grad_err, step_err))
    text = fixture_json(net, data, ref, runs)
    json.loads(text)  # well-formed
    return text, kink, grad_err, step_err


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="compare with the files on disk, write nothing")
    args = parser.parse_args()
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    os.makedirs(OUT_DIR, exist_ok=True)
    stale = []
    for net in NETWORKS:
        text, kink, grad_err, step_err = build(net)
        path = os.path.join(OUT_DIR, net["name"] + ".json")
        if args.check:
            with open(path, encoding="utf-8") as f:
                if f.read() != text:
                    stale.append(path)
        else:
            with open(path, "w", encoding="utf-8", newline="\n") as f:
                f.write(text)
        print("%-20s %5d bytes  min |relu pre-activation| %.3g  fp32 vs fp64: grads %.2g, steps %.2g"
              % (net["name"], len(text.encode("utf-8")), kink, grad_err, step_err))
    if stale:
        raise SystemExit("out of date: " + ", ".join(stale))


if __name__ == "__main__":
    main()
