# Sourced by the relay benchmark scripts: start one vmesh-relay pinned to a CPU on a
# fresh port block, and stop it by its PID (never by name).
#
#   start_relay BUILD_DIR [relay options...]   sets relay_pid, relay_port (TCP clients), relay_log
#   stop_relay                                  prints "# relay_cpu_s X" on stderr, waits for exit

relay_pid=""
relay_port=""
relay_ports_base=${VMESH_BENCH_PORTS_BASE:-19211}
relay_cpu=${VMESH_BENCH_RELAY_CPU:-0}
relay_log="${TMPDIR:-/tmp}/vmesh-relay-bench.$$.log"
relay_ports_file="${TMPDIR:-/tmp}/vmesh-relay-bench.$$.ports"

start_relay() {
  local build=$1
  shift
  # A fresh block of five ports per run (VSOCK, TCP, spy, control, TX status): binding
  # the previous relay's ports right after it exits was seen to fail.
  relay_ports_base=$((relay_ports_base + 5))
  rm -f "$relay_ports_file"
  taskset -c "$relay_cpu" "$build/relay/io/vmesh-relay" --ports-base "$relay_ports_base" \
    --no-vsock --ports-file "$relay_ports_file" "$@" >"$relay_log" 2>&1 &
  relay_pid=$!
  relay_port=$((relay_ports_base + 1))
  for _ in $(seq 50); do [[ -s "$relay_ports_file" ]] && return 0; sleep 0.1; done
  echo "vmesh-relay did not start: $(tail -3 "$relay_log")" >&2
  return 1
}

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
  rm -f "$relay_ports_file"
}
