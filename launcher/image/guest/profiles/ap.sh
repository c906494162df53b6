# shellcheck shell=sh disable=SC2034  # variables are read by /init
# Profile "ap": an access point (hostapd) handing out 10.13.0.0/16 addresses by DHCP
# (udhcpd), or a station of one (wpa_supplicant + udhcpc, asking for 10.13.0.<index>).
# VMESH_AP_ROLE=ap|sta picks the role (vmesh run sets it per node: profile "ap" or "sta");
# left empty, node 1 is the access point and every other node a station.
# VMESH_AP_SECURITY: open, wpa2 (WPA2-PSK), wpa3 (WPA3-SAE, management frames protected)
# or wpa2-wpa3 (transition mode: an AP that takes both kinds of station).
# The AP's address is static: 10.13.0.<index>/16.
PROFILE_RADIOS=1
# VMESH_AP_SSID, VMESH_AP_PSK and VMESH_AP_SECURITY come from configs/guest/profiles/ap.env
# (/etc/vmesh/profiles/ in the image) unless node.conf sets them.

# hostapd's template for a security mode.
ap_hostapd_template() {
  case "$VMESH_AP_SECURITY" in
    wpa2) echo hostapd-ap.conf.in ;;
    open | wpa3 | wpa2-wpa3) echo "hostapd-ap-$VMESH_AP_SECURITY.conf.in" ;;
    *) fail "unknown VMESH_AP_SECURITY '$VMESH_AP_SECURITY' (open, wpa2, wpa3, wpa2-wpa3)"; return 1 ;;
  esac
}

# wpa_supplicant's template for a security mode (a transition-mode AP is joined with WPA2).
ap_station_template() {
  case "$VMESH_AP_SECURITY" in
    wpa2 | wpa2-wpa3) echo wpa_supplicant-sta.conf.in ;;
    open | wpa3) echo "wpa_supplicant-sta-$VMESH_AP_SECURITY.conf.in" ;;
    *) fail "unknown VMESH_AP_SECURITY '$VMESH_AP_SECURITY' (open, wpa2, wpa3, wpa2-wpa3)"; return 1 ;;
  esac
}

ap_host_up() {
  template=$(ap_hostapd_template) || return 1
  conf=$(render_template "$template" hostapd.conf IFACE="$1" SSID="$VMESH_AP_SSID" \
    CHANNEL="$VMESH_CHANNEL" PASSPHRASE="$VMESH_AP_PSK") || return 1
  run hostapd -B -P /run/hostapd.pid -f /var/log/hostapd.log "$conf" || return 1
  run ip link set dev "$1" up
  run ip addr add "10.13.0.$VMESH_INDEX/16" dev "$1"
  dhcpd=$(render_template udhcpd.conf.in udhcpd.conf IFACE="$1" POOL_START=10.13.0.1 \
    POOL_END=10.13.0.254) || return 1
  : >/run/udhcpd.leases
  run udhcpd -S "$dhcpd" || return 1
  log "ap: hostapd on $1, ssid $VMESH_AP_SSID ($VMESH_AP_SECURITY), channel $VMESH_CHANNEL, DHCP for 10.13.0.0/16"
}

ap_station_up() {
  template=$(ap_station_template) || return 1
  conf=$(render_template "$template" wpa_supplicant.conf SSID="$VMESH_AP_SSID" \
    FREQ_MHZ="$(channel_freq "$VMESH_CHANNEL")" PASSPHRASE="$VMESH_AP_PSK") || return 1
  run ip link set dev "$1" up || return 1
  run wpa_supplicant -B -i "$1" -c "$conf" -P /run/wpa_supplicant.pid \
    -f /var/log/wpa_supplicant.log || return 1
  # shellcheck disable=SC2154  # vmesh_etc: set by lib.sh
  # Asks for 10.13.0.<index> until a lease comes (-b: in the background once associated
  # or not); /etc/vmesh/udhcpc.script puts the address on the interface.
  run udhcpc -b -S -i "$1" -r "10.13.0.$VMESH_INDEX" -t 5 -T 2 -A 3 \
    -p /run/udhcpc.pid -s "$vmesh_etc/udhcpc.script" || return 1
  log "ap: $1 is a station of $VMESH_AP_SSID ($VMESH_AP_SECURITY), DHCP asks for 10.13.0.$VMESH_INDEX"
}

profile_up() {
  ifc=$(radio_iface 0) || { fail "no radio 0"; return 1; }
  role=$VMESH_AP_ROLE
  if [ -z "$role" ]; then
    if [ "$VMESH_INDEX" -eq 1 ]; then role=ap; else role=sta; fi
  fi
  case "$role" in
    ap) ap_host_up "$ifc" ;;
    sta) ap_station_up "$ifc" ;;
    *) fail "unknown VMESH_AP_ROLE '$role' (ap or sta)"; return 1 ;;
  esac
}
