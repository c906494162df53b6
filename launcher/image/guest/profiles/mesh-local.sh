# shellcheck shell=sh disable=SC2034  # variables are read by /init
# Profile "mesh-local": two radios of one VM mesh with each other through mac80211_hwsim's
# built-in medium (no agent, no relay). Radio 1 lives in network namespace "peer", so
# traffic between the two sides has to cross the simulated air: neither stack owns the
# other's addresses. Root namespace: wlan of radio 0, bat0, br-lan 10.13.0.<index>/16.
# Namespace "peer": radio 1, its own bat0, br-lan 10.13.1.<index>/16.
# Example: ip netns exec peer iperf3 -s -D; iperf3 -c 10.13.1.<index>
PROFILE_RADIOS=2
VMESH_AGENT=0

profile_up() {
  ifc0=$(radio_iface 0) || { fail "no radio 0"; return 1; }
  phy1=$(radio_phy 1)
  [ -n "$phy1" ] || { fail "no radio 1"; return 1; }
  run ip netns add peer || return 1
  run iw phy "$phy1" set netns name peer || return 1
  ifc1=$(ip netns exec peer ls /sys/class/net | grep -v '^lo$' | head -n1)
  [ -n "$ifc1" ] || { fail "radio 1 vanished after moving to netns peer"; return 1; }
  mesh_join "$ifc0" || return 1
  batman_bridge "$ifc0" "10.13.0.$VMESH_INDEX/16" || return 1
  # shellcheck disable=SC2016  # expanded by the inner shell
  ip netns exec peer sh -c '
    . /etc/vmesh/lib.sh
    run ip link set dev lo up
    mesh_join "$1" && batman_bridge "$1" "10.13.1.$2/16"' sh "$ifc1" "$VMESH_INDEX" || return 1
  log "mesh-local: $ifc0 (10.13.0.$VMESH_INDEX) and peer/$ifc1 (10.13.1.$VMESH_INDEX) on channel $VMESH_CHANNEL"
}
