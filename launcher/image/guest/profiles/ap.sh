# shellcheck shell=sh disable=SC2034  # variables are read by /init
# Profile "ap": node 1 is a WPA2-PSK access point (hostapd), every other node a station
# (wpa_supplicant). Addresses 10.13.0.<index>/16 on the wireless interface.
PROFILE_RADIOS=1
VMESH_AP_SSID=${VMESH_AP_SSID:-vmesh-ap}
VMESH_AP_PSK=${VMESH_AP_PSK:-vmesh-passphrase}

profile_up() {
  ifc=$(radio_iface 0) || { fail "no radio 0"; return 1; }
  if [ "$VMESH_INDEX" -eq 1 ]; then
    cat >/run/hostapd.conf <<CONF
interface=$ifc
driver=nl80211
ctrl_interface=/run/hostapd
ssid=$VMESH_AP_SSID
hw_mode=g
channel=$VMESH_CHANNEL
wpa=2
wpa_key_mgmt=WPA-PSK
rsn_pairwise=CCMP
wpa_passphrase=$VMESH_AP_PSK
CONF
    run hostapd -B -P /run/hostapd.pid -f /var/log/hostapd.log /run/hostapd.conf || return 1
    log "ap: hostapd on $ifc, ssid $VMESH_AP_SSID, channel $VMESH_CHANNEL"
  else
    cat >/run/wpa_supplicant.conf <<CONF
ctrl_interface=/run/wpa_supplicant
network={
  ssid="$VMESH_AP_SSID"
  scan_freq=$(channel_freq "$VMESH_CHANNEL")
  key_mgmt=WPA-PSK
  psk="$VMESH_AP_PSK"
}
CONF
    run ip link set dev "$ifc" up || return 1
    run wpa_supplicant -B -i "$ifc" -c /run/wpa_supplicant.conf -P /run/wpa_supplicant.pid \
      -f /var/log/wpa_supplicant.log || return 1
    log "ap: $ifc is a station of $VMESH_AP_SSID"
  fi
  run ip link set dev "$ifc" up
  run ip addr add "10.13.0.$VMESH_INDEX/16" dev "$ifc"
}
