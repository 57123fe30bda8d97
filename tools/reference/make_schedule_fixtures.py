#!/usr/bin/env python3
"""PyTorch reference fixtures for Nabla's learning-rate schedules (io.nabla.runtime.schedule).

How to run (from the repository root; needs PyTorch, e.g. Debian's python3-torch for /usr/bin/python3):

    /usr/bin/python3 tools/reference/make_schedule_fixtures.py            # writes every fixture
    /usr/bin/python3 tools/reference/make_schedule_fixtures.py --check    # writes nothing; fails if a file differs

What it writes: one JSON file per PyTorch scheduler, runtime/src/test/resources/fixtures/schedule/<Scheduler>.json,
read by runtime/src/test/java/io/nabla/runtime/schedule/PyTorchScheduleParityTest.java. Each file holds

    scheduler, generator           the torch.optim.lr_scheduler class, and this script with the torch version
    cases                          a list of runs, each:
      name                         a short name for test reports
      torch                        the PyTorch construction, as Python source (documentation only)
      base_lr                      the optimizer's lr before the scheduler is built (PyTorch's initial_lr)
      params                       the scheduler's arguments under PyTorch's names; for SequentialLR,
                                   "schedulers" is a list of {"scheduler", "params"} and "milestones" a list
      lr                           lr[t] = param_groups[0]["lr"] after t calls of scheduler.step(), t = 0 being the
                                   value the constructor sets; STEPS values (OneCycleLR: total_steps + 1 values,
                                   the most PyTorch allows before it raises)
    and for ReduceLROnPlateau also
      metrics                      the metric passed to the t-th scheduler.step(metric), t = 1..STEPS - 1
                                   (metrics[t - 1] produces lr[t])
      best, num_bad_epochs,        the scheduler's state after each of those steps (same indexing as metrics)
      cooldown_counter

Each run steps a plain torch.optim.SGD over one zero parameter, calling optimizer.step() then scheduler.step(), as
PyTorch's documentation prescribes; no gradient exists, so the optimizer changes nothing and only the learning rate
moves. OneCycleLR is built with cycle_momentum=False: Nabla does not cycle momentum. Nothing is random: plateau
metrics are fixed formulas (see plateau_metrics). Floats are Python floats (float64), written with repr, the
shortest decimal that reads back as the same double (read them with Double.parseDouble).

PyTorch computes most schedules recursively from the previous lr (the "chainable form"); Nabla uses the closed
forms. The Java test checks every value within 1e-6 relative error (values within 1e-12 * base_lr of 0 count as
0: the recursive LinearLR decaying to 0 ends at -2.3e-17); the recursion's rounding stays far below that (the
largest difference seen is 3e-14, in SequentialLR and CosineAnnealingLR).
"""

import argparse
import json
import math
import os
import warnings

import torch
from torch.optim import lr_scheduler

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), os.pardir, os.pardir))
OUT_DIR = os.path.join(ROOT, "runtime", "src", "test", "resources", "fixtures", "schedule")
STEPS = 100


# ---- plateau metrics: fixed formulas that make ReduceLROnPlateau reduce, cool down and reach min_lr ----

