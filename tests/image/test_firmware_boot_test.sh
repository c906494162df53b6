#!/usr/bin/env bash
# The vmesh test firmware (build-test-firmware.sh) as the launcher will use a user's image:
# two nodes booted from firmware.img with plain QEMU (q35, -snapshot, three virtio NICs:
# LAN with the SSH forward to 10.13.0.1, an unused one, the relay's network), root logs in
# with the system ssh client and an empty password (no key), the recipe's setup lines run
# over SSH (sh -c) with the node's placeholders filled; then n1's batman-adv lists n2 as an
# originator and n1 pings n2's mesh address 10.14.0.2 through vmesh-relay.
# Usage: test_firmware_boot_test.sh LAUNCHER_IMAGE_DIR VMESH_AGENT VMESH_RELAY
set -euo pipefail
IMAGE_SCRIPTS="${1:?usage: test_firmware_boot_test.sh LAUNCHER_IMAGE_DIR VMESH_AGENT VMESH_RELAY}"
agent="${2:?}"
relay="${3:?}"
# shellcheck source=vm_lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/vm_lib.sh"

need_tools qemu-system-x86_64 ssh setsid timeout python3 apt-get apt-cache dpkg-deb cpio gzip \
  depmod modprobe mke2fs flock
[[ -x "$agent" ]] || skip "vmesh-agent not built (${agent})"
[[ -x "$relay" ]] || skip "vmesh-relay not built (${relay})"
cp "$agent" "${WORK_DIR}/vmesh-agent"
cp "$relay" "${WORK_DIR}/vmesh-relay"

note "building the test firmware"
start=$SECONDS
if ! image="$(bash "${IMAGE_SCRIPTS}/build-test-firmware.sh" --agent "${WORK_DIR}/vmesh-agent" \
  2>"${WORK_DIR}/build.err")"; then
  cat "${WORK_DIR}/build.err"
  if grep -q 'apt-get download failed\|apt-cache knows only\|cannot resolve' "${WORK_DIR}/build.err"; then
    skip "Debian packages are not available (see above)"
  fi
  fail "build-test-firmware.sh failed"
fi
note "firmware ${image} ($((SECONDS - start)) s)"
for f in firmware.img firmware.img.vmesh.toml manifest; do
  [[ -s "${image}/${f}" ]] || fail "${image}/${f} is missing"
done

"${WORK_DIR}/vmesh-relay" --no-vsock -u --ports-base 0 --ports-file "${WORK_DIR}/ports.json" \
  >"${WORK_DIR}/relay.out" 2>&1 &
VM_PIDS+=("$!")
poll 10 "relay listening" test -s "${WORK_DIR}/ports.json"
relay_port="$(sed -n 's/.*"tcp":\([0-9]*\).*/\1/p' "${WORK_DIR}/ports.json")"
[[ "$relay_port" =~ ^[0-9]+$ ]] || fail "no tcp port in $(cat "${WORK_DIR}/ports.json")"

# boot_node NAME PORT: the QEMU command line a user's firmware gets (see docs/test-firmware.md).
boot_node() {
  local name="$1" port="$2"
  qemu-system-x86_64 -machine q35 -accel tcg,thread=multi -cpu max,-erms -m 256 -nodefaults \
    -display none -no-reboot -drive "file=${image}/firmware.img,if=virtio,format=raw" -snapshot \
    -serial "file:${WORK_DIR}/${name}.log" \
    -netdev "user,id=lan,net=10.13.0.0/16,hostfwd=tcp:127.0.0.1:${port}-10.13.0.1:22" \
    -device virtio-net-pci,netdev=lan \
    -netdev user,id=wan,restrict=on -device virtio-net-pci,netdev=wan \
    -netdev user,id=relay,net=10.99.0.0/24 -device virtio-net-pci,netdev=relay \
    >"${WORK_DIR}/${name}.log.qemu" 2>&1 &
  VM_PIDS+=("$!")
  note "${name}: QEMU pid $!, ssh 127.0.0.1:${port}, log ${WORK_DIR}/${name}.log"
}

# An empty password through SSH_ASKPASS, no key, no user configuration: what a test suite
# written for OpenWrt does. (dropbear -B lets root in at the "none" request already.)
printf '#!/bin/sh\necho\n' >"${WORK_DIR}/askpass"
chmod 0755 "${WORK_DIR}/askpass"
fw_ssh() {
  local port="$1"
  shift
  SSH_ASKPASS="${WORK_DIR}/askpass" SSH_ASKPASS_REQUIRE=force timeout 60 setsid ssh -F /dev/null \
    -o PubkeyAuthentication=no -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
    -o LogLevel=ERROR -o ConnectTimeout=5 -p "$port" root@127.0.0.1 "$@" </dev/null
}

