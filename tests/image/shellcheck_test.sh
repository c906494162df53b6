#!/usr/bin/env bash
# The image scripts, the guest init and profiles, and these tests are shellcheck-clean.
set -euo pipefail
scripts="${1:?usage: shellcheck_test.sh LAUNCHER_IMAGE_DIR TESTS_IMAGE_DIR}"
tests="${2:?}"
command -v shellcheck >/dev/null || { echo "SKIP: shellcheck is not installed"; exit 77; }
shellcheck -x -P "${scripts}" "${scripts}"/*.sh "${scripts}"/lib/*.sh
shellcheck -x -P "${tests}" "${tests}"/*.sh
shellcheck -x "${tests}"/guest_config/*.sh
shellcheck -x -P "${scripts}/guest" "${scripts}/guest/init" "${scripts}/guest/lib.sh" \
  "${scripts}"/guest/profiles/*.sh "${scripts}"/guest/init.d/* "${scripts}"/guest/sbin/* "${scripts}/guest/udhcpc.script"
# The test firmware's initrd /init and root scripts (busybox ash).
fw="${scripts}/firmware"
shellcheck -x -P "${fw}/root/lib/fw" "${fw}/initrd-init" "${fw}/root/lib/fw/functions.sh" \
  "${fw}"/root/etc/init.d/* "${fw}/root/usr/share/udhcpc/default.script"
echo PASS
