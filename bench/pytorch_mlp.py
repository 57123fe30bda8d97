#!/usr/bin/python3
"""PyTorch's side of bench/compare.sh: the MLP 784-256-128-10 (ReLU), or with --arch the small CNN or the GRU,
trained with Adam (lr 1e-3) on data already in memory, at every setting of PyTorch's two CPU thread pools.

Run it with Debian's python3-torch (/usr/bin/python3). It mirrors io.nabla.benchmarks.TrainThroughput (--arch the
same there):

- the same network (make_model): --arch mlp (default), nn.Linear(784, 256), ReLU, nn.Linear(256, 128), ReLU,
  nn.Linear(128, 10); --arch cnn, the CNN of the samples' `fashion-cnn --arch small`; --arch gru, the GRU of
  `fashion-gru` (nn.GRU(28, 128, batch_first=True) over 28 rows of 28 pixels, nn.Linear(128, 10) on the last
  state); mean softmax cross-entropy over integer labels;
- the same initial-weight distribution as Nabla's Model.initialize: He-uniform weights (U(-sqrt(6/fan_in), +...))
  for the layers followed by ReLU, Glorot-uniform (U(-sqrt(6/(fan_in+fan_out)), +...)) for the others, zero
  biases, and PyTorch's own (and Nabla's) U(-1/sqrt(128), +...) for every tensor of the GRU;
- the same data: the first S Fashion-MNIST training images scaled by 1/255 (random data of that shape when the
  files are not installed), as one tensor in memory; each epoch a seeded shuffle, each step a gathered batch;
- the same step as Nabla's Trainer: zero_grad, forward, loss, backward, Adam step, plus the loss and the number
  of correct predictions read back per step (Trainer tracks both);
- the same measure: samples/s of the training loop only, over epochs 2..E; epoch 1 is untimed on both sides (Nabla's
  JIT warms up; the step count matters at batch 1, see subnormals below, so PyTorch runs the same epochs). The
  warm-up epoch, and the timed epochs together, are cut short after --max-seconds (default 5) so that a
  pathologically slow thread setting cannot eat the time budget; the rate is then over the steps done.

PyTorch has two thread pools on the CPU: its intra-op OpenMP pool (torch.set_num_threads) and OpenBLAS's own
pthreads pool (set through threadpoolctl). Every combination of --omp and --blas is run and all are printed; the
comparison counts the best.

Subnormal floats: at batch 1 on Fashion-MNIST about half of Adam's exp_avg entries become subnormal within a few
thousand steps (weights of rarely non-zero pixels get a gradient now and then and decay by 0.9 per step in
between), and every subnormal operand costs x86 a slow assist: the Adam step alone goes from ~0.6 ms to ~2.5 ms
here. --denormals flush runs with torch.set_flush_denormal(True) (FTZ/DAZ on the main thread), --denormals both
runs every thread setting both ways; bench/compare.sh uses both.

Debian's torch loads whatever libblas.so.3 the alternatives system provides: the reference BLAS (~5 GFLOP/s)
unless libopenblas0-pthread is installed. This script refuses to run unless threadpoolctl reports OpenBLAS.
OpenBLAS 0.3.21 may also fail to recognise a virtualised CPU and fall back to its SSE3 "Prescott" kernels (4x
slower here); then, unless OPENBLAS_CORETYPE is set already, the script restarts itself with OPENBLAS_CORETYPE set
to the best kernels the CPU supports (SkylakeX with AVX-512, Haswell with AVX2), so that PyTorch is compared at
its best.

Output: human-readable lines and one machine-readable line per measurement, e.g.
  result: {"impl": "pytorch", "batch": 32, "omp": 2, "blas": 1, ..., "samples_per_second": 33000.0}
"""

import argparse
import gzip
import json
import math
import os
import struct
import sys
import time

INSTALL_HINT = ("Install OpenBLAS and threadpoolctl for Debian's python3-torch:\n"
                "  sudo apt-get install -y libopenblas0-pthread python3-threadpoolctl")
