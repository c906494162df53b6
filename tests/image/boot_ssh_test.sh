#!/usr/bin/env bash
# (b) One VM boots under TCG, is reachable by SSH on 127.0.0.1 with the per-run key, and
# `iw dev` shows its radio with the scheme address. Settings and key travel in the
# per-node cpio through fw_cfg, with root's blank password turned off (keys only).
set -euo pipefail
IMAGE_SCRIPTS="${1:?usage: boot_ssh_test.sh LAUNCHER_IMAGE_DIR}"
# shellcheck source=vm_lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/vm_lib.sh"

need_tools qemu-system-x86_64
image_or_skip
new_key
port="$(free_port)"
start_vm n2 2 "$port" --key-via fw_cfg --profile mesh --ssh-blank-password 0
wait_ssh "$port" 180

grep -q '^vmesh-init: ready' "${WORK_DIR}/n2.log" || fail "no 'vmesh-init: ready' on the console"
if grep '^vmesh-init: error' "${WORK_DIR}/n2.log"; then fail "init reported errors"; fi
iw_dev="$(vssh "$port" iw dev)" || fail "iw dev failed"
echo "$iw_dev"
grep -q 'Interface wlan0' <<<"$iw_dev" || fail "no wlan0 in iw dev"
grep -q 'addr 02:00:00:00:02:00' <<<"$iw_dev" || fail "wlan0 lacks the scheme address 02:00:00:00:02:00"
grep -q 'type mesh point' <<<"$iw_dev" || fail "wlan0 is not a mesh point (profile mesh)"
[[ "$(vssh "$port" hostname)" == n2 ]] || fail "hostname is not n2"
vssh "$port" 'ip -4 addr show dev br-lan' | grep -q 'inet 10.13.0.2/16' || fail "br-lan lacks 10.13.0.2/16"
vssh "$port" 'batctl meshif bat0 interface' | grep -q 'wlan0: active' || fail "wlan0 is not active in bat0"
vssh "$port" 'cat /sys/class/net/wlan0/mtu' | grep -qx 1560 || fail "mesh interface mtu is not 1560"
vssh "$port" 'cat /run/babeld.pid' >/dev/null || fail "babeld is not running"
# Only the per-run key opens the door (VMESH_SSH_BLANK_PASSWORD=0).
other="${WORK_DIR}/other"
ssh-keygen -q -t ed25519 -N '' -f "$other"
if ssh -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR \
  -o BatchMode=yes -o ConnectTimeout=5 -i "$other" -p "$port" root@127.0.0.1 true 2>/dev/null; then
  fail "a key that is not the per-run key was accepted"
fi
echo PASS
