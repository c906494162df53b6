#!/usr/bin/env bash
# Boot N nodes together (profile mesh, no relay) and report, per node, the seconds from
# starting QEMU until SSH runs a command and until the console says "vmesh-init: ready".
# Not a test: a measurement tool. Usage: measure_boot.sh [N] (default 1)
set -euo pipefail
IMAGE_SCRIPTS="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../launcher/image" && pwd)"
# shellcheck source=vm_lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/vm_lib.sh"

count="${1:-1}"
need_tools qemu-system-x86_64
image_or_skip
new_key
echo "image ${IMAGE} (kernel $(cat "${IMAGE}/kernel-release"))"
ports=()
start_ns=$(date +%s%N)
for ((i = 1; i <= count; i++)); do
  ports[i]="$(free_port)"
  start_vm "n${i}" "$i" "${ports[i]}" --profile mesh
done
declare -A ssh_s=() ready_s=()
deadline=$((SECONDS + 300))
while (( (${#ssh_s[@]} < count || ${#ready_s[@]} < count) && SECONDS < deadline )); do
  for ((i = 1; i <= count; i++)); do
    [[ -z "${ready_s[$i]:-}" ]] && grep -q '^vmesh-init: ready' "${WORK_DIR}/n${i}.log" &&
      ready_s[$i]=$(( ($(date +%s%N) - start_ns) / 1000000 ))
    if [[ -z "${ssh_s[$i]:-}" ]] && vssh "${ports[i]}" true 2>/dev/null; then
      ssh_s[$i]=$(( ($(date +%s%N) - start_ns) / 1000000 ))
    fi
  done
  sleep 0.2
done
for ((i = 1; i <= count; i++)); do
  printf 'n%d: ssh after %s ms, console ready after %s ms\n' "$i" "${ssh_s[$i]:-timeout}" "${ready_s[$i]:-?}"
done
