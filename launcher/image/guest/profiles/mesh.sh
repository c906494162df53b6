# shellcheck shell=sh disable=SC2034  # variables are read by /init
# Profile "mesh" (default, LibreMesh-like): 802.11s on one fixed channel, batman-adv on the
# mesh interface, bat0 in bridge br-lan with 10.13.0.<index>/16, babeld on the mesh interface.
PROFILE_RADIOS=1

profile_up() {
  ifc=$(radio_iface 0) || { fail "no radio 0"; return 1; }
  mesh_join "$ifc" || return 1
  batman_bridge "$ifc" "10.13.0.$VMESH_INDEX/16" || return 1
  babeld_start "$ifc"
  log "mesh: $ifc joined '$VMESH_MESH_ID' on channel $VMESH_CHANNEL, br-lan 10.13.0.$VMESH_INDEX/16"
}
