#!/usr/bin/env bash
# Runs every test: the default build's whole ctest suite (unit, integration over real
# sockets, and real-VM tests), the unit and integration suites again under ASan+UBSan,
# and a bounded libFuzzer run of the wire and control decoders and of the vhost-user
# back-end's vring, message codec and handover records.
#   VMESH_TEST_SKIP_VM=1        leave out the real-VM tests (label vm)
#   VMESH_FUZZ_SECONDS=N        fuzzing time per target (default 30)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
jobs=$(nproc)

step() { printf '\n==> %s\n' "$*"; }

step "build (RelWithDebInfo)"
scripts/build.sh -j "$jobs"

step "tests without VMs"
ctest --test-dir build --output-on-failure -j "$jobs" -LE vm

if [[ "${VMESH_TEST_SKIP_VM:-0}" != 1 ]]; then
  # One at a time: each boots up to five QEMU guests, and the scenarios' timelines assume
  # the guests boot at the speed of an otherwise idle 2-core machine.
  step "tests with real VMs (QEMU)"
  ctest --test-dir build --output-on-failure -j 1 -L vm
fi

step "sanitizers (ASan + UBSan): unit and integration tests"
[[ -f build-sanitize/build.ninja ]] || cmake --preset sanitize >/dev/null
cmake --build build-sanitize -j "$jobs"
ctest --test-dir build-sanitize --output-on-failure -j "$jobs" -LE vm

step "fuzz smoke"
[[ -f build-fuzz/build.ninja ]] || cmake --preset fuzz >/dev/null
cmake --build build-fuzz -j "$jobs" --target fuzz_wire_decoder fuzz_control_parser \
  fuzz_vring fuzz_vhost_message fuzz_handover_record
seconds="${VMESH_FUZZ_SECONDS:-30}"
for target in build-fuzz/tests/fuzz/fuzz_*; do
  [[ -x "$target" ]] || continue
  corpus="build-fuzz/corpus/$(basename "$target")"
  mkdir -p "$corpus"
  echo "fuzzing $(basename "$target") for ${seconds}s"
  "$target" -max_total_time="$seconds" -max_len=20000 -print_final_stats=1 "$corpus" 2>&1 | tail -n 3
done
step "all tests passed"
