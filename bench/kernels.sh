#!/usr/bin/env bash
# Nabla's products against OpenBLAS on one core, at the shapes of an MLP 784-256-128-10 training step (batch 32
# and 256): bench/kernel_pairs.py runs io.nabla.benchmarks.MatmulCpuTime --serve (Vector API and portable kernels)
# and bench/pytorch_gemm.py --serve (OpenBLAS through PyTorch) side by side, pinned to one core, and alternates
# their windows: 15 rounds per shape of one window each, GFLOP per second of the computing thread's CPU time. Load
# from other programs barely moves such a window; a host that shares the core's vector units with another guest
# does, but slows the windows of a round alike, so the table's ratios are the medians of each round's own ratio
# (with their range). Targets (performance issue): Vector API kernels >= 85 % of OpenBLAS, portable >= 40 %.
#
# usage: bench/kernels.sh [--no-build] [kernel_pairs.py options: --core N, --rounds N, --shapes ...]
#        (about 3 minutes)
# Environment: JAVA (default: java on PATH), PYTHON (default /usr/bin/python3), MVN (default mvn).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
jar="$root/benchmarks/target/nabla-benchmarks.jar"
JAVA=${JAVA:-java}
PYTHON=${PYTHON:-/usr/bin/python3}
MVN=${MVN:-mvn}
if [ "${1:-}" = "--no-build" ]; then
  shift
else
  (cd "$root" && "$MVN" -B -q package -DskipTests -pl benchmarks -am)
fi
echo "machine: $(lscpu | sed -n 's/^Model name: *//p' | head -1), $(nproc) cores; java: $("$JAVA" -version 2>&1 | head -1);" \
  "$(date -u '+%Y-%m-%d %H:%M UTC'); load $(cut -d' ' -f1-3 /proc/loadavg)"
exec "$PYTHON" "$root/bench/kernel_pairs.py" --jar "$jar" --java "$JAVA" "$@"
