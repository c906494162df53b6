#!/usr/bin/env bash
# Build the vmesh test firmware: a self-booting x86-64 disk made only from Debian packages
# that behaves like an OpenWrt/LibreMesh image (its own bootloader, kernel, init and
# vwifi-client), for the launcher's support of users' own firmware images.
#
# Host packages needed: apt (apt-get, apt-cache), dpkg (dpkg-deb), cpio, gzip, kmod (depmod,
# modprobe), e2fsprogs (mke2fs -d; debugfs when not run as root), coreutils, util-linux
# (flock), findutils, grep, sed, mawk/gawk. mkfs.fat, mtools and the syslinux installer are
# run out of their unpacked Debian packages (dosfstools, mtools, syslinux, syslinux-common).
#
# Usage: build-test-firmware.sh --agent PATH [--cache-dir DIR] [--quiet]
#   --agent PATH     static vmesh-agent binary, installed as /usr/bin/vmesh-agent
#   --cache-dir DIR  default ${VMESH_CACHE_DIR:-$HOME/.cache/vmesh} (packages are shared
#                    with build-image.sh in DIR/debs; firmware images go to DIR/firmware)
#   --quiet          nothing on stderr unless the build fails (then its whole log)
# After a build only the ${VMESH_IMAGE_KEEP:-4} most recently used firmware images are kept.
# Prints the image directory on stdout. It holds:
#   firmware.img              raw disk: MBR (syslinux mbr.bin) + partition 1 FAT16 (syslinux,
#                             the Debian kernel, a small initrd) + partition 2 ext4 root
#   firmware.img.vmesh.toml   the image's recipe for the launcher (configs/images/test-firmware.toml)
#   manifest                  every input of the content hash
# Boots with: qemu-system-x86_64 -machine q35 -m 256 -drive file=firmware.img,if=virtio,format=raw
# and three virtio-net NICs (eth0 LAN in br-lan 10.13.0.1/16, eth1 unused, eth2 DHCP towards
# the relay); see docs/test-firmware.md.
set -euo pipefail

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
readonly script_dir
readonly firmware_dir="${script_dir}/firmware"
readonly recipe="${script_dir}/../../configs/images/test-firmware.toml"
# shellcheck source=lib/debian-packages.sh
. "${script_dir}/lib/debian-packages.sh"

# Packages whose files go into the root (busybox-static, dropbear-bin, iw, batctl,
# wireless-regdb) or build the boot partition (the rest); their libraries come with them.
readonly firmware_packages=(busybox-static dropbear-bin iw batctl wireless-regdb
  dosfstools mtools syslinux syslinux-common)
readonly root_binaries=(usr/sbin/dropbear usr/bin/dropbearkey sbin/iw usr/sbin/batctl)
# Kernel modules of the root (with their dependencies) and of the initrd (root disk only).
readonly root_modules=(mac80211_hwsim batman-adv bridge virtio_net virtio_pci virtio_blk ext4
  crc32c_generic)
readonly initrd_modules=(virtio_pci virtio_blk ext4 crc32c_generic)
# Disk layout in MiB: partition 1 (FAT16, bootable) from 1 MiB, partition 2 (ext4) after it.
readonly boot_start_mib=1 boot_size_mib=32 root_size_mib=95

quiet=0
log() { ((quiet)) || echo "build-test-firmware: $*" >&2; }
die() { echo "build-test-firmware: error: $*" >&2; exit 1; }

usage() {
  sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//' >&2
  exit 2
}

require_tools() {
  local tools=(apt-get apt-cache dpkg-deb cpio gzip depmod modprobe mke2fs flock sha256sum awk)
  ((EUID == 0)) || tools+=(debugfs)
  require_host_tools "${tools[@]}"
}

# Hash of everything that decides the image's content.
write_manifest() {
  local versions="$1" agent="$2"
  echo "# vmesh test firmware inputs"
  awk '{ print "package", $1, $2 }' "$versions"
  (cd "$script_dir" && hash_files build-test-firmware.sh lib firmware)
  echo "file configs/images/test-firmware.toml $(sha256sum <"$recipe" | cut -d' ' -f1)"
  echo "agent $(sha256sum <"$agent" | cut -d' ' -f1)"
  echo "host $(mke2fs -V 2>&1 | head -n 1)"
}

