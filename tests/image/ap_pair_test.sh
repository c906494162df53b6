#!/usr/bin/env bash
# Profile ap through vmesh-relay: node 1 runs hostapd (WPA2-PSK), node 2 associates with
# wpa_supplicant, completes the 4-way handshake and pings the AP.
# Usage: ap_pair_test.sh LAUNCHER_IMAGE_DIR VMESH_AGENT VMESH_RELAY
set -euo pipefail
IMAGE_SCRIPTS="${1:?usage: ap_pair_test.sh LAUNCHER_IMAGE_DIR VMESH_AGENT VMESH_RELAY}"
agent="${2:?}"
relay="${3:?}"
# shellcheck source=vm_lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/vm_lib.sh"

relay_pair_setup "$agent" "$relay"
tcp_port="$RELAY_TCP_PORT"

p1="$(free_port)"
start_vm ap 1 "$p1" --relay "10.0.2.2:${tcp_port}" --profile ap
p2="$(free_port)"
while [[ "$p2" == "$p1" ]]; do p2="$(free_port)"; done
start_vm sta 2 "$p2" --relay "10.0.2.2:${tcp_port}" --profile ap
wait_ssh "$p1" 180
wait_ssh "$p2" 180

associated() { vssh "$p2" 'wpa_cli -p /run/wpa_supplicant status' 2>/dev/null | grep -q '^wpa_state=COMPLETED'; }
poll 90 "station completes WPA2 association" associated
vssh "$p2" 'wpa_cli -p /run/wpa_supplicant status' | grep -q '^pairwise_cipher=CCMP' || fail "not CCMP"
vssh "$p1" 'iw dev wlan0 station dump' | grep -q '^Station 02:00:00:00:02:00' || fail "AP does not list the station"
ap_ping() { vssh "$p2" 'ping -c 2 -W 2 -w 6 10.13.0.1' >/dev/null 2>&1; }
poll 60 "station pings the AP over WPA2" ap_ping
echo PASS
