# Shared steps of the image builds (build-image.sh, build-test-firmware.sh): Debian packages
# resolved with apt-cache, fetched with `apt-get download` and unpacked with `dpkg-deb -x`;
# programs copied with the libraries the staged ELF interpreter resolves; kernel modules
# picked with modprobe --show-depends; the content-addressed image cache.
# Source it (bash); the caller defines log and die (messages to stderr; die exits).
# shellcheck shell=bash

# Dies naming every one of the given host tools that is not on PATH (and the script whose
# header lists what to install).
require_host_tools() {
  local tool missing=()
  for tool in "$@"; do
    command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
  done
  ((${#missing[@]} == 0)) || die "missing host tools: ${missing[*]} (see the list at the top of $0)"
}

# Print the first alternative of every Depends/Pre-Depends of the given packages.
direct_depends() {
  apt-cache depends --no-recommends --no-suggests --no-conflicts --no-breaks --no-replaces \
    --no-enhances "$@" 2>/dev/null | awk '
      /^[^ ]/ { prev_or = 0; next }
      $1 ~ /^\|?(Pre)?Depends:$/ { if (!prev_or) print $2; prev_or = ($1 ~ /^\|/); next }
      { prev_or = 0 }' | sed 's/:any$//' | grep -v '^<' | sort -u
}

# Library packages reachable from the given packages (walks only lib* and zlib1g packages:
# the shared objects programs load live there; the rest is maintainer-script machinery).
library_closure() {
  local -A seen=()
  local frontier=("$@") next pkg
  while ((${#frontier[@]} > 0)); do
    next=()
    while read -r pkg; do
      [[ -n "$pkg" && -z "${seen[$pkg]:-}" ]] || continue
      [[ "$pkg" =~ ^(lib.*|zlib1g)$ && ! "$pkg" =~ (-perl|-common|-data|-bin|-dev)$ ]] || continue
      seen[$pkg]=1
      next+=("$pkg")
    done < <(direct_depends "${frontier[@]}")
    frontier=("${next[@]}")
  done
  printf '%s\n' "${!seen[@]}" | sort
}

kernel_package() {
  local pkg
  pkg="$(direct_depends linux-image-amd64 | grep '^linux-image-' | head -n1)"
  [[ -n "$pkg" ]] || die "cannot resolve linux-image-amd64 to a kernel package (apt-get update?)"
  echo "$pkg"
}

# "package version deb-file-name" for each package (candidate version).
resolve_versions() {
  apt-cache show --no-all-versions "$@" 2>/dev/null | awk '
    /^Package: / { p = $2 }
    /^Version: / { v = $2 }
    /^Architecture: / { a = $2 }
    /^$/ { emit() }
    END { emit() }
    # apt-get download names files package_version_arch.deb, with ":" escaped as "%3a".
    function emit() {
      if (p != "") { f = v; gsub(/:/, "%3a", f); print p, v, p "_" f "_" a ".deb" }
      p = v = a = ""
    }'
}

# resolve_packages MEMO_DIR OUT KEY_FILE PACKAGE...: write "package version deb-file" for
# the kernel (linux-image-amd64's), the given packages and their libraries to OUT.
# apt-cache takes ~0.7 s per call here, so the answer is remembered per state of apt's
# package lists, of KEY_FILE (the calling script), of this file and of the package list: a
# cache hit costs no apt-cache call at all.
resolve_packages() {
  local memo_dir="$1" out="$2" key_file="$3" key f
  shift 3
  key="$( {
    sha256sum <"$key_file"
    sha256sum <"${BASH_SOURCE[0]}"
    echo "$*"
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/* /etc/apt/preferences \
      /etc/apt/preferences.d/* /var/lib/apt/lists/*Packages* /var/lib/apt/lists/*Release; do
      [[ -e "$f" ]] && stat -c '%n %s %Y' "$f"
    done
  } | sha256sum | cut -c1-16)"
  if [[ -s "${memo_dir}/${key}" ]]; then
    cp "${memo_dir}/${key}" "$out"
    return 0
  fi
  local kpkg libs
  kpkg="$(kernel_package)"
  mapfile -t libs < <(library_closure "$@")
  resolve_versions "$kpkg" "$@" "${libs[@]}" | LC_ALL=C sort >"$out"
  local expected=$((1 + $# + ${#libs[@]}))
  (($(wc -l <"$out") == expected)) ||
    die "apt-cache knows only $(wc -l <"$out") of ${expected} packages (run apt-get update?)"
  mkdir -p "$memo_dir"
  cp "$out" "${memo_dir}/.${key}.$$" && mv -f "${memo_dir}/.${key}.$$" "${memo_dir}/${key}"
}

# fetch_debs DEBS_DIR LIST: download every .deb of LIST (resolve_packages' format) that is
# not in the package cache yet.
fetch_debs() {
  local debs_dir="$1" list="$2" pkg ver file missing=()
  while read -r pkg ver file; do
    [[ -f "${debs_dir}/${file}" ]] || missing+=("${pkg}=${ver}")
  done <"$list"
  ((${#missing[@]} == 0)) && return 0
  log "downloading ${#missing[@]} packages"
  local tmp
  tmp="$(mktemp -d "${debs_dir}/.dl.XXXXXX")"
  local sandbox=()
  ((EUID == 0)) && sandbox=(-o APT::Sandbox::User=root)
  (cd "$tmp" && apt-get download -q "${sandbox[@]}" "${missing[@]}" >&2) ||
    { rm -rf "$tmp"; die "apt-get download failed for: ${missing[*]}"; }
  mv -f "$tmp"/*.deb "$debs_dir"/
  rmdir "$tmp"
  while read -r pkg ver file; do
    [[ -f "${debs_dir}/${file}" ]] || die "package ${pkg} ${ver} downloaded but ${file} is missing"
  done <"$list"
}

# "file PATH SHA256" for every file under the given paths (relative to the current directory).
hash_files() {
  local f
  find "$@" -type f | LC_ALL=C sort | while read -r f; do
    echo "file $f $(sha256sum <"$f" | cut -d' ' -f1)"
  done
}

# Copy a program and the shared objects it needs (resolved by the staged ELF interpreter,
# so the host's own libraries never matter) from $stage into $root.
install_program() {
  local stage="$1" root="$2" rel="$3" name lib
  [[ -f "${stage}/${rel}" ]] || die "package file ${rel} not found in the staged packages"
  name="$(basename "$rel")"
  rm -f "${root}/bin/${name}" "${root}/sbin/${name}" "${root}/usr/bin/${name}" "${root}/usr/sbin/${name}"
  install -D -m 0755 "${stage}/${rel}" "${root}/${rel}"
  while read -r lib; do
    [[ -e "${root}/${lib#"$stage"/}" ]] && continue
    install -D -m 0755 "$lib" "${root}/${lib#"$stage"/}"
  done < <(staged_libraries "$stage" "${stage}/${rel}")
}

staged_libraries() {
  local stage="$1" elf="$2" out
  local libpath="${stage}/lib/x86_64-linux-gnu:${stage}/usr/lib/x86_64-linux-gnu"
  out="$("${stage}/lib64/ld-linux-x86-64.so.2" --library-path "$libpath" --list "$elf")" ||
    die "cannot list the libraries of ${elf}"
  if grep -q 'not found' <<<"$out"; then
    die "$(basename "$elf") needs libraries no staged package provides: $(grep 'not found' <<<"$out" | awk '{print $1}' | tr '\n' ' ')"
  fi
  # "libfoo.so.1 => /stage/lib/.../libfoo.so.1 (0x...)": keep the soname path; cp follows links.
  awk '$2 == "=>" && $3 ~ /^\// { print $3 }' <<<"$out"
}

# busybox (static) and a link for each of its applets not already in $root.
install_busybox() {
  local stage="$1" root="$2" applet
  install -D -m 0755 "${stage}/bin/busybox" "${root}/bin/busybox"
  while read -r applet; do
    [[ "$applet" == bin/busybox || -e "${root}/${applet}" ]] && continue
    mkdir -p "${root}/$(dirname "$applet")"
    ln -s /bin/busybox "${root}/${applet}"
  done < <("${stage}/bin/busybox" --list-full)
}

# install_modules KERNEL_STAGE ROOT KVER MODULE...: the modules and their dependencies
# (modprobe --show-depends on the unpacked kernel package), then depmod on the reduced
# tree so that busybox modprobe works in the guest.
install_modules() {
  local kstage="$1" root="$2" kver="$3" line mod path
  shift 3
  depmod -b "$kstage" "$kver"
  local -A keep=()
  for mod in "$@"; do
    while read -r line; do
      case "$line" in
        insmod\ *) path="${line#insmod }"; path="${path%% *}"; keep[${path#"$kstage"/}]=1 ;;
        builtin\ *) ;;
        *) die "unexpected modprobe output for ${mod}: ${line}" ;;
      esac
    done < <(modprobe -d "$kstage" -S "$kver" --show-depends "$mod" 2>&1 ||
      die "kernel module ${mod} not found in ${kver}")
  done
  for path in "${!keep[@]}"; do
    install -D -m 0644 "${kstage}/${path}" "${root}/${path}"
  done
  cp "${kstage}/lib/modules/${kver}"/modules.{order,builtin,builtin.modinfo} "${root}/lib/modules/${kver}/"
  depmod -b "$root" "$kver"
  log "kept ${#keep[@]} kernel modules"
}

# unpack_debs DEBS_DIR LIST KERNEL_PACKAGE STAGE KERNEL_STAGE: every package of LIST into
# STAGE, the kernel package into KERNEL_STAGE; prints the kernel release.
unpack_debs() {
  local debs_dir="$1" list="$2" kpkg="$3" stage="$4" kstage="$5" pkg ver file kver
  mkdir -p "$stage" "$kstage"
  while read -r pkg ver file; do
    if [[ "$pkg" == "$kpkg" ]]; then
      dpkg-deb -x "${debs_dir}/${file}" "$kstage"
    else
      dpkg-deb -x "${debs_dir}/${file}" "$stage"
    fi
  done <"$list"
  kver="$(basename "$(find "${kstage}/lib/modules" -mindepth 1 -maxdepth 1 -type d | head -n1)")"
  [[ -f "${kstage}/boot/vmlinuz-${kver}" ]] || die "no vmlinuz-${kver} in ${kpkg}"
  echo "$kver"
}

# Keep the $2 most recently used images (a cache hit refreshes an image's mtime); older
# ones go. QEMU reads its files at start, so running VMs are not affected.
prune_images() {
  local images_dir="$1" keep_count="$2" old
  [[ "$keep_count" =~ ^[0-9]+$ ]] && ((keep_count > 0)) || return 0
  while read -r old; do
    [[ -n "$old" && -f "${images_dir}/${old}/complete" ]] || continue
    log "removing old image ${old}"
    rm -rf "${images_dir:?}/${old}"
  done < <(find "$images_dir" -mindepth 1 -maxdepth 1 -type d ! -name '.*' -printf '%T@ %f\n' |
    sort -rn | tail -n +"$((keep_count + 1))" | cut -d' ' -f2)
}

# cached_build CACHE_DIR IMAGES_DIR MANIFEST BUILD_FUNCTION: set image_dir to
# IMAGES_DIR/<hash>, <hash> being the manifest's SHA-256 (16 hex digits), and image_built to
# 0 when a complete one was reused (its mtime refreshed) or 1 when it was built: holding
# CACHE_DIR/build.lock (until the caller exits), "BUILD_FUNCTION PARTIAL_DIR" fills
# IMAGES_DIR/.partial.<hash>.<pid>, which then gets the manifest and the "complete" mark and
# is renamed into place. Concurrent callers either wait and get the finished image or see a
# cache hit.
# shellcheck disable=SC2034  # image_dir and image_built are the caller's results
cached_build() {
  local cache_dir="$1" images_dir="$2" manifest="$3" build_fn="$4" hash
  hash="$(sha256sum <"$manifest" | cut -c1-16)"
  image_dir="${images_dir}/${hash}"
  image_built=0
  if [[ -f "${image_dir}/complete" ]]; then
    touch "$image_dir"
    log "cache hit ${image_dir}"
    return 0
  fi
  exec 9>"${cache_dir}/build.lock"
  flock 9
  [[ -f "${image_dir}/complete" ]] && return 0   # built by a concurrent run while we waited
  local partial="${images_dir}/.partial.${hash}.$$"
  rm -rf "${images_dir}"/.partial."${hash}".*
  mkdir -p "$partial"
  "$build_fn" "$partial"
  cp "$manifest" "${partial}/manifest"
  touch "${partial}/complete"
  rm -rf "$image_dir"
  mv "$partial" "$image_dir"
  image_built=1
}
