#!/usr/bin/env bash
# Write the small per-node cpio (newc) that carries one node's settings and SSH key.
# The guest init reads /etc/vmesh/node.conf from it; kernel command line vmesh.* values win.
# Deliver it without copying the shared initramfs, through QEMU fw_cfg:
#   -fw_cfg name=opt/vmesh/node.cpio,file=node.cpio
# (or append it to a copy of initramfs.img: Linux unpacks concatenated archives).
#
# Usage: make-node-cpio.sh --out FILE --index N [--name NAME] [--mac-prefix XX:XX:XX:XX:XX]
#          [--channel C] [--profile P] [--relay RELAY] [--radios R] [--ssh-key PUBKEY_FILE]
#          [--ssh-blank-password 0|1] [--set VMESH_NAME=VALUE ...]
#   --relay  HOST:PORT (TCP through QEMU user-mode net), vsock[:PORT] or serial[:NAME]
#            (a virtio-serial port whose host end QEMU connects to the relay), or vhost-user
#            (no agent: mac80211_hwsim's virtio device, served by the relay through QEMU)
#   --ssh-blank-password  1 (the guest's default): root logs in without a key, as on
#            OpenWrt; 0: only with an authorized key (VMESH_SSH_BLANK_PASSWORD in node.conf)
#   --set    any other guest setting (VMESH_AP_SSID=..., VMESH_GATEWAY=server; see
#            configs/guest/); the value may hold any character but a newline
# Host packages needed: cpio, coreutils.
set -euo pipefail

die() { echo "make-node-cpio: error: $*" >&2; exit 1; }
usage() { sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//' >&2; exit 2; }

# Single-quote a value for a POSIX shell.
shell_quote() { printf "'%s'" "${1//\'/\'\\\'\'}"; }

main() {
  local out="" key="" name
  local -A conf=()
  while (($# > 0)); do
    case "$1" in
      --out) out="${2:?}"; shift 2 ;;
      --index) conf[VMESH_INDEX]="${2:?}"; shift 2 ;;
      --name) conf[VMESH_NAME]="${2:?}"; shift 2 ;;
      --mac-prefix) conf[VMESH_MAC_PREFIX]="${2:?}"; shift 2 ;;
      --channel) conf[VMESH_CHANNEL]="${2:?}"; shift 2 ;;
      --profile) conf[VMESH_PROFILE]="${2:?}"; shift 2 ;;
      --relay) conf[VMESH_RELAY]="${2:?}"; shift 2 ;;
      --radios) conf[VMESH_RADIOS]="${2:?}"; shift 2 ;;
      --ssh-key) key="${2:?}"; shift 2 ;;
      --ssh-blank-password) conf[VMESH_SSH_BLANK_PASSWORD]="${2:?}"; shift 2 ;;
      --set)
        [[ "${2:?}" =~ ^VMESH_[A-Z0-9_]+= ]] || die "--set takes VMESH_NAME=VALUE, got: $2"
        [[ "$2" != *$'\n'* ]] || die "--set ${2%%=*}: the value holds a newline"
        conf[${2%%=*}]="${2#*=}"
        shift 2
        ;;
      -h | --help) usage ;;
      *) die "unknown argument: $1 (try --help)" ;;
    esac
  done
  [[ -n "$out" ]] || die "--out FILE is required"
  [[ "${conf[VMESH_SSH_BLANK_PASSWORD]:-1}" =~ ^[01]$ ]] || die "--ssh-blank-password takes 0 or 1"
  [[ "${conf[VMESH_INDEX]:-}" =~ ^[0-9]+$ ]] || die "--index N (a number) is required"
  command -v cpio >/dev/null || die "cpio is not installed"
  node_root="$(mktemp -d)"
  trap 'rm -rf "$node_root"' EXIT
  local root="$node_root"
  mkdir -p "${root}/etc/vmesh" "${root}/root/.ssh"
  chmod 0700 "${root}/root" "${root}/root/.ssh"
  for name in $(printf '%s\n' "${!conf[@]}" | sort); do
    echo "${name}=$(shell_quote "${conf[$name]}")"
  done >"${root}/etc/vmesh/node.conf"
  if [[ -n "$key" ]]; then
    [[ -f "$key" ]] || die "SSH public key not found: ${key}"
    grep -q '^ssh-\|^ecdsa-' "$key" || die "${key} does not look like an SSH public key"
    install -m 0600 "$key" "${root}/root/.ssh/authorized_keys"
  fi
  (cd "$root" && find . -mindepth 1 | LC_ALL=C sort | cpio --quiet -o -H newc -R 0:0) >"$out"
}

main "$@"
