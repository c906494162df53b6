#!/usr/bin/env bash
# Host CPU used by N idle meshed nodes (profile mesh, through vmesh-relay) for a given
# batman-adv OGM interval. Not a test: a measurement tool.
# Usage: measure_idle_cpu.sh VMESH_AGENT VMESH_RELAY [N=3] [OGM_MS=1000] [SECONDS=30]
set -euo pipefail
IMAGE_SCRIPTS="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../launcher/image" && pwd)"
# shellcheck source=vm_lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/vm_lib.sh"

agent="${1:?usage: measure_idle_cpu.sh VMESH_AGENT VMESH_RELAY [N] [OGM_MS] [SECONDS]}"
relay="${2:?}"
count="${3:-3}"
ogm_ms="${4:-1000}"
window_s="${5:-30}"
cp "$agent" "${WORK_DIR}/vmesh-agent"
cp "$relay" "${WORK_DIR}/vmesh-relay"
export VMESH_AGENT="${WORK_DIR}/vmesh-agent"
need_tools qemu-system-x86_64
image_or_skip
new_key
"${WORK_DIR}/vmesh-relay" --no-vsock -u --ports-base 0 --ports-file "${WORK_DIR}/ports.json" \
  >"${WORK_DIR}/relay.out" 2>&1 &
VM_PIDS+=("$!")
poll 10 "relay listening" test -s "${WORK_DIR}/ports.json"
tcp_port="$(sed -n 's/.*"tcp":\([0-9]*\).*/\1/p' "${WORK_DIR}/ports.json")"
ports=()
for ((i = 1; i <= count; i++)); do
  ports[i]="$(free_port)"
  start_vm "n${i}" "$i" "${ports[i]}" --relay "10.0.2.2:${tcp_port}" --append "vmesh.ogm=${ogm_ms}"
done
for ((i = 1; i <= count; i++)); do wait_ssh "${ports[i]}" 300; done
sleep 20 # let the mesh settle
ticks() { local t=0 pid f; for pid in "${VM_PIDS[@]}"; do read -ra f <"/proc/${pid}/stat"; t=$((t + f[13] + f[14])); done; echo "$t"; }
hz="$(getconf CLK_TCK)"
before="$(ticks)"
sleep "$window_s"
after="$(ticks)"
echo "nodes ${count}, ogm ${ogm_ms} ms: $(( (after - before) * 100 / hz / window_s ))% of one host core" \
  "(QEMU + relay, ${window_s} s window), $(( (after - before) * 100 / hz / window_s / count ))% per node"
