# shellcheck shell=sh disable=SC2034  # variables are read by /init
# Profile "sta": a station of an access point (profile "ap"): wpa_supplicant joins
# VMESH_AP_SSID with VMESH_AP_SECURITY and VMESH_AP_PSK, udhcpc asks for 10.13.0.<index>.
# shellcheck source=profiles/ap.sh disable=SC2154  # vmesh_etc: set by lib.sh
. "$vmesh_etc/profiles/ap.sh"
VMESH_AP_ROLE=sta
if [ -f "$vmesh_etc/profiles/ap.env" ]; then
  load_env "$vmesh_etc/profiles/ap.env" keep
fi