DEFAULT_DIR = "/usr/share/datasets/fashion-mnist"
DEFAULT_SAMPLES = {1: 5000, 32: 20000, 256: 60000}
# OpenBLAS core types without AVX2: if the CPU has AVX2, OpenBLAS has misdetected it.
PRE_AVX2 = {"prescott", "core2", "penryn", "dunnington", "nehalem", "atom", "nano", "opteron", "barcelona",
            "bobcat", "sandybridge", "bulldozer", "piledriver", "steamroller", "excavator", "katmai",
            "coppermine", "northwood", "banias", "athlon", "opteron_sse3"}


def ints(text):
    return [int(v) for v in text.split(",") if v.strip()]


def parse_samples(text, batches, defaults):
    samples = dict(defaults)
    if text:
        for pair in text.split(","):
            if "=" in pair:
                b, n = pair.split("=")
                samples[int(b)] = int(n)
            else:
                for b in batches:
                    samples[b] = int(pair)
    return samples


def cpu_flags():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("flags"):
                    return set(line.split(":", 1)[1].split())
    except OSError:
        pass
    return set()


def best_coretype(flags):
    if {"avx512f", "avx512bw", "avx512vl", "avx512dq"} <= flags:
        return "SkylakeX"
    if {"avx2", "fma"} <= flags:
        return "Haswell"
    return None


def check_blas():
    """The BLAS entries threadpoolctl sees; exits with a message unless one is OpenBLAS."""
    try:
        import threadpoolctl
    except ImportError:
        sys.stderr.write("error: refusing to run PyTorch: python3-threadpoolctl is not installed, so this script"
                         " cannot check or size the BLAS. " + INSTALL_HINT + "\n")
        sys.exit(3)
    blas = [i for i in threadpoolctl.threadpool_info() if i.get("user_api") == "blas"]
    openblas = [i for i in blas if i.get("internal_api") == "openblas"]
    if not openblas:
        found = ", ".join(i.get("internal_api", "?") + " " + i.get("filepath", "") for i in blas) or "none it knows"
        sys.stderr.write("error: refusing to run PyTorch: threadpoolctl reports no OpenBLAS (BLAS found: " + found
                         + "); without libopenblas0-pthread Debian's torch runs on the reference BLAS, ~20x"
                         " slower, and the comparison would be meaningless. " + INSTALL_HINT + "\n")
        sys.exit(3)
    return openblas[0]


def token_data(count, seed, np):
    """count sequences of CONTEXT random token ids (uniform in [0, VOCABULARY)) and, as a language model's labels,
    the next token at every position: windows of one random stream, as io.nabla.benchmarks.BenchData.tokens (whose
    stream is another one: Java's generator is not numpy's)."""
    stream = np.random.default_rng(seed).integers(0, VOCABULARY, size=count * CONTEXT + 1, dtype=np.int64)
    x = stream[:-1].reshape(count, CONTEXT)
    y = stream[1:].reshape(count, CONTEXT)
    return x, y, "random tokens, %d sequences of %d ids in [0, %d), the next id as label at every position" % (
        count, CONTEXT, VOCABULARY)


def load_data(directory, seed, np):
    """(features float32 [60000, 784] in [0, 1], labels int64 [60000], description)."""
    if directory != "random":
        d = directory or DEFAULT_DIR
        images = os.path.join(d, "train-images-idx3-ubyte.gz")
        labels = os.path.join(d, "train-labels-idx1-ubyte.gz")
        if os.path.isfile(images) and os.path.isfile(labels):
            with gzip.open(images, "rb") as f:
                raw = f.read()
            magic, count, rows, cols = struct.unpack(">IIII", raw[:16])
            x = np.frombuffer(raw, dtype=np.uint8, offset=16).reshape(count, rows * cols).astype(np.float32)
            x *= np.float32(1 / 255)
            with gzip.open(labels, "rb") as f:
                raw = f.read()
            y = np.frombuffer(raw, dtype=np.uint8, offset=8).astype(np.int64)
            return x, y, "Fashion-MNIST training images from %s, %d samples" % (d, count)
        if directory:
            sys.stderr.write("error: %s holds no Fashion-MNIST training files\n" % d)
            sys.exit(2)
    rng = np.random.default_rng(seed)
    x = rng.random((60000, 784), dtype=np.float32)
    y = rng.integers(0, 10, size=60000, dtype=np.int64)
    return x, y, "random data, 60000 samples of 784 values"


