#!/usr/bin/env bash
# Runs `vmesh-bench relay` against a fresh vmesh-relay for N = 2, 5, 10 clients:
# throughput with 100 B and 1500 B frames, and latency at 100 frames/s per client.
# The relay is pinned to CPU 0 and the generator to CPU 1; each run gets its own relay
# process, started and stopped by PID. Prints one JSON line per run on stdout and the
# relay's CPU time per run on stderr.
#
#   bench/loadgen/run_relay_matrix.sh BUILD_DIR [extra vmesh-bench options...]
set -euo pipefail

build=${1:?usage: $0 BUILD_DIR [vmesh-bench options...]}
shift
bench_bin="$build/bench/loadgen/vmesh-bench"
bench_cpu=${VMESH_BENCH_GENERATOR_CPU:-1}
duration=${VMESH_BENCH_DURATION:-5}
# Latency runs are longer: at 100 frames/s a p99 needs a few thousand samples.
latency_duration=${VMESH_BENCH_LATENCY_DURATION:-10}

# shellcheck source=bench/loadgen/relay_process.sh
source "$(dirname "$0")/relay_process.sh"
trap stop_relay EXIT

run() {
  start_relay "$build"
  taskset -c "$bench_cpu" "$bench_bin" relay --port "$relay_port" "$@" ||
    echo "run failed: $*" >&2
  stop_relay
}

for clients in 2 5 10; do
  run -n "$clients" --frame-size 100 --duration "$duration" "$@"
  run -n "$clients" --frame-size 1500 --duration "$duration" "$@"
  run -n "$clients" --frame-size 100 --mode latency --rate 100 --duration "$latency_duration" "$@"
done