def plateau_metrics(kind):
    """STEPS - 1 deterministic metric values."""
    out = []
    for t in range(1, STEPS):
        if kind == "loss":
            # falls for 10 epochs, then plateaus with small wiggles, falls again around 40..50 and 70..75
            if t <= 10:
                v = 1.0 - 0.05 * t
            elif t < 40:
                v = 0.5 + 0.002 * math.sin(t)
            elif t <= 50:
                v = 0.5 - 0.02 * (t - 39)
            elif t < 70:
                v = 0.28 + 0.001 * math.cos(t)
            elif t <= 75:
                v = 0.28 - 0.03 * (t - 69)
            else:
                v = 0.1 + 0.0005 * (t % 3)
        elif kind == "accuracy":
            # rises, then creeps up by less than the absolute threshold, with occasional real gains
            if t <= 8:
                v = 0.5 + 0.04 * t
            else:
                v = 0.82 + 0.004 * (t % 5) + (0.02 if t % 23 == 0 else 0.0) + 0.001 * (t // 23)
        elif kind == "flat":
            # improves by a relative 1e-7 per epoch, far under the default rel threshold 1e-4: every epoch is bad
            v = 1.0 - 1e-7 * t
        elif kind == "slow":
            # improves by a relative 5e-5 per epoch: under the default rel threshold 1e-4, so every epoch is bad
            v = 2.0 * (1 - 5e-5) ** t
        else:
            raise ValueError(kind)
        out.append(v)
    return out


# ---- the runs ----

def case(name, scheduler, base_lr, **params):
    return dict(name=name, scheduler=scheduler, base_lr=base_lr, params=params)


def part(scheduler, **params):
    return dict(scheduler=scheduler, params=params)


FIXTURES = [
    ("ConstantLR", [
        case("constant", "ConstantLR", 0.1, factor=1.0, total_iters=0),
        case("default_factor_third_5", "ConstantLR", 0.05),
        case("factor_half_4", "ConstantLR", 0.05, factor=0.5, total_iters=4),
    ]),
    ("StepLR", [
        case("step30_gamma0.1", "StepLR", 0.1, step_size=30, gamma=0.1),
        case("step7_gamma0.5", "StepLR", 0.3, step_size=7, gamma=0.5),
        case("step1_gamma0.97", "StepLR", 1.0, step_size=1, gamma=0.97),
    ]),
    ("MultiStepLR", [
        case("milestones30_80", "MultiStepLR", 0.05, milestones=[30, 80], gamma=0.1),
        case("milestones_four_gamma0.5", "MultiStepLR", 0.2, milestones=[10, 20, 45, 60], gamma=0.5),
        case("milestone0", "MultiStepLR", 0.1, milestones=[0, 50], gamma=0.3),
    ]),
    ("ExponentialLR", [
        case("gamma0.95", "ExponentialLR", 0.1, gamma=0.95),
        case("gamma0.9", "ExponentialLR", 1.0, gamma=0.9),
        case("gamma1.01_rising", "ExponentialLR", 0.001, gamma=1.01),
    ]),
    ("CosineAnnealingLR", [
        case("tmax100", "CosineAnnealingLR", 0.1, T_max=100),
        case("tmax100_etamin1e-3", "CosineAnnealingLR", 0.1, T_max=100, eta_min=1e-3),
        case("tmax30_etamin0.01_periodic", "CosineAnnealingLR", 0.5, T_max=30, eta_min=0.01),
        case("tmax7_periodic", "CosineAnnealingLR", 0.02, T_max=7),
    ]),
    ("LinearLR", [
        case("default_third_5", "LinearLR", 0.1),
        case("warmup_0.1_10", "LinearLR", 0.01, start_factor=0.1, end_factor=1.0, total_iters=10),
        case("decay_1_to_0.05_40", "LinearLR", 0.3, start_factor=1.0, end_factor=0.05, total_iters=40),
        case("decay_to_zero_25", "LinearLR", 0.2, start_factor=0.8, end_factor=0.0, total_iters=25),
    ]),
    ("OneCycleLR", [
        case("cos_100", "OneCycleLR", 0.01, max_lr=0.1, total_steps=100),
        case("linear_100", "OneCycleLR", 0.01, max_lr=0.1, total_steps=100, anneal_strategy="linear"),
        case("cos_pct0.25_div10_final100_80", "OneCycleLR", 0.01, max_lr=0.5, total_steps=80, pct_start=0.25,
             div_factor=10.0, final_div_factor=100.0),
        case("three_phase_cos_100", "OneCycleLR", 0.01, max_lr=0.1, total_steps=100, three_phase=True),
        case("three_phase_linear_90", "OneCycleLR", 0.01, max_lr=1.0, total_steps=90, pct_start=0.4,
             anneal_strategy="linear", three_phase=True),
    ]),
    ("ReduceLROnPlateau", [
        case("min_rel_cooldown_minlr", "ReduceLROnPlateau", 0.1, mode="min", factor=0.5, patience=3,
             threshold=1e-4, threshold_mode="rel", cooldown=2, min_lr=0.01, metrics="loss"),
        case("max_abs", "ReduceLROnPlateau", 0.2, mode="max", factor=0.1, patience=2, threshold=0.01,
             threshold_mode="abs", cooldown=0, min_lr=1e-4, metrics="accuracy"),
        case("defaults_flat", "ReduceLROnPlateau", 0.1, metrics="flat"),
        case("eps_stops_tiny_reductions", "ReduceLROnPlateau", 1e-7, factor=0.5, patience=0, eps=1e-8,
             metrics="slow"),
        case("min_abs_cooldown5", "ReduceLROnPlateau", 0.05, mode="min", factor=0.3, patience=1,
             threshold=0.005, threshold_mode="abs", cooldown=5, metrics="loss"),
    ]),
    ("SequentialLR", [
        case("linear_warmup5_then_cosine95", "SequentialLR", 0.1,
             schedulers=[part("LinearLR", start_factor=0.1, end_factor=1.0, total_iters=5),
                         part("CosineAnnealingLR", T_max=95)],
             milestones=[5]),
        case("constant_then_exponential_docs", "SequentialLR", 1.0,
             schedulers=[part("ConstantLR", factor=0.1, total_iters=2), part("ExponentialLR", gamma=0.9)],
             milestones=[2]),
        case("warmup_exponential_cosine", "SequentialLR", 0.05,
             schedulers=[part("LinearLR", start_factor=0.25, end_factor=1.0, total_iters=8),
                         part("ExponentialLR", gamma=0.97),
                         part("CosineAnnealingLR", T_max=40, eta_min=0.001)],
             milestones=[8, 50]),
        case("warmup10_then_step", "SequentialLR", 0.1,
             schedulers=[part("LinearLR", start_factor=0.01, total_iters=10),
                         part("StepLR", step_size=20, gamma=0.5)],
             milestones=[10]),
    ]),
]


def python_source(scheduler, params):
    args = ", ".join("%s=%r" % (k, v) for k, v in params.items())
    return "%s(optimizer%s)" % (scheduler, ", " + args if args else "")


def build(optimizer, scheduler, params):
    params = dict(params)
    if scheduler == "SequentialLR":
        parts = [build(optimizer, p["scheduler"], p["params"]) for p in params.pop("schedulers")]
        return lr_scheduler.SequentialLR(optimizer, parts, **params)
    if scheduler == "OneCycleLR":
        params["cycle_momentum"] = False
    return getattr(lr_scheduler, scheduler)(optimizer, **params)


def run(c):
    params = dict(c["params"])
    metrics = plateau_metrics(params.pop("metrics")) if c["scheduler"] == "ReduceLROnPlateau" else None
    optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=c["base_lr"])
    scheduler = build(optimizer, c["scheduler"], params)
    steps = params["total_steps"] + 1 if c["scheduler"] == "OneCycleLR" else STEPS
    lrs = [optimizer.param_groups[0]["lr"]]
    states = dict(best=[], num_bad_epochs=[], cooldown_counter=[])
    for t in range(1, steps):
        optimizer.step()
        if metrics is None:
            scheduler.step()
        else:
            scheduler.step(metrics[t - 1])
            for k in states:
                states[k].append(getattr(scheduler, k))
        lrs.append(optimizer.param_groups[0]["lr"])
    out = dict(c, params=params, lr=lrs)
    del out["scheduler"]
    if metrics is not None:
        out["metrics"] = metrics
        out.update(states)
    return out


