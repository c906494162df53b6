#!/usr/bin/env bash
# Build (once) a Debian 13 root holding qemu-system-x86 from trixie-backports (QEMU >= 10.2,
# which has the user-creatable vhost-user-test-device-pci), for hosts whose own QEMU is older
# (Debian 12 has 7.2). The host's package database is never touched: packages come from
# `apt-get download` with a private apt configuration (its own sources, lists and empty dpkg
# status) and are unpacked with `dpkg-deb -x`; no maintainer script runs and nothing is
# chrooted. Only QEMU, its firmware, its modules and the libraries they load are kept.
#
# Needs: no root, no user namespaces, no chroot; network access to a Debian mirror serving
# trixie and trixie-backports (default: the mirror of the host's Debian sources, else
# deb.debian.org). Host packages: apt (apt-get, apt-cache), dpkg (dpkg-deb),
# debian-archive-keyring (Debian 12's knows Debian 13's keys), util-linux (flock), coreutils,
# findutils, grep, sed, mawk/gawk.
#
# Usage: build-qemu-root.sh [--cache-dir DIR] [--update] [--mirror URL] [--security-mirror URL]
#   --cache-dir DIR  default ${VMESH_CACHE_DIR:-$HOME/.cache/vmesh}
#   --update         fetch trixie's package lists again (a newer QEMU means a new root); else
#                    the lists of the first build are reused and a cache hit needs no network
#   --mirror URL     Debian mirror for trixie, trixie-updates, trixie-backports
#   --security-mirror URL  mirror for trixie-security
# The root is DIR/qemu/<key>/, <key> being the hash of this script, the shared library and the
# package lists' Release files; only the ${VMESH_QEMU_KEEP:-2} most recently used roots are
# kept. Prints, on stdout, the path of <root>/vmesh-qemu-system-x86_64: a wrapper that runs the
# root's QEMU with the root's dynamic loader, libraries, modules and firmware (nothing from
# the host's QEMU), so it takes the same arguments as qemu-system-x86_64.
# <root>/bin/qemu-system-x86_64 links to it, for PATH=<root>/bin:$PATH. <root> also holds
# qemu-version and packages (package and version, one a line). QEMU >= 10 under TCG wants
# -cpu max,-erms,-fsrm for a 6.1 guest kernel (docs/qemu-vhost-user.md).
set -euo pipefail

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
readonly script_dir
# shellcheck source=lib/debian-packages.sh
. "${script_dir}/lib/debian-packages.sh"

readonly suite=trixie
readonly min_version="1:10.2"
# Packages whose files the root keeps; the libraries they need are added by library_closure.
# qemu-system-common holds QEMU's loadable modules: without them QEMU would look for modules
# in the host's own module directory (another QEMU's).
readonly root_packages=(qemu-system-x86 qemu-system-common qemu-system-data seabios ipxe-qemu)
readonly multiarch=x86_64-linux-gnu

log() { echo "build-qemu-root: $*" >&2; }
die() { echo "build-qemu-root: error: $*" >&2; exit 1; }

usage() {
  sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//' >&2
  exit 2
}

require_tools() {
  require_host_tools apt-get apt-cache dpkg dpkg-deb flock sha256sum awk du find
  [[ -f /usr/share/keyrings/debian-archive-trixie-stable.gpg ]] ||
    die "debian-archive-keyring does not know Debian 13's keys (install debian-archive-keyring >= 2023.3)"
}

# The host's Debian mirror for the given Release label (Debian, Debian-Security), else $2.
host_mirror() {
  local label="$1" fallback="$2" site
  # shellcheck disable=SC2016  # $(LABEL) is apt's format, not the shell's
  site="$(apt-get indextargets --format '$(LABEL) $(SITE)' 'Identifier: Packages' 2>/dev/null |
    awk -v l="$label" '$1 == l { print $2; exit }')"
  echo "${site:-$fallback}"
}

