# shellcheck shell=sh disable=SC2034  # variables are read by /init
# Profile "ap": node 1 is a WPA2-PSK access point (hostapd), every other node a station
# (wpa_supplicant). Addresses 10.13.0.<index>/16 on the wireless interface.
PROFILE_RADIOS=1
# VMESH_AP_SSID and VMESH_AP_PSK come from configs/guest/profiles/ap.env
# (/etc/vmesh/profiles/ in the image) unless node.conf sets them.

profile_up() {
  ifc=$(radio_iface 0) || { fail "no radio 0"; return 1; }
  if [ "$VMESH_INDEX" -eq 1 ]; then
    conf=$(render_template hostapd-ap.conf.in hostapd.conf IFACE="$ifc" \
      SSID="$VMESH_AP_SSID" CHANNEL="$VMESH_CHANNEL" PASSPHRASE="$VMESH_AP_PSK") || return 1
    run hostapd -B -P /run/hostapd.pid -f /var/log/hostapd.log "$conf" || return 1
    log "ap: hostapd on $ifc, ssid $VMESH_AP_SSID, channel $VMESH_CHANNEL"
  else
    conf=$(render_template wpa_supplicant-sta.conf.in wpa_supplicant.conf \
      SSID="$VMESH_AP_SSID" FREQ_MHZ="$(channel_freq "$VMESH_CHANNEL")" \
      PASSPHRASE="$VMESH_AP_PSK") || return 1
    run ip link set dev "$ifc" up || return 1
    run wpa_supplicant -B -i "$ifc" -c "$conf" -P /run/wpa_supplicant.pid \
      -f /var/log/wpa_supplicant.log || return 1
    log "ap: $ifc is a station of $VMESH_AP_SSID"
  fi
  run ip link set dev "$ifc" up
  run ip addr add "10.13.0.$VMESH_INDEX/16" dev "$ifc"
}
