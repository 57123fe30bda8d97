#!/usr/bin/env python3
"""PyTorch reference fixtures for Nabla's optimizers, parameter groups and gradient clipping.

How to run (from the repository root; needs PyTorch, e.g. Debian's python3-torch for /usr/bin/python3):

    /usr/bin/python3 tools/reference/make_optimizer_fixtures.py            # writes every fixture
    /usr/bin/python3 tools/reference/make_optimizer_fixtures.py --check    # writes nothing; fails if a file differs

What it writes: one JSON file per family, runtime/src/test/resources/fixtures/optim/<family>.json (sgd, adam,
adamw, rmsprop, adagrad, clipping, groups), read by
runtime/src/test/java/io/nabla/runtime/optim/OptimizerParityTest.java.

The problem, the same in every file ("problem"): a tiny MLP, x (3) -> hidden = tanh(x W1^T + b1) (5) ->
out = hidden W2^T + b2 (2), with the mean squared error against fixed targets on a fixed batch of 6 samples. Its
parameters are named as Nabla names them and laid out in this order in Nabla's flat buffer: hidden.weight (5, 3),
hidden.bias (5), out.weight (2, 5), out.bias (2), 32 floats. The gradient of every step is the exact gradient of
that loss at the current weights: PyTorch's autograd here, a hand-written forward/backward of the same 4 lines in
the Java test. Both sides agree to float32 rounding, so only rounding separates the two trajectories.

Each run ("runs"), from the same initial weights, repeats STEPS (100) times:

    zero_grad; loss = mse(model(x), targets); backward; [clip]; step

    name, optimizer, options     torch.optim class name and its keyword arguments (any not given: the default)
    groups                       Nabla's parameter groups, in order: {"select": "biases" | "weights" | "layers" |
                                 "tensors", "names": [...], "lr": ..., "weight_decay": ...}; for each tensor and
                                 hyperparameter the last group that selects the tensor and sets it wins. Here they
                                 become one torch param group per tensor, with the resolved lr and weight_decay.
    clip                         {"max_norm": m}: torch.nn.utils.clip_grad_norm_ before each step, or
                                 {"clip_value": c}: clip_grad_value_
    schedule                     [{"at": t, "set_lr": x}]: before step t (0-based), the lr of every tensor whose
                                 group does not set its own lr becomes x (Nabla's setLearningRate);
                                 [{"at": t, "scale": f}]: every torch group's lr becomes its initial lr times f
                                 (Nabla's scaleLearningRates, what PyTorch's schedulers do)
    losses                       the loss before step t, for t = 0, 10, 20, ..., 90, and after the last step
    norms                        (clip_grad_norm_ runs) the norm it returned at steps 0, 10, ..., 90
    clipped_steps                (clip_grad_norm_ runs) the number of steps whose norm exceeded max_norm
    parameters                   the weights after the last step, by name: {shape, data}
    state                        the optimizer's state after the last step, flat in Nabla's layout under PyTorch's
                                 names (exp_avg, exp_avg_sq, max_exp_avg_sq, square_avg, grad_avg,
                                 momentum_buffer, sum), and "step" where PyTorch counts steps

Everything is deterministic: single-threaded CPU float32, foreach=False (the single-tensor code paths), one seeded
torch.Generator for the batch and the initial weights, floats written as the shortest decimal that reads back as
the same float32 (read them with Float.parseFloat).

The script refuses to write a run that a correct float32 implementation could fail for reasons of rounding: the
whole run is repeated in float64 and the float32 weights, losses and state must agree with it to within
FP64_LIMIT (a tenth of the Java test's tolerance of 1e-4); clip_grad_norm_'s norms must stay at least
NORM_MARGIN (relative) away from max_norm, so rounding cannot change which steps are clipped.
"""

import argparse
import json
import math
import os

import numpy as np
import torch
import torch.nn.functional as F

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), os.pardir, os.pardir))
OUT_DIR = os.path.join(ROOT, "runtime", "src", "test", "resources", "fixtures", "optim")

SEED = 20240
BATCH, INPUTS, HIDDEN, OUTPUTS = 6, 3, 5, 2
STEPS = 100
EVERY = 10              # losses (and clip norms) are kept at steps 0, EVERY, 2 EVERY, ...
FP64_LIMIT = 1e-5       # float32 vs float64 norm-relative error allowed for weights, losses and state
NORM_MARGIN = 1e-4      # minimum |norm - max_norm| / max_norm for clip_grad_norm_
NAMES = ["hidden.weight", "hidden.bias", "out.weight", "out.bias"]  # Nabla's buffer order