# Wrappers in $3 that run programs of the unpacked packages ($2) with the packages' own ELF
# interpreter and libraries, so the host needs neither dosfstools, mtools nor syslinux.
# The syslinux installer runs mtools commands by name: the wrappers go first in PATH.
# mtools is one binary that acts on its argv[0] (mcopy, mattrib, ...).
make_tool_wrappers() {
  local stage="$1" bin="$2" name target
  local libpath="${stage}/lib/x86_64-linux-gnu:${stage}/usr/lib/x86_64-linux-gnu"
  mkdir -p "$bin"
  for name in mkfs.fat syslinux mtools mcopy mattrib mmove mdel mdir; do
    case "$name" in
      mkfs.fat) target=sbin/mkfs.fat ;;
      syslinux) target=usr/bin/syslinux ;;
      *) target=usr/bin/mtools ;;
    esac
    [[ -f "${stage}/${target}" ]] || die "${target} not found in the unpacked packages"
    printf '#!/usr/bin/env bash\nexec %q --library-path %q --argv0 %q %q "$@"\n' \
      "${stage}/lib64/ld-linux-x86-64.so.2" "$libpath" "$name" "${stage}/${target}" >"${bin}/${name}"
    chmod 0755 "${bin}/${name}"
  done
}

# The initrd: static busybox, the root disk's modules and initrd-init as /init.
build_initrd() {
  local stage="$1" kstage="$2" kver="$3" dir="$4" out="$5"
  mkdir -p "$dir"
  install_busybox "$stage" "$dir"
  install_modules "$kstage" "$dir" "$kver" "${initrd_modules[@]}"
  install -m 0755 "${firmware_dir}/initrd-init" "${dir}/init"
  (cd "$dir" && find . -mindepth 1 | LC_ALL=C sort |
    cpio --quiet -o -H newc -R 0:0 --reproducible) | gzip -9 -n >"$out"
}

# The root file system's tree: programs, modules, firmware/root/ and the agent.
build_root_tree() {
  local stage="$1" kstage="$2" kver="$3" agent="$4" root="$5" f bin
  install_busybox "$stage" "$root"
  for bin in "${root_binaries[@]}"; do
    install_program "$stage" "$root" "$bin"
  done
  install -D -m 0755 "${stage}/lib64/ld-linux-x86-64.so.2" "${root}/lib64/ld-linux-x86-64.so.2"
  install_modules "$kstage" "$root" "$kver" "${root_modules[@]}"
  # The kernel reads the signed regulatory database under its plain name.
  install -D -m 0644 "${stage}/lib/firmware/regulatory.db-debian" "${root}/lib/firmware/regulatory.db"
  install -D -m 0644 "${stage}/lib/firmware/regulatory.db.p7s-debian" "${root}/lib/firmware/regulatory.db.p7s"
  # firmware/root/: executable files stay executable, the rest is 0644.
  while read -r f; do
    if [[ -x "${firmware_dir}/root/${f}" ]]; then
      install -D -m 0755 "${firmware_dir}/root/${f}" "${root}/${f}"
    else
      install -D -m 0644 "${firmware_dir}/root/${f}" "${root}/${f}"
    fi
  done < <(cd "${firmware_dir}/root" && find . -type f | sed 's|^\./||' | LC_ALL=C sort)
  chmod 0600 "${root}/etc/shadow"
  install -D -m 0755 "$agent" "${root}/usr/bin/vmesh-agent"
  mkdir -p "${root}"/{dev,proc,sys,tmp,root,etc/dropbear,mnt}
  chmod 0700 "${root}/root" "${root}/etc/dropbear"
  chmod 1777 "${root}/tmp"
  # As on OpenWrt, /var is /tmp (a tmpfs from rcS).
  ln -sfn tmp "${root}/var"
}