ARCH = "mlp"
LABELS = {"mlp": "MLP 784-256-128-10", "cnn": "CNN (fashion-cnn --arch small)", "gru": "GRU 128 (fashion-gru)",
          "transformer": "Transformer LM (2 blocks, d 128, context 64)"}
# Samples per epoch by batch size for each --arch but the MLP (DEFAULT_SAMPLES); the first batch is the default. A
# transformer sample is a sequence of CONTEXT tokens.
ARCH_SAMPLES = {"cnn": {64: 6000}, "gru": {64: 6000}, "transformer": {32: 640}}
VOCABULARY, CONTEXT, WIDTH, HEADS, HIDDEN, BLOCKS = 96, 64, 128, 4, 512, 2


def init_uniform(layer, bound):
    layer.weight.uniform_(-bound, bound)
    if layer.bias is not None:
        layer.bias.zero_()


def he(layer):
    """He-uniform weights, zero bias: Nabla's init of a dense or convolution layer followed by ReLU."""
    init_uniform(layer, math.sqrt(6.0 / layer.weight[0].numel()))


def glorot(layer):
    """Glorot-uniform weights, zero bias: Nabla's init of every other dense or convolution layer."""
    fan_in = layer.weight[0].numel()
    fan_out = layer.weight.shape[0] * layer.weight[0, 0].numel() if layer.weight.dim() > 2 else layer.weight.shape[0]
    init_uniform(layer, math.sqrt(6.0 / (fan_in + fan_out)))


def make_model(torch, seed):
    """The network of --arch with Nabla's initial-weight distribution (Model.initialize; the benchmarks module's
    declarations in io.nabla.benchmarks):

    - mlp (Mlp): 784-256-128-10, He-uniform weights for the ReLU layers, Glorot-uniform for the logits, zero biases;
    - cnn (SmallCnn, `fashion-cnn --arch small`): conv 1->16 3x3 pad 1 + ReLU + maxpool 2, conv 16->32 3x3 pad 1 +
      ReLU + maxpool 2, dense 1568->10, input (B, 1, 28, 28); He-uniform convolutions, Glorot-uniform logits;
    - gru (RowGru, `fashion-gru`): nn.GRU(28, 128, batch_first=True) over the 28 rows of 28 pixels, nn.Linear(128,
      10) on the last step's state; the GRU keeps PyTorch's init (every tensor uniform in +-1/sqrt(128), which is
      also Nabla's), the logits are Glorot-uniform;
    - transformer (TinyTransformer): a causal language model over (B, 64) token ids, Embedding(96, 128) plus a
      learned positional table (64, 128) (both N(0, 1)), 2 pre-norm blocks [LayerNorm, nn.MultiheadAttention(128,
      4 heads, batch_first=True, causal mask), add, LayerNorm, Linear(128, 512) + exact GELU, Linear(512, 128),
      add], LayerNorm, Linear(128, 96): logits (B, 64, 96); every Linear and the attention's in_proj_weight and
      out_proj.weight Glorot-uniform, every bias zero, layer norms ones and zeros (Nabla's init).
    """
    nn = torch.nn
    torch.manual_seed(seed)
    if ARCH == "cnn":
        model = nn.Sequential(nn.Unflatten(1, (1, 28, 28)), nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(),
                              nn.MaxPool2d(2), nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                              nn.Flatten(), nn.Linear(1568, 10))
    elif ARCH == "gru":
        model = row_gru(torch)
    elif ARCH == "transformer":
        model = tiny_transformer(torch)
    else:
        model = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 10))
    with torch.no_grad():
        if isinstance(model, nn.Sequential):
            layers = list(model)
            for index, layer in enumerate(layers):
                if isinstance(layer, (nn.Linear, nn.Conv2d)):
                    relu = index + 1 < len(layers) and isinstance(layers[index + 1], nn.ReLU)
                    (he if relu else glorot)(layer)
        else:
            model.initialize()
    return model


