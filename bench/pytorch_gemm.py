#!/usr/bin/python3
"""OpenBLAS sgemm GFLOP/s through PyTorch at the shapes of io.nabla.benchmarks.MatmulBenchmark, for the kernel
target of the performance issue (portable kernels >= 40 % of OpenBLAS, Vector API >= 85 %).

  /usr/bin/python3 bench/pytorch_gemm.py [--threads 1,2] [--seconds 1] [--clock wall|cpu]

Shapes are VARIANT_MxNxK as in MatmulBenchmark: NT is a[m,k] @ b[n,k].T, TN is a[k,m].T @ b[k,n], NN a @ b; the
output is written in place (torch.mm(..., out=c)). OpenBLAS's threads are set with threadpoolctl, PyTorch's own
pool to 1. --clock cpu counts the calling thread's CPU time instead of wall-clock time, with 1 OpenBLAS thread
only (the product then runs on that thread), and prints the median and the best of 15 windows, as
io.nabla.benchmarks.MatmulCpuTime does for Nabla: figures that other load on a shared machine barely changes.
Like pytorch_mlp.py, it restarts itself with OPENBLAS_CORETYPE set when OpenBLAS misdetects the CPU.
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
    print("torch %s, OpenBLAS %s (%s kernels)" % (torch.__version__, info.get("version"), arch))
    if args.clock == "cpu":
        cpu_time(torch, threadpool_limits)
        return
    print("| shape | " + " | ".join("OpenBLAS %s thread%s, GFLOP/s" % (t, "" if t == "1" else "s")
                                   for t in args.threads.split(",")) + " |")
    print("|---|" + "---:|" * len(args.threads.split(",")))
    for shape in SHAPES:
        variant, sizes = shape.split("_")
        m, n, k = (int(v) for v in sizes.split("x"))
        a = torch.rand(k, m).t() if variant == "TN" else torch.rand(m, k)
        b = torch.rand(n, k).t() if variant == "NT" else torch.rand(k, n)
        c = torch.empty(m, n)
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
            cells.append("%.1f" % (2.0 * m * n * k * calls / elapsed / 1e9))
        print("| %s | %s |" % (shape, " | ".join(cells)), flush=True)


def cpu_time(torch, threadpool_limits):
    print("| shape | OpenBLAS 1 thread, GFLOP/CPU-s median / best |")
    print("|---|---:|")
    for shape in SHAPES:
        variant, sizes = shape.split("_")
        m, n, k = (int(v) for v in sizes.split("x"))
        a = torch.rand(k, m).t() if variant == "TN" else torch.rand(m, k)
        b = torch.rand(n, k).t() if variant == "NT" else torch.rand(k, n)
        c = torch.empty(m, n)
        with threadpool_limits(limits=1, user_api="blas"):
            until = time.thread_time() + 2.0
            while time.thread_time() < until:
                torch.mm(a, b, out=c)
            rates = []
            for _ in range(15):
                calls = 0
                start = time.thread_time()
                while time.thread_time() - start < 0.2:
                    for _ in range(10):
                        torch.mm(a, b, out=c)
                    calls += 10
                rates.append(2.0 * m * n * k * calls / (time.thread_time() - start) / 1e9)
        rates.sort()
        print("| %s | %.1f / %.1f |" % (shape, rates[len(rates) // 2], rates[-1]), flush=True)


if __name__ == "__main__":
    main()
