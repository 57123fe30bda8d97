#!/usr/bin/env bash
# Nabla against PyTorch on this machine, one after the other: training throughput (Adam lr 1e-3, data in memory,
# the same network and initial-weight distribution on both sides) of
#   mlp          the MLP 784-256-128-10 (ReLU, softmax cross-entropy) at batch 1, 32 and 256, and its single-sample
#                predict latency;
#   cnn          the small CNN of the samples' fashion-cnn --arch small (conv 1->16 3x3 + ReLU + maxpool 2, conv
#                16->32 3x3 + ReLU + maxpool 2, dense 1568->10) at batch 64;
#   gru          the GRU of the samples' fashion-gru (28 rows of 28 pixels, GRU 128, dense 10 on the last state) at
#                batch 64;
#   transformer  a small causal language model at batch 32 on random tokens: Embedding(96, 128), learned positions
#                (64, 128), 2 pre-norm blocks [LayerNorm, attention (4 heads, causal), add, LayerNorm, dense 512
#                GELU, dense 128, add], LayerNorm, dense 96, cross-entropy at each of the 64 positions; a sample is
#                a sequence of 64 tokens.
# Each configuration runs Nabla, then PyTorch. Nabla runs at 1 and 2 threads on its Vector API kernels
# (Kernels.best(n), java --add-modules jdk.incubator.vector) and its portable ones (Kernels.portable(n)), one JVM per
# measurement, through io.nabla.benchmarks.TrainThroughput --arch A (Trainer, training-loop time over epochs 2..E,
# the samples' samples_per_second's code path, after untimed epochs until the JIT compilers are quiet); PyTorch
# (Debian's python3-torch) runs bench/pytorch_mlp.py --arch A (the same network and initial-weight distribution)
# at every setting of its two thread pools (OpenMP 1|2 x OpenBLAS 1|2),
# each with and without torch.set_flush_denormal(True), and its best
# setting counts. Then, for each configuration (the MLP at batch 256), two threads over one measured again so that the
# machine's drifting speed cancels (io.nabla.benchmarks.ThreadScaling: a 1-thread and a 2-thread model in one JVM,
# in alternating windows of about half a second; the median over pairs of windows, and apart the pairs on cores near
# each other and far apart, by a cache line's round trip between two threads). Prints markdown tables.
#
# usage: bench/compare.sh [--configs LIST] [--data DIR|random] [--quick] [--nabla-only] [--no-build] [--kernels K]
#                         [--rounds N] [--scaling-pairs N] [--out FILE]
#   --configs LIST which configurations, comma-separated: mlp, cnn, gru, transformer (default all)
#   --data DIR     Fashion-MNIST directory (default /usr/share/datasets/fashion-mnist; random data if absent)
#   --quick        a tenth of the samples or less (a smoke test; the figures are noisy)
#   --nabla-only   skip PyTorch (e.g. where it cannot run at its best)
#   --no-build     use benchmarks/target/nabla-benchmarks.jar as it is
#   --kernels K    best, portable or both (default both); best is the Vector API kernels
#   --rounds N     measure every configuration on both sides N times, one round after the other; each figure
#                  (a configuration, kernels and threads; a PyTorch setting) is its best of the N (default 1): on a
#                  VM whose host slows a core at times, a slow moment then costs neither side its figure.
#                  ThreadScaling runs once, after the rounds
#   --scaling-pairs N  pairs of windows for ThreadScaling, on the first kernels of --kernels (default 12, 3 with
#                  --quick; 0 skips)
#   --out FILE     also write the tables to FILE
# Environment: JAVA (default: java on PATH), PYTHON (default /usr/bin/python3), MVN (default mvn).
# Takes about 13-18 minutes on a 2-core machine before round 16's warm-ups (11-15 more per extra round): 5-6 for the
# MLP (3-4 with --kernels best), 2-3 for each other configuration (the slow ones train on fewer samples per epoch),
# about half a minute each for ThreadScaling; the warm-ups until the JIT compilers are quiet add 4-16 s per Nabla
# run and up to 40 s per ThreadScaling (round 16: 12-13 minutes for --kernels best, one round, all of it).
# Other load on the machine skews both sides: the script prints the load average first, and before and after the
# run how fast all cores run a fixed product at once against one alone (io.nabla.benchmarks.CoreCheck: a VM's host
# may take a core, or run another guest on its other hyperthread, without the load showing it); rerun when either
# says the machine is busy.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
jar="$root/benchmarks/target/nabla-benchmarks.jar"
JAVA=${JAVA:-java}
PYTHON=${PYTHON:-/usr/bin/python3}
MVN=${MVN:-mvn}
data_args=()
quick=0
nabla_only=0
build=1
out=""
kernels=both
all_configs=mlp,cnn,gru,transformer
configs=$all_configs
scaling_pairs=""
rounds=1
while [ $# -gt 0 ]; do
  case "$1" in
    --data) data_args=(--data "$2"); shift 2 ;;
    --quick) quick=1; shift ;;
    --nabla-only) nabla_only=1; shift ;;
    --no-build) build=0; shift ;;
    --out) out="$2"; shift 2 ;;
    --kernels) kernels="$2"; shift 2 ;;
    --configs) configs="$2"; shift 2 ;;
    --scaling-pairs) scaling_pairs="$2"; shift 2 ;;
    --rounds) rounds="$2"; shift 2 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "error: unknown option '$1'; see --help" >&2; exit 2 ;;
  esac