# ---- JSON, one line per entry ----

def number(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    v = float(v)
    assert math.isfinite(v), v
    assert float(repr(v)) == v
    return repr(v)


def value(v):
    if isinstance(v, list) and all(isinstance(x, (int, float)) for x in v):
        return "[" + ", ".join(number(x) for x in v) + "]"
    if isinstance(v, (int, float)):
        return number(v)
    return json.dumps(v)


def case_json(c):
    keys = ["name", "torch", "base_lr", "params", "lr", "metrics", "best", "num_bad_epochs", "cooldown_counter"]
    lines = ["      %s: %s" % (json.dumps(k), value(c[k])) for k in keys if k in c]
    return "    {\n" + ",\n".join(lines) + "\n    }"


def fixture_json(scheduler, runs):
    return ("{\n"
            + '  "scheduler": %s,\n' % json.dumps(scheduler)
            + '  "generator": %s,\n' % json.dumps("tools/reference/make_schedule_fixtures.py, torch "
                                                   + torch.__version__)
            + '  "cases": [\n' + ",\n".join(case_json(r) for r in runs) + "\n  ]\n}\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="compare with the files on disk, write nothing")
    args = parser.parse_args()
    # SequentialLR calls scheduler.step(0) at each milestone, which PyTorch 1.13 flags as deprecated.
    warnings.filterwarnings("ignore", category=UserWarning, module="torch.optim.lr_scheduler")
    os.makedirs(OUT_DIR, exist_ok=True)
    stale = []
    for scheduler, cases in FIXTURES:
        runs = []
        for c in cases:
            params = {k: v for k, v in c["params"].items() if k != "metrics"}
            if c["scheduler"] == "SequentialLR":
                shown = "SequentialLR(optimizer, [%s], milestones=%r)" % (
                    ", ".join(python_source(p["scheduler"], p["params"]) for p in params["schedulers"]),
                    params["milestones"])
            elif c["scheduler"] == "OneCycleLR":
                shown = python_source(c["scheduler"], dict(params, cycle_momentum=False))
            else:
                shown = python_source(c["scheduler"], params)
            runs.append(run(dict(c, torch=shown)))
        text = fixture_json(scheduler, runs)
        json.loads(text)  # well-formed
        path = os.path.join(OUT_DIR, scheduler + ".json")
        if args.check:
            with open(path, encoding="utf-8") as f:
                if f.read() != text:
                    stale.append(path)
        else:
            with open(path, "w", encoding="utf-8", newline="\n") as f:
                f.write(text)
        print("%-18s %2d cases %6d bytes" % (scheduler, len(runs), len(text.encode("utf-8"))))
    if stale:
        raise SystemExit("out of date: " + ", ".join(stale))


if __name__ == "__main__":
    main()
