#!/usr/bin/env bash
# Build the vmesh guest image (kernel + shared initramfs) from Debian packages.
#
# Host packages needed (nothing else on the host matters; every guest file comes
# from `apt-get download` + `dpkg-deb -x`):
#   apt (apt-get, apt-cache), dpkg (dpkg-deb), cpio, zstd, xz-utils, gzip,
#   kmod (depmod, modprobe, modinfo), coreutils, util-linux (flock), findutils, grep, sed,
#   mawk/gawk, tar, and make + gcc + strip (build-essential) for batman-adv (see
#   lib/batman-adv-module.sh; without them the image keeps Debian's module)
#
# Usage: build-image.sh [--agent PATH] [--cache-dir DIR] [--configs-dir DIR] [--quiet]
#   --agent PATH     static vmesh-agent binary to put in the image (default: $VMESH_AGENT,
#                    else no agent; radios are then created by mac80211_hwsim itself)
#   --cache-dir DIR  default ${VMESH_CACHE_DIR:-$HOME/.cache/vmesh}
#   --configs-dir DIR  the guest's settings and config templates, copied to /etc/vmesh/
#                    (default: $VMESH_CONFIGS_DIR, else configs/guest of this source tree)
# After a build only the ${VMESH_IMAGE_KEEP:-4} most recently used images are kept.
# Prints the image directory on stdout. It holds:
#   vmlinux          uncompressed kernel (PVH entry), what QEMU boots with -kernel
#   vmlinuz          the Debian bzImage it was extracted from
#   initramfs.img    shared initramfs (zstd-compressed newc cpio)
#   kernel-release   e.g. 6.1.0-56-amd64
#   manifest         every input of the content hash (package versions, file hashes)
#   batman-adv       which batman-adv module the image has (built without network coding,
#                    or Debian's and why)
# The image is cached by the hash of its inputs; a second call with the same inputs
# only resolves package versions and prints the cached path.
set -euo pipefail

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
readonly script_dir
readonly guest_dir="${script_dir}/guest"
readonly default_configs_dir="${script_dir}/../../configs/guest"
# shellcheck source=lib/debian-packages.sh
. "${script_dir}/lib/debian-packages.sh"
# shellcheck source=lib/batman-adv-module.sh
. "${script_dir}/lib/batman-adv-module.sh"

# Tools run inside the guest, with the Debian package that ships each one.
readonly tool_packages=(busybox-static dash iw wpasupplicant hostapd batctl babeld dropbear-bin
  iproute2 iperf3 wireless-regdb procps nftables)
# Paths (inside the packages) of the dynamically linked programs copied into the image.
readonly tool_binaries=(sbin/iw sbin/wpa_supplicant sbin/wpa_cli usr/sbin/hostapd
  usr/sbin/hostapd_cli usr/sbin/batctl usr/sbin/babeld usr/sbin/dropbear usr/bin/dropbearkey
  bin/ip sbin/bridge usr/bin/iperf3 bin/dash usr/bin/pgrep usr/bin/pkill usr/sbin/nft)
# Kernel modules wanted; their dependencies are added by modprobe --show-depends.
readonly wanted_modules=(mac80211_hwsim batman-adv virtio_net virtio_pci bridge sch_netem
  ccm gcm ctr cmac aes_generic aesni_intel ghash_generic gcm libarc4 qemu_fw_cfg veth
  vmw_vsock_virtio_transport virtio_console nft_chain_nat nft_masq)

log() { echo "build-image: $*" >&2; }
die() { echo "build-image: error: $*" >&2; exit 1; }

usage() {
  sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//' >&2
  exit 2
}

require_tools() {
  require_host_tools apt-get apt-cache dpkg-deb cpio zstd xz gzip depmod modprobe modinfo flock sha256sum od awk tar
}

# Hash of everything that decides the image's content.
write_manifest() {
  local versions="$1" agent="$2" configs="$3" kbuild_list="$4"
  echo "# vmesh guest image inputs"
  awk '{ print "package", $1, $2 }' "$versions"
  awk '{ print "kernel-build package", $1, $2 }' "$kbuild_list"
  (cd "$script_dir" && hash_files build-image.sh lib guest)
  (cd "$configs" && hash_files . | sed 's|^file \./|file configs/guest/|')
  if [[ -n "$agent" ]]; then
    echo "agent $(sha256sum <"$agent" | cut -d' ' -f1)"
  else
    echo "agent none"
  fi
}

