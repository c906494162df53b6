# shellcheck shell=sh disable=SC2034  # variables are read by /init
# Profile "sae-mesh": authenticated 802.11s mesh (SAE + AMPE) run by wpa_supplicant, with
# batman-adv, br-lan and babeld as in "mesh". Under TCG the default 40 ms peering timeouts
# are far too short (peerings flap): they are raised to VMESH_SAE_TIMEOUT_MS.
PROFILE_RADIOS=1
# VMESH_SAE_PSK and VMESH_SAE_TIMEOUT_MS come from configs/guest/profiles/sae-mesh.env
# (/etc/vmesh/profiles/ in the image) unless node.conf sets them.

profile_up() {
  ifc=$(radio_iface 0) || { fail "no radio 0"; return 1; }
  conf=$(render_template wpa_supplicant-sae-mesh.conf.in wpa_supplicant-mesh.conf \
    MESH_ID="$VMESH_MESH_ID" FREQ_MHZ="$(channel_freq "$VMESH_CHANNEL")" \
    PASSWORD="$VMESH_SAE_PSK" TIMEOUT_MS="$VMESH_SAE_TIMEOUT_MS") || return 1
  run iw dev "$ifc" set type mp || return 1
  run ip link set dev "$ifc" mtu 1560 || return 1
  run wpa_supplicant -B -i "$ifc" -c "$conf" -P /run/wpa_supplicant.pid \
    -f /var/log/wpa_supplicant.log || return 1
  i=0
  while ! iw dev "$ifc" info | grep -q 'type mesh point' || ! iw dev "$ifc" get mesh_param mesh_fwding >/dev/null 2>&1; do
    [ $i -lt 100 ] || { fail "wpa_supplicant did not join the mesh"; return 1; }
    usleep 100000
    i=$((i + 1))
  done
  batman_bridge "$ifc" "10.13.0.$VMESH_INDEX/16" || return 1
  babeld_start "$ifc"
  log "sae-mesh: $ifc joined '$VMESH_MESH_ID' (SAE) on channel $VMESH_CHANNEL, br-lan 10.13.0.$VMESH_INDEX/16"
}
