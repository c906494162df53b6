# batman-adv without network coding, built for the image's kernel from Debian's own kernel
# source and headers (same version as the kernel package).
#
# Why: Debian builds batman-adv with CONFIG_BATMAN_ADV_NC=y. Its worker re-arms every 10 ms
# for each mesh interface, even with network coding switched off (no runtime switch stops
# it), so every idle guest wakes ~63 times a second. Under TCG that is most of an idle
# node's cost: 8.1 % of a host CPU per node with Debian's module, 1.9 % with this one
# (2-node mesh, 20 s of QEMU CPU time each). OpenWrt's kmod-batman-adv also leaves network
# coding off by default, so the guest is closer to firmware too.
#
# If the packages cannot be fetched or the module does not build, the image keeps Debian's
# module and says so (build log and the image's batman-adv file): the default image must
# always build. Source it (bash); the caller defines log and die, and sources
# debian-packages.sh (fetch_debs).
# shellcheck shell=bash

# batman_build_list KERNEL_PACKAGE VERSION: "package version deb-file" lines of the kernel
# source, headers and kbuild packages matching the kernel package. They come from the same
# Debian source package, so name and version follow from the kernel's; no apt-cache call.
batman_build_list() {
  local kpkg="$1" version="$2" kver series file_version
  kver="${kpkg#linux-image-}"            # 6.1.0-57-amd64
  series="$(cut -d. -f1,2 <<<"$version")"  # 6.1.192-3 -> 6.1
  file_version="${version//:/%3a}"
  printf '%s %s %s\n' \
    "linux-source-${series}" "$version" "linux-source-${series}_${file_version}_all.deb" \
    "linux-headers-${kver}" "$version" "linux-headers-${kver}_${file_version}_amd64.deb" \
    "linux-headers-${kver%-*}-common" "$version" "linux-headers-${kver%-*}-common_${file_version}_all.deb" \
    "linux-kbuild-${series}" "$version" "linux-kbuild-${series}_${file_version}_amd64.deb"
}

# build_batman_adv_without_nc DEBS_DIR BUILD_LIST KERNEL_STAGE KVER WORK NOTE_FILE: replace
# batman-adv.ko in the unpacked kernel package by one built without network coding. Writes
# one line saying which module the image has to NOTE_FILE; never fails the image build.
build_batman_adv_without_nc() {
  local debs_dir="$1" list="$2" kstage="$3" kver="$4" work="$5" note="$6" reason source_pkg
  source_pkg="$(awk '$1 ~ /^linux-source-/ { print $1, $2 }' "$list")"
  if reason="$(batman_try_build "$debs_dir" "$list" "$kstage" "$kver" "$work" 2>&1)"; then
    log "batman-adv: built without network coding (${source_pkg})"
    echo "built without network coding from ${source_pkg}" >"$note"
  else
    log "warning: batman-adv: keeping Debian's module, whose network-coding worker costs each idle guest about 4x the CPU: ${reason##*$'\n'}"
    echo "Debian's (network coding compiled in): ${reason##*$'\n'}" >"$note"
  fi
  rm -rf "${work:?}/kbuild"
}

# The build itself, in a subshell so that a failing step (fetch_debs dies) only ends it. Its
# last line of output is the reason when it fails.
batman_try_build() (
  local debs_dir="$1" list="$2" kstage="$3" kver="$4" work="$5"
  local kbuild="${work}/kbuild" pkg file source_deb="" headers module built tool
  for tool in make gcc strip modinfo; do
    command -v "$tool" >/dev/null || { echo "${tool} is missing on the host (build-essential, kmod)"; exit 1; }
  done
  module="$(find "${kstage}/lib/modules/${kver}" -name batman-adv.ko | head -n1)"
  [[ -n "$module" ]] || { echo "no batman-adv.ko in the kernel package"; exit 1; }
  fetch_debs "$debs_dir" "$list" 2>&1 || { echo "cannot fetch the kernel source packages"; exit 1; }
  mkdir -p "${kbuild}/root"
  while read -r pkg _ file; do
    if [[ "$pkg" == linux-source-* ]]; then
      source_deb="${debs_dir}/${file}"
    else
      dpkg-deb -x "${debs_dir}/${file}" "${kbuild}/root"
    fi
  done <"$list"
  headers="${kbuild}/root/usr/src/linux-headers-${kver}"
  [[ -f "${headers}/include/config/auto.conf" ]] || { echo "no kernel configuration in linux-headers-${kver}"; exit 1; }
  grep -qx 'CONFIG_BATMAN_ADV_NC=y' "${headers}/include/config/auto.conf" ||
    { echo "this kernel's batman-adv has no network coding already"; exit 1; }
  # The flavour's Makefile includes the common headers by their installed, absolute path.
  sed -i "s|/usr/src/|${kbuild}/root/usr/src/|" "${headers}/Makefile"
  sed -i '/^#define CONFIG_BATMAN_ADV_NC 1$/d' "${headers}/include/generated/autoconf.h"
  sed -i '/^CONFIG_BATMAN_ADV_NC=y$/d' "${headers}/include/config/auto.conf"
  # Only net/batman-adv of the (large) source tarball.
  dpkg-deb --fsys-tarfile "$source_deb" | tar -xO --wildcards './usr/src/linux-source-*.tar.xz' |
    xz -dc | tar -x -C "$kbuild" --wildcards 'linux-source-*/net/batman-adv' ||
    { echo "cannot unpack net/batman-adv from $(basename "$source_deb")"; exit 1; }
  local src
  src="$(find "$kbuild" -maxdepth 3 -path '*/net/batman-adv' -type d | head -n1)"
  make -C "$headers" M="$src" -j "$(nproc)" modules >"${kbuild}/make.log" 2>&1 ||
    { tail -n 20 "${kbuild}/make.log"; echo "make of batman-adv failed (log above)"; exit 1; }
  built="${src}/batman-adv.ko"
  [[ "$(modinfo -F vermagic "$built")" == "$(modinfo -F vermagic "$module")" ]] ||
    { echo "built module's vermagic differs from the kernel's"; exit 1; }
  strip --strip-debug -o "$module" "$built"
)
