#!/usr/bin/env bash
# (c) Profile mesh-local: the two radios of one VM (radio 1 in netns "peer") form an
# 802.11s peering through mac80211_hwsim's own medium, batman-adv sees the other side as a
# neighbour, and traffic crosses between the namespaces. Settings and key go on the kernel
# command line.
set -euo pipefail
IMAGE_SCRIPTS="${1:?usage: mesh_local_test.sh LAUNCHER_IMAGE_DIR}"
# shellcheck source=vm_lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/vm_lib.sh"

need_tools qemu-system-x86_64
image_or_skip
new_key
port="$(free_port)"
start_vm n1 1 "$port" --key-via cmdline --profile mesh-local
wait_ssh "$port" 180
if grep '^vmesh-init: error' "${WORK_DIR}/n1.log"; then fail "init reported errors"; fi

plink_estab() { vssh "$port" 'iw dev wlan0 station dump' 2>/dev/null | grep -q 'mesh plink:.*ESTAB'; }
poll 60 "802.11s peering wlan0 <-> peer/wlan1 ESTAB" plink_estab
vssh "$port" 'iw dev wlan0 station dump' | grep -q '^Station 02:00:00:00:01:01 (on wlan0)' ||
  fail "the peer station is not radio 1 (02:00:00:00:01:01)"

batman_neighbour() {
  vssh "$port" 'batctl meshif bat0 neighbors' 2>/dev/null | grep -q 'wlan0.*02:00:00:00:01:01'
}
poll 60 "batman-adv neighbour 02:00:00:00:01:01 on wlan0" batman_neighbour
peer_neighbour() {
  vssh "$port" 'ip netns exec peer batctl meshif bat0 neighbors' 2>/dev/null |
    grep -q 'wlan1.*02:00:00:00:01:00'
}
poll 30 "batman-adv in netns peer sees 02:00:00:00:01:00" peer_neighbour

ping_peer() { vssh "$port" 'ping -c 2 -W 2 -w 6 10.13.1.1' >/dev/null 2>&1; }
poll 60 "ping 10.13.0.1 -> 10.13.1.1 over bat0" ping_peer
# The packets went over the air: radio 0 transmitted data frames to its peer.
tx="$(vssh "$port" "iw dev wlan0 station dump | sed -n 's/.*tx packets:[[:space:]]*//p'")"
if ! [[ "$tx" =~ ^[0-9]+$ ]] || ((tx == 0)); then
  fail "wlan0 sent no packets to its peer (tx packets '${tx}')"
fi
echo PASS
