# shellcheck shell=sh disable=SC2034  # variables are read by /init
# Profile "ibss": ad-hoc network on one fixed channel, 10.13.0.<index>/16 on the interface.
PROFILE_RADIOS=1

profile_up() {
  ifc=$(radio_iface 0) || { fail "no radio 0"; return 1; }
  run iw dev "$ifc" set type ibss || return 1
  run ip link set dev "$ifc" up || return 1
  run iw dev "$ifc" ibss join "${VMESH_MESH_ID}-ibss" "$(channel_freq "$VMESH_CHANNEL")" fixed-freq \
    02:00:00:00:ff:00 || return 1
  run ip addr add "10.13.0.$VMESH_INDEX/16" dev "$ifc"
  log "ibss: $ifc joined '${VMESH_MESH_ID}-ibss' on channel $VMESH_CHANNEL"
}
