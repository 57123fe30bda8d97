#!/usr/bin/python3
"""Nabla's products against OpenBLAS in alternating windows on one core, for the kernel target of the performance
issue (Vector API kernels >= 85 % of OpenBLAS, portable >= 40 %).

  /usr/bin/python3 bench/kernel_pairs.py --jar benchmarks/target/nabla-benchmarks.jar [--java java]
      [--core 0] [--rounds 15] [--seconds 0.2] [--shapes NT_32x256x784,...]

It starts io.nabla.benchmarks.MatmulCpuTime --serve (Vector API and portable kernels) and pytorch_gemm.py --serve
(OpenBLAS through PyTorch, 1 thread), both pinned to the same core with taskset, and for each shape asks them in
turn for one window of CPU time each, `--rounds` times, the order rotating from round to round. Each window counts
GFLOP per second of the computing thread's CPU time, so other programs barely move it; what still moves it is a
host that shares the core's vector units with another guest, which slows windows a fraction of a second apart far
more alike than windows minutes apart. So each round gives a ratio of two windows taken close together, and the
table reports the median of those ratios with their range, beside each side's median and best window. Pinned to
one core, the JVM sees one processor (serial GC, fewer compiler threads): it only runs the products.
"""

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile

sys.dont_write_bytecode = True  # no __pycache__ in bench/
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pytorch_gemm  # noqa: E402  (its shapes)

KERNELS = ("best", "portable", "openblas")


class Server:
    """A process that answers one window per request line, after a banner that ends with its ready line."""

    def __init__(self, name, command, ready_prefix):
        self.name = name
        # Its standard error goes to a file, shown if it fails (the JVM warns there about the incubator module).
        self.errors = tempfile.TemporaryFile(mode="w+")
        self.process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=self.errors, text=True, bufsize=1)
        self.banner = []
        while True:
            line = self.process.stdout.readline()
            if not line:
                self.fail("ended before it was ready")
            self.banner.append(line.rstrip("\n"))
            if line.startswith(ready_prefix):
                break

    def fail(self, what):
        self.process.wait()
        self.errors.seek(0)
        errors = [line.rstrip("\n") for line in self.errors if "incubator" not in line]
        raise SystemExit("\n".join(["%s %s (exit code %s)" % (self.name, what, self.process.returncode)]
                                   + self.banner + errors))

    def window(self, request):
        try:
            self.process.stdin.write(request + "\n")
            line = self.process.stdout.readline()
        except BrokenPipeError:
            line = ""
        if not line:
            self.fail("ended on request %r" % request)
        return float(line)

    def close(self):
        try:
            self.process.stdin.close()
        except BrokenPipeError:
            pass
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
    nabla = Server("MatmulCpuTime --serve", pin + [args.java, "--add-modules", "jdk.incubator.vector", "-cp",
                                                   args.jar, "io.nabla.benchmarks.MatmulCpuTime", "--serve"], "nabla ")
    try:
        blas = Server("pytorch_gemm.py --serve", pin + [sys.executable, os.path.join(here, "pytorch_gemm.py"),
                                                        "--serve"], "torch ")
    except SystemExit:
        nabla.close()
        raise
    for line in nabla.banner + blas.banner:
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
        for server in (nabla, blas):
            server.close()


def request(nabla, blas, shape, kernels, seconds):
    if kernels == "openblas":
        return blas.window("%s %g" % (shape, seconds))
    return nabla.window("%s %s %g" % (shape, kernels, seconds))


if __name__ == "__main__":
    main()
