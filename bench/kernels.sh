#!/usr/bin/env bash
# Nabla's products against OpenBLAS on one core, at the shapes of an MLP 784-256-128-10 training step (batch 32
# and 256), one after the other: io.nabla.benchmarks.MatmulCpuTime (Vector API and portable kernels) and
# bench/pytorch_gemm.py --clock cpu (OpenBLAS through PyTorch). Both count GFLOP per second of the computing
# thread's CPU time over 15 windows, so load from other programs barely moves them (a host that shares a core's
# vector units with another guest still does); prints one table with the ratios of the medians and of the best
# windows. Targets (performance issue): Vector API kernels >= 85 % of OpenBLAS, portable >= 40 %.
#
# usage: bench/kernels.sh [--no-build]     (about 3 minutes on a quiet machine)
# Environment: JAVA (default: java on PATH), PYTHON (default /usr/bin/python3), MVN (default mvn).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
jar="$root/benchmarks/target/nabla-benchmarks.jar"
JAVA=${JAVA:-java}
PYTHON=${PYTHON:-/usr/bin/python3}
MVN=${MVN:-mvn}
if [ "${1:-}" != "--no-build" ]; then
  (cd "$root" && "$MVN" -B -q package -DskipTests -pl benchmarks -am)
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/nabla-kernels.XXXXXX")
echo "machine: $(lscpu | sed -n 's/^Model name: *//p' | head -1), $(nproc) cores; java: $("$JAVA" -version 2>&1 | head -1);" \
  "$(date -u '+%Y-%m-%d %H:%M UTC'); load $(cut -d' ' -f1-3 /proc/loadavg)"
"$JAVA" --add-modules jdk.incubator.vector -cp "$jar" io.nabla.benchmarks.MatmulCpuTime 2>/dev/null \
  | tee "$work/nabla.md"
"$PYTHON" "$root/bench/pytorch_gemm.py" --clock cpu | tee "$work/openblas.md"
echo
python3 - "$work/nabla.md" "$work/openblas.md" <<'PY'
import re, sys
def table(path):
    rows = {}
    for line in open(path):
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if re.match(r"^[A-Z]{2}_\d+x\d+x\d+$", cells[0]):
            rows[cells[0]] = [[float(x) for x in c.split("/")] for c in cells[1:]]
    return rows
nabla, blas = table(sys.argv[1]), table(sys.argv[2])
# Each side's median and best of its 15 windows. A busy sibling on the host only ever slows a window, so the best
# windows compare the kernels and the medians include the host's interference; a run whose two columns of ratios
# differ much was disturbed.
print("| shape, 1 core | Nabla vector, GFLOP/CPU-s median / best | Nabla portable | OpenBLAS"
      " | **vector / OpenBLAS**, medians / bests | portable / OpenBLAS |")
print("|---|---:|---:|---:|---:|---:|")
for shape, (vector, portable) in nabla.items():
    b = blas[shape][0]
    print("| %s | %.1f / %.1f | %.1f / %.1f | %.1f / %.1f | **%.0f %% / %.0f %%** | %.0f %% / %.0f %% |" % (
        shape, vector[0], vector[1], portable[0], portable[1], b[0], b[1], 100 * vector[0] / b[0],
        100 * vector[1] / b[1], 100 * portable[0] / b[0], 100 * portable[1] / b[1]))
PY