def run(name, optimizer, groups=None, clip=None, schedule=None, **options):
    spec = dict(name=name, optimizer=optimizer, options=options)
    if groups:
        spec["groups"] = groups
    if clip:
        spec["clip"] = clip
    if schedule:
        spec["schedule"] = schedule
    return spec


def biases(**overrides):
    return dict(select="biases", **overrides)


def layers(*names, **overrides):
    return dict(select="layers", names=list(names), **overrides)


FAMILIES = [
    ("sgd", "torch.optim.SGD: plain, momentum, dampening, Nesterov, L2 weight decay (with momentum)", [
        run("sgd_plain", "SGD", lr=0.1),
        run("sgd_momentum", "SGD", lr=0.05, momentum=0.9),
        run("sgd_dampening", "SGD", lr=0.05, momentum=0.9, dampening=0.3),
        run("sgd_nesterov", "SGD", lr=0.05, momentum=0.9, nesterov=True),
        run("sgd_weight_decay", "SGD", lr=0.05, momentum=0.5, weight_decay=0.05),
    ]),
    ("adam", "torch.optim.Adam: default betas and eps; AMSGrad; L2 weight decay", [
        run("adam_plain", "Adam", lr=0.01),
        run("adam_amsgrad", "Adam", lr=0.01, amsgrad=True),
        run("adam_weight_decay", "Adam", lr=0.01, betas=[0.8, 0.99], eps=1e-6, weight_decay=0.1),
    ]),
    ("adamw", "torch.optim.AdamW: decoupled weight decay (default 1e-2); AMSGrad", [
        run("adamw_plain", "AdamW", lr=0.01),
        run("adamw_amsgrad", "AdamW", lr=0.01, weight_decay=0.1, amsgrad=True),
    ]),
    ("rmsprop", "torch.optim.RMSprop: plain (alpha 0.99, eps 1e-8), centered, momentum, L2 weight decay", [
        run("rmsprop_plain", "RMSprop", lr=0.003),
        run("rmsprop_centered", "RMSprop", lr=0.001, centered=True),
        run("rmsprop_momentum", "RMSprop", lr=0.001, momentum=0.9),
        run("rmsprop_weight_decay", "RMSprop", lr=0.003, alpha=0.9, weight_decay=0.1),
    ]),
    ("adagrad", "torch.optim.Adagrad: plain (eps 1e-10), lr_decay, initial_accumulator_value, L2 weight decay", [
        run("adagrad_plain", "Adagrad", lr=0.05),
        run("adagrad_lr_decay", "Adagrad", lr=0.1, lr_decay=0.01),
        run("adagrad_initial_accumulator", "Adagrad", lr=0.1, initial_accumulator_value=0.1),
        run("adagrad_weight_decay", "Adagrad", lr=0.1, weight_decay=0.1),
    ]),
    ("clipping", "torch.nn.utils.clip_grad_norm_ and clip_grad_value_ applied to the gradients before each step", [
        run("clip_norm_sgd_momentum", "SGD", clip=dict(max_norm=0.5), lr=0.05, momentum=0.9),
        run("clip_norm_adam", "Adam", clip=dict(max_norm=0.3), lr=0.01),
        run("clip_value_sgd", "SGD", clip=dict(clip_value=0.05), lr=0.1),
    ]),
    ("groups", "parameter groups: biases without weight decay, layer 'out' at its own lr; setLearningRate "
               "(default group only) and scaleLearningRates (every group, relative to its initial lr)", [
        run("groups_adamw", "AdamW", groups=[biases(weight_decay=0.0), layers("out", lr=0.002)],
            lr=0.01, weight_decay=0.1),
        run("groups_sgd_schedule", "SGD",
            groups=[biases(weight_decay=0.0), layers("out", lr=0.02)],
            schedule=[dict(at=30, set_lr=0.05), dict(at=60, scale=0.5)],
            lr=0.1, momentum=0.9, weight_decay=0.01),
    ]),
]


# ---- the problem ----

class Mlp(torch.nn.Module):
    def __init__(self, dtype):
        super().__init__()
        self.hidden = torch.nn.Linear(INPUTS, HIDDEN, dtype=dtype)
        self.out = torch.nn.Linear(HIDDEN, OUTPUTS, dtype=dtype)

    def forward(self, x):
        return self.out(torch.tanh(self.hidden(x)))


def make_problem():
    gen = torch.Generator().manual_seed(SEED)
    state = {
        "hidden.weight": torch.randn(HIDDEN, INPUTS, generator=gen) / math.sqrt(INPUTS),
        "hidden.bias": 0.3 * torch.randn(HIDDEN, generator=gen),
        "out.weight": torch.randn(OUTPUTS, HIDDEN, generator=gen) / math.sqrt(HIDDEN),
        "out.bias": 0.3 * torch.randn(OUTPUTS, generator=gen),
    }
    x = torch.randn(BATCH, INPUTS, generator=gen)
    targets = 0.5 * torch.randn(BATCH, OUTPUTS, generator=gen)
    return state, x, targets


