#!/usr/bin/env bash
# The guest renders its daemons' config files from configs/guest/ (templates and settings)
# exactly as expected: each profile is brought up with every system command stubbed
# (guest_config/render_profile.sh) and the files it writes are compared with
# guest_config/expected/<case>/. The expected hostapd, wpa_supplicant and babeld files are
# those the profiles wrote before their configuration moved to configs/.
# Usage: guest_config_test.sh LAUNCHER_IMAGE_DIR [IMAGE_ROOT]
#   without IMAGE_ROOT: /etc/vmesh is assembled from the source tree and run by sh;
#   IMAGE_ROOT: an unpacked initramfs, whose /etc/vmesh is run by its own busybox sh.
set -euo pipefail
IMAGE_SCRIPTS="${1:?usage: guest_config_test.sh LAUNCHER_IMAGE_DIR [IMAGE_ROOT]}"
image_root="${2:-}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
readonly here
# shellcheck source=vm_lib.sh
. "${here}/vm_lib.sh"

# /etc/vmesh as build-image.sh lays it out.
assemble_etc() {
  local etc="$1" configs="${IMAGE_SCRIPTS}/../../configs/guest"
  mkdir -p "${etc}/profiles"
  cp "${IMAGE_SCRIPTS}/guest/lib.sh" "${etc}/"
  cp "${IMAGE_SCRIPTS}"/guest/profiles/*.sh "${etc}/profiles/"
  cp -R "${configs}/." "${etc}/"
}

# Single-quote a value for a POSIX shell.
shell_quote() { printf "'%s'" "${1//\'/\'\\\'\'}"; }

# check_case NAME PROFILE INDEX CHANNEL [VAR=VALUE...]: the VAR=VALUE pairs go into the
# node's node.conf; the rendered files must equal expected/NAME/ (no file when absent).
check_case() {
  local name="$1" profile="$2" index="$3" channel="$4" pair
  shift 4
  local out="${WORK_DIR}/out/${name}" node_conf="${WORK_DIR}/${name}.node.conf"
  local log="${WORK_DIR}/${name}.commands"
  mkdir -p "$out"
  : >"$log"
  for pair in "$@"; do
    echo "${pair%%=*}=$(shell_quote "${pair#*=}")"
  done >"$node_conf"
  env -i PATH="$PATH" "${guest_sh[@]}" "${here}/guest_config/render_profile.sh" "$etc" "$out" \
    "$log" "$profile" "$index" "$channel" "$node_conf" || fail "${name}: profile_up failed"
  if grep '^fail ' "$log"; then fail "${name}: the profile reported errors"; fi
  local expected="${here}/guest_config/expected/${name}"
  if [[ -d "$expected" ]]; then
    diff -ru "$expected" "$out" || fail "${name}: rendered files differ from ${expected}"
  else
    [[ -z "$(ls -A "$out")" ]] || fail "${name}: rendered $(ls "$out"), expected nothing"
  fi
  note "${name}: $(find "$out" -type f -printf '%f ')"
}

# bat0's settings file is what batctl is given, line by line.
check_batman_commands() {
  local setting
  for setting in 'bridge_loop_avoidance 0' 'orig_interval 250'; do
    grep -qx "run batctl meshif bat0 ${setting}" "${WORK_DIR}/mesh-ogm.commands" ||
      fail "batctl was not run with '${setting}' from batman-adv.conf"
  done
}

# A gateway runs batman-adv's gw_mode server and masquerades out of its uplink; a client
# picks a gateway; both forward IP.
check_gateway_commands() {
  local server="${WORK_DIR}/mesh-gateway-server.commands" client="${WORK_DIR}/mesh-gateway-client.commands"
  grep -qx 'run batctl meshif bat0 gw_mode server 10mbit/10mbit' "$server" ||
    fail "the gateway did not run batctl gw_mode server"
  grep -qx 'run nft -f .*/nftables-gateway.conf' "$server" || fail "the gateway loaded no NAT rules"
  grep -qx 'run ip route add default via 10.100.0.2 dev eth1' "$server" ||
    fail "the gateway's default route is not its uplink"
  grep -qx 'run batctl meshif bat0 gw_mode client' "$client" ||
    fail "the gateway client did not run batctl gw_mode client"
  grep -qx ip_forwarding_on "$client" || fail "the gateway client does not forward IP"
  if grep -q 'nft\|eth1' "$client"; then fail "a gateway client touched the uplink"; fi
}

