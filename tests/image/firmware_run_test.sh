#!/usr/bin/env bash
# A user's firmware under vmesh: the test firmware (build-test-firmware.sh, an OpenWrt-like
# disk with its own init, dropbear with root's empty password, eth0 in br-lan with the anygw
# 10.13.0.1, its own vwifi client) booted by the vmesh CLI as a user's image:
#  1. VIRTUAL_MESH_IMAGE=firmware.img vmesh run line3: ping, route via n2, neighbours = links;
#  2. vmesh up --image firmware.img full3 --nodes 2: the node list logs in with the system ssh,
#     an empty password and no key; the image's layout and its client's settings are there;
#     vmesh ssh / exec reach the nodes; vmesh down leaves no process;
#  3. a wrong password, a failing setup command, a ready command one node never passes and a
#     missing disk: each its clear error, and no process of the run is left.
# Usage: firmware_run_test.sh LAUNCHER_IMAGE_DIR VMESH VMESH_AGENT TOPOLOGIES_DIR
set -euo pipefail
IMAGE_SCRIPTS="${1:?usage: firmware_run_test.sh LAUNCHER_IMAGE_DIR VMESH VMESH_AGENT TOPOLOGIES_DIR}"
vmesh="${2:?}"
agent="${3:?}"
topologies="${4:?}"
# shellcheck source=vm_lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/vm_lib.sh"

need_tools qemu-system-x86_64 ssh setsid timeout python3 apt-get dpkg-deb mke2fs pgrep
[[ -x "$vmesh" ]] || skip "vmesh not built (${vmesh})"
[[ -x "$agent" ]] || skip "vmesh-agent not built (${agent})"

note "building the test firmware"
start=$SECONDS
if ! image="$(bash "${IMAGE_SCRIPTS}/build-test-firmware.sh" --agent "$agent" \
  2>"${WORK_DIR}/build.err")"; then
  cat "${WORK_DIR}/build.err"
  if grep -q 'apt-get download failed\|apt-cache knows only\|cannot resolve' "${WORK_DIR}/build.err"; then
    skip "Debian packages are not available (see above)"
  fi
  fail "build-test-firmware.sh failed"
fi
disk="${image}/firmware.img"
note "firmware ${disk} ($((SECONDS - start)) s)"

# Runs of this test live under their own runtime directory: any process whose command line
# names it after a run ended was left behind.
export XDG_RUNTIME_DIR="${WORK_DIR}/runtime"
mkdir -p "$XDG_RUNTIME_DIR"
no_process_left() {
  local what="$1" i=0
  while pgrep -f "$XDG_RUNTIME_DIR" >/dev/null && ((i < 50)); do sleep 0.1; i=$((i + 1)); done
  if pgrep -af "$XDG_RUNTIME_DIR"; then fail "${what}: processes of the run are still running"; fi
}

note "1. VIRTUAL_MESH_IMAGE=firmware.img vmesh run line3"
if ! VIRTUAL_MESH_IMAGE="$disk" "$vmesh" run "${topologies}/line3.toml" --timeout 300 \
  >"${WORK_DIR}/line3.out" 2>&1; then
  cat "${WORK_DIR}/line3.out"
  fail "vmesh run line3 with the test firmware failed"
fi
cat "${WORK_DIR}/line3.out"
for check in 'ping n1->n3 +PASS' 'route n1->n3 via n2 +PASS' 'neighbors = topology +PASS'; do
  grep -Eq "^${check}" "${WORK_DIR}/line3.out" || fail "no '${check}' line in the report"
done
no_process_left "vmesh run line3"

note "2. vmesh up --image firmware.img full3 --nodes 2"
if ! "$vmesh" up "${topologies}/full3.toml" --image "$disk" --nodes 2 --name fw-up \
  --timeout 300 >"${WORK_DIR}/up.out" 2>&1; then
  cat "${WORK_DIR}/up.out"
  fail "vmesh up --image failed"