def is_bias(name):
    return name.endswith(".bias")


def selects(group, name):
    select = group["select"]
    if select == "biases":
        return is_bias(name)
    if select == "weights":
        return not is_bias(name)
    if select == "layers":
        return name.rsplit(".", 1)[0] in group["names"]
    if select == "tensors":
        return name in group["names"]
    raise ValueError(select)


def resolve(spec, name):
    """(lr, weight_decay, lr set by a group) of one tensor: later groups win, per hyperparameter."""
    lr = spec["options"]["lr"]
    wd = spec["options"].get("weight_decay", 1e-2 if spec["optimizer"] == "AdamW" else 0.0)
    own_lr = False
    for group in spec.get("groups", []):
        if selects(group, name):
            if "lr" in group:
                lr, own_lr = group["lr"], True
            if "weight_decay" in group:
                wd = group["weight_decay"]
    return lr, wd, own_lr


def make_optimizer(spec, module):
    cls = getattr(torch.optim, spec["optimizer"])
    params = dict(module.named_parameters())
    groups = []
    for name in NAMES:
        lr, wd, own_lr = resolve(spec, name)
        groups.append(dict(params=[params[name]], lr=lr, weight_decay=wd, own_lr=own_lr))
    options = {k: v for k, v in spec["options"].items() if k not in ("lr", "weight_decay")}
    if "betas" in options:
        options["betas"] = tuple(options["betas"])
    torch_groups = [{k: v for k, v in g.items() if k != "own_lr"} for g in groups]
    opt = cls(torch_groups, lr=spec["options"]["lr"], foreach=False, **options)
    for g, mine in zip(opt.param_groups, groups):
        g["initial_lr"] = g["lr"]
        g["own_lr"] = mine["own_lr"]
    return opt


def flat(tensors):
    return torch.cat([t.detach().reshape(-1) for t in tensors])


def state_of(opt, module):
    """The optimizer's buffers, flat in Nabla's order, and its step count."""
    params = dict(module.named_parameters())
    per_name = [opt.state[params[name]] for name in NAMES]
    buffers = {}
    for key in per_name[0]:
        if key != "step" and per_name[0][key] is not None:  # SGD without momentum keeps a None buffer
            buffers[key] = flat([s[key] for s in per_name])
    steps = {float(s["step"]) for s in per_name if "step" in s}
    assert len(steps) <= 1, steps
    return buffers, (steps.pop() if steps else None)


def train(spec, problem, dtype):
    state, x, targets = problem
    module = Mlp(dtype)
    module.load_state_dict({k: v.to(dtype) for k, v in state.items()})
    x, targets = x.to(dtype), targets.to(dtype)
    opt = make_optimizer(spec, module)
    clip = spec.get("clip", {})
    events = {e["at"]: e for e in spec.get("schedule", [])}
    losses, norms, clipped, margin = [], [], 0, math.inf
    for t in range(STEPS):
        event = events.get(t)
        if event and "set_lr" in event:
            for g in opt.param_groups:
                if not g["own_lr"]:
                    g["lr"] = event["set_lr"]
        if event and "scale" in event:
            for g in opt.param_groups:
                g["lr"] = g["initial_lr"] * event["scale"]
        opt.zero_grad()
        loss = F.mse_loss(module(x), targets)
        loss.backward()
        if "max_norm" in clip:
            norm = float(torch.nn.utils.clip_grad_norm_(module.parameters(), clip["max_norm"]))
            margin = min(margin, abs(norm - clip["max_norm"]) / clip["max_norm"])
            clipped += norm > clip["max_norm"]
            if t % EVERY == 0:
                norms.append(norm)
        if "clip_value" in clip:
            torch.nn.utils.clip_grad_value_(module.parameters(), clip["clip_value"])
        opt.step()
        if t % EVERY == 0:
            losses.append(float(loss))
    losses.append(float(F.mse_loss(module(x), targets)))
    weights = {name: p.detach().clone() for name, p in module.named_parameters()}
    buffers, step = state_of(opt, module)
    return dict(losses=losses, norms=norms, clipped=clipped, margin=margin, parameters=weights, buffers=buffers,
                step=step)


def rel(a, b):
    a, b = torch.as_tensor(a).double(), torch.as_tensor(b).double()
    return float((a - b).norm() / max(float(b.norm()), 1e-30))


