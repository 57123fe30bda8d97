#!/usr/bin/env python3
"""PyTorch safetensors fixtures for Nabla's import/export tests, and a check that Nabla's export loads in PyTorch.

How to run (from the repository root; needs PyTorch, e.g. Debian's python3-torch for /usr/bin/python3):

    /usr/bin/python3 tools/reference/make_safetensors_fixture.py           # writes the fixtures
    /usr/bin/python3 tools/reference/make_safetensors_fixture.py --check   # writes nothing; fails if they differ
    /usr/bin/python3 tools/reference/make_safetensors_fixture.py --verify-export \\
        runtime/target/safetensors-export/mlp-from-nabla.safetensors      # after the runtime tests ran
    /usr/bin/python3 tools/reference/make_safetensors_fixture.py --verify-bn-export \\
        runtime/target/safetensors-export/bn-from-nabla.safetensors       # the same, for the batch-norm net

What it writes, to runtime/src/test/resources/fixtures/safetensors/ (read by
runtime/src/test/java/io/nabla/runtime/checkpoint/SafetensorsTest.java):

    mlp.safetensors       the state_dict of a small torch module, float32: hidden = nn.Linear(3, 4) then tanh,
                          out = nn.Linear(4, 2); tensors hidden.weight (4, 3), hidden.bias (4,), out.weight
                          (2, 4), out.bias (2,), metadata {"format": "pt"}
    mlp_f64.safetensors   the same state_dict in float64 (dtype F64), which Nabla must refuse by name
    mlp.json              the expected values: every tensor's shape and data, a batch of 2 inputs and the module's
                          output for it, as the shortest decimals that read back as the same float32 (also when
                          read as a double first and then rounded to float, as the Java test does)
    bn.safetensors        the state_dict of a torch module with a batch norm (the twin of the Java test's
                          TinyNormModel.torchTwin()): bn = nn.BatchNorm1d(3), drop = nn.Dropout(0.5),
                          fc = nn.Linear(3, 2), then softmax; its weights set at random and its running statistics
                          gathered over 3 training batches, so it holds bn.weight, bn.bias, bn.running_mean,
                          bn.running_var, fc.weight, fc.bias (F32) and bn.num_batches_tracked (I64, 3)
    bn.json               as mlp.json, for bn.safetensors in inference mode (num_batches_tracked as a number)

The safetensors files are written as the reference writer (huggingface/safetensors, serialize) writes them:
an 8-byte little-endian header length N, N bytes of compact JSON ("__metadata__" first, then the tensors sorted
by dtype alignment and name, each {"dtype", "shape", "data_offsets"}), padded with spaces to a multiple of 8,
then each tensor's bytes, row-major, little-endian, in header order. Debian has no package for the `safetensors`
Python package, so the files are written with struct and json by that spec. When `safetensors` is importable
(e.g. PYTHONPATH pointing at an unpacked safetensors wheel), the script also checks that
safetensors.torch.save gives exactly the same bytes and that safetensors.torch.load_file reads them back
(checked with safetensors 0.8.0 and torch 1.13: identical bytes).

--verify-export PATH (--verify-bn-export PATH: the same for the batch-norm module, whose file from Nabla has no
num_batches_tracked; PyTorch's load_state_dict, strict, then sets it to 0) reads a file written by Nabla (SafetensorsTest writes the fixture's weights, imported and
exported again, to runtime/target/safetensors-export/mlp-from-nabla.safetensors), with safetensors.torch if
available and otherwise with the strict reader below (the reference reader's checks: header size, JSON,
offsets that tile the data, sizes that match shapes), loads it into the torch module with
load_state_dict(strict=True) and checks that every tensor and the module's output equal the fixture's, bit for bit.
"""

import argparse
import json
import os
import struct
import sys

import numpy as np
import torch
from torch import nn

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), os.pardir, os.pardir))
OUT_DIR = os.path.join(ROOT, "runtime", "src", "test", "resources", "fixtures", "safetensors")
SEED = 20240611
MAX_HEADER = 100_000_000

# dtype name, element size, numpy little-endian type; in the reference's increasing alignment order
DTYPES = {
    torch.float32: ("F32", 4, "<f4"),
    torch.float64: ("F64", 8, "<f8"),
    torch.int64: ("I64", 8, "<i8"),
}
NUMPY_OF = {"F32": "<f4", "F64": "<f8", "F16": "<f2", "I64": "<i8", "I32": "<i4", "I16": "<i2", "I8": "i1",
            "U8": "u1", "BOOL": "?"}
