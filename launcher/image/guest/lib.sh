# shellcheck shell=sh disable=SC2012  # sysfs names are plain words
# Helpers shared by the guest init and the profiles (busybox ash).
# Every step is logged to the console as "vmesh-init: ..." so the host can follow the boot.

# Debian's busybox-static runs its own applets before searching $PATH: make "ip" mean
# iproute2's (netns, bridge and batman-adv link types need it).
ip() { /bin/ip "$@"; }

log() { echo "vmesh-init: $*" >/dev/console; }
fail() { echo "vmesh-init: error: $*" >/dev/console; }

# Run a command, logging it when it fails; returns the command's status.
run() {
  "$@" >/tmp/run.out 2>&1
  rc=$?
  if [ "$rc" -ne 0 ]; then
    fail "'$*' exited $rc: $(head -c 300 /tmp/run.out | tr '\n' ' ')"
  fi
  return "$rc"
}

hex2() { printf '%02x' "$1"; }

# 2.4 GHz channel number -> centre frequency in MHz.
channel_freq() {
  if [ "$1" -eq 14 ]; then echo 2484; else echo $((2407 + 5 * $1)); fi
}

# Permanent address of radio $1 (0-based) of this node: MAC prefix + radio as 2 hex digits.
radio_mac() { echo "${VMESH_MAC_PREFIX}:$(hex2 "$1")"; }

# Name of the wireless interface of radio $1 (radios are numbered in phy creation order).
radio_phy() {
  ls /sys/class/ieee80211 2>/dev/null | sed 's/^phy//' | sort -n | sed -n "$(($1 + 1))p" | sed 's/^/phy/'
}
radio_iface() {
  phy=$(radio_phy "$1")
  [ -n "$phy" ] || return 1
  ls "/sys/class/ieee80211/$phy/device/net" 2>/dev/null | head -n1
}

# Give interface $1 the scheme address of radio $2 (needed when mac80211_hwsim made the
# radios itself: its own addresses are the same on every VM).
set_radio_mac() {
  mac=$(radio_mac "$2")
  if [ "$(cat "/sys/class/net/$1/address")" != "$mac" ]; then
    run ip link set dev "$1" address "$mac"
  fi
}

# 802.11s mesh point on interface $1 (in the current netns), joined to $VMESH_MESH_ID.
mesh_join() {
  run iw dev "$1" set type mp || return 1
  run ip link set dev "$1" mtu 1560 || return 1
  run ip link set dev "$1" up || return 1
  run iw dev "$1" mesh join "$VMESH_MESH_ID" freq "$(channel_freq "$VMESH_CHANNEL")" HT20 || return 1
  # batman-adv does the routing: no 802.11s forwarding (HWMP) underneath it.
  run iw dev "$1" set mesh_param mesh_fwding 0
}

# bat0's address: the mesh interface $1's address with bit 0x04 of the first octet flipped
# (02:00:00:00:03:00 -> 06:00:00:00:03:00). batman-adv would pick a random one at every
# boot; a node that reboots would then come back under a new br-lan address while its
# neighbours' ARP caches and batman-adv's distributed ARP table (entries live 5 minutes)
# still answer with the old one, and traffic to it is lost until they expire.
bat0_mac() {
  mac=$(cat "/sys/class/net/$1/address") || return 1
  printf '%02x:%s\n' $((0x${mac%%:*} ^ 0x04)) "${mac#*:}"
}

# batman-adv on mesh interface $1, bat0 bridged into br-lan with address $2 (CIDR).
batman_bridge() {
  run batctl meshif bat0 interface add "$1" || return 1
  run ip link set dev bat0 address "$(bat0_mac "$1")" || return 1
  run batctl meshif bat0 bridge_loop_avoidance 0
  run batctl meshif bat0 orig_interval "$VMESH_OGM_MS"
  run ip link set dev bat0 up || return 1
  run ip link add name br-lan type bridge || return 1
  run ip link set dev bat0 master br-lan || return 1
  run ip addr add "$2" dev br-lan || return 1
  run ip link set dev br-lan up
}

# babeld on interface $1 ($2 tags its pid/state/log files). It announces only the node's
# routed address 10.14.0.<index>/32 (on lo): were it to announce br-lan's 10.13.0.0/16
# addresses, its host routes over the mesh interface would bypass bat0 and break the
# bridged LAN.
babeld_start() {
  run ip addr add "10.14.0.$VMESH_INDEX/32" dev lo
  # Hellos every 2 s (not 4): routes form in seconds rather than a minute under TCG.
  cat >"/run/babeld-$2.conf" <<CONF
default hello-interval 2
redistribute local ip 10.14.0.0/16 le 32 allow
redistribute local deny
CONF
  run babeld -D -c "/run/babeld-$2.conf" -I "/run/babeld-$2.pid" -S "/run/babeld-$2.state" \
    -L "/var/log/babeld-$2.log" "$1"
}
