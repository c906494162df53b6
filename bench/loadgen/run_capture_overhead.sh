#!/usr/bin/env bash
# What `--pcap` costs the relay, measured side by side in one run: for 100 B and 1500 B
# frames, with and without a topology (5 nodes that all hear each other), the same
# `vmesh-bench relay -n 5` load runs against a relay without capture and one with
# `--pcap`, alternating A B B A so drift on a shared machine hits both alike. Then one
# paced run (1000 frames/s per client, 1500 B) compares latency and shows whether the
# capture kept every frame at a load a VM mesh produces.
#
# Prints one JSON line per run on stdout, then a summary table: median deliveries/s
# without and with capture, their ratio, and how many frames the capture holds and
# missed (the writer yields the CPU to forwarding, so under saturation it misses frames,
# counted and marked in the file, instead of slowing the relay).
#
#   bench/loadgen/run_capture_overhead.sh BUILD_DIR
#   VMESH_BENCH_ROUNDS (2: each pair twice), VMESH_BENCH_DURATION (4 s) change the defaults.
set -euo pipefail

build=${1:?usage: $0 BUILD_DIR}
bench_bin="$build/bench/loadgen/vmesh-bench"
bench_cpu=${VMESH_BENCH_GENERATOR_CPU:-1}
duration=${VMESH_BENCH_DURATION:-4}
rounds=${VMESH_BENCH_ROUNDS:-2}

# shellcheck source=bench/loadgen/relay_process.sh
source "$(dirname "$0")/relay_process.sh"
work=$(mktemp -d "${TMPDIR:-/tmp}/vmesh-capture-bench.XXXXXX")
cleanup() {
  stop_relay
  rm -rf "$work"
}
trap cleanup EXIT

# vmesh-bench client i sends from 42:00:00:00:0i:00; the nodes' MAC prefixes match.
{
  printf '[meta]\nname = "bench5"\nseed = 1\n[medium]\ndefault = "all"\nchannel = 1\n'
  printf '[medium.defaults]\nloss = 0.0\ndelay = "0ms"\n'
  for i in 0 1 2 3 4; do printf '[[node]]\nname = "n%d"\nmac_prefix = "42:00:00:00:%02x"\n' $i $i; done
} >"$work/bench5.toml"

results="$work/results.jsonl"
# run LABEL MEDIUM CAPTURE vmesh-bench-options...
run() {
  local label=$1 medium=$2 capture=$3
  shift 3
  local relay_args=()
  [[ $medium == topology ]] && relay_args+=(--topology "$work/bench5.toml")
  [[ $capture == on ]] && relay_args+=(--pcap "$work/capture.pcapng")
  start_relay "$build" "${relay_args[@]}"
  local line
  line=$(taskset -c "$bench_cpu" "$bench_bin" relay --port "$relay_port" -n 5 "$@") ||
    { echo "run failed: $label $medium capture=$capture" >&2; stop_relay; return 0; }
  stop_relay 2>/dev/null
  local captured=0 missed=0
  if [[ $capture == on ]]; then
    captured=$(sed -n 's/.*capture: \([0-9]*\) packets.*/\1/p' "$relay_log")
    missed=$(sed -n 's/.* \([0-9]*\) frames not captured.*/\1/p' "$relay_log")
    rm -f "$work"/capture.pcapng*
  fi
  line="${line%\}},\"label\":\"$label\",\"medium\":\"$medium\",\"capture\":\"$capture\""
  line+=",\"captured\":${captured:-0},\"not_captured\":${missed:-0}}"
  echo "$line" | tee -a "$results"
}

for size in 100 1500; do
  for medium in vwifi topology; do
    for ((round = 0; round < rounds; ++round)); do
      first=off second=on
      ((round % 2 == 1)) && first=on second=off
      run "throughput ${size}B" "$medium" "$first" --frame-size "$size" --duration "$duration"
      run "throughput ${size}B" "$medium" "$second" --frame-size "$size" --duration "$duration"
    done
  done
done
for capture in off on; do
  run "1000 fps/client 1500B" topology "$capture" --frame-size 1500 --mode latency --rate 1000 \
    --duration "$duration"
done

python3 - "$results" <<'PY'
import json, statistics, sys
runs = [json.loads(l) for l in open(sys.argv[1])]
groups = {}
for r in runs:
    groups.setdefault((r["label"], r["medium"]), {}).setdefault(r["capture"], []).append(r)
print()
print(f'{"load":24} {"medium":9} {"off /s":>12} {"--pcap /s":>12} {"ratio":>6} '
      f'{"p99 off":>8} {"p99 on":>8} {"captured":>10} {"missed":>10}')
for (label, medium), by in groups.items():
    off, on = by.get("off", []), by.get("on", [])
    if not off or not on:
        continue
    med = lambda rs, k: statistics.median(r[k] for r in rs)
    a, b = med(off, "deliveries_per_s"), med(on, "deliveries_per_s")
    p99 = lambda rs: f'{med(rs, "latency_p99_us"):.0f}us' if rs[0]["mode"] == "latency" else "-"
    print(f'{label:24} {medium:9} {a:12.0f} {b:12.0f} {b / a:6.2f} {p99(off):>8} {p99(on):>8} '
          f'{sum(r["captured"] for r in on):10} {sum(r["not_captured"] for r in on):10}')
PY