# Private apt configuration under $1: its own sources, lists, caches and an empty dpkg status,
# read through APT_CONFIG (the host's apt.conf.d, e.g. proxies, still applies).
write_apt_config() {
  local apt_dir="$1" mirror="$2" security="$3"
  local keyring=/usr/share/keyrings/debian-archive-keyring.gpg
  mkdir -p "${apt_dir}"/{lists/partial,archives/partial,dpkg,empty}
  [[ -f "${apt_dir}/dpkg/status" ]] || : >"${apt_dir}/dpkg/status"
  cat >"${apt_dir}/sources.list.new" <<EOF
deb [signed-by=${keyring}] ${mirror} ${suite} main
deb [signed-by=${keyring}] ${mirror} ${suite}-updates main
deb [signed-by=${keyring}] ${security} ${suite}-security main
deb [signed-by=${keyring}] ${mirror} ${suite}-backports main
EOF
  if cmp -s "${apt_dir}/sources.list.new" "${apt_dir}/sources.list"; then
    rm -f "${apt_dir}/sources.list.new"
  else
    mv -f "${apt_dir}/sources.list.new" "${apt_dir}/sources.list"
    rm -f "${apt_dir}"/lists/*_*   # lists of other mirrors
  fi
  cat >"${apt_dir}/apt.conf" <<EOF
Dir::Etc::sourcelist "${apt_dir}/sources.list";
Dir::Etc::sourceparts "${apt_dir}/empty";
Dir::Etc::preferences "${apt_dir}/empty/preferences";
Dir::Etc::preferencesparts "${apt_dir}/empty";
Dir::State "${apt_dir}";
Dir::State::lists "${apt_dir}/lists";
Dir::State::status "${apt_dir}/dpkg/status";
Dir::Cache "${apt_dir}";
Dir::Cache::archives "${apt_dir}/archives";
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
APT::Architecture "amd64";
APT::Architectures { "amd64"; };
APT::Default-Release "${suite}-backports";
APT::Get::List-Cleanup "true";
EOF
}

# Fetch the private package lists when there are none yet or when asked to.
update_lists() {
  local apt_dir="$1" force="$2"
  if ((!force)) && compgen -G "${apt_dir}/lists/*${suite}-backports*Packages*" >/dev/null; then
    return 0
  fi
  log "fetching Debian 13 (${suite}, ${suite}-backports) package lists"
  local sandbox=() out
  ((EUID == 0)) && sandbox=(-o APT::Sandbox::User=root)
  # -c is read after the host's apt.conf.d: its update hooks (appstream, packagekit) are about
  # the host's lists, not these.
  printf '#clear APT::Update::Pre-Invoke;\n#clear APT::Update::Post-Invoke;\n#clear APT::Update::Post-Invoke-Success;\n' \
    >"${apt_dir}/no-hooks.conf"
  out="$(apt-get -q -c "${apt_dir}/no-hooks.conf" "${sandbox[@]}" --error-on=any update 2>&1)" || {
    echo "$out" >&2
    die "apt-get update of ${suite}'s package lists failed (see above; --mirror URL picks another mirror)"
  }
}

# Die unless the archive serves qemu-system-x86 >= min_version from trixie-backports.
check_candidate() {
  local out version
  # apt refuses any query when the Default-Release (trixie-backports) is not in the lists.
  out="$(apt-cache show --no-all-versions qemu-system-x86 2>&1)" ||
    die "the archive does not serve ${suite}-backports' qemu-system-x86 (apt-cache: ${out##*$'\n'})"
  version="$(awk '/^Version: / { print $2; exit }' <<<"$out")"
  [[ -n "$version" ]] || die "the archive serves no qemu-system-x86 for ${suite}"
  dpkg --compare-versions "$version" ge "$min_version" ||
    die "the archive's newest qemu-system-x86 for ${suite} is ${version}; vmesh needs >= ${min_version#1:} from ${suite}-backports (does the mirror serve ${suite}-backports? try --update)"
  log "qemu-system-x86 ${version} from the archive's ${suite} suites"
}

# Hash of everything that decides the root's content.
write_manifest() {
  local apt_dir="$1" f
  echo "# vmesh QEMU root inputs"
  (cd "$script_dir" && hash_files build-qemu-root.sh lib/debian-packages.sh)
  cat "${apt_dir}/sources.list"
  for f in "${apt_dir}"/lists/*Release; do
    echo "release ${f##*/} $(sha256sum <"$f" | cut -d' ' -f1)"
  done
}

