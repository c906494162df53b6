#!/usr/bin/env bash
# The guest answers the commands that test suites written for OpenWrt/LibreMesh routers
# use, from the host through SSH. Two VMs mesh through a host vmesh-relay (profile mesh):
# n1 with the defaults, n2 with VMESH_SSH_BLANK_PASSWORD=0 in its node.conf (fw_cfg).
# - the system ssh client without any key (empty HOME, no -i, BatchMode) logs in to n1 as
#   root and is refused by n2; the per-run key works on both;
# - pgrep -x babeld; echo dump | nc ::1 33123 shows the route to the other node's
#   10.14.0.2/32; /var/run/babeld/state holds babeld's sequence number once it has exited
#   (/etc/init.d/babeld stop) and is read back by the next start;
# - ip neigh, batctl n and batctl o list the other node; logread (with OpenWrt's -e and -l)
#   shows the system log.
# Usage: router_idioms_test.sh LAUNCHER_IMAGE_DIR VMESH_AGENT VMESH_RELAY
set -euo pipefail
IMAGE_SCRIPTS="${1:?usage: router_idioms_test.sh LAUNCHER_IMAGE_DIR VMESH_AGENT VMESH_RELAY}"
agent="${2:?}"
relay="${3:?}"
# shellcheck source=vm_lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/vm_lib.sh"

readonly peer_mac=02:00:00:00:02:00

# ssh as a router test suite runs it: the system client, no key option, no identity to find.
keyless_ssh() {
  local port="$1"
  shift
  mkdir -p "${WORK_DIR}/empty-home"
  HOME="${WORK_DIR}/empty-home" SSH_AUTH_SOCK='' timeout 60 ssh -o BatchMode=yes \
    -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR \
    -o ConnectTimeout=5 -p "$port" root@127.0.0.1 "$@"
}

boot_pair() {
  relay_pair_setup "$agent" "$relay"
  p1="$(free_port)"
  start_vm n1 1 "$p1" --relay "10.0.2.2:${RELAY_TCP_PORT}"
  p2="$(free_port)"
  while [[ "$p2" == "$p1" ]]; do p2="$(free_port)"; done
  start_vm n2 2 "$p2" --relay "10.0.2.2:${RELAY_TCP_PORT}" --key-via fw_cfg --ssh-blank-password 0
  wait_ssh "$p1" 180
  wait_ssh "$p2" 180
  local n
  for n in n1 n2; do
    if grep '^vmesh-init: error' "${WORK_DIR}/${n}.log"; then fail "${n}: init reported errors"; fi
  done
}

check_ssh_access() {
  local out
  out="$(keyless_ssh "$p1" 'echo ok')" || fail "n1 refused ssh without a key"
  [[ "$out" == ok ]] || fail "keyless ssh to n1 printed '${out}'"
  out="$(keyless_ssh "$p1" whoami)" || fail "whoami failed"
  [[ "$out" == root ]] || fail "whoami printed '${out}'"
  vssh "$p1" logread | grep -q "Auth succeeded with blank password for 'root'" ||
    fail "n1 did not log a blank-password login"
  vssh "$p1" -o PreferredAuthentications=publickey 'echo ok' | grep -qx ok ||
    fail "n1 refused the per-run key"
  if out="$(keyless_ssh "$p2" 'echo ok' 2>&1)"; then
    fail "n2 (VMESH_SSH_BLANK_PASSWORD=0) let a client without a key in: ${out}"
  fi
  grep -q 'Permission denied (publickey)' <<<"$out" || fail "n2 refused with: ${out}"
  note "ssh: keyless login on n1, refused by n2 (${out}); the per-run key works on both"
}