done

case "${scaling_pairs:-x}" in
  x) [ "$quick" = 1 ] && scaling_pairs=3 || scaling_pairs=12 ;;
  *[!0-9]*) echo "error: --scaling-pairs takes a whole number, got '$scaling_pairs'" >&2; exit 2 ;;
esac
case "$rounds" in
  ''|*[!0-9]*) echo "error: --rounds takes a whole number from 1, got '$rounds'" >&2; exit 2 ;;
esac
rounds=$((10#$rounds))
[ "$rounds" -ge 1 ] || { echo "error: --rounds takes a whole number from 1, got 0" >&2; exit 2; }

case "$kernels" in
  both) kernel_list=best,portable ;;
  best|portable) kernel_list=$kernels ;;
  *) echo "error: --kernels must be best, portable or both, got '$kernels'" >&2; exit 2 ;;
esac

for c in ${configs//,/ }; do
  case ",$all_configs," in
    *",$c,"*) ;;
    *) echo "error: --configs takes a comma-separated list of $all_configs, got '$c'" >&2; exit 2 ;;
  esac
done
has() { case ",$configs," in *",$1,"*) return 0 ;; *) return 1 ;; esac; }

# Samples per epoch (3 epochs, the first untimed): about 1-3 s per epoch on a 2-core machine. Batch 1 takes 5,000:
# after 1,000 untimed steps the JIT had not finished compiling the step (2 threads, same build, quiet: 1,000-sample
# epochs 5,330-5,510 samples/s, 5,000-sample ones 6,000-6,160); PyTorch's runs are capped in time (--max-seconds).
if [ "$quick" = 1 ]; then
  samples_1=100; samples_32=2000; samples_256=6000
  declare -A arch_samples=([cnn]=64=640 [gru]=64=640 [transformer]=32=96)
else
  samples_1=5000; samples_32=20000; samples_256=60000
  declare -A arch_samples=([cnn]=64=6000 [gru]=64=6000 [transformer]=32=640)
fi
samples="1=$samples_1,32=$samples_32,256=$samples_256"

# PyTorch first checks its BLAS: Debian's torch without libopenblas0-pthread runs on the reference BLAS.
if [ "$nabla_only" = 0 ]; then
  if ! "$PYTHON" -c 'import torch' 2>/dev/null; then
    echo "error: $PYTHON cannot import torch; install Debian's PyTorch (sudo apt-get install -y python3-torch" \
      "libopenblas0-pthread python3-threadpoolctl), set PYTHON, or pass --nabla-only" >&2
    exit 3
  fi
  if ! torch_info=$("$PYTHON" "$root/bench/pytorch_mlp.py" --check); then
    echo "error: not running PyTorch (see above); pass --nabla-only to measure Nabla alone" >&2
    exit 3
  fi
fi

# Build when the jar is missing or older than any source or pom.
if [ "$build" = 1 ]; then
  if [ ! -f "$jar" ] || [ -n "$(find "$root/pom.xml" "$root"/{annotations,runtime,processor,benchmarks}/pom.xml \
      "$root"/{annotations,runtime,processor,benchmarks}/src/main -newer "$jar" -type f 2>/dev/null | head -1)" ]; then
    echo "building benchmarks/target/nabla-benchmarks.jar ..."
    (cd "$root" && "$MVN" -B -q package -DskipTests -pl benchmarks -am)
  fi
fi
[ -f "$jar" ] || { echo "error: $jar is missing; build with: mvn -B -q package -DskipTests" >&2; exit 2; }

work=$(mktemp -d "${TMPDIR:-/tmp}/nabla-compare.XXXXXX")
log="$work/results.log"
: > "$log"