SIZE_OF = {"F32": 4, "F64": 8, "F16": 2, "BF16": 2, "I64": 8, "I32": 4, "I16": 2, "I8": 1, "U8": 1, "BOOL": 1}


class Mlp(nn.Module):
    """The torch twin of the Java test's MlpModel("Mlp", x(3) -> hidden(4, tanh) -> out(2))."""

    def __init__(self):
        super().__init__()
        self.hidden = nn.Linear(3, 4)
        self.out = nn.Linear(4, 2)

    def forward(self, x):
        return self.out(torch.tanh(self.hidden(x)))


class BnNet(nn.Module):
    """The torch twin of the Java test's TinyNormModel.torchTwin(): x(3) -> bn -> dropout(0.5) -> fc(2) -> softmax."""

    def __init__(self):
        super().__init__()
        self.bn = nn.BatchNorm1d(3)
        self.drop = nn.Dropout(0.5)
        self.fc = nn.Linear(3, 2)

    def forward(self, x):
        return torch.softmax(self.fc(self.drop(self.bn(x))), dim=1)


# ---- safetensors by the spec ----

def serialize(tensors, metadata=None):
    """The bytes of a safetensors file, as the reference writer lays them out."""
    entries = []
    for name, t in tensors.items():
        dtype, size, np_type = DTYPES[t.dtype]
        entries.append((size, name, dtype, list(t.shape), t.detach().contiguous().numpy().astype(np_type).tobytes()))
    entries.sort(key=lambda e: (-e[0], e[1]))  # descending alignment, then name
    header = {}
    if metadata is not None:
        header["__metadata__"] = metadata
    offset = 0
    for _, name, dtype, shape, data in entries:
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)
    return struct.pack("<Q", len(text)) + text + b"".join(e[4] for e in entries)


def deserialize(blob, where):
    """(metadata, {name: tensor}) from a safetensors file's bytes, with the reference reader's checks."""
    def fail(problem):
        raise SystemExit("%s: %s" % (where, problem))

    if len(blob) < 8:
        fail("shorter than the 8-byte header length")
    (n,) = struct.unpack("<Q", blob[:8])
    if n > MAX_HEADER:
        fail("header length %d exceeds %d" % (n, MAX_HEADER))
    if 8 + n > len(blob):
        fail("header length %d runs past the end of the file" % n)
    raw = blob[8:8 + n]
    if not raw.startswith(b"{"):
        fail("the header does not start with '{'")

    def no_duplicates(pairs):
        keys = [k for k, _ in pairs]
        if len(keys) != len(set(keys)):
            fail("a key appears twice in %s" % keys)
        return dict(pairs)

    header = json.loads(raw.decode("utf-8"), object_pairs_hook=no_duplicates)
    metadata = header.pop("__metadata__", None)
    if metadata is not None and not all(isinstance(v, str) for v in metadata.values()):
        fail("__metadata__ values must be strings")
    infos = sorted(header.items(), key=lambda kv: tuple(kv[1]["data_offsets"]))
    data = blob[8 + n:]
    start = 0
    tensors = {}
    for name, info in infos:
        begin, end = info["data_offsets"]
        if begin != start or end < begin:
            fail("invalid offset for tensor %s" % name)
        count = int(np.prod(info["shape"], dtype=np.int64)) if info["shape"] else 1
        if end - begin != count * SIZE_OF[info["dtype"]]:
            fail("tensor %s: data_offsets do not match its shape and dtype" % name)
        start = end
        array = np.frombuffer(data[begin:end], dtype=NUMPY_OF[info["dtype"]]).reshape(info["shape"])
        tensors[name] = torch.from_numpy(array.astype(array.dtype.newbyteorder("=")).copy())
    if start != len(data):
        fail("incomplete metadata, file not fully covered (%d data bytes, tensors end at %d)" % (len(data), start))
    return metadata, tensors


def load_file(path):
    """safetensors.torch.load_file when installed, else deserialize(); returns (metadata, tensors, reader)."""
    with open(path, "rb") as f:
        blob = f.read()
    metadata, tensors = deserialize(blob, path)  # always: the strict checks
    try:
        from safetensors.torch import load_file as reference_load
        from safetensors import safe_open
    except ImportError:
        return metadata, tensors, "the spec reader in this script (the safetensors package is not installed)"
    loaded = reference_load(path)
    with safe_open(path, framework="pt") as f:
        ref_metadata = f.metadata()
    if ref_metadata != metadata or loaded.keys() != tensors.keys() or any(
            not torch.equal(loaded[k], tensors[k]) for k in tensors):
        raise SystemExit("%s: safetensors.torch.load_file disagrees with the spec reader" % path)
    return metadata, loaded, "safetensors.torch.load_file"