# A template placeholder without a value is an error and writes nothing.
check_missing_placeholder() {
  local out="${WORK_DIR}/missing"
  mkdir -p "$out"
  # shellcheck disable=SC2016  # expanded by the guest shell
  if env -i PATH="$PATH" "${guest_sh[@]}" -c '
      vmesh_etc=$1 rendered_dir=$2
      . "$vmesh_etc/lib.sh"
      fail() { echo "$*"; }
      render_template hostapd-ap.conf.in hostapd.conf IFACE=wlan0 SSID=x CHANNEL=1' \
    sh "$etc" "$out" >"${WORK_DIR}/missing.err"; then
    fail "render_template accepted a template with @PASSPHRASE@ unset"
  fi
  grep -q 'no value for @PASSPHRASE@' "${WORK_DIR}/missing.err" ||
    fail "unexpected error: $(cat "${WORK_DIR}/missing.err")"
  [[ ! -e "${out}/hostapd.conf" ]] || fail "render_template wrote a file despite the error"
}

main() {
  if [[ -n "$image_root" ]]; then
    etc="${image_root}/etc/vmesh"
    guest_sh=("${image_root}/bin/busybox" sh)
  else
    need_tools sh sed grep sort tr
    etc="${WORK_DIR}/etc"
    guest_sh=(sh)
    assemble_etc "$etc"
  fi
  note "guest shell: ${guest_sh[*]}, /etc/vmesh: ${etc}"
  local ssid="my ap & co" psk='a|b\c/d&e "q"'
  check_case ap-host ap 1 1
  check_case ap-sta ap 2 14
  check_case ap-host-custom ap 1 6 VMESH_AP_SSID="$ssid" VMESH_AP_PSK="$psk"
  check_case ap-sta-custom ap 3 6 VMESH_AP_SSID="$ssid" VMESH_AP_PSK="$psk"
  check_case sae sae-mesh 2 11
  check_case sae-custom sae-mesh 4 3 VMESH_MESH_ID='m&sh/|x' VMESH_SAE_PSK='s@e\1&' \
    VMESH_SAE_TIMEOUT_MS=2500 VMESH_OGM_MS=5000
  check_case mesh mesh 2 1
  check_case mesh-ogm mesh 5 6 VMESH_OGM_MS=250 VMESH_MESH_ID=other
  check_case mesh-local mesh-local 1 1
  check_case ibss ibss 3 9
  check_case ap-host-wpa3 ap 1 6 VMESH_AP_ROLE=ap VMESH_AP_SECURITY=wpa3 VMESH_AP_PSK="$psk"
  check_case ap-host-transition ap 4 1 VMESH_AP_ROLE=ap VMESH_AP_SECURITY=wpa2-wpa3
  check_case ap-host-open ap 2 1 VMESH_AP_ROLE=ap VMESH_AP_SECURITY=open
  check_case sta-wpa3 sta 1 6 VMESH_AP_SECURITY=wpa3 VMESH_AP_SSID="$ssid" VMESH_AP_PSK="$psk"
  check_case sta-transition sta 3 1 VMESH_AP_SECURITY=wpa2-wpa3
  check_case sta-open sta 2 1 VMESH_AP_SECURITY=open
  check_case mesh-gateway-server mesh 1 1 VMESH_GATEWAY=server
  check_case mesh-gateway-client mesh 3 1 VMESH_GATEWAY=client
  check_gateway_commands
  check_case none none 2 1
  check_batman_commands
  check_missing_placeholder
  echo PASS
}

main