# ---- JSON ----

def f32(x):
    v = np.float32(x)
    assert np.isfinite(v), x
    s = str(v)  # numpy's shortest string that reads back as this float32
    assert np.float32(float(s)) == v, (s, v)
    return s


def floats(values):
    return "[" + ", ".join(f32(v) for v in values) + "]"


def tensor_json(t):
    return '{"shape": %s, "data": %s}' % (json.dumps(list(t.shape)), floats(t.reshape(-1).tolist()))


def obj(entries, indent):
    pad, inner = " " * indent, " " * (indent + 2)
    return "{\n" + ",\n".join(inner + json.dumps(k) + ": " + v for k, v in entries) + "\n" + pad + "}"


def run_json(spec, result):
    fields = [(k, json.dumps(spec[k])) for k in ("name", "optimizer", "options", "groups", "clip", "schedule")
              if k in spec]
    fields.append(("steps", str(STEPS)))
    fields.append(("losses", floats(result["losses"])))
    if spec.get("clip", {}).get("max_norm"):
        fields.append(("norms", floats(result["norms"])))
        fields.append(("clipped_steps", str(result["clipped"])))
    fields.append(("parameters", obj([(k, tensor_json(result["parameters"][k])) for k in NAMES], 6)))
    state = [(k, floats(v.tolist())) for k, v in result["buffers"].items()]
    if result["step"] is not None:
        state.append(("step", str(int(result["step"]))))
    fields.append(("state", obj(state, 6)))
    return "    " + obj(fields, 4)


def family_json(family, about, problem, results):
    state, x, targets = problem
    entries = [
        ("family", json.dumps(family)),
        ("about", json.dumps(about)),
        ("generator", json.dumps("tools/reference/make_optimizer_fixtures.py, torch %s, seed %d"
                                 % (torch.__version__, SEED))),
        ("problem", obj([
            ("about", json.dumps("x (3) -> tanh(Linear hidden (5)) -> Linear out (2), MSE (mean) against targets; "
                                 "Nabla's buffer order: hidden.weight, hidden.bias, out.weight, out.bias")),
            ("inputs", tensor_json(x)),
            ("targets", tensor_json(targets)),
            ("parameters", obj([(k, tensor_json(state[k])) for k in NAMES], 4)),
        ], 2)),
        ("runs", "[\n" + ",\n".join(run_json(spec, r) for spec, r in results) + "\n  ]"),
    ]
    return obj(entries, 0) + "\n"


# ---- main ----

def build(spec, problem):
    r32 = train(spec, problem, torch.float32)
    r64 = train(spec, problem, torch.float64)
    err = max([rel(r32["parameters"][k], r64["parameters"][k]) for k in NAMES]
              + [rel(r32["losses"], r64["losses"])]
              + [rel(r32["buffers"][k], r64["buffers"][k]) for k in r32["buffers"]])
    if err > FP64_LIMIT:
        raise SystemExit("%s: float32 is %.3g from float64 (> %g); ill-conditioned, change the hyperparameters"
                         % (spec["name"], err, FP64_LIMIT))
    if r32["margin"] < NORM_MARGIN or r32["clipped"] != r64["clipped"]:
        raise SystemExit("%s: a gradient norm is within %.3g of max_norm; change max_norm"
                         % (spec["name"], r32["margin"]))
    return r32, err


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="compare with the files on disk, write nothing")
    args = parser.parse_args()
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    os.makedirs(OUT_DIR, exist_ok=True)
    problem = make_problem()
    stale, total = [], 0
    for family, about, specs in FAMILIES:
        results = []
        for spec in specs:
            result, err = build(spec, problem)
            results.append((spec, result))
            extra = ""
            if spec.get("clip", {}).get("max_norm"):
                extra = "  clipped %d/%d steps" % (result["clipped"], STEPS)
            print("  %-30s loss %.4f -> %.4f  fp32 vs fp64 %.2g%s"
                  % (spec["name"], result["losses"][0], result["losses"][-1], err, extra))
        text = family_json(family, about, problem, results)
        json.loads(text)  # well-formed
        total += len(text.encode("utf-8"))
        path = os.path.join(OUT_DIR, family + ".json")
        if args.check:
            with open(path, encoding="utf-8") as f:
                if f.read() != text:
                    stale.append(path)
        else:
            with open(path, "w", encoding="utf-8", newline="\n") as f:
                f.write(text)
        print("%-10s %6d bytes" % (family + ".json", len(text.encode("utf-8"))))
    print("total %d bytes" % total)
    if stale:
        raise SystemExit("out of date: " + ", ".join(stale))


if __name__ == "__main__":
    main()
