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
relay_bin="$build/relay/io/vmesh-relay"
bench_bin="$build/bench/loadgen/vmesh-bench"
ports_base=${VMESH_BENCH_PORTS_BASE:-19211}
relay_cpu=${VMESH_BENCH_RELAY_CPU:-0}
bench_cpu=${VMESH_BENCH_GENERATOR_CPU:-1}
duration=${VMESH_BENCH_DURATION:-5}
# Latency runs are longer: at 100 frames/s a p99 needs a few thousand samples.
latency_duration=${VMESH_BENCH_LATENCY_DURATION:-10}

relay_pid=""
stop_relay() {
  if [[ -n "$relay_pid" ]]; then
    # utime + stime of the relay over its whole life (warm-up, run, drain), on stderr.
    if [[ -r "/proc/$relay_pid/stat" ]]; then
      awk -v hz="$(getconf CLK_TCK)" '{ printf "# relay_cpu_s %.2f\n", ($14 + $15) / hz }' \
        "/proc/$relay_pid/stat" >&2
    fi
    kill "$relay_pid" 2>/dev/null || true
    wait "$relay_pid" 2>/dev/null || true
    relay_pid=""
  fi
}
trap stop_relay EXIT

ports_file="${TMPDIR:-/tmp}/vmesh-relay-bench.$$.ports"
run() {
  # A fresh port block per run: binding the previous relay's ports right after it exits
  # was seen to fail with "Address already in use".
  ports_base=$((ports_base + 4))
  rm -f "$ports_file"
  taskset -c "$relay_cpu" "$relay_bin" --ports-base "$ports_base" --no-vsock \
    --ports-file "$ports_file" >"${TMPDIR:-/tmp}/vmesh-relay-bench.log" 2>&1 &
  relay_pid=$!
  for _ in $(seq 50); do [[ -s "$ports_file" ]] && break; sleep 0.1; done
  taskset -c "$bench_cpu" "$bench_bin" relay --port $((ports_base + 1)) "$@" ||
    echo "run failed: $*" >&2
  stop_relay
  rm -f "$ports_file"
}

for clients in 2 5 10; do
  run -n "$clients" --frame-size 100 --duration "$duration" "$@"
  run -n "$clients" --frame-size 1500 --duration "$duration" "$@"
  run -n "$clients" --frame-size 100 --mode latency --rate 100 --duration "$latency_duration" "$@"
done