# ---- fixtures ----

def f32(x):
    v = np.float32(x)
    assert np.isfinite(v), x
    s = str(v)  # numpy's shortest string that reads back as this float32
    assert np.float32(float(s)) == v, (s, v)  # float(s) is a double: rounding it to float32 gives v back
    return s


def tensor_json(t):
    t = t.detach()
    return '{"shape": %s, "data": [%s]}' % (json.dumps(list(t.shape)),
                                            ", ".join(f32(v) for v in t.reshape(-1).tolist()))


def build():
    torch.manual_seed(SEED)
    module = Mlp()
    x = torch.randn(2, 3)
    with torch.no_grad():
        y = module(x)
    state = module.state_dict()
    files = {
        "mlp.safetensors": serialize(state, {"format": "pt"}),
        "mlp_f64.safetensors": serialize({k: v.double() for k, v in state.items()}, {"format": "pt"}),
    }
    lines = [
        '  "about": %s' % json.dumps("state_dict of torch Mlp: hidden = Linear(3, 4), tanh, out = Linear(4, 2); "
                                     "mlp.safetensors holds it in F32, mlp_f64.safetensors in F64"),
        '  "generator": %s' % json.dumps("tools/reference/make_safetensors_fixture.py, torch %s, seed %d"
                                         % (torch.__version__, SEED)),
        '  "metadata": %s' % json.dumps({"format": "pt"}),
        '  "tensors": {\n' + ",\n".join('    %s: %s' % (json.dumps(k), tensor_json(v)) for k, v in state.items())
        + "\n  }",
        '  "input": %s' % tensor_json(x),
        '  "output": %s' % tensor_json(y),
    ]
    files["mlp.json"] = ("{\n" + ",\n".join(lines) + "\n}\n").encode("utf-8")
    json.loads(files["mlp.json"])  # well-formed
    # What was written reads back, with the strict reader (and the reference one when installed).
    metadata, tensors = deserialize(files["mlp.safetensors"], "mlp.safetensors")
    assert metadata == {"format": "pt"} and tensors.keys() == state.keys()
    assert all(torch.equal(tensors[k], state[k]) for k in state)
    return module, x, y, files


def build_bn():
    """The batch-norm module, trained for its running statistics only, its inputs and outputs, and its files."""
    torch.manual_seed(SEED + 1)
    module = BnNet()
    with torch.no_grad():
        module.bn.weight.uniform_(0.5, 1.5)  # not the initial 1 and 0, so a mix-up of the two would show
        module.bn.bias.uniform_(-0.5, 0.5)
    module.train()
    with torch.no_grad():
        for _ in range(3):
            module(torch.randn(8, 3) * 2 + 1)  # updates running_mean, running_var and num_batches_tracked
    module.eval()
    x = torch.randn(2, 3) * 2 + 1
    with torch.no_grad():
        y = module(x)
    state = module.state_dict()
    lines = [
        '  "about": %s' % json.dumps("state_dict of torch BnNet: bn = BatchNorm1d(3), drop = Dropout(0.5), "
                                     "fc = Linear(3, 2), softmax; running statistics of 3 training batches; "
                                     "output in inference mode"),
        '  "generator": %s' % json.dumps("tools/reference/make_safetensors_fixture.py, torch %s, seed %d"
                                         % (torch.__version__, SEED + 1)),
        '  "metadata": %s' % json.dumps({"format": "pt"}),
        '  "tensors": {\n' + ",\n".join('    %s: %s' % (json.dumps(k), tensor_json(v)) for k, v in state.items()
                                         if v.dtype == torch.float32) + "\n  }",
        '  "num_batches_tracked": %d' % int(state["bn.num_batches_tracked"]),
        '  "input": %s' % tensor_json(x),
        '  "output": %s' % tensor_json(y),
    ]
    files = {
        "bn.safetensors": serialize(state, {"format": "pt"}),
        "bn.json": ("{\n" + ",\n".join(lines) + "\n}\n").encode("utf-8"),
    }
    json.loads(files["bn.json"])
    metadata, tensors = deserialize(files["bn.safetensors"], "bn.safetensors")
    assert metadata == {"format": "pt"} and tensors.keys() == state.keys()
    assert all(torch.equal(tensors[k], state[k]) for k in state)
    assert tensors["bn.num_batches_tracked"].dtype == torch.int64
    return module, x, y, files