cores=$(nproc)
model=$(lscpu | sed -n 's/^Model name: *//p' | head -1)
flags=$(grep -m1 '^flags' /proc/cpuinfo | tr ' ' '\n' | grep -E '^(avx2|avx512f)$' | tr '\n' ' ' || true)
java_version=$("$JAVA" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.runtime.version = //p')
{
  echo "machine: $model, $cores cores, flags: ${flags:-no avx2/avx512f}"
  echo "java: $java_version ($("$JAVA" -version 2>&1 | head -1))"
  [ "$nabla_only" = 0 ] && echo "pytorch: $(echo "$torch_info" | tail -1)"
  echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "load average before the run: $(cut -d' ' -f1-3 /proc/loadavg)"
  # A VM's host may lend a core to someone else without the guest's load showing it: measure.
  echo "cores before the run: $("$JAVA" -cp "$jar" io.nabla.benchmarks.CoreCheck "$cores")"
} | tee "$work/header.txt"
load1=$(cut -d' ' -f1 /proc/loadavg)
if awk -v l="$load1" -v c="$cores" 'BEGIN { exit !(l > c / 4) }'; then
  echo "warning: the machine is busy (load $load1 on $cores cores); the figures will be low and noisy" >&2
fi
echo

# The Vector API kernels need the incubator module; without it Kernels.best() is the portable kernels. JDK 17 also
# gets the trap limit the README asks of a JVM that trains several networks (**Allocation**): the transformer trains
# in data-parallel parts, and without it about one JVM in 25-60 trained it at a seventh of its speed (round 18).
vector=(--add-modules jdk.incubator.vector -XX:PerMethodTrapLimit=1000)
# The JVM warns on standard error that it uses an incubator module; other errors still show.
quiet_warning() { grep -v 'Using incubator modules' >&2 || true; }
# Human-readable result lines start with the network's label.
shown='^(kernels|result|MLP|CNN|GRU|Transformer|pair [0-9]|warm-up)'
start=$(date +%s)
for round in $(seq 1 "$rounds"); do
  if [ "$rounds" -gt 1 ]; then
    echo "round $round of $rounds" | tee -a "$log"
  fi
  if has mlp; then
    for batch in 1 32 256; do
      for k in ${kernel_list//,/ }; do
        for threads in 1 2; do
          "$JAVA" "${vector[@]}" -cp "$jar" io.nabla.benchmarks.TrainThroughput --batches "$batch" \
            --threads "$threads" --kernels "$k" --samples "$samples" "${data_args[@]}" 2> >(quiet_warning) \
            | grep -E "$shown" | tee -a "$log" | grep -v -E '^(result|kernels)'
        done
      done
    done
    "$JAVA" "${vector[@]}" -cp "$jar" io.nabla.benchmarks.TrainThroughput --predict-only --kernels "$kernel_list" \
      2> >(quiet_warning) | grep -E "$shown" | tee -a "$log" | grep -v -E '^(result|kernels)'
    if [ "$nabla_only" = 0 ]; then
      "$PYTHON" "$root/bench/pytorch_mlp.py" --samples "$samples" --denormals both --predict "${data_args[@]}" \
        | tee -a "$log" | grep -v '^result'
    fi
  fi
  for arch in ${configs//,/ }; do
    [ "$arch" = mlp ] && continue
    for k in ${kernel_list//,/ }; do
      for threads in 1 2; do
        "$JAVA" "${vector[@]}" -cp "$jar" io.nabla.benchmarks.TrainThroughput --arch "$arch" --threads "$threads" \
          --kernels "$k" --samples "${arch_samples[$arch]}" "${data_args[@]}" 2> >(quiet_warning) | grep -E "$shown" \
          | tee -a "$log" | grep -v -E '^(result|kernels)'
      done
    done
    if [ "$nabla_only" = 0 ]; then
      "$PYTHON" "$root/bench/pytorch_mlp.py" --arch "$arch" --samples "${arch_samples[$arch]}" --denormals both \
        "${data_args[@]}" | tee -a "$log" | grep -v '^result'
    fi
  done
done
# Two threads over one with the machine's drift cancelled, at ThreadScaling's default batches: the MLP's 256 (the
# 1.8x target is at batch 64 or more), the others' only one.
if [ "$scaling_pairs" -gt 0 ]; then
  for arch in ${configs//,/ }; do
    "$JAVA" "${vector[@]}" -cp "$jar" io.nabla.benchmarks.ThreadScaling --arch "$arch" \
      --kernels "${kernel_list%%,*}" --pairs "$scaling_pairs" "${data_args[@]}" \
      2> >(quiet_warning) | grep -E "$shown" | tee -a "$log" | grep -v '^result'
  done
fi
echo "($(( $(date +%s) - start )) s; raw results in $log)"
echo

# The tables, from the result: lines.
python3 - "$log" <<'EOF' | tee "$work/table.md"
import json, sys
rows = [json.loads(line.split("result:", 1)[1]) for line in open(sys.argv[1]) if line.startswith("result:")]
# With --rounds, each key was measured once per round: its best round counts (the most samples/s, the fewest µs).
rounds = sum(1 for line in open(sys.argv[1]) if line.startswith("round ")) or 1
if rounds > 1:
    print("Each figure below is its best of %d rounds%s." % (
        rounds, " (ThreadScaling's, in the last table, ran once)" if any("scaling" in r for r in rows) else ""))
    print()
ARCHS = {"mlp": "MLP 784-256-128-10", "cnn": "CNN (fashion-cnn --arch small)", "gru": "GRU 128 (fashion-gru)",
         "transformer": "Transformer LM (2 blocks, d 128, context 64; a sample is 64 tokens)"}
TARGETS = {("mlp", 1): 10.0, ("mlp", 32): 1.5, ("mlp", 256): 1.0, ("cnn", 64): 1.0}
nabla = {}
for r in rows:
    if r["impl"] == "nabla" and "batch" in r and "scaling" not in r:
        key = (r.get("arch", "mlp"), r.get("kernels", "portable"), r["batch"], r["threads"])
        nabla[key] = max(nabla.get(key, 0), r["samples_per_second"])
scaling = [r for r in rows if "scaling" in r]
kinds = [k for k in ("best", "portable") if any(key[1] == k for key in nabla)] or ["best"]
label = {"best": "vector", "portable": "portable"}
torch = [r for r in rows if r["impl"] == "pytorch" and "batch" in r]
# (arch, batch) in the order measured
measured = []
for r in rows:
    if "batch" in r and (r.get("arch", "mlp"), r["batch"]) not in measured:
        measured.append((r.get("arch", "mlp"), r["batch"]))


def fmt(v):
    return "-" if v is None else "{:,.0f}".format(v)


def setting(r):
    return "OpenMP %d, BLAS %d%s" % (r["omp"], r["blas"], ", flushed" if r.get("flush_denormal") else "")


def best(rs):
    return max(rs, key=lambda r: r["samples_per_second"], default=None)


def cells_for(arch, batch):
    """Nabla's cells, PyTorch's best, the ratios of Nabla 2t to it, with and without flushing, and the target."""
    on = [r for r in torch if r.get("arch", "mlp") == arch and r["batch"] == batch]
    top = best(on)
    ieee = best(r for r in on if not r.get("flush_denormal"))
    cells = [fmt(nabla.get((arch, k, batch, t))) for k in kinds for t in (1, 2)]
    cells.append("%s (%s)" % (fmt(top["samples_per_second"]), setting(top)) if top else "-")
    for k in kinds:
        two = nabla.get((arch, k, batch, 2))
        cells.append("**%.2f×**" % (two / top["samples_per_second"]) if top and two else "-")
    two = nabla.get((arch, kinds[0], batch, 2))
    cells.append("%.2f×" % (two / ieee["samples_per_second"]) if ieee and two else "-")
    target = TARGETS.get((arch, batch))
    cells.append("≥ %.1f×" % target if target else "-")
    return cells


head = ["Nabla %s %s" % (label[k], t) for k in kinds for t in ("1t", "2t")]
tail = (" | PyTorch best (setting) | " + " | ".join("**Nabla %s 2t / PyTorch best**" % label[k] for k in kinds)
        + " | Nabla %s 2t / PyTorch best without flushing | target |" % label[kinds[0]])
rule = "|---|" + "---:|" * (len(head) + len(kinds) + 3)
mlp_batches = [b for a, b in measured if a == "mlp"]
np_ = {}
for r in rows:
    if r["impl"] == "nabla" and "predict_batch" in r:
        k = r.get("kernels", "portable")
        np_[k] = min(np_.get(k, float("inf")), r["microseconds"])
tp = [r for r in rows if r["impl"] == "pytorch" and "predict_batch" in r]
if mlp_batches or np_:
    print("| MLP 784-256-128-10, Adam lr 1e-3 | " + " | ".join(head) + tail)
    print(rule)
    for batch in mlp_batches:
        print("| batch %d, samples/s | %s |" % (batch, " | ".join(cells_for("mlp", batch))))
    if np_:
        top = min(tp, key=lambda r: r["microseconds"]) if tp else None
        cells = [c for k in kinds for c in ("%.1f" % np_[k] if k in np_ else "-", "-")]
        cells.append("%.1f (%s)" % (top["microseconds"], setting(top)) if top else "-")
        for k in kinds:
            cells.append("**%.2f×** (speed)" % (top["microseconds"] / np_[k]) if top and k in np_ else "-")
        cells += ["-", "-"]
        print("| predict 1 sample, µs (lower is better) | %s |" % " | ".join(cells))
others = [(a, b) for a, b in measured if a != "mlp"]
if others:
    if mlp_batches or np_:
        print()
    print("| Other networks, Adam lr 1e-3, samples/s | " + " | ".join(head) + tail)
    print(rule)
    for arch, batch in others:
        print("| %s, batch %d | %s |" % (ARCHS.get(arch, arch), batch, " | ".join(cells_for(arch, batch))))
if scaling:
    print()
    print("| Two threads over one (%s kernels) | separate runs above | interleaved windows, median (lowest-highest)"
          " | what the cores gave: a product on each thread at once over one alone, median | the training's share"
          " of that, median | pairs on cores near each other / far apart (a line's round trip from 300 ns):"
          " median | 1 thread / 2 threads, samples/s (window medians) | target |"
          % label[scaling[0]["kernels"]])
    print("|---|---:|---:|---:|---:|---:|---:|---|")
    for r in scaling:
        arch, batch, k = r["arch"], r["batch"], r["kernels"]
        one, two = nabla.get((arch, k, batch, 1)), nabla.get((arch, k, batch, 2))
        def placed(count, median):
            return "%d: %s" % (count, "%.2f×" % median if median is not None else "-")
        print("| %s, batch %d | %s | **%.2f×** (%.2f-%.2f, %d pairs) | %.2f× | %.0f %% | %s / %s | %s / %s | %s |" % (
            ARCHS.get(arch, arch), batch, "%.2f×" % (two / one) if one and two else "-", r["scaling"],
            r["lowest"], r["highest"], r["pairs"], r["ceiling"], 100 * r["share_of_ceiling"],
            placed(r.get("near_pairs", 0), r.get("near_scaling")), placed(r.get("far_pairs", 0), r.get("far_scaling")),
            fmt(r["one_thread_samples_per_second"]), fmt(r["samples_per_second"]),
            "≥ 1.8×" if batch >= 64 else "-"))
if torch:
    settings = sorted({(r.get("flush_denormal", False), r["omp"], r["blas"]) for r in torch})
    print()
    print("PyTorch at each setting (samples/s; predict in µs; flushed = torch.set_flush_denormal(True)):")
    print()
    print("| | " + " | ".join("OpenMP %d, BLAS %d%s" % (o, b, ", flushed" if f else "") for f, o, b in settings) + " |")
    print("|---|" + "---:|" * len(settings))
    for arch, batch in measured:
        by = {}
        for r in torch:
            s = (r.get("flush_denormal", False), r["omp"], r["blas"])
            if r.get("arch", "mlp") == arch and r["batch"] == batch and (
                    s not in by or r["samples_per_second"] > by[s]["samples_per_second"]):
                by[s] = r
        if not by:
            continue
        short = {"mlp": "", "cnn": "CNN, ", "gru": "GRU, ", "transformer": "Transformer, "}.get(arch, arch + ", ")
        print("| %sbatch %d | " % (short, batch) + " | ".join(
            fmt(by[s]["samples_per_second"]) + ("*" if by[s].get("timed_samples", 0) < by[s]["samples"]
                                                 * (by[s]["epochs"] - 1) else "") if s in by else "-"
            for s in settings) + " |")
    if tp:
        by = {}
        for r in tp:
            s = (r.get("flush_denormal", False), r["omp"], r["blas"])
            by[s] = min(by.get(s, float("inf")), r["microseconds"])
        print("| predict | " + " | ".join("%.1f" % by[s] if s in by else "-" for s in settings) + " |")
    print()
    print("\\* cut short at the time cap (--max-seconds): the rate is over the steps done.")
EOF
grep '^kernels ' "$log" | sort -u | sed 's/^/nabla /' | tee -a "$work/header.txt"
echo "cores after the run: $("$JAVA" -cp "$jar" io.nabla.benchmarks.CoreCheck "$cores")" | tee -a "$work/header.txt"
if [ -n "$out" ]; then
  { sed 's/^/- /' "$work/header.txt"; echo; cat "$work/table.md"; } > "$out"
  echo "(written to $out)"
fi