fi
cat "${WORK_DIR}/up.out"
nodes_json="${XDG_RUNTIME_DIR}/vmesh-$(id -un)/fw-up/nodes.json"
[[ -s "$nodes_json" ]] || fail "no node list at ${nodes_json}"
# "name port user password" per node; a node list for this image names no key.
mapfile -t nodes < <(python3 - "$nodes_json" <<'PY'
import json, sys
for node in json.load(open(sys.argv[1])):
    assert "ssh_key" not in node, f"{node['name']}: a key in the node list of a firmware image"
    print(node["name"], node["port"], node["user"], repr(node["password"]), node["mac_prefix"])
PY
)
((${#nodes[@]} == 2)) || fail "the node list has ${#nodes[@]} nodes, not 2 (--nodes 2)"
# An empty password through SSH_ASKPASS and no key, as a suite written for OpenWrt logs in.
printf '#!/bin/sh\necho\n' >"${WORK_DIR}/askpass"
chmod 0755 "${WORK_DIR}/askpass"
for line in "${nodes[@]}"; do
  read -r name port user password mac_prefix <<<"$line"
  [[ "$user" == root && "$password" == "''" ]] || fail "${name}: login ${user}/${password}, not root/''"
  out="$(SSH_ASKPASS="${WORK_DIR}/askpass" SSH_ASKPASS_REQUIRE=force timeout 60 setsid ssh \
    -F /dev/null -o PubkeyAuthentication=no -o StrictHostKeyChecking=no \
    -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR -p "$port" "${user}@127.0.0.1" \
    'cat /etc/config/vwifi; ip -4 addr show dev br-lan; cat /sys/class/net/eth0/master/uevent' \
    </dev/null)" || fail "${name}: ssh with an empty password and no key failed"
  grep -q "mac_prefix=${mac_prefix}" <<<"$out" || fail "${name}: the client's config lacks its MAC prefix: ${out}"
  grep -q 'server_ip=10.99.0.254' <<<"$out" || fail "${name}: the client was not told the forwarded relay address"
  grep -q 'inet 10.13.0.1/16' <<<"$out" || fail "${name}: br-lan lacks the anygw 10.13.0.1/16"
  grep -q 'INTERFACE=br-lan' <<<"$out" || fail "${name}: eth0 is not in br-lan"
  note "${name}: empty-password login on ${port}, client ${mac_prefix}, br-lan 10.13.0.1/16"
done
"$vmesh" ssh n2 --name fw-up -- batctl o >"${WORK_DIR}/batctl.out" 2>&1 ||
  fail "vmesh ssh n2 -- batctl o: $(cat "${WORK_DIR}/batctl.out")"
grep -q '02:00:00:00:01:00' "${WORK_DIR}/batctl.out" || fail "n2 does not list n1 as an originator: $(cat "${WORK_DIR}/batctl.out")"
"$vmesh" exec --all --name fw-up -- ping -c 1 -W 5 10.14.0.1 >"${WORK_DIR}/exec.out" 2>&1 ||
  fail "vmesh exec --all ping 10.14.0.1: $(cat "${WORK_DIR}/exec.out")"
"$vmesh" down --name fw-up
no_process_left "vmesh down"

# Two-node topologies with what the firmware's recipe gets wrong.
two_nodes() {
  printf '[medium]\ndefault = "all"\n[[node]]\nname = "n1"\n[[node]]\nname = "n2"\n%s' "$1" \
    >"${WORK_DIR}/$2.toml"
}

note "3a. a wrong password"
two_nodes $'[image.login]\npassword = "not-the-password"\n' wrong-password
if VIRTUAL_MESH_IMAGE="$disk" "$vmesh" run "${WORK_DIR}/wrong-password.toml" --timeout 200 \
  >"${WORK_DIR}/wrong.out" 2>&1; then
  fail "a wrong password passed"
fi
cat "${WORK_DIR}/wrong.out"
grep -q "refused the SSH login of root with a password" "${WORK_DIR}/wrong.out" ||
  fail "no clear error for the wrong password"
grep -q 'node n[12]: image vmesh test firmware' "${WORK_DIR}/wrong.out" || fail "the error names no node"
no_process_left "wrong password"

note "3b. a setup command that fails"
two_nodes $'[image]\nsetup = ["echo {name} about to fail; exit 3"]\n' failing-setup
if VIRTUAL_MESH_IMAGE="$disk" "$vmesh" run "${WORK_DIR}/failing-setup.toml" --timeout 200 \
  >"${WORK_DIR}/setup.out" 2>&1; then
  fail "a failing setup command passed"
fi
cat "${WORK_DIR}/setup.out"
grep -q 'node n1: setup command 1 of 1 failed (exit 3): echo n1 about to fail; exit 3' \
  "${WORK_DIR}/setup.out" || fail "no clear error for the failing setup command"
grep -q '^n1 about to fail' "${WORK_DIR}/setup.out" || fail "the command's output is not shown"
no_process_left "failing setup"

note "3c. a ready command that n2 never passes"
two_nodes $'[image]\nready = "[ {name} = n1 ] || { echo {name} is never ready; false; }"\n' never-ready
if VIRTUAL_MESH_IMAGE="$disk" "$vmesh" run "${WORK_DIR}/never-ready.toml" --timeout 45 \
  >"${WORK_DIR}/ready.out" 2>&1; then
  fail "a node that is never ready passed"
fi
cat "${WORK_DIR}/ready.out"
# n1's ready command passed (it is not among the nodes waited for); n2's output is shown.
grep -q 'the nodes were not ready within the run.s --timeout (.*); each node still waiting:' \
  "${WORK_DIR}/ready.out" || fail "no timeout error for the ready command"
grep -q "n2: ready command .* exited 1: n2 is never ready" "${WORK_DIR}/ready.out" ||
  fail "the timeout error does not show n2's last ready output"
if grep -q '^  n1: ' "${WORK_DIR}/ready.out"; then fail "n1 passed its ready command but is listed as waiting"; fi
no_process_left "never ready"

note "3d. a missing disk"
code=0
VIRTUAL_MESH_IMAGE="${WORK_DIR}/no-such.img" "$vmesh" run "${topologies}/line3.toml" \
  >"${WORK_DIR}/missing.out" 2>&1 || code=$?
cat "${WORK_DIR}/missing.out"
((code == 2)) || fail "a missing disk exited ${code}, not 2"
grep -q "node n1: disk ${WORK_DIR}/no-such.img does not exist" "${WORK_DIR}/missing.out" ||
  fail "no clear error for the missing disk"
no_process_left "missing disk"

note "done in $((SECONDS - start)) s"
echo PASS
