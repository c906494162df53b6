# shellcheck shell=sh
# Bring one profile up with every system command stubbed, so that only the files it
# renders are real (run by guest_config_test.sh under sh or the image's busybox sh).
# Usage: sh render_profile.sh ETC_DIR OUT_DIR LOG PROFILE INDEX CHANNEL [NODE_CONF]
#   ETC_DIR    the guest's /etc/vmesh (lib.sh, defaults.env, profiles/, templates/)
#   OUT_DIR    where the daemons' config files are rendered (/run in the guest)
#   LOG        every stubbed command is appended here
#   NODE_CONF  shell assignments read like the per-node cpio's node.conf

vmesh_etc=$1
rendered_dir=$2
command_log=$3
# shellcheck source-path=SCRIPTDIR/../../../launcher/image/guest source=lib.sh
. "$vmesh_etc/lib.sh"

run() { echo "run $*" >>"$command_log"; }
fail() { echo "fail $*" >>"$command_log"; }
log() { :; }
usleep() { :; }
wait_for_nic() { :; }
ip_forwarding_on() { echo "ip_forwarding_on" >>"$command_log"; }
radio_iface() { echo "wlan$1"; }
radio_phy() { echo "phy$1"; }
bat0_mac() { echo "06:00:00:00:$(hex2 "$VMESH_INDEX"):00"; }
iw() { echo "type mesh point"; }
ip() {
  case "$*" in
    "netns exec peer ls"*) echo wlan1 ;;
    *) echo "ip $*" >>"$command_log" ;;
  esac
}

# As /init: defaults, then node.conf, then the profile with its settings.
load_env "$vmesh_etc/defaults.env"
VMESH_PROFILE=$4
VMESH_INDEX=$5
VMESH_CHANNEL=$6
if [ -n "${7:-}" ]; then
  # shellcheck disable=SC1090  # written by the test
  . "$7"
fi
profile_load "$VMESH_PROFILE" || exit 1
# /init brings a gateway's uplink up with the network, before the profile.
if [ "${VMESH_GATEWAY:-}" = server ]; then uplink_up || exit 1; fi
profile_up
