#!/usr/bin/python3
"""OpenBLAS sgemm GFLOP/s through PyTorch at the shapes of io.nabla.benchmarks.MatmulBenchmark, for the kernel
target of the performance issue (portable kernels >= 40 % of OpenBLAS, Vector API >= 85 %).

  /usr/bin/python3 bench/pytorch_gemm.py [--threads 1,2] [--seconds 1] [--clock wall|cpu] [--serve]

Shapes are VARIANT_MxNxK as in MatmulBenchmark: NT is a[m,k] @ b[n,k].T, TN is a[k,m].T @ b[k,n], NN a @ b; the
output is written in place (torch.mm(..., out=c)). OpenBLAS's threads are set with threadpoolctl, PyTorch's own
pool to 1. --clock cpu counts the calling thread's CPU time instead of wall-clock time, with 1 OpenBLAS thread
only (the product then runs on that thread), and prints the median and the best of 15 windows, as
io.nabla.benchmarks.MatmulCpuTime does for Nabla: figures that other load on a shared machine barely changes.
Like pytorch_mlp.py, it restarts itself with OPENBLAS_CORETYPE set when OpenBLAS misdetects the CPU.
--serve times one window per request instead (CPU clock, 1 thread), for bench/kernel_pairs.py: each line read,
SHAPE SECONDS, runs that product for that many seconds of CPU time (after 2 s of warm-up the first time it sees the
shape) and answers one line, the GFLOP per CPU-second.
"""

import argparse
import os
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in bench/
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pytorch_mlp  # noqa: E402  (its BLAS checks)

SHAPES = ["NT_32x256x784", "TN_256x784x32", "NT_32x128x256", "NN_32x256x128", "TN_128x256x32",
          "NT_256x256x784", "TN_256x784x256", "NT_256x128x256", "NN_256x256x128", "TN_128x256x256"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--threads", default="1,2", help="OpenBLAS thread counts")
    parser.add_argument("--seconds", type=float, default=1.0, help="time per shape and thread count")
    parser.add_argument("--clock", choices=("wall", "cpu"), default="wall",
                        help="cpu: GFLOP per second of this thread's CPU time, 1 thread")
    parser.add_argument("--serve", action="store_true", help="one CPU-time window per line of standard input")
    args = parser.parse_args()
    import torch
    info = pytorch_mlp.check_blas()
    arch = str(info.get("architecture") or "")
    coretype = pytorch_mlp.best_coretype(pytorch_mlp.cpu_flags())
    if arch.lower() in pytorch_mlp.PRE_AVX2 and coretype and not os.environ.get("OPENBLAS_CORETYPE"):
        print("note: OpenBLAS detected this CPU as %s; restarting with OPENBLAS_CORETYPE=%s" % (arch, coretype),
              flush=True)
        os.execve(sys.executable, [sys.executable] + sys.argv, dict(os.environ, OPENBLAS_CORETYPE=coretype))
    from threadpoolctl import threadpool_limits
    torch.set_num_threads(1)
    print("torch %s, OpenBLAS %s (%s kernels)" % (torch.__version__, info.get("version"), arch), flush=True)
    if args.serve:
        serve(torch, threadpool_limits)
        return
    if args.clock == "cpu":
        cpu_time(torch, threadpool_limits)
        return
    print("| shape | " + " | ".join("OpenBLAS %s thread%s, GFLOP/s" % (t, "" if t == "1" else "s")
                                   for t in args.threads.split(",")) + " |")
    print("|---|" + "---:|" * len(args.threads.split(",")))
    for shape in SHAPES:
        a, b, c, flops = operands(torch, shape)
        cells = []
        for threads in pytorch_mlp.ints(args.threads):
            with threadpool_limits(limits=threads, user_api="blas"):
                for _ in range(20):
                    torch.mm(a, b, out=c)
                calls = 0
                start = time.perf_counter()
                while time.perf_counter() - start < args.seconds:
                    for _ in range(10):
                        torch.mm(a, b, out=c)
                    calls += 10
                elapsed = time.perf_counter() - start
            cells.append("%.1f" % (flops * calls / elapsed / 1e9))
        print("| %s | %s |" % (shape, " | ".join(cells)), flush=True)


def operands(torch, shape):
    """a, b and c of a product VARIANT_MxNxK, laid out as Nabla's benchmarks lay them out."""
    variant, sizes = shape.split("_")
    m, n, k = (int(v) for v in sizes.split("x"))
    a = torch.rand(k, m).t() if variant == "TN" else torch.rand(m, k)
    b = torch.rand(n, k).t() if variant == "NT" else torch.rand(k, n)
    return a, b, torch.empty(m, n), 2.0 * m * n * k


def window(torch, product, seconds):
    """GFLOP per second of this thread's CPU time over at least `seconds` of it."""
    a, b, c, flops = product
    calls = 0
    start = time.thread_time()
    while time.thread_time() - start < seconds:
        for _ in range(10):
            torch.mm(a, b, out=c)
        calls += 10
    return flops * calls / (time.thread_time() - start) / 1e9


def cpu_time(torch, threadpool_limits):
    print("| shape | OpenBLAS 1 thread, GFLOP/CPU-s median / best |")
    print("|---|---:|")
    for shape in SHAPES:
        product = operands(torch, shape)
        with threadpool_limits(limits=1, user_api="blas"):
            window(torch, product, 2.0)
            rates = sorted(window(torch, product, 0.2) for _ in range(15))
        print("| %s | %.1f / %.1f |" % (shape, rates[len(rates) // 2], rates[-1]), flush=True)


def serve(torch, threadpool_limits):
    products = {}
    with threadpool_limits(limits=1, user_api="blas"):
        for line in sys.stdin:
            words = line.split()
            if len(words) != 2:
                raise SystemExit("expected SHAPE SECONDS, got: %r" % line)
            if words[0] not in products:
                products[words[0]] = operands(torch, words[0])
                window(torch, products[words[0]], 2.0)
            print("%.3f" % window(torch, products[words[0]], float(words[1])), flush=True)


if __name__ == "__main__":
    main()
