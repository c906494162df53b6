#!/usr/bin/env bash
# (a) The guest image builds from Debian packages and a second build is a cache hit.
# Uses a private images cache (sharing only the downloaded .debs), so the build really runs.
set -euo pipefail
IMAGE_SCRIPTS="${1:?usage: image_build_test.sh LAUNCHER_IMAGE_DIR}"
# shellcheck source=vm_lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/vm_lib.sh"

need_tools apt-get apt-cache dpkg-deb cpio zstd xz depmod modprobe flock
shared_cache="${VMESH_CACHE_DIR:-${HOME}/.cache/vmesh}"
mkdir -p "${shared_cache}/debs"
export VMESH_CACHE_DIR="${WORK_DIR}/cache"
mkdir -p "$VMESH_CACHE_DIR"
ln -s "${shared_cache}/debs" "${VMESH_CACHE_DIR}/debs"

note "first build"
image_or_skip
first="$IMAGE"
grep -q 'built ' "${WORK_DIR}/build.err" || fail "first build did not build: $(cat "${WORK_DIR}/build.err")"
for f in vmlinux vmlinuz initramfs.img kernel-release manifest; do
  [[ -s "${first}/${f}" ]] || fail "image lacks ${f}"
done
[[ "$(od -An -tx1 -N4 "${first}/vmlinux" | tr -d ' ')" == 7f454c46 ]] || fail "vmlinux is not ELF"
kver="$(cat "${first}/kernel-release")"
note "kernel ${kver}, initramfs $(stat -c %s "${first}/initramfs.img") bytes"

listing="${WORK_DIR}/initramfs.list"
zstd -dc "${first}/initramfs.img" | cpio -t --quiet >"$listing"
for f in init bin/busybox bin/dash sbin/iw sbin/wpa_supplicant usr/sbin/hostapd usr/sbin/batctl \
  usr/sbin/babeld usr/sbin/dropbear bin/ip usr/bin/iperf3 lib64/ld-linux-x86-64.so.2 \
  usr/bin/pgrep usr/bin/pkill sbin/bridge etc/init.d/babeld sbin/logread \
  lib/firmware/regulatory.db lib/firmware/regulatory.db.p7s etc/vmesh/lib.sh \
  etc/vmesh/profiles/mesh.sh etc/vmesh/profiles/mesh-local.sh \
  "lib/modules/${kver}/modules.dep" \
  "lib/modules/${kver}/kernel/drivers/net/wireless/mac80211_hwsim.ko" \
  "lib/modules/${kver}/kernel/net/batman-adv/batman-adv.ko" \
  "lib/modules/${kver}/kernel/net/mac80211/mac80211.ko" \
  "lib/modules/${kver}/kernel/drivers/net/virtio_net.ko"; do
  grep -qxF "$f" "$listing" || fail "initramfs lacks ${f}"
done
# Every dynamically linked program must find its libraries in the image itself.
root="${WORK_DIR}/root"
mkdir -p "$root"
(cd "$root" && zstd -dc "${first}/initramfs.img" | cpio -idm --quiet 2>/dev/null)
for prog in sbin/iw sbin/wpa_supplicant usr/sbin/hostapd usr/sbin/batctl usr/sbin/babeld \
  usr/sbin/dropbear bin/ip usr/bin/iperf3 bin/dash usr/bin/pgrep usr/bin/pkill sbin/bridge; do
  out="$("${root}/lib64/ld-linux-x86-64.so.2" --library-path \
    "${root}/lib/x86_64-linux-gnu:${root}/usr/lib/x86_64-linux-gnu" --list "${root}/${prog}")" ||
    fail "cannot resolve libraries of ${prog}"
  if grep -q 'not found' <<<"$out"; then fail "${prog}: $(grep 'not found' <<<"$out")"; fi
  if grep -v "${root}" <<<"$out" | grep -q '=> /'; then fail "${prog} resolves a library outside the image"; fi
done