check_processes_and_log() {
  local pid
  pid="$(keyless_ssh "$p1" 'pgrep -x babeld')" || fail "pgrep -x babeld found nothing"
  [[ "$pid" =~ ^[0-9]+$ ]] || fail "pgrep -x babeld printed '${pid}'"
  keyless_ssh "$p1" 'logread' | grep -q 'vmesh-init: ready' || fail "logread lacks the init's lines"
  local filtered
  filtered="$(keyless_ssh "$p1" "logread -e 'vmesh-init: (radios|ready)'")"
  if ! grep -q 'vmesh-init: ready$' <<<"$filtered" || ! grep -q 'vmesh-init: radios ready' <<<"$filtered" ||
    grep -vq 'vmesh-init: \(radios\|ready\)' <<<"$filtered"; then
    fail "logread -e 'vmesh-init: (radios|ready)' printed: ${filtered}"
  fi
  [[ "$(keyless_ssh "$p1" 'logread -l 3 | wc -l')" == 3 ]] || fail "logread -l 3 printed other than 3 lines"
  keyless_ssh "$p1" 'ls -ld /var/run' | grep -q -- '-> /run' || fail "/var/run is not a link to /run"
  note "babeld pid ${pid}; logread, logread -e and -l work"
}

babel_route() {
  keyless_ssh "$p1" 'echo dump | nc ::1 33123' 2>/dev/null >"${WORK_DIR}/dump" &&
    grep -q '^add route .*prefix 10\.14\.0\.2/32 ' "${WORK_DIR}/dump"
}

check_babeld_local_interface() {
  poll 120 "babeld's dump on [::1]:33123 holds the route to n2's 10.14.0.2/32" babel_route
  grep -q '^BABEL 1\.0$' "${WORK_DIR}/dump" || fail "no babel greeting: $(head -n3 "${WORK_DIR}/dump")"
  grep '^add route .*prefix 10\.14\.0\.2/32 ' "${WORK_DIR}/dump"
}

lan_ping() { keyless_ssh "$p1" 'ping -c 2 -W 2 -w 6 10.13.0.2' >/dev/null 2>&1; }
originator() { keyless_ssh "$p1" 'batctl o' | grep -q "$peer_mac"; }

check_neighbours() {
  poll 60 "ping n1 -> n2 over br-lan" lan_ping
  keyless_ssh "$p1" 'ip neigh' | grep -q '^10\.13\.0\.2 dev br-lan lladdr 06:00:00:00:02:00' ||
    fail "ip neigh lacks n2: $(keyless_ssh "$p1" 'ip neigh')"
  keyless_ssh "$p1" 'batctl n' | grep -q "wlan0.*${peer_mac}" ||
    fail "batctl n lacks n2: $(keyless_ssh "$p1" 'batctl n')"
  poll 30 "batctl o lists n2" originator
}

# babeld writes its state file when it exits and reads (then deletes) it when it starts.
check_babeld_state() {
  keyless_ssh "$p1" 'test ! -e /var/run/babeld/state' ||
    note "state file present while babeld runs (left by an earlier run?)"
  keyless_ssh "$p1" '/etc/init.d/babeld stop' || fail "/etc/init.d/babeld stop failed"
  local state
  state="$(keyless_ssh "$p1" 'cat /var/run/babeld/state')" || fail "no /var/run/babeld/state after stop"
  [[ "$state" =~ ^[0-9]+$ ]] || fail "/var/run/babeld/state holds '${state}', not a sequence number"
  keyless_ssh "$p1" '/etc/init.d/babeld start' || fail "/etc/init.d/babeld start failed"
  keyless_ssh "$p1" 'pgrep -x babeld' >/dev/null || fail "babeld did not start again"
  keyless_ssh "$p1" 'test ! -e /var/run/babeld/state' || fail "the restarted babeld did not read its state"
  note "/var/run/babeld/state after stop: ${state}; read back by the restart"
  poll 120 "the restarted babeld learns 10.14.0.2/32 again" babel_route
}

main() {
  need_tools qemu-system-x86_64
  boot_pair
  check_ssh_access
  check_processes_and_log
  check_babeld_local_interface
  check_neighbours
  check_babeld_state
  echo PASS
}

main
