# shellcheck shell=sh disable=SC2012  # sysfs names are plain words
# Helpers shared by the guest init and the profiles (busybox ash).
# Every step is logged to the console as "vmesh-init: ..." so the host can follow the boot,
# and to syslog (logread) with the tag vmesh-init.
# Settings and daemon config templates are data (configs/guest/ in the source tree, in
# $vmesh_etc in the image); the daemons' config files are rendered into $rendered_dir.

vmesh_etc=${vmesh_etc:-/etc/vmesh}
rendered_dir=${rendered_dir:-/run}

# Debian's busybox-static runs its own applets before searching $PATH: make "ip" mean
# iproute2's (netns, bridge and batman-adv link types need it).
ip() { /bin/ip "$@"; }

log() {
  echo "vmesh-init: $*" >/dev/console
  logger -t vmesh-init "$*"
}
fail() {
  echo "vmesh-init: error: $*" >/dev/console
  logger -t vmesh-init -p user.err "error: $*"
}

# Run a command, logging it when it fails; returns the command's status.
run() {
  "$@" >/tmp/run.out 2>&1
  rc=$?
  if [ "$rc" -ne 0 ]; then
    fail "'$*' exited $rc: $(head -c 300 /tmp/run.out | tr '\n' ' ')"
  fi
  return "$rc"
}

# Assign the KEY=VALUE lines of settings file $1 (blank lines and "#" comments skipped; the
# value is literal up to the end of the line, no quotes). With $2 = keep, a variable that
# is already non-empty keeps its value (node.conf and the command line win).
load_env() {
  while IFS= read -r line || [ -n "$line" ]; do
    case "$line" in '' | '#'*) continue ;; esac
    case "$line" in *=*) ;; *) fail "$1: not KEY=VALUE: $line"; continue ;; esac
    key=${line%%=*}
    case "$key" in '' | [0-9]* | *[!A-Za-z0-9_]*) fail "$1: bad name '$key'"; continue ;; esac
    if [ "${2:-}" = keep ] && eval "[ -n \"\${$key:-}\" ]"; then continue; fi
    eval "$key=\${line#*=}"
  done <"$1"
}

# Source profile $1's code ($vmesh_etc/profiles/$1.sh, which defines profile_up and
# PROFILE_RADIOS) and then its settings ($1.env, if any) under the values already set.
profile_load() {
  # shellcheck disable=SC2034  # read by /init once the profile is loaded
  PROFILE_RADIOS=1
  # shellcheck disable=SC1090  # one of profiles/*.sh
  . "$vmesh_etc/profiles/$1.sh" || return 1
  if [ -f "$vmesh_etc/profiles/$1.env" ]; then
    load_env "$vmesh_etc/profiles/$1.env" keep
  fi
}