# The wrapper: runs usr/bin/qemu-system-x86_64 through the root's own dynamic loader and
# libraries (no chroot). It finds the root from its own path, so the root can be moved.
# QEMU finds its modules, firmware and data relative to the directory of /proc/self/exe (here
# the loader, hence its copy in usr/bin): when that directory holds "qemu-bundle", every
# built-in path P becomes <exec dir>/qemu-bundle/P, and qemu-bundle links to the root.
# Without it QEMU would look in the host's /usr/lib/x86_64-linux-gnu/qemu for the modules the
# root lacks (OpenGL, SPICE, GTK) and abort on the host QEMU's modules; firmware would come
# from the host's /usr/share/seabios. The loader's name makes the process's comm
# "qemu-system-x86", as for a plain QEMU.
write_wrapper() {
  local root="$1"
  cp "${root}/usr/lib/${multiarch}/ld-linux-x86-64.so.2" "${root}/usr/bin/qemu-system-x86_64.ld.so"
  ln -s ../.. "${root}/usr/bin/qemu-bundle"
  cat >"${root}/vmesh-qemu-system-x86_64" <<EOF
#!/bin/sh
# qemu-system-x86_64 from the Debian 13 root this file is in (made by vmesh's
# build-qemu-root.sh), run by the root's dynamic loader with the root's libraries; its
# modules and firmware are found through usr/bin/qemu-bundle.
root="\$(dirname "\$(readlink -f "\$0")")"
exec "\${root}/usr/bin/qemu-system-x86_64.ld.so" --library-path "\${root}/usr/lib/${multiarch}" \\
  --argv0 qemu-system-x86_64 "\${root}/usr/bin/qemu-system-x86_64" "\$@"
EOF
  chmod 0755 "${root}/vmesh-qemu-system-x86_64"
  mkdir -p "${root}/bin"
  ln -s ../vmesh-qemu-system-x86_64 "${root}/bin/qemu-system-x86_64"
}

# Every shared object QEMU and its modules load must come from the root.
check_libraries() {
  local root="$1" elf out unresolved=""
  local lib="${root}/usr/lib/${multiarch}"
  for elf in "${root}/usr/bin/qemu-system-x86_64" "${lib}"/qemu/*.so; do
    out="$("${lib}/ld-linux-x86-64.so.2" --library-path "$lib" --list "$elf" 2>&1)" ||
      die "cannot list the libraries of ${elf##*/}: ${out}"
    unresolved+="$(awk '/not found/ { printf " %s", $1 }' <<<"$out")"
  done
  [[ -z "$unresolved" ]] || die "libraries no unpacked package provides:${unresolved}"
}

build_root() {
  local debs_dir="$1" list="$2" root="$3" file
  while read -r _ _ file; do
    dpkg-deb -x "${debs_dir}/${file}" "$root"
  done <"$list"
  # Only qemu-system-x86_64 is run: the other emulators and the helpers go, with the
  # packages' documentation and service files.
  rm -rf "${root:?}"/usr/share/{doc,doc-base,man,info,locale,lintian,icons,applications,bug} \
    "${root:?}"/usr/lib/{systemd,tmpfiles.d,qemu} "${root:?}"/etc \
    "${root:?}"/usr/bin/{qemu-system-i386,qemu-system-x86_64-microvm,qemu-pr-helper,qemu-vmsr-helper,kvm,qemu-system-amd64}
  awk '{ print $1, $2 }' "$list" >"${root}/packages"
  check_libraries "$root"
  write_wrapper "$root"
  local version devices err="${root}/.device-help.err"
  version="$("${root}/vmesh-qemu-system-x86_64" -version 2>&1)" ||
    die "the root's QEMU does not run: ${version}"
  version="${version%%$'\n'*}"
  echo "$version" >"${root}/qemu-version"
  # Listing devices loads every module: a message on stderr means one did not load.
  devices="$("${root}/vmesh-qemu-system-x86_64" -device help 2>"$err")" ||
    die "${version}: -device help failed: $(head -n3 "$err")"
  [[ ! -s "$err" ]] || die "${version}: -device help complains: $(head -n3 "$err")"
  rm -f "$err"
  grep -q '"vhost-user-test-device-pci"' <<<"$devices" ||
    die "${version} has no vhost-user-test-device-pci"
}

