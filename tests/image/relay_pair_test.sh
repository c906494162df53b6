#!/usr/bin/env bash
# Two VMs with vmesh-agent meshing through a host vmesh-relay (profile mesh): 802.11s
# peering, batman-adv neighbours, ping over br-lan (bat0) and over babeld's route; then the
# relay is restarted on the same port: the agents reconnect and the mesh carries ping again
# without any VM restarting.
# TRANSPORT tcp: the agents connect through QEMU user-mode net (10.0.2.2), as a vwifi-client
# does; serial: QEMU connects each VM's virtio-serial port to the relay and the agents use
# the port (after the restart QEMU reconnects and the agents reopen their port).
# Usage: relay_pair_test.sh LAUNCHER_IMAGE_DIR VMESH_AGENT VMESH_RELAY [tcp|serial]
set -euo pipefail
IMAGE_SCRIPTS="${1:?usage: relay_pair_test.sh LAUNCHER_IMAGE_DIR VMESH_AGENT VMESH_RELAY [tcp|serial]}"
agent="${2:?}"
relay="${3:?}"
transport="${4:-tcp}"
# shellcheck source=vm_lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/vm_lib.sh"

relay_pair_setup "$agent" "$relay"
relay_pid="$RELAY_PID"
tcp_port="$RELAY_TCP_PORT"

case "$transport" in
  tcp) relay_args=(--relay "10.0.2.2:${tcp_port}") ;;
  serial) relay_args=(--relay-serial "$tcp_port") ;;
  *) fail "transport must be tcp or serial, not ${transport}" ;;
esac
p1="$(free_port)"
start_vm n1 1 "$p1" "${relay_args[@]}"
p2="$(free_port)"
while [[ "$p2" == "$p1" ]]; do p2="$(free_port)"; done
start_vm n2 2 "$p2" "${relay_args[@]}"
wait_ssh "$p1" 180
wait_ssh "$p2" 180
for n in n1 n2; do
  if grep '^vmesh-init: error' "${WORK_DIR}/${n}.log"; then fail "${n}: init reported errors"; fi
done
if [[ "$transport" == serial ]]; then want='relay serial /dev/vport[0-9]*p[0-9]* connected'; else want='relay 10.0.2.2:[0-9]* connected'; fi
vssh "$p1" 'cat /var/log/vmesh-agent.log' | grep -q "$want" || fail "n1's agent did not connect over ${transport}"
if [[ "$transport" == serial ]]; then
  # max_ports=2,vectors=7: each queue of the relay's virtio-serial device has its own
  # MSI-X vector (a control-queue vector exists; no vector shared by all queues).
  interrupts="$(vssh "$p1" 'cat /proc/interrupts')"
  grep -q 'virtio[0-9]*-control-i' <<<"$interrupts" || fail "no per-queue vector for virtio-serial: ${interrupts}"
  ! grep -q 'virtio[0-9]*-virtqueues' <<<"$interrupts" || fail "virtio queues share one vector: ${interrupts}"
fi
vssh "$p1" 'dmesg' | grep -q 'heap alloc:off' || fail "the guest kernel still zeroes heap allocations (init_on_alloc)"
# bat0 and br-lan keep one address across reboots, derived from the mesh interface's.
lan_macs="$(vssh "$p1" 'cat /sys/class/net/bat0/address /sys/class/net/br-lan/address' | tr '\n' ' ')"
[[ "$lan_macs" == "06:00:00:00:01:00 06:00:00:00:01:00 " ]] || fail "bat0/br-lan addresses: ${lan_macs}"

peered() { vssh "$p1" 'iw dev wlan0 station dump' 2>/dev/null | grep -A30 '^Station 02:00:00:00:02:00' | grep -q 'plink:.*ESTAB'; }
poll 60 "n1 <-> n2 802.11s peering ESTAB" peered
neighbour() { vssh "$p1" 'batctl meshif bat0 neighbors' 2>/dev/null | grep -q 'wlan0.*02:00:00:00:02:00'; }
poll 60 "batman-adv neighbour n2 on n1" neighbour
lan_ping() { vssh "$p1" 'ping -c 2 -W 2 -w 6 10.13.0.2' >/dev/null 2>&1; }
poll 60 "ping n1 -> n2 over br-lan" lan_ping
vssh "$p1" 'ip route get 10.13.0.2' | grep -q 'dev br-lan' || fail "10.13.0.2 is not reached through br-lan"
babel_ping() { vssh "$p1" 'ping -c 2 -W 2 -w 6 10.14.0.2' >/dev/null 2>&1; }
poll 90 "ping n1 -> 10.14.0.2 over babeld's route" babel_ping

note "restarting the relay on port ${tcp_port}"
kill "$relay_pid"
wait "$relay_pid" 2>/dev/null || true
relay_down_lan() { ! vssh "$p1" 'ping -c 1 -W 1 -w 2 10.13.0.2' >/dev/null 2>&1; }
poll 30 "n1 loses n2 while the relay is down" relay_down_lan
"${WORK_DIR}/vmesh-relay" --no-vsock -u --ports-base 0 -t "$tcp_port" \
  >"${WORK_DIR}/relay2.out" 2>&1 &
relay_pid=$!
VM_PIDS+=("$relay_pid")
reconnected() { [[ "$(grep -c 'connect client' "${WORK_DIR}/relay2.out")" -ge 2 ]]; }
poll 30 "both agents reconnect to the restarted relay" reconnected
poll 90 "ping n1 -> n2 over br-lan after the relay restart" lan_ping
reopened() { [[ "$(vssh "$p1" 'grep -c " connected" /var/log/vmesh-agent.log')" -ge 2 ]]; }
poll 30 "n1's agent logged its second connection" reopened
uptime_n2="$(vssh "$p2" 'cut -d. -f1 /proc/uptime')"
[[ "$uptime_n2" -gt 20 ]] || fail "n2 rebooted (uptime ${uptime_n2} s)"
echo PASS