# Render template $vmesh_etc/templates/$1 into $rendered_dir/$2 and print that path: each
# @NAME@ becomes VALUE for the NAME=VALUE arguments that follow (busybox sed; a value may
# hold any character but a newline). A placeholder no argument gives is an error, and
# nothing is written.
render_template() {
  template="$vmesh_etc/templates/$1"
  out="$rendered_dir/$2"
  shift 2
  names=" "
  for pair in "$@"; do
    shift
    names="$names${pair%%=*} "
    value=$(printf '%s\n' "${pair#*=}" | sed 's/[\\&|]/\\&/g')
    set -- "$@" -e "s|@${pair%%=*}@|$value|g"
  done
  for placeholder in $(grep -o '@[A-Z][A-Z0-9_]*@' "$template" | sort -u | tr -d @); do
    case "$names" in
      *" $placeholder "*) ;;
      *) fail "$template: no value for @$placeholder@"; return 1 ;;
    esac
  done
  if [ $# -eq 0 ]; then
    cat "$template" >"$out" || return 1
  else
    sed "$@" "$template" >"$out" || return 1
  fi
  echo "$out"
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

# bat0's settings for mesh interface $1: templates/batman-adv.conf.in rendered into
# batman-adv-$1.conf, whose "NAME VALUE" lines are each run as "batctl meshif bat0 NAME VALUE".
batman_settings() {
  conf=$(render_template batman-adv.conf.in "batman-adv-$1.conf" OGM_MS="$VMESH_OGM_MS") || return 1
  while read -r setting value; do
    [ -n "$setting" ] && run batctl meshif bat0 "$setting" "$value"
  done <"$conf"
}

# Waits up to 5 s for network interface $1 to appear (its driver probes in the background).
wait_for_nic() {
  i=0
  while [ ! -e "/sys/class/net/$1" ] && [ $i -lt 50 ]; do usleep 100000; i=$((i + 1)); done
  [ -e "/sys/class/net/$1" ]
}

ip_forwarding_on() { echo 1 >/proc/sys/net/ipv4/ip_forward; }

# A gateway's uplink (VMESH_GATEWAY=server): the second NIC, eth1, on its own user-mode
# network 10.100.0.0/24 with the default route, and the mesh's traffic masqueraded out of it.
uplink_nic=eth1
uplink_up() {
  wait_for_nic "$uplink_nic" || { fail "gateway: no uplink NIC $uplink_nic"; return 1; }
  run ip link set dev "$uplink_nic" up || return 1
  run ip addr add 10.100.0.15/24 dev "$uplink_nic" || return 1
  run ip route add default via 10.100.0.2 dev "$uplink_nic" || return 1
  conf=$(render_template nftables-gateway.conf.in nftables-gateway.conf UPLINK="$uplink_nic") || return 1
  run nft -f "$conf" || return 1
  ip_forwarding_on
  log "gateway: uplink $uplink_nic 10.100.0.15/24 via 10.100.0.2, mesh traffic masqueraded"
}

# batman-adv's gateway mode: a gateway announces itself (server), the others pick one
# (client); nothing without VMESH_GATEWAY.
batman_gateway_mode() {
  case "$VMESH_GATEWAY" in
    server) run batctl meshif bat0 gw_mode server 10mbit/10mbit ;;
    client) run batctl meshif bat0 gw_mode client ;;
  esac
}

# batman-adv on mesh interface $1, bat0 bridged into br-lan with address $2 (CIDR).
batman_bridge() {
  run batctl meshif bat0 interface add "$1" || return 1
  run ip link set dev bat0 address "$(bat0_mac "$1")" || return 1
  batman_settings "$1"
  batman_gateway_mode
  run ip link set dev bat0 up || return 1
  run ip link add name br-lan type bridge || return 1
  run ip link set dev bat0 master br-lan || return 1
  run ip addr add "$2" dev br-lan || return 1
  run ip link set dev br-lan up
}

# babeld's files, where routers keep them (/var/run is a link to /run; /init makes
# /run/babeld). One babeld per node; its config is rendered into $rendered_dir/babeld.conf.
babeld_pid=/run/babeld.pid
babeld_state=/run/babeld/state
babeld_log=/var/log/babeld.log

# babeld on mesh interface $1. It announces only the node's routed address 10.14.0.<index>/32
# (on lo): were it to announce br-lan's 10.13.0.0/16 addresses, its host routes over the
# mesh interface would bypass bat0 and break the bridged LAN.
babeld_start() {
  run ip addr add "10.14.0.$VMESH_INDEX/32" dev lo
  # templates/babeld.conf.in: the interface, hellos every 2 s (not 4) so that routes form
  # in seconds rather than a minute under TCG, only 10.14.0.0/16 host routes redistributed,
  # and the local interface on [::1]:33123 (read-write, as babeld -G 33123).
  conf=$(render_template babeld.conf.in babeld.conf IFACE="$1") || return 1
  babeld_gateway_lines "$conf" || return 1
  babeld_run
}

# Gateways: a gateway redistributes its uplink's default route; the others install the
# default route they learn with their routed address as source (wlan has no IPv4 address,
# and replies must come back over the mesh). IP forwarding: routes cross nodes.
babeld_gateway_lines() {
  case "$VMESH_GATEWAY" in
    server) extra=$(render_template babeld-gateway-server.conf.in babeld-gateway.conf) || return 1 ;;
    client)
      extra=$(render_template babeld-gateway-client.conf.in babeld-gateway.conf \
        SOURCE_IP="10.14.0.$VMESH_INDEX") || return 1
      ;;
    *) return 0 ;;
  esac
  cat "$extra" >>"$1"
  ip_forwarding_on
}

# Start babeld from its rendered config (/etc/init.d/babeld start does the same). babeld
# reads and then deletes its state file (-S) when it starts and writes it when it exits,
# so that a restarted babeld goes on with a higher sequence number.
babeld_run() {
  run babeld -D -c "$rendered_dir/babeld.conf" -I "$babeld_pid" -S "$babeld_state" \
    -L "$babeld_log"
}