note "guest configs: copied from configs/guest, rendered by the image's own busybox"
configs="${IMAGE_SCRIPTS}/../../configs/guest"
while read -r f; do
  cmp -s "${configs}/${f}" "${root}/etc/vmesh/${f}" || fail "image's /etc/vmesh/${f} is not configs/guest/${f}"
  grep -q "^file configs/guest/${f} " "${first}/manifest" || fail "manifest does not hash configs/guest/${f}"
done < <(cd "$configs" && find . -type f | sed 's|^\./||')
bash "$(dirname "${BASH_SOURCE[0]}")/guest_config_test.sh" "$IMAGE_SCRIPTS" "$root" >"${WORK_DIR}/render.out" ||
  fail "rendering in the image failed: $(cat "${WORK_DIR}/render.out")"

note "second build"
stamp="$(stat -c %Y.%s "${first}/initramfs.img")"
image_or_skip
[[ "$IMAGE" == "$first" ]] || fail "second build gave ${IMAGE}, first gave ${first}"
grep -q 'cache hit' "${WORK_DIR}/build.err" || fail "second build was not a cache hit: $(cat "${WORK_DIR}/build.err")"
[[ "$(stat -c %Y.%s "${first}/initramfs.img")" == "$stamp" ]] || fail "cache hit rewrote the image"

note "changed input (an agent binary) gives a different image"
printf 'not really an agent\n' >"${WORK_DIR}/fake-agent"
other="$(bash "${IMAGE_SCRIPTS}/build-image.sh" --agent "${WORK_DIR}/fake-agent" 2>"${WORK_DIR}/build.err")" ||
  fail "build with an agent failed: $(cat "${WORK_DIR}/build.err")"
[[ "$other" != "$first" ]] || fail "agent did not change the image hash"
zstd -dc "${other}/initramfs.img" | cpio -t --quiet >"${WORK_DIR}/other.list"
grep -qxF usr/bin/vmesh-agent "${WORK_DIR}/other.list" ||
  fail "agent missing from the image built with --agent"

note "changed guest config gives a different image"
cp -R "$configs" "${WORK_DIR}/configs"
sed -i 's/^VMESH_AP_SSID=.*/VMESH_AP_SSID=changed-ssid/' "${WORK_DIR}/configs/profiles/ap.env"
changed="$(bash "${IMAGE_SCRIPTS}/build-image.sh" --configs-dir "${WORK_DIR}/configs" 2>"${WORK_DIR}/build.err")" ||
  fail "build with changed configs failed: $(cat "${WORK_DIR}/build.err")"
[[ "$changed" != "$first" ]] || fail "a changed configs/guest file did not change the image hash"
zstd -dc "${changed}/initramfs.img" | cpio -i --quiet --to-stdout etc/vmesh/profiles/ap.env |
  grep -qx VMESH_AP_SSID=changed-ssid || fail "the rebuilt image lacks the changed ap.env"

note "per-node cpio"
ssh_key="${WORK_DIR}/key.pub"
echo "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJ0000000000000000000000000000000000000000000 t" >"$ssh_key"
bash "${IMAGE_SCRIPTS}/make-node-cpio.sh" --out "${WORK_DIR}/node.cpio" --index 3 --name "it's n3" \
  --profile ibss --ssh-key "$ssh_key" --ssh-blank-password 0
node_root="${WORK_DIR}/node"
mkdir -p "$node_root"
(cd "$node_root" && cpio -idm --quiet <"${WORK_DIR}/node.cpio")
cmp -s "$ssh_key" "${node_root}/root/.ssh/authorized_keys" || fail "node cpio lacks the key"
(
  # shellcheck disable=SC1091
  . "${node_root}/etc/vmesh/node.conf"
  [[ "$VMESH_INDEX" == 3 && "$VMESH_NAME" == "it's n3" && "$VMESH_PROFILE" == ibss &&
    "$VMESH_SSH_BLANK_PASSWORD" == 0 ]]
) || fail "node.conf does not round-trip: $(cat "${node_root}/etc/vmesh/node.conf")"
echo PASS