# Uncompressed vmlinux out of a bzImage: the setup header says where the compressed
# payload is (payload_offset/payload_length, relative to the protected-mode code).
extract_vmlinux() {
  local bz="$1" out="$2" setup_sects offset length start magic
  [[ "$(od -An -c -j $((0x202)) -N4 "$bz" | tr -d ' ')" == "HdrS" ]] || die "$bz is not a bzImage"
  setup_sects=$(od -An -tu1 -j $((0x1f1)) -N1 "$bz" | tr -d ' ')
  ((setup_sects != 0)) || setup_sects=4
  offset=$(od -An -tu4 -j $((0x248)) -N4 "$bz" | tr -d ' ')
  length=$(od -An -tu4 -j $((0x24c)) -N4 "$bz" | tr -d ' ')
  start=$(((setup_sects + 1) * 512 + offset))
  magic=$(od -An -tx1 -j "$start" -N6 "$bz" | tr -d ' ')
  # The build appends the uncompressed size (4 bytes) after xz and zstd payloads.
  dd if="$bz" of="${out}.payload" iflag=skip_bytes,count_bytes skip="$start" count="$length" status=none
  case "$magic" in
    fd377a585a00) xz -dc --single-stream "${out}.payload" >"$out" ;;
    28b52ffd*) truncate -s -4 "${out}.payload" && zstd -dcq "${out}.payload" >"$out" ;;
    1f8b*) gzip -dc "${out}.payload" >"$out" ;;
    *) die "unknown kernel payload compression (magic ${magic})" ;;
  esac
  rm -f "${out}.payload"
  [[ "$(od -An -tx1 -N4 "$out" | tr -d ' ')" == "7f454c46" ]] || die "extracted vmlinux is not an ELF file"
}

# The guest's settings and templates: configs/guest/X goes to /etc/vmesh/X.
install_guest_configs() {
  local configs="$1" root="$2" f
  while read -r f; do
    install -D -m 0644 "${configs}/${f}" "${root}/etc/vmesh/${f}"
  done < <(cd "$configs" && find . -type f | sed 's|^\./||' | LC_ALL=C sort)
}

