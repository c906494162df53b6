#!/usr/bin/env bash
# Installs every host package vmesh needs to build, test and boot guests (Debian 12).
# Idempotent: only missing packages are installed. Needs root (or sudo).
set -euo pipefail

packages=(
  # toolchain
  build-essential cmake ninja-build pkg-config git clang libclang-rt-14-dev clang-format
  # libraries (never vendored)
  liburing-dev libfmt-dev libgtest-dev libgmock-dev libbenchmark-dev libssh-dev libtomlplusplus-dev
  nlohmann-json3-dev
  # guests: QEMU and what the image build uses on the host
  qemu-system-x86 qemu-utils cpio zstd xz-utils gzip kmod util-linux openssh-client
  # the QEMU >= 10.2 root (launcher/image/build-qemu-root.sh): Debian 13's archive keys
  debian-archive-keyring
  # the test firmware's root file system (mke2fs -d; debugfs when built as non-root)
  e2fsprogs
  # test tools
  shellcheck python3 python3-yaml python3-pytest tshark graphviz
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]} == 0)); then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

sudo_cmd=()
if ((EUID != 0)); then
  command -v sudo >/dev/null || { echo "install-deps: run as root or install sudo" >&2; exit 1; }
  sudo_cmd=(sudo)
fi
echo "install-deps: installing ${missing[*]}"
"${sudo_cmd[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
