#!/usr/bin/env bash
# Boot one vmesh node under QEMU (TCG) in the background and print its PID.
# Development and test helper; the vmesh launcher builds the same command line
# (docs/guest-image.md).
#
# Usage: run-vm.sh --image DIR --index N --ssh-key PUBKEY_FILE --log FILE
#          [--name NAME] [--ssh-port PORT] [--relay HOST:PORT | --relay-serial PORT]
#          [--profile P] [--radios R]
#          [--channel C] [--key-via cmdline|fw_cfg] [--append "EXTRA KERNEL ARGS"] [--memory MB]
#          [--ssh-blank-password 0|1]
#   --ssh-port  host port forwarded from 127.0.0.1 to the guest's port 22 (default 2221+N)
#   --relay     relay address as seen from the guest, e.g. 10.0.2.2:8212 (starts vmesh-agent)
#   --relay-serial  the relay's TCP port on 127.0.0.1: QEMU connects a virtio-serial port to
#               it and the agent talks through that port (no guest TCP, no user-mode net)
#   --key-via   cmdline: settings and key on the kernel command line (default);
#               fw_cfg: settings and key in a per-node cpio passed as fw_cfg opt/vmesh/node.cpio
#   --ssh-blank-password  0: root logs in only with a key (the guest's default 1 also
#               lets a client without a key in, as OpenWrt's dropbear -B does)
# QEMU's stdout/stderr go to LOG.qemu; the serial console goes to LOG.
# Host packages needed: qemu-system-x86, cpio (fw_cfg mode), coreutils.
set -euo pipefail

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
readonly script_dir

die() { echo "run-vm: error: $*" >&2; exit 1; }
usage() { sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//' >&2; exit 2; }

# "ssh-ed25519 AAAA... comment" -> "ssh-ed25519,AAAA..." (no spaces on the command line).
cmdline_key() {
  local type blob
  read -r type blob _ <"$1" || true
  [[ -n "$type" && -n "$blob" ]] || die "cannot read an SSH public key from $1"
  echo "${type},${blob}"
}

main() {
  local image="" index="" key="" log="" name="" port="" relay="" profile="" radios=""
  local channel="" key_via=cmdline extra="" memory=256 relay_serial="" blank_password=""
  while (($# > 0)); do
    case "$1" in
      --image) image="${2:?}"; shift 2 ;;
      --index) index="${2:?}"; shift 2 ;;
      --ssh-key) key="${2:?}"; shift 2 ;;
      --log) log="${2:?}"; shift 2 ;;
      --name) name="${2:?}"; shift 2 ;;
      --ssh-port) port="${2:?}"; shift 2 ;;
      --relay) relay="${2:?}"; shift 2 ;;
      --relay-serial) relay_serial="${2:?}"; shift 2 ;;
      --profile) profile="${2:?}"; shift 2 ;;
      --radios) radios="${2:?}"; shift 2 ;;
      --channel) channel="${2:?}"; shift 2 ;;
      --key-via) key_via="${2:?}"; shift 2 ;;
      --append) extra="${2?}"; shift 2 ;;
      --memory) memory="${2:?}"; shift 2 ;;
      --ssh-blank-password) blank_password="${2:?}"; shift 2 ;;
      -h | --help) usage ;;
      *) die "unknown argument: $1 (try --help)" ;;
    esac
  done
  [[ -n "$image" && -f "${image}/vmlinux" && -f "${image}/initramfs.img" ]] ||
    die "--image DIR must hold vmlinux and initramfs.img (build-image.sh prints it)"
  [[ "$index" =~ ^[0-9]+$ ]] || die "--index N is required"
  [[ -f "$key" ]] || die "--ssh-key PUBKEY_FILE is required"
  [[ -n "$log" ]] || die "--log FILE is required"
  command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 not found (apt-get install qemu-system-x86)"
  port="${port:-$((2221 + index))}"
  local serial_args=()
  if [[ -n "$relay_serial" ]]; then
    [[ -z "$relay" ]] || die "--relay and --relay-serial exclude each other"
    [[ "$relay_serial" =~ ^[0-9]+$ ]] || die "--relay-serial needs the relay's TCP port"
    relay="serial"
    # Same controller options as kRelaySerialController in launcher/run_plan.hpp.
    serial_args=(-device "virtio-serial-pci,ioeventfd=off,max_ports=2,vectors=7"
      -chardev "socket,id=relay,host=127.0.0.1,port=${relay_serial},reconnect=1,nodelay=on"
      -device "virtserialport,chardev=relay,name=vmesh.relay")
  fi
  name="${name:-vmesh${index}}"

  # As kGuestCmdline and kTcgGuestCmdline in launcher/plan/run_plan.hpp (this runs TCG).
  local append="console=ttyS0 quiet random.trust_cpu=on init_on_alloc=0 no_timer_check panic=-1 mitigations=off vmesh.index=${index}"
  local fw_cfg=()
  case "$key_via" in
    cmdline)
      append+=" vmesh.name=${name} vmesh.sshkey=$(cmdline_key "$key")"
      [[ -z "$relay" ]] || append+=" vmesh.relay=${relay}"
      [[ -z "$profile" ]] || append+=" vmesh.profile=${profile}"
      [[ -z "$radios" ]] || append+=" vmesh.radios=${radios}"
      [[ -z "$channel" ]] || append+=" vmesh.channel=${channel}"
      [[ -z "$blank_password" ]] || append+=" vmesh.sshblank=${blank_password}"
      ;;
    fw_cfg)
      local args=(--out "${log}.node.cpio" --index "$index" --name "$name" --ssh-key "$key")
      [[ -z "$relay" ]] || args+=(--relay "$relay")
      [[ -z "$profile" ]] || args+=(--profile "$profile")
      [[ -z "$radios" ]] || args+=(--radios "$radios")
      [[ -z "$channel" ]] || args+=(--channel "$channel")
      [[ -z "$blank_password" ]] || args+=(--ssh-blank-password "$blank_password")
      bash "${script_dir}/make-node-cpio.sh" "${args[@]}"
      fw_cfg=(-fw_cfg "name=opt/vmesh/node.cpio,file=${log}.node.cpio")
      ;;
    *) die "--key-via must be cmdline or fw_cfg" ;;
  esac
  [[ -z "$extra" ]] || append+=" ${extra}"

  : >"$log"
  # -erms: TCG runs rep movsb one byte per iteration (see kTcgCpuModel in launcher/run_plan.hpp).
  qemu-system-x86_64 \
    -nodefaults -no-user-config -display none -no-reboot \
    -machine pc -accel tcg,thread=multi -cpu max,-erms,-fsrm -smp 1 -m "$memory" \
    -kernel "${image}/vmlinux" -initrd "${image}/initramfs.img" -append "$append" \
    -netdev "user,id=net0,hostfwd=tcp:127.0.0.1:${port}-:22" \
    -device virtio-net-pci,netdev=net0,romfile= \
    -serial "file:${log}" \
    "${fw_cfg[@]}" "${serial_args[@]}" \
    </dev/null >"${log}.qemu" 2>&1 &
  echo $!
}

main "$@"
