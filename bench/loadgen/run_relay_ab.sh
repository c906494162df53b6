#!/usr/bin/env bash
# Compares two vmesh-relay builds side by side in one run: for N = 2, 5, 10 clients and
# 100 B / 1500 B frames, each repeat runs the same `vmesh-bench relay` load against relay A
# then relay B (alternating, so drifts of a shared machine hit both), each on a fresh
# relay process pinned to CPU 0 with the generator on CPU 1. The generator is build B's.
# Prints one table: deliveries/s per run and the median ratio B/A per row.
#
#   bench/loadgen/run_relay_ab.sh BUILD_A BUILD_B [REPEATS]
set -euo pipefail

build_a=${1:?usage: $0 BUILD_A BUILD_B [REPEATS]}
build_b=${2:?usage: $0 BUILD_A BUILD_B [REPEATS]}
repeats=${3:-3}
bench_bin="$build_b/bench/loadgen/vmesh-bench"
bench_cpu=${VMESH_BENCH_GENERATOR_CPU:-1}
duration=${VMESH_BENCH_DURATION:-5}

# shellcheck source=bench/loadgen/relay_process.sh
source "$(dirname "$0")/relay_process.sh"
trap stop_relay EXIT

# Prints the deliveries per second of one run, or "fail".
deliveries_per_s() {
  local build=$1 clients=$2 size=$3 line
  start_relay "$build" 2>/dev/null || { echo fail; return; }
  line=$(taskset -c "$bench_cpu" "$bench_bin" relay --port "$relay_port" -n "$clients" \
    --frame-size "$size" --duration "$duration" 2>/dev/null) || line=""
  stop_relay 2>/dev/null
  python3 -c 'import json,sys
try: print(round(json.loads(sys.argv[1])["deliveries_per_s"]))
except Exception: print("fail")' "$line"
}

median() { printf '%s\n' "$@" | grep -v fail | sort -n | awk '{v[NR]=$1} END {print (NR ? v[int((NR+1)/2)] : 0)}'; }

printf '| clients | frame B | A deliveries/s | B deliveries/s | B/A (median) |\n|---|---|---|---|---|\n'
for clients in 2 5 10; do
  for size in 100 1500; do
    a=() b=()
    for _ in $(seq "$repeats"); do
      a+=("$(deliveries_per_s "$build_a" "$clients" "$size")")
      b+=("$(deliveries_per_s "$build_b" "$clients" "$size")")
    done
    med_a=$(median "${a[@]}") med_b=$(median "${b[@]}")
    ratio=$(awk -v x="$med_a" -v y="$med_b" 'BEGIN { printf (x > 0 ? "%.2f" : "-"), y / x }')
    printf '| %s | %s | %s | %s | %s |\n' "$clients" "$size" "${a[*]}" "${b[*]}" "$ratio"
  done
done
