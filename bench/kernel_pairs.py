#!/usr/bin/python3
"""Nabla's products against OpenBLAS in alternating windows on one core, for the kernel target of the performance
issue (Vector API kernels >= 85 % of OpenBLAS, portable >= 40 %).

  /usr/bin/python3 bench/kernel_pairs.py --jar benchmarks/target/nabla-benchmarks.jar [--java java]
      [--core 0] [--rounds 15] [--seconds 0.2] [--shapes NT_32x256x784,...]

It starts io.nabla.benchmarks.MatmulCpuTime --serve (Vector API and portable kernels) and pytorch_gemm.py --serve
(OpenBLAS through PyTorch, 1 thread), both pinned to the same core with taskset, and for each shape asks them in
turn for one window of CPU time each, `--rounds` times, the order rotating from round to round. Each window counts
GFLOP per second of the computing thread's CPU time, so other programs barely move it; what still moves it is a
host that shares the core's vector units with another guest, which slows the three windows of a round alike. So
each round gives a ratio of two windows a fraction of a second apart, and the table reports the median of those
ratios with their range, beside each side's median and best window.
"""

import argparse
import os
import shutil
import statistics
import subprocess
import sys

sys.dont_write_bytecode = True  # no __pycache__ in bench/
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pytorch_gemm  # noqa: E402  (its shapes)

KERNELS = ("best", "portable", "openblas")


class Server:
    """A process that answers one window per request line."""

    def __init__(self, command, ready_prefix=None):
        self.process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=subprocess.DEVNULL, text=True, bufsize=1)
        self.banner = []
        while ready_prefix is not None:
            line = self.process.stdout.readline()
            if not line:
                raise SystemExit("%s ended before it was ready: %s" % (command[-2], "".join(self.banner)))
            self.banner.append(line.rstrip("\n"))
            if line.startswith(ready_prefix):
                break

    def window(self, request):
        self.process.stdin.write(request + "\n")
        line = self.process.stdout.readline()
        if not line:
            raise SystemExit("a server ended on request %r" % request)
        return float(line)

    def close(self):
        self.process.stdin.close()
        self.process.wait()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jar", required=True, help="benchmarks/target/nabla-benchmarks.jar")
    parser.add_argument("--java", default="java")
    parser.add_argument("--core", type=int, default=0, help="the core both processes are pinned to")
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--seconds", type=float, default=0.2, help="CPU time per window")
    parser.add_argument("--shapes", default=",".join(pytorch_gemm.SHAPES))
    args = parser.parse_args()
    if args.rounds < 1 or args.seconds <= 0:
        raise SystemExit("--rounds must be at least 1 and --seconds above 0")
    pin = []
    if shutil.which("taskset"):
        pin = ["taskset", "-c", str(args.core)]
    else:
        print("note: no taskset here; the two processes are not pinned to one core")
    here = os.path.dirname(os.path.abspath(__file__))
    nabla = Server(pin + [args.java, "--add-modules", "jdk.incubator.vector", "-cp", args.jar,
                          "io.nabla.benchmarks.MatmulCpuTime", "--serve"])
    blas = Server(pin + [sys.executable, os.path.join(here, "pytorch_gemm.py"), "--serve"], ready_prefix="torch ")
    for line in blas.banner:
        print(line)
    print("both on core %d%s; %d rounds of one %.2f s window each per shape, the order rotating" % (
        args.core, "" if pin else " (not pinned)", args.rounds, args.seconds))
    print()
    print("| shape, 1 core | Nabla vector, GFLOP/CPU-s median / best | Nabla portable | OpenBLAS"
          " | **vector / OpenBLAS**, median of the rounds (lowest-highest) | portable / OpenBLAS |")
    print("|---|---:|---:|---:|---:|---:|")
    try:
        for shape in args.shapes.split(","):
            rates = {kernels: [] for kernels in KERNELS}
            for kernels in KERNELS:  # the servers' warm-ups (2 s each), outside the rounds
                request(nabla, blas, shape, kernels, args.seconds)
            for r in range(args.rounds):
                for i in range(len(KERNELS)):
                    kernels = KERNELS[(r + i) % len(KERNELS)]
                    rates[kernels].append(request(nabla, blas, shape, kernels, args.seconds))
            cells = ["%.1f / %.1f" % (statistics.median(rates[kernels]), max(rates[kernels])) for kernels in KERNELS]
            for kernels in ("best", "portable"):
                ratios = [x / y for x, y in zip(rates[kernels], rates["openblas"])]
                cell = "%.0f %% (%.0f-%.0f)" % (100 * statistics.median(ratios), 100 * min(ratios), 100 * max(ratios))
                cells.append("**%s**" % cell if kernels == "best" else cell)
            print("| %s | %s |" % (shape, " | ".join(cells)), flush=True)
    finally:
        nabla.close()
        blas.close()


def request(nabla, blas, shape, kernels, seconds):
    if kernels == "openblas":
        return blas.window("%s %g" % (shape, seconds))
    return nabla.window("%s %s %g" % (shape, kernels, seconds))


if __name__ == "__main__":
    main()
