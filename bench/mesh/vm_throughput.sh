#!/usr/bin/env bash
# Whole-mesh throughput benchmark: iperf3 TCP and ping between two VMs over the simulated
# medium (vmesh-agent -> vmesh-relay -> vmesh-agent), against the limit of the same guest
# meshing two radios inside one VM (profile mesh-local: no relay in the path), measured in
# the same run, alternating, REPEATS times. Prints one JSON object with min/median/max.
#   usage: bench/mesh/vm_throughput.sh [BUILD_DIR] [REPEATS] [SECONDS]
set -euo pipefail
top="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
build="${1:-$top/build}"
repeats="${2:-3}"
seconds="${3:-8}"
vmesh="$build/launcher/vmesh"
[[ -x "$vmesh" ]] || { echo "vm_throughput: build vmesh first ($vmesh)" >&2; exit 2; }
work="$(mktemp -d "${TMPDIR:-/tmp}/vmesh-bench.XXXXXX")"
run_name="bench-$$"
trap '"$vmesh" down --name "$run_name" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT

cat >"$work/pair.toml" <<'TOML'
[meta]
name = "bench-pair"
[medium]
default = "all"
channel = 1
[[node]]
name = "n1"
[[node]]
name = "n2"
TOML
cat >"$work/local.toml" <<'TOML'
[meta]
name = "bench-in-vm"
[medium]
default = "all"
channel = 1
[[node]]
name = "n1"
profile = "mesh-local"
radios = 2
TOML

# iperf3 TCP Mbit/s from $1 (node) to address $2, server started in $3 (prefix command).
measure() {
  local from="$1" to_ip="$2" server_node="$3" server_prefix="$4"
  "$vmesh" ssh "$server_node" --name "$run_name" -- "$server_prefix iperf3 -s -D -1" >/dev/null
  sleep 1
  "$vmesh" ssh "$from" --name "$run_name" -- "iperf3 -c $to_ip -t $seconds -J" >"$work/iperf.json"
  python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(round(d["end"]["sum_received"]["bits_per_second"]/1e6, 2))' "$work/iperf.json"
}
ping_ms() {
  "$vmesh" ssh "$1" --name "$run_name" -- "ping -c 20 -i 0.2 $2" |
    sed -n 's|.*min/avg/max[^=]*= [0-9.]*/\([0-9.]*\)/.*|\1|p'
}

relay_tcp=() relay_ping=() local_tcp=() local_ping=()
for ((i = 1; i <= repeats; i++)); do
  "$vmesh" up "$work/local.toml" --name "$run_name" >/dev/null
  local_tcp+=("$(measure n1 10.13.1.1 n1 'ip netns exec peer')")
  local_ping+=("$(ping_ms n1 10.13.1.1)")
  "$vmesh" down --name "$run_name" >/dev/null

  "$vmesh" up "$work/pair.toml" --name "$run_name" >/dev/null
  relay_tcp+=("$(measure n1 10.13.0.2 n2 '')")
  relay_ping+=("$(ping_ms n1 10.13.0.2)")
  "$vmesh" down --name "$run_name" >/dev/null
  echo "run $i: in-VM ${local_tcp[-1]} Mbit/s ${local_ping[-1]} ms, VM-to-VM ${relay_tcp[-1]} Mbit/s ${relay_ping[-1]} ms" >&2
done

python3 - "$seconds" "${local_tcp[*]}" "${relay_tcp[*]}" "${local_ping[*]}" "${relay_ping[*]}" <<'PY'
import json, statistics, sys
seconds = int(sys.argv[1])
series = [list(map(float, a.split())) for a in sys.argv[2:]]
def stats(v): return {k: round(f(v), 3) for k, f in (("min", min), ("median", statistics.median), ("max", max))}
local, relay, local_ping, relay_ping = series
print(json.dumps({
    "tool": "bench/mesh/vm_throughput.sh", "iperf_seconds": seconds, "repeats": len(local),
    "in_vm_tcp_mbps": stats(local), "vm_to_vm_tcp_mbps": stats(relay),
    "ratio_median": round(statistics.median(relay) / statistics.median(local), 3),
    "in_vm_ping_ms": stats(local_ping), "vm_to_vm_ping_ms": stats(relay_ping)}))
PY