# ext4 image $2 (MiB size $3) holding tree $1, made without mounting anything. As non-root,
# mke2fs -d copies the builder's uid and gid: debugfs then gives every inode to root.
make_root_fs() {
  local tree="$1" out="$2" size_mib="$3" path
  mke2fs -q -F -t ext4 -L vmesh-root -E root_owner=0:0 -d "$tree" "$out" "${size_mib}M" >/dev/null ||
    die "mke2fs failed"
  if ((EUID != 0)); then
    (cd "$tree" && find . -mindepth 1 | sed 's|^\.||') | while read -r path; do
      printf 'sif "%s" uid 0\nsif "%s" gid 0\n' "$path" "$path"
    done >"${out}.debugfs"
    debugfs -w -f "${out}.debugfs" "$out" >/dev/null 2>&1 || die "debugfs could not set owners"
    rm -f "${out}.debugfs"
  fi
}

# FAT16 image $2 (MiB size $3) starting $4 sectors into the disk, with syslinux installed
# and the kernel, initrd and syslinux.cfg of directory $1. Tools from make_tool_wrappers.
make_boot_fs() {
  local files="$1" out="$2" size_mib="$3" hidden="$4" f
  rm -f "$out"
  # -h: sectors before the partition (the boot sector adds them to find ldlinux.sys);
  # -i: fixed volume id, so that the same inputs give the same bytes.
  mkfs.fat -C -F 16 -n VMESHBOOT -i 766d6573 -h "$hidden" "$out" $((size_mib * 1024)) >/dev/null ||
    die "mkfs.fat failed"
  MTOOLS_SKIP_CHECK=1 syslinux --install "$out" || die "syslinux --install failed"
  for f in vmlinuz initrd.img syslinux.cfg ldlinux.c32; do
    MTOOLS_SKIP_CHECK=1 mcopy -o -i "$out" "${files}/${f}" "::/${f}" || die "mcopy ${f} failed"
  done
}

# Four little-endian bytes of $1, as printf %b escapes.
le32() {
  printf '\\x%02x\\x%02x\\x%02x\\x%02x' $(($1 & 255)) $((($1 >> 8) & 255)) \
    $((($1 >> 16) & 255)) $((($1 >> 24) & 255))
}

# One MBR partition entry: bootable flag, type, first sector, sector count (LBA only; the
# CHS fields say "beyond CHS", as for any partition past 8 GB).
mbr_entry() {
  local flag="$1" type="$2" first="$3" count="$4"
  printf '%b' "\\x${flag}\\xfe\\xff\\xff\\x${type}\\xfe\\xff\\xff$(le32 "$first")$(le32 "$count")"
}

# The disk: syslinux's MBR code, a fixed disk signature, two partitions, then each file
# system written at its partition's offset.
assemble_disk() {
  local mbr="$1" boot="$2" root="$3" out="$4"
  local sector_mib=2048 boot_first boot_count root_first root_count
  boot_first=$((boot_start_mib * sector_mib))
  boot_count=$((boot_size_mib * sector_mib))
  root_first=$((boot_first + boot_count))
  root_count=$((root_size_mib * sector_mib))
  rm -f "$out"
  truncate -s $(((root_first + root_count) * 512)) "$out"
  dd if="$mbr" of="$out" bs=440 count=1 conv=notrunc status=none
  {
    printf '%b' "$(le32 $((0x73656d76)))\\x00\\x00"
    mbr_entry 80 0e "$boot_first" "$boot_count"
    mbr_entry 00 83 "$root_first" "$root_count"
    head -c 32 /dev/zero
    printf '%b' '\x55\xaa'
  } | dd of="$out" bs=1 seek=440 conv=notrunc status=none
  dd if="$boot" of="$out" bs=1M seek="$boot_start_mib" conv=notrunc,sparse status=none
  dd if="$root" of="$out" bs=1M seek=$((boot_start_mib + boot_size_mib)) conv=notrunc,sparse status=none
}

