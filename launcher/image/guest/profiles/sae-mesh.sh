# shellcheck shell=sh disable=SC2034  # variables are read by /init
# Profile "sae-mesh": authenticated 802.11s mesh (SAE + AMPE) run by wpa_supplicant, with
# batman-adv, br-lan and babeld as in "mesh". Under TCG the default 40 ms peering timeouts
# are far too short (peerings flap): they are raised to VMESH_SAE_TIMEOUT_MS (1000 ms).
PROFILE_RADIOS=1
VMESH_SAE_PSK=${VMESH_SAE_PSK:-vmesh-sae-passphrase}
VMESH_SAE_TIMEOUT_MS=${VMESH_SAE_TIMEOUT_MS:-1000}

profile_up() {
  ifc=$(radio_iface 0) || { fail "no radio 0"; return 1; }
  cat >/run/wpa_supplicant-mesh.conf <<CONF
ctrl_interface=/run/wpa_supplicant
user_mpm=1
network={
  ssid="$VMESH_MESH_ID"
  mode=5
  frequency=$(channel_freq "$VMESH_CHANNEL")
  key_mgmt=SAE
  sae_password="$VMESH_SAE_PSK"
  ieee80211w=2
  mesh_fwding=0
  dot11MeshRetryTimeout=$VMESH_SAE_TIMEOUT_MS
  dot11MeshConfirmTimeout=$VMESH_SAE_TIMEOUT_MS
  dot11MeshHoldingTimeout=$VMESH_SAE_TIMEOUT_MS
}
CONF
  run iw dev "$ifc" set type mp || return 1
  run ip link set dev "$ifc" mtu 1560 || return 1
  run wpa_supplicant -B -i "$ifc" -c /run/wpa_supplicant-mesh.conf -P /run/wpa_supplicant.pid \
    -f /var/log/wpa_supplicant.log || return 1
  i=0
  while ! iw dev "$ifc" info | grep -q 'type mesh point' || ! iw dev "$ifc" get mesh_param mesh_fwding >/dev/null 2>&1; do
    [ $i -lt 100 ] || { fail "wpa_supplicant did not join the mesh"; return 1; }
    usleep 100000
    i=$((i + 1))
  done
  batman_bridge "$ifc" "10.13.0.$VMESH_INDEX/16" || return 1
  babeld_start "$ifc" main
  log "sae-mesh: $ifc joined '$VMESH_MESH_ID' (SAE) on channel $VMESH_CHANNEL, br-lan 10.13.0.$VMESH_INDEX/16"
}