def row_gru(torch):
    """The gru network of make_model (classes are defined here because torch is imported lazily)."""
    nn = torch.nn

    class RowGru(nn.Module):
        def __init__(self):
            super().__init__()
            self.gru = nn.GRU(28, 128, batch_first=True)
            self.logits = nn.Linear(128, 10)

        def initialize(self):
            glorot(self.logits)

        def forward(self, x):
            _, h = self.gru(x.view(-1, 28, 28))
            return self.logits(h[-1])

    return RowGru()


def tiny_transformer(torch):
    """The transformer network of make_model."""
    nn = torch.nn
    F = torch.nn.functional

    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.norm1 = nn.LayerNorm(WIDTH)
            self.attention = nn.MultiheadAttention(WIDTH, HEADS, batch_first=True)
            self.norm2 = nn.LayerNorm(WIDTH)
            self.expand = nn.Linear(WIDTH, HIDDEN)
            self.project = nn.Linear(HIDDEN, WIDTH)

        def forward(self, x, mask):
            h = self.norm1(x)
            x = x + self.attention(h, h, h, attn_mask=mask, need_weights=False)[0]
            return x + self.project(F.gelu(self.expand(self.norm2(x))))

    class TinyTransformer(nn.Module):
        def __init__(self):
            super().__init__()
            self.embed = nn.Embedding(VOCABULARY, WIDTH)
            self.position = nn.Parameter(torch.empty(CONTEXT, WIDTH))
            self.blocks = nn.ModuleList(Block() for _ in range(BLOCKS))
            self.norm_out = nn.LayerNorm(WIDTH)
            self.logits = nn.Linear(WIDTH, VOCABULARY)
            # True above the diagonal: position t attends to positions <= t only.
            self.register_buffer("mask", torch.triu(torch.ones(CONTEXT, CONTEXT, dtype=torch.bool), 1))

        def initialize(self):
            self.embed.weight.normal_()
            self.position.normal_()
            for block in self.blocks:
                attention = block.attention
                fan_in = attention.in_proj_weight.shape[1]
                bound = math.sqrt(6.0 / (fan_in + attention.in_proj_weight.shape[0]))
                attention.in_proj_weight.uniform_(-bound, bound)
                attention.in_proj_bias.zero_()
                glorot(attention.out_proj)
                glorot(block.expand)
                glorot(block.project)
            glorot(self.logits)

        def forward(self, tokens):
            x = self.embed(tokens) + self.position
            for block in self.blocks:
                x = block(x, self.mask)
            return self.logits(self.norm_out(x))

    return TinyTransformer()


def train(torch, x, y, batch, epochs, seed, foreach, max_seconds):
    """Samples per second of the training loop over epochs 2..E (epoch 1 untimed); the warm-up and the timed epochs
    each stop early once they have taken max_seconds, so that a pathological thread setting cannot eat the time
    budget."""
    F = torch.nn.functional
    model = make_model(torch, seed)
    model.train()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, foreach=foreach)
    generator = torch.Generator().manual_seed(seed)
    n = x.shape[0]
    samples = 0
    seconds = 0.0
    for epoch in range(epochs):
        order = torch.randperm(n, generator=generator)
        loss_sum = 0.0
        correct = 0
        done = 0
        start = time.perf_counter()
        deadline = start + (max_seconds - seconds if epoch > 0 else max_seconds)
        for i in range(0, order.shape[0], batch):
            index = order[i:i + batch]
            xb = x.index_select(0, index)
            yb = y.index_select(0, index)
            opt.zero_grad()
            out = model(xb)
            # A language model's logits (B, T, V) and labels (B, T): the mean over every position.
            loss = F.cross_entropy(out.reshape(-1, out.shape[-1]), yb.reshape(-1))
            loss.backward()
            opt.step()
            loss_sum += loss.item() * index.shape[0]
            correct += (out.argmax(-1) == yb).sum().item()
            done += index.shape[0]
            if time.perf_counter() > deadline:
                break
        elapsed = time.perf_counter() - start
        if not math.isfinite(loss_sum):
            sys.stderr.write("error: the loss diverged\n")
            sys.exit(1)
        if epoch > 0:
            samples += done
            seconds += elapsed
            if done < order.shape[0]:
                break
    return samples / seconds, samples