build_firmware() {
  local debs_dir="$1" versions="$2" kpkg="$3" agent="$4" out="$5"
  local work="${out}/.work" stage kstage kver
  stage="${work}/stage"; kstage="${work}/kernel"
  kver="$(unpack_debs "$debs_dir" "$versions" "$kpkg" "$stage" "$kstage")"
  local boot_files="${work}/boot"
  mkdir -p "$boot_files"
  cp "${kstage}/boot/vmlinuz-${kver}" "${boot_files}/vmlinuz"
  cp "${stage}/usr/lib/syslinux/modules/bios/ldlinux.c32" "${boot_files}/"
  cp "${firmware_dir}/syslinux.cfg" "${boot_files}/syslinux.cfg"
  build_initrd "$stage" "$kstage" "$kver" "${work}/initrd" "${boot_files}/initrd.img"
  build_root_tree "$stage" "$kstage" "$kver" "$agent" "${work}/root"
  make_root_fs "${work}/root" "${work}/root.ext4" "$root_size_mib"
  make_tool_wrappers "$stage" "${work}/bin"
  PATH="${work}/bin:${PATH}" make_boot_fs "$boot_files" "${work}/boot.fat" "$boot_size_mib" \
    $((boot_start_mib * 2048))
  assemble_disk "${stage}/usr/lib/syslinux/mbr/mbr.bin" "${work}/boot.fat" "${work}/root.ext4" \
    "${out}/firmware.img"
  cp "$recipe" "${out}/firmware.img.vmesh.toml"
  log "kernel ${kver}: vmlinuz $(du -h "${boot_files}/vmlinuz" | cut -f1), initrd $(du -h "${boot_files}/initrd.img" | cut -f1), root $(du -sh "${work}/root" | cut -f1)"
  rm -rf "$work"
}

main() {
  local agent="" cache_dir="${VMESH_CACHE_DIR:-${HOME}/.cache/vmesh}"
  while (($# > 0)); do
    case "$1" in
      --agent) agent="${2:?--agent needs a path}"; shift 2 ;;
      --cache-dir) cache_dir="${2:?--cache-dir needs a path}"; shift 2 ;;
      --quiet) quiet=1; shift ;;
      -h | --help) usage ;;
      *) die "unknown argument: $1 (try --help)" ;;
    esac
  done
  [[ -n "$agent" ]] || die "--agent PATH is required (the static vmesh-agent, vwifi-client's stand-in)"
  [[ -f "$agent" ]] || die "agent binary not found: ${agent}"
  agent="$(realpath "$agent")"
  [[ -f "$recipe" ]] || die "recipe not found: ${recipe}"
  tmp_dir="$(mktemp -d)"
  if ((quiet)); then
    # Keep the log; show it only if the build fails.
    exec 3>&2 2>"${tmp_dir}/log"
    trap 'rc=$?; ((rc == 0)) || cat "${tmp_dir}/log" >&3; rm -rf "$tmp_dir"' EXIT
  else
    trap 'rm -rf "$tmp_dir"' EXIT
  fi
  require_tools
  local debs_dir="${cache_dir}/debs" images_dir="${cache_dir}/firmware" tmp="$tmp_dir"
  mkdir -p "$debs_dir" "$images_dir"
  resolve_packages "${cache_dir}/resolved" "${tmp}/versions" "${BASH_SOURCE[0]}" "${firmware_packages[@]}"
  local kpkg
  kpkg="$(awk '$1 ~ /^linux-image-/ { print $1 }' "${tmp}/versions")"
  write_manifest "${tmp}/versions" "$agent" >"${tmp}/manifest"

  # Called by cached_build with the directory to fill, holding the build lock.
  build_into() {
    fetch_debs "$debs_dir" "${tmp}/versions"
    log "building firmware ${image_dir##*/} (kernel package ${kpkg})"
    build_firmware "$debs_dir" "${tmp}/versions" "$kpkg" "$agent" "$1"
  }
  local start=$SECONDS
  cached_build "$cache_dir" "$images_dir" "${tmp}/manifest" build_into
  if ((image_built)); then
    prune_images "$images_dir" "${VMESH_IMAGE_KEEP:-4}"
    log "built ${image_dir} in $((SECONDS - start)) s (firmware.img $(du -h "${image_dir}/firmware.img" | cut -f1) used of $(du -h --apparent-size "${image_dir}/firmware.img" | cut -f1))"
  fi
  echo "$image_dir"
}

main "$@"