wait_fw_ssh() {
  local name="$1" port="$2" timeout_s="$3" since="$4"
  while ((SECONDS - since < timeout_s)); do
    if fw_ssh "$port" true 2>/dev/null; then
      note "${name}: ssh answered $((SECONDS - since)) s after QEMU started"
      return 0
    fi
    local pid
    for pid in "${VM_PIDS[@]}"; do
      kill -0 "$pid" 2>/dev/null || fail "pid ${pid} (QEMU or the relay) exited early"
    done
    sleep 1
  done
  fail "${name}: no SSH on 127.0.0.1:${port} within ${timeout_s} s"
}

# The recipe's setup lines for node INDEX, placeholders filled, NUL-separated.
setup_lines() {
  python3 - "${image}/firmware.img.vmesh.toml" "$1" "$relay_port" <<'EOF'
import sys, tomllib
recipe, index, relay_port = sys.argv[1], int(sys.argv[2]), sys.argv[3]
image = tomllib.load(open(recipe, "rb"))["image"]
values = {"index": str(index), "name": f"n{index}", "mac_prefix": f"02:00:00:00:{index:02x}",
          "relay_host": "10.99.0.2", "relay_port": relay_port, "channel": "1"}
def fill(text):
    for key, value in values.items():
        text = text.replace("{" + key + "}", value)
    return text
values["mesh_ip"] = fill(image["mesh_ip"])
for line in image["setup"]:
    sys.stdout.write(fill(line) + "\0")
EOF
}

run_setup() {
  local name="$1" index="$2" port="$3" line
  while IFS= read -r -d '' line; do
    # As the launcher does: each line through sh -c, a non-zero exit fails the run.
    fw_ssh "$port" "sh -c '${line//\'/\'\\\'\'}'" >"${WORK_DIR}/${name}.setup.out" 2>&1 ||
      fail "${name}: setup line failed: ${line}: $(cat "${WORK_DIR}/${name}.setup.out")"
    note "${name}: ${line} -> $(tr '\n' ' ' <"${WORK_DIR}/${name}.setup.out")"
  done < <(setup_lines "$index")
}

p1="$(free_port)"
p2="$(free_port)"
while [[ "$p2" == "$p1" ]]; do p2="$(free_port)"; done
boot_start=$SECONDS
boot_node n1 "$p1"
boot_node n2 "$p2"
wait_fw_ssh n1 "$p1" 120 "$boot_start"
wait_fw_ssh n2 "$p2" 120 "$boot_start"
for n in n1 n2; do
  grep -q '^fw: ready' "${WORK_DIR}/${n}.log" || fail "${n}: no 'fw: ready' on the console"
  # The init scripts' own errors, and the shell's (a command not found, a bad line).
  if grep -E '^[a-z-]+: error|^/etc/init.d/' "${WORK_DIR}/${n}.log"; then fail "${n}: errors on the console"; fi
done
# The layout a LibreMesh recipe expects: br-lan 10.13.0.1/16 on eth0, eth2 leased by DHCP.
fw_ssh "$p1" 'ip -4 addr show dev br-lan' | grep -q 'inet 10.13.0.1/16' || fail "n1: no 10.13.0.1/16 on br-lan"
fw_ssh "$p1" 'ip -4 addr show dev eth2' | grep -q 'inet 10.99.0.15/24' || fail "n1: eth2 has no DHCP lease"
[[ "$(fw_ssh "$p1" 'cat /sys/class/net/eth0/master/uevent' | sed -n 's/^INTERFACE=//p')" == br-lan ]] ||
  fail "n1: eth0 is not in br-lan"

run_setup n1 1 "$p1"
run_setup n2 2 "$p2"
fw_ssh "$p1" '/etc/init.d/vwifi-client status' | grep -q running || fail "n1: vwifi-client is not running"
fw_ssh "$p1" 'iw dev wlan0 info' | grep -q 'type mesh point' || fail "n1: wlan0 is not a mesh point"
originator() { fw_ssh "$p1" 'batctl o' 2>/dev/null | grep -q '02:00:00:00:02:00'; }
poll 60 "n1's batman-adv lists n2 (02:00:00:00:02:00) as an originator" originator
mesh_ping() { fw_ssh "$p1" 'ping -c 2 -W 2 -w 6 10.14.0.2' >/dev/null 2>&1; }
poll 60 "ping n1 -> 10.14.0.2 over bat0" mesh_ping
note "done in $((SECONDS - start)) s"
echo PASS