def predict_latency(torch, seed):
    """Median over rounds of the mean time of one single-sample forward under inference_mode, in microseconds."""
    model = make_model(torch, seed)
    model.eval()
    xs = torch.rand(64, 1, 784, generator=torch.Generator().manual_seed(seed))
    with torch.inference_mode():
        end = time.perf_counter() + 1.0
        i = 0
        while time.perf_counter() < end:
            model(xs[i & 63])
            i += 1
        means = []
        calls = 2000
        for _ in range(7):
            start = time.perf_counter()
            for c in range(calls):
                model(xs[c & 63])
            means.append((time.perf_counter() - start) / calls * 1e6)
    means.sort()
    return means[len(means) // 2]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--batches", default=None,
                        help="batch sizes (default 1,32,256 for the MLP, 64 for the CNN and the GRU, 32 for the"
                             " transformer)")
    parser.add_argument("--arch", choices=sorted(LABELS), default="mlp",
                        help="mlp: 784-256-128-10; cnn: the CNN of fashion-cnn --arch small; gru: the GRU of"
                             " fashion-gru; transformer: a causal language model, 2 pre-norm blocks")
    parser.add_argument("--omp", default="1,2", help="torch.set_num_threads values (intra-op OpenMP pool)")
    parser.add_argument("--blas", default="1,2", help="OpenBLAS thread counts (through threadpoolctl)")
    parser.add_argument("--samples", default="", help="samples per epoch: 1=5000,32=20000,256=60000 or one N"
                        " (the CNN's and the GRU's default: 64=6000, the transformer's 32=640 sequences)")
    parser.add_argument("--epochs", type=int, default=3, help="epochs, the first a warm-up (default 3)")
    parser.add_argument("--data", default=None, help="Fashion-MNIST directory, or 'random'")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--max-seconds", type=float, default=5.0,
                        help="cap on the warm-up epoch and on the timed epochs of one setting, in seconds"
                             " (default 5)")
    parser.add_argument("--denormals", choices=("keep", "flush", "both"), default="keep",
                        help="keep PyTorch's default IEEE subnormals, flush them (torch.set_flush_denormal(True)),"
                             " or run both ways (default keep)")
    parser.add_argument("--foreach", action="store_true", help="Adam's multi-tensor (foreach) implementation")
    parser.add_argument("--predict", action="store_true", help="also measure single-sample predict latency")
    parser.add_argument("--predict-only", action="store_true")
    parser.add_argument("--check", action="store_true", help="only check the BLAS and exit")
    args = parser.parse_args()
    global ARCH
    ARCH = args.arch
    if args.epochs < 2:
        parser.error("--epochs must be at least 2 (the first is a warm-up)")
    if (args.predict or args.predict_only) and ARCH != "mlp":
        parser.error("--predict measures the MLP only")

    import numpy as np
    import torch
    info = check_blas()
    arch = str(info.get("architecture") or "")
    coretype = best_coretype(cpu_flags())
    if arch.lower() in PRE_AVX2 and coretype and not os.environ.get("OPENBLAS_CORETYPE"):
        print("note: OpenBLAS %s detected this CPU as %s (no AVX2 kernels); restarting with OPENBLAS_CORETYPE=%s"
              % (info.get("version"), arch, coretype), flush=True)
        env = dict(os.environ, OPENBLAS_CORETYPE=coretype)
        os.execve(sys.executable, [sys.executable] + sys.argv, env)
    from threadpoolctl import threadpool_info, threadpool_limits

    print("torch %s, numpy %s, OpenBLAS %s (%s kernels%s, %s), %d cores" % (
        torch.__version__, np.__version__, info.get("version"), arch,
        ", OPENBLAS_CORETYPE=" + os.environ["OPENBLAS_CORETYPE"] if os.environ.get("OPENBLAS_CORETYPE") else "",
        info.get("threading_layer"), os.cpu_count()), flush=True)
    if args.check:
        return

    defaults = ARCH_SAMPLES.get(ARCH, DEFAULT_SAMPLES)
    batches = ints(args.batches) if args.batches else list(defaults)[:1 if ARCH in ARCH_SAMPLES else None]
    samples = parse_samples(args.samples, batches, defaults)
    flushes = {"keep": [False], "flush": [True], "both": [False, True]}[args.denormals]
    settings = [(o, b, f) for f in flushes for o in ints(args.omp) for b in ints(args.blas)]

    def configure(omp, blas, flush):
        if not torch.set_flush_denormal(flush) and flush:
            sys.stderr.write("error: this CPU cannot flush denormals (torch.set_flush_denormal)\n")
            sys.exit(1)
        torch.set_num_threads(omp)
        limits = threadpool_limits(limits=blas, user_api="blas")
        actual = [i["num_threads"] for i in threadpool_info() if i.get("user_api") == "blas"]
        if torch.get_num_threads() != omp or any(t != blas for t in actual):
            sys.stderr.write("error: could not set the thread pools to OpenMP %d, BLAS %d (got %d, %s)\n"
                             % (omp, blas, torch.get_num_threads(), actual))
            sys.exit(1)
        return limits

    if not args.predict_only:
        if ARCH == "transformer":
            x_all, y_all, description = token_data(max(samples[b] for b in batches), args.seed, np)
        else:
            x_all, y_all, description = load_data(args.data, args.seed, np)
        print("data: " + description, flush=True)
        for batch in batches:
            count = min(x_all.shape[0], samples.get(batch, x_all.shape[0]))
            x = torch.from_numpy(np.ascontiguousarray(x_all[:count]))
            y = torch.from_numpy(np.ascontiguousarray(y_all[:count]))
            for omp, blas, flush in settings:
                limits = configure(omp, blas, flush)
                try:
                    per_second, timed = train(torch, x, y, batch, args.epochs, args.seed, args.foreach,
                                              args.max_seconds)
                finally:
                    limits.restore_original_limits()
                print("%s batch %d, OpenMP %d, BLAS %d%s: %.1f samples/s (%d samples, epochs 2..%d"
                      " timed%s)" % (LABELS[ARCH], batch, omp, blas, ", denormals flushed" if flush else "",
                                     per_second, count, args.epochs,
                                     "" if timed == count * (args.epochs - 1)
                                     else ", cut at %g s after %d samples" % (args.max_seconds, timed)))
                print("result: " + json.dumps({
                    "impl": "pytorch", "arch": ARCH, "batch": batch, "omp": omp, "blas": blas, "samples": count,
                    "epochs": args.epochs, "timed_samples": timed, "foreach": args.foreach, "flush_denormal": flush,
                    "samples_per_second": round(per_second, 1)}), flush=True)
    if args.predict or args.predict_only:
        # Subnormals do not arise in inference: predict runs with PyTorch's default numerics only.
        for omp, blas, flush in [s for s in settings if not s[2]] or settings:
            limits = configure(omp, blas, flush)
            try:
                micros = predict_latency(torch, args.seed)
            finally:
                limits.restore_original_limits()
            print("MLP 784-256-128-10 predict 1 sample, OpenMP %d, BLAS %d%s: %.2f us"
                  % (omp, blas, ", denormals flushed" if flush else "", micros))
            print("result: " + json.dumps({"impl": "pytorch", "predict_batch": 1, "omp": omp, "blas": blas,
                                           "flush_denormal": flush, "microseconds": round(micros, 2)}), flush=True)


if __name__ == "__main__":
    main()
