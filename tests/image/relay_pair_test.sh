#!/usr/bin/env bash
# Two VMs with vmesh-agent meshing through a host vmesh-relay (profile mesh): 802.11s
# peering, batman-adv neighbours, ping over br-lan (bat0) and over babeld's route.
# Usage: relay_pair_test.sh LAUNCHER_IMAGE_DIR VMESH_AGENT VMESH_RELAY
set -euo pipefail
IMAGE_SCRIPTS="${1:?usage: relay_pair_test.sh LAUNCHER_IMAGE_DIR VMESH_AGENT VMESH_RELAY}"
agent="${2:?}"
relay="${3:?}"
# shellcheck source=vm_lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/vm_lib.sh"

need_tools qemu-system-x86_64
[[ -x "$agent" ]] || skip "vmesh-agent not built (${agent})"
[[ -x "$relay" ]] || skip "vmesh-relay not built (${relay})"
# Snapshot the binaries: a concurrent rebuild must not change them under the test.
cp "$agent" "${WORK_DIR}/vmesh-agent"
cp "$relay" "${WORK_DIR}/vmesh-relay"
export VMESH_AGENT="${WORK_DIR}/vmesh-agent"
image_or_skip
new_key

"${WORK_DIR}/vmesh-relay" --no-vsock -u --ports-base 0 --ports-file "${WORK_DIR}/ports.json" \
  >"${WORK_DIR}/relay.out" 2>&1 &
VM_PIDS+=("$!")
poll 10 "relay listening" test -s "${WORK_DIR}/ports.json"
tcp_port="$(sed -n 's/.*"tcp":\([0-9]*\).*/\1/p' "${WORK_DIR}/ports.json")"
[[ "$tcp_port" =~ ^[0-9]+$ ]] || fail "no tcp port in $(cat "${WORK_DIR}/ports.json")"

p1="$(free_port)"
start_vm n1 1 "$p1" --relay "10.0.2.2:${tcp_port}"
p2="$(free_port)"
while [[ "$p2" == "$p1" ]]; do p2="$(free_port)"; done
start_vm n2 2 "$p2" --relay "10.0.2.2:${tcp_port}"
wait_ssh "$p1" 180
wait_ssh "$p2" 180
for n in n1 n2; do
  if grep '^vmesh-init: error' "${WORK_DIR}/${n}.log"; then fail "${n}: init reported errors"; fi
done
vssh "$p1" 'cat /var/log/vmesh-agent.log' | grep -q 'connected' || fail "n1's agent did not connect"

peered() { vssh "$p1" 'iw dev wlan0 station dump' 2>/dev/null | grep -A30 '^Station 02:00:00:00:02:00' | grep -q 'plink:.*ESTAB'; }
poll 60 "n1 <-> n2 802.11s peering ESTAB" peered
neighbour() { vssh "$p1" 'batctl meshif bat0 neighbors' 2>/dev/null | grep -q 'wlan0.*02:00:00:00:02:00'; }
poll 60 "batman-adv neighbour n2 on n1" neighbour
lan_ping() { vssh "$p1" 'ping -c 2 -W 2 -w 6 10.13.0.2' >/dev/null 2>&1; }
poll 60 "ping n1 -> n2 over br-lan" lan_ping
vssh "$p1" 'ip route get 10.13.0.2' | grep -q 'dev br-lan' || fail "10.13.0.2 is not reached through br-lan"
babel_ping() { vssh "$p1" 'ping -c 2 -W 2 -w 6 10.14.0.2' >/dev/null 2>&1; }
poll 90 "ping n1 -> 10.14.0.2 over babeld's route" babel_ping
echo PASS
