#!/usr/bin/env bash
# The Debian 13 QEMU root (build-qemu-root.sh): it builds (or is a cache hit), a second call
# is a cache hit printing the same wrapper, the wrapper runs QEMU >= 10.2 with
# vhost-user-test-device-pci, and the default guest boots under it to "vmesh-init: ready"
# with its memory in a shared memfd (what the vhost-user transport needs).
# Skipped when the archive serves no trixie-backports.
set -euo pipefail
IMAGE_SCRIPTS="${1:?usage: qemu_root_test.sh LAUNCHER_IMAGE_DIR}"
# shellcheck source=vm_lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/vm_lib.sh"

need_tools apt-get apt-cache dpkg dpkg-deb flock
note "QEMU root"
if ! wrapper="$(bash "${IMAGE_SCRIPTS}/build-qemu-root.sh" 2>"${WORK_DIR}/qemu-root.err")"; then
  cat "${WORK_DIR}/qemu-root.err"
  grep -q 'does not serve\|apt-get update of' "${WORK_DIR}/qemu-root.err" &&
    skip "the Debian archive serves no trixie-backports QEMU (see above)"
  fail "build-qemu-root.sh failed"
fi
cat "${WORK_DIR}/qemu-root.err"
[[ -x "$wrapper" ]] || fail "build-qemu-root.sh printed '${wrapper}', not an executable"
again="$(bash "${IMAGE_SCRIPTS}/build-qemu-root.sh" 2>"${WORK_DIR}/again.err")"
[[ "$again" == "$wrapper" ]] || fail "second call printed ${again}, first ${wrapper}"
grep -q 'cache hit' "${WORK_DIR}/again.err" || fail "second call was no cache hit: $(cat "${WORK_DIR}/again.err")"

root="$(dirname "$wrapper")"
version="$(PATH="${root}/bin:${PATH}" qemu-system-x86_64 -version | head -n1)"
note "$version"
[[ "$version" =~ version\ ([0-9]+)\.([0-9]+) ]] || fail "unexpected version line: ${version}"
((BASH_REMATCH[1] > 10 || (BASH_REMATCH[1] == 10 && BASH_REMATCH[2] >= 2))) ||
  fail "QEMU ${BASH_REMATCH[1]}.${BASH_REMATCH[2]} is older than 10.2"
help="$("$wrapper" -device vhost-user-test-device-pci,help 2>&1)" ||
  fail "no vhost-user-test-device-pci: ${help}"
for prop in chardev virtio-id num_vqs config_size; do
  grep -q "^  ${prop}=" <<<"$help" || fail "vhost-user-test-device-pci has no ${prop} property"
done

note "boot the default guest under ${version}"
image_or_skip
new_key
log="${WORK_DIR}/n1.log"
: >"$log"
read -r key_type key_blob _ <"${KEY}.pub"
# -fsrm: with FSRM in -cpu max (QEMU >= 10), the 6.1 guest kernel stalls early under TCG.
"$wrapper" -nodefaults -no-user-config -display none -no-reboot \
  -object memory-backend-memfd,id=mem,size=512M,share=on -machine q35,memory-backend=mem \
  -accel tcg,thread=multi -cpu max,-erms,-fsrm -smp 1 -m 512 \
  -kernel "${IMAGE}/vmlinux" -initrd "${IMAGE}/initramfs.img" \
  -append "console=ttyS0 quiet random.trust_cpu=on init_on_alloc=0 no_timer_check panic=-1 vmesh.index=1 vmesh.name=n1 vmesh.sshkey=${key_type},${key_blob}" \
  -netdev user,id=net0 -device virtio-net-pci,netdev=net0,romfile= \
  -serial "file:${log}" </dev/null >"${log}.qemu" 2>&1 &
VM_PIDS+=("$!")
start=$SECONDS
until grep -q '^vmesh-init: ready' "$log"; do
  kill -0 "${VM_PIDS[0]}" 2>/dev/null || fail "QEMU exited: $(cat "${log}.qemu")"
  ((SECONDS - start < 120)) || fail "no 'vmesh-init: ready' within 120 s"
  sleep 0.2
done
note "ready after $((SECONDS - start)) s"
echo PASS