def verify_export(path, module, x, y):
    metadata, tensors, reader = load_file(path)
    state = module.state_dict()
    torch_module = Mlp()
    torch_module.load_state_dict(tensors, strict=True)  # names and shapes, or an error naming them
    for k, v in torch_module.state_dict().items():
        if v.dtype != torch.float32 or not torch.equal(v, state[k]):
            raise SystemExit("%s: tensor %s differs from the fixture" % (path, k))
    with torch.no_grad():
        out = torch_module(x)
    if not torch.equal(out, y):
        raise SystemExit("%s: the module's output differs from the fixture's" % path)
    print("%s loads into the torch module (read with %s; metadata %s); every tensor and the output on the "
          "fixture's input equal the fixture's bit for bit" % (path, reader, metadata))


def verify_bn_export(path, module, x, y):
    metadata, tensors, reader = load_file(path)
    if "bn.num_batches_tracked" in tensors:
        raise SystemExit("%s: Nabla does not keep num_batches_tracked, yet the file has it" % path)
    state = module.state_dict()
    torch_module = BnNet()
    torch_module.load_state_dict(tensors, strict=True)  # accepted without num_batches_tracked, which becomes 0
    for k, v in torch_module.state_dict().items():
        if k == "bn.num_batches_tracked":
            if int(v) != 0:
                raise SystemExit("%s: num_batches_tracked is %d after loading, expected 0" % (path, int(v)))
            continue
        if v.dtype != torch.float32 or not torch.equal(v, state[k]):
            raise SystemExit("%s: tensor %s differs from the fixture" % (path, k))
    torch_module.eval()
    with torch.no_grad():
        out = torch_module(x)
    if not torch.equal(out, y):
        raise SystemExit("%s: the module's output differs from the fixture's" % path)
    print("%s loads into the torch batch-norm module (read with %s; metadata %s; num_batches_tracked set to 0);"
          " every tensor and the output on the fixture's input equal the fixture's bit for bit"
          % (path, reader, metadata))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="compare with the files on disk, write nothing")
    parser.add_argument("--verify-export", metavar="PATH", help="check that a file Nabla exported loads in torch")
    parser.add_argument("--verify-bn-export", metavar="PATH", help="the same for the batch-norm module")
    args = parser.parse_args()
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    module, x, y, files = build()
    bn_module, bn_x, bn_y, bn_files = build_bn()
    if args.verify_export or args.verify_bn_export:
        if args.verify_export:
            verify_export(args.verify_export, module, x, y)
        if args.verify_bn_export:
            verify_bn_export(args.verify_bn_export, bn_module, bn_x, bn_y)
        return
    files.update(bn_files)
    stale = []
    os.makedirs(OUT_DIR, exist_ok=True)
    for name, blob in files.items():
        path = os.path.join(OUT_DIR, name)
        if args.check:
            if not os.path.exists(path):
                stale.append(path)
                continue
            with open(path, "rb") as f:
                if f.read() != blob:
                    stale.append(path)
        else:
            with open(path, "wb") as f:
                f.write(blob)
            print("wrote", os.path.relpath(path, ROOT))
    if args.check and stale:
        raise SystemExit("stale fixtures (rerun without --check): " + ", ".join(stale))
    if args.check:
        print("fixtures are up to date")
    compare_with_reference(module, files)


def compare_with_reference(module, files):
    """With the safetensors package: its writer's bytes equal ours, and its reader loads them."""
    try:
        from safetensors.torch import save as reference_save
    except ImportError:
        print("the safetensors package is not installed: fixtures written by the spec only")
        return
    state = module.state_dict()
    pairs = [("mlp.safetensors", state), ("mlp_f64.safetensors", {k: v.double() for k, v in state.items()})]
    for name, tensors in pairs:
        if reference_save(tensors, metadata={"format": "pt"}) != files[name]:
            raise SystemExit("%s: safetensors.torch.save writes other bytes than this script" % name)
        load_file(os.path.join(OUT_DIR, name))
    print("safetensors.torch.save writes the same bytes, and load_file reads them")


if __name__ == "__main__":
    sys.exit(main())