main() {
  local cache_dir="${VMESH_CACHE_DIR:-${HOME}/.cache/vmesh}" update=0 mirror="" security=""
  while (($# > 0)); do
    case "$1" in
      --cache-dir) cache_dir="${2:?--cache-dir needs a path}"; shift 2 ;;
      --update) update=1; shift ;;
      --mirror) mirror="${2:?--mirror needs a URL}"; shift 2 ;;
      --security-mirror) security="${2:?--security-mirror needs a URL}"; shift 2 ;;
      -h | --help) usage ;;
      *) die "unknown argument: $1 (try --help)" ;;
    esac
  done
  require_tools
  local qemu_dir="${cache_dir}/qemu" debs_dir="${cache_dir}/debs"
  mkdir -p "$qemu_dir" "$debs_dir"
  qemu_dir="$(realpath "$qemu_dir")"
  local apt_dir="${qemu_dir}/.apt"
  # The mirrors of the first build are kept (asking apt for the host's costs ~1 s) unless
  # named or --update.
  if [[ -z "$mirror$security" && "$update" == 0 && -f "${apt_dir}/sources.list" ]]; then
    mirror="$(awk '$4 == "'"$suite"'" { print $3; exit }' "${apt_dir}/sources.list")"
    security="$(awk '$4 == "'"$suite"'-security" { print $3; exit }' "${apt_dir}/sources.list")"
  fi
  mirror="${mirror:-$(host_mirror Debian http://deb.debian.org/debian)}"
  security="${security:-$(host_mirror Debian-Security http://deb.debian.org/debian-security)}"

  tmp_dir="$(mktemp -d)"
  trap 'rm -rf "$tmp_dir"' EXIT
  local tmp="$tmp_dir"
  # Every apt call from here on uses the private configuration.
  export APT_CONFIG="${apt_dir}/apt.conf"
  (
    flock 8
    write_apt_config "$apt_dir" "$mirror" "$security"
    update_lists "$apt_dir" "$update"
  ) 8>"${qemu_dir}/.apt.lock"
  write_manifest "$apt_dir" >"${tmp}/manifest"

  # Called by cached_build with the directory to fill, holding the build lock.
  build_into() {
    check_candidate
    local libs
    mapfile -t libs < <(library_closure "${root_packages[@]}")
    resolve_versions "${root_packages[@]}" "${libs[@]}" | LC_ALL=C sort >"${tmp}/versions"
    # apt-get's line per package would bury the progress lines.
    fetch_debs "$debs_dir" "${tmp}/versions" 2> >(grep -v '^\(Get:\|Fetched \)' >&2)
    log "building QEMU root ${image_dir##*/} ($(wc -l <"${tmp}/versions") packages)"
    build_root "$debs_dir" "${tmp}/versions" "$1"
  }
  local start=$SECONDS
  # image_dir and image_built are set by cached_build.
  cached_build "$qemu_dir" "$qemu_dir" "${tmp}/manifest" build_into
  if ((image_built)); then
    prune_images "$qemu_dir" "${VMESH_QEMU_KEEP:-2}"
    log "built $(cat "${image_dir}/qemu-version") in ${image_dir} in $((SECONDS - start)) s ($(du -sh "$image_dir" | cut -f1))"
  fi
  echo "${image_dir}/vmesh-qemu-system-x86_64"
}

main "$@"