install_guest_files() {
  local stage="$1" root="$2" agent="$3" configs="$4"
  install -m 0755 "${guest_dir}/init" "${root}/init"
  install -D -m 0644 "${guest_dir}/lib.sh" "${root}/etc/vmesh/lib.sh"
  install -D -m 0755 "${guest_dir}/udhcpc.script" "${root}/etc/vmesh/udhcpc.script"
  local p
  for p in "${guest_dir}"/profiles/*.sh; do
    install -D -m 0644 "$p" "${root}/etc/vmesh/profiles/$(basename "$p")"
  done
  for p in "${guest_dir}"/init.d/*; do
    install -D -m 0755 "$p" "${root}/etc/init.d/$(basename "$p")"
  done
  # Commands in the router's form (logread with OpenWrt's options) replace busybox's links.
  for p in "${guest_dir}"/sbin/*; do
    rm -f "${root}/sbin/$(basename "$p")"
    install -D -m 0755 "$p" "${root}/sbin/$(basename "$p")"
  done
  install_guest_configs "$configs" "$root"
  install -D -m 0644 "${stage}/lib/firmware/regulatory.db-debian" "${root}/lib/firmware/regulatory.db"
  install -D -m 0644 "${stage}/lib/firmware/regulatory.db.p7s-debian" "${root}/lib/firmware/regulatory.db.p7s"
  if [[ -n "$agent" ]]; then
    install -D -m 0755 "$agent" "${root}/usr/bin/vmesh-agent"
  fi
  mkdir -p "${root}"/{dev,proc,sys,run,tmp,root/.ssh,etc/dropbear,var/log,var/lib,mnt}
  chmod 0700 "${root}/root" "${root}/root/.ssh"
  ln -sfn /run "${root}/var/run"
  # Login shell dash, not busybox ash: this busybox runs its own applets before $PATH,
  # so in ash "ip" would be busybox's ip, not iproute2's. SSH commands run in dash.
  # root's password is empty, in /etc/shadow as on OpenWrt: with an empty password field in
  # /etc/passwd itself, this busybox cannot map uid 0 to "root" (whoami, ls -l, id).
  printf 'root:x:0:0:root:/root:/bin/dash\n' >"${root}/etc/passwd"
  printf 'root::0:0:99999:7:::\n' >"${root}/etc/shadow"
  chmod 0600 "${root}/etc/shadow"
  printf 'root:x:0:\n' >"${root}/etc/group"
  printf '/bin/sh\n/bin/ash\n/bin/dash\n' >"${root}/etc/shells"
  printf 'export PATH=/usr/sbin:/usr/bin:/sbin:/bin\n' >"${root}/etc/profile"
  printf 'hosts: files\npasswd: files\ngroup: files\nshadow: files\n' >"${root}/etc/nsswitch.conf"
  printf '127.0.0.1 localhost\n' >"${root}/etc/hosts"
  # busybox init runs after /init has set the node up: it only reaps orphans and
  # handles poweroff/reboot.
  printf '::ctrlaltdel:/bin/busybox reboot\n::shutdown:/bin/busybox sync\n' >"${root}/etc/inittab"
}

build_image() {
  local debs_dir="$1" versions="$2" kpkg="$3" agent="$4" configs="$5" out="$6" kbuild_list="$7"
  local work="${out}/.work" stage kstage root kver
  stage="${work}/stage"; kstage="${work}/kernel"; root="${work}/root"
  mkdir -p "$root"
  kver="$(unpack_debs "$debs_dir" "$versions" "$kpkg" "$stage" "$kstage")"
  build_batman_adv_without_nc "$debs_dir" "$kbuild_list" "$kstage" "$kver" "$work" "${out}/batman-adv"

  install_busybox "$stage" "$root"
  local bin
  for bin in "${tool_binaries[@]}"; do
    install_program "$stage" "$root" "$bin"
  done
  install -D -m 0755 "${stage}/lib64/ld-linux-x86-64.so.2" "${root}/lib64/ld-linux-x86-64.so.2"
  install_modules "$kstage" "$root" "$kver" "${wanted_modules[@]}"
  install_guest_files "$stage" "$root" "$agent" "$configs"

  cp "${kstage}/boot/vmlinuz-${kver}" "${out}/vmlinuz"
  extract_vmlinux "${out}/vmlinuz" "${out}/vmlinux"
  echo "$kver" >"${out}/kernel-release"
  (cd "$root" && find . -mindepth 1 | LC_ALL=C sort |
    cpio --quiet -o -H newc -R 0:0 --reproducible) | zstd -q -T0 -10 >"${out}/initramfs.img"
  rm -rf "$work"
}

main() {
  local agent="${VMESH_AGENT:-}" cache_dir="${VMESH_CACHE_DIR:-${HOME}/.cache/vmesh}"
  local configs="${VMESH_CONFIGS_DIR:-${default_configs_dir}}"
  while (($# > 0)); do
    case "$1" in
      --agent) agent="${2:?--agent needs a path}"; shift 2 ;;
      --cache-dir) cache_dir="${2:?--cache-dir needs a path}"; shift 2 ;;
      --configs-dir) configs="${2:?--configs-dir needs a path}"; shift 2 ;;
      -h | --help) usage ;;
      *) die "unknown argument: $1 (try --help)" ;;
    esac
  done
  require_tools
  if [[ -n "$agent" ]]; then
    [[ -f "$agent" ]] || die "agent binary not found: ${agent}"
    agent="$(realpath "$agent")"
  fi
  [[ -f "${configs}/defaults.env" ]] || die "no guest configs in ${configs} (want defaults.env)"
  configs="$(realpath "$configs")"
  local debs_dir="${cache_dir}/debs" images_dir="${cache_dir}/images"
  mkdir -p "$debs_dir" "$images_dir"

  tmp_dir="$(mktemp -d)"
  trap 'rm -rf "$tmp_dir"' EXIT
  local tmp="$tmp_dir"
  resolve_packages "${cache_dir}/resolved" "${tmp}/versions" "${BASH_SOURCE[0]}" "${tool_packages[@]}"
  local kpkg
  kpkg="$(awk '$1 ~ /^linux-image-/ { print $1 }' "${tmp}/versions")"
  batman_build_list "$kpkg" "$(awk -v k="$kpkg" '$1 == k { print $2 }' "${tmp}/versions")" \
    >"${tmp}/kernel-build"
  write_manifest "${tmp}/versions" "$agent" "$configs" "${tmp}/kernel-build" >"${tmp}/manifest"

  # Called by cached_build with the directory to fill, holding the build lock.
  build_into() {
    fetch_debs "$debs_dir" "${tmp}/versions"
    log "building image ${image_dir##*/} (kernel package ${kpkg})"
    build_image "$debs_dir" "${tmp}/versions" "$kpkg" "$agent" "$configs" "$1" "${tmp}/kernel-build"
  }
  local start=$SECONDS
  cached_build "$cache_dir" "$images_dir" "${tmp}/manifest" build_into
  if ((image_built)); then
    prune_images "$images_dir" "${VMESH_IMAGE_KEEP:-4}"
    log "built ${image_dir} in $((SECONDS - start)) s ($(du -sh "${image_dir}/initramfs.img" | cut -f1) initramfs)"
  fi
  echo "$image_dir"
}

main "$@"
