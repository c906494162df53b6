#!/usr/bin/env bash
# The pytest plugin against real VMs: `vmesh up` starts line3 (n1 - n2 - n3) under a run
# name, pytest runs tests/pytest/vm attached to it with --vmesh-run (the plugin must not
# start or stop anything itself), `vmesh down` stops it whatever happened, and no QEMU or
# relay process the run recorded in its state.json may be alive afterwards.
# Usage: run_vm_suite.sh VMESH_BIN SOURCE_DIR [PYTEST_ARGS...]. Exit 77: skipped (reason printed).
set -euo pipefail
vmesh="${1:?usage: run_vm_suite.sh VMESH_BIN SOURCE_DIR [PYTEST_ARGS...]}"
src="${2:?usage: run_vm_suite.sh VMESH_BIN SOURCE_DIR [PYTEST_ARGS...]}"
shift 2

skip() {
  echo "SKIP: $*"
  exit 77
}
command -v qemu-system-x86_64 >/dev/null || skip "qemu-system-x86_64 not found"
command -v pytest-3 >/dev/null || skip "pytest-3 not found (apt-get install python3-pytest)"
command -v ssh >/dev/null || skip "ssh not found (apt-get install openssh-client)"
[[ -x "$vmesh" ]] || { echo "FAIL: $vmesh is not executable" >&2; exit 1; }

run="pytest-vm-$$"
run_dir="${XDG_RUNTIME_DIR:-/tmp}/vmesh-$(id -un)/${run}"
pid_file="$(mktemp)"
work_dir="$(mktemp -d)"

# "PID START_TICKS" of the relay and every node's QEMU in the run's state.json (a node booted
# again by the suite has a new PID, so this is read before the run starts and before down).
record_pids() {
  [[ -f "${run_dir}/state.json" ]] || return 0
  python3 - "${run_dir}/state.json" >>"$pid_file" <<'PY'
import json, sys
state = json.load(open(sys.argv[1]))
print(state["relay_pid"], state["relay_start_ticks"])
for node in state["nodes"]:
    print(node["pid"], node.get("pid_start_ticks", 0))
PY
}

# Alive: /proc/PID is the process recorded (same start time) and it is not a zombie.
alive() {
  local stat fields
  stat="$(cat "/proc/$1/stat" 2>/dev/null)" || return 1
  stat="${stat##*) }"
  read -r -a fields <<<"$stat"
  [[ "${fields[0]}" != Z && ( "$2" == 0 || "${fields[19]}" == "$2" ) ]]
}

finish() {
  local rc=$?
  trap - EXIT INT TERM
  local had_state=0
  [[ -f "${run_dir}/state.json" ]] && had_state=1
  record_pids || true
  if ! "$vmesh" down --name "$run" && ((had_state)); then
    echo "FAIL: vmesh down --name ${run} failed" >&2
    rc=1
  fi
  local pid ticks tries left=()
  while read -r pid ticks; do
    [[ "$pid" =~ ^[0-9]+$ && "$pid" -gt 0 ]] || continue
    for ((tries = 0; tries < 50; tries++)); do
      alive "$pid" "$ticks" || break
      sleep 0.2
    done
    if alive "$pid" "$ticks"; then left+=("$pid"); fi
  done < <(sort -u "$pid_file")
  rm -rf "$pid_file" "$work_dir"
  if ((${#left[@]})); then
    echo "FAIL: processes of run ${run} still alive after vmesh down: ${left[*]}" >&2
    rc=1
  fi
  [[ $rc == 0 ]] && echo PASS
  exit "$rc"
}
trap finish EXIT
trap 'exit 130' INT TERM

# The user's own key (a HOME with ~/.ssh/id_ed25519.pub) and one named with
# --authorized-keys: test_ssh_access.py finds both in root's authorized_keys.
mkdir -p "${work_dir}/home/.ssh"
ssh-keygen -q -t ed25519 -N '' -C user-key -f "${work_dir}/home/.ssh/id_ed25519"
ssh-keygen -q -t ed25519 -N '' -C named-key -f "${work_dir}/named"
export VMESH_TEST_USER_KEYS="${work_dir}/home/.ssh/id_ed25519.pub ${work_dir}/named.pub"
HOME="${work_dir}/home" "$vmesh" up "${src}/topologies/line3.toml" --name "$run" --timeout 600 \
  --authorized-keys "${work_dir}/named.pub"
record_pids

# The environment must not point the plugin at another mesh: --vmesh-run decides.
unset VMESH_NODES_FILE VMESH_RUN VMESH_RUN_DIR
cd "$work_dir"
PYTHONPATH="${src}/launcher/pytest" PYTHONDONTWRITEBYTECODE=1 \
  pytest-3 -p vmesh_pytest -p no:cacheprovider -v -rA --rootdir "$src" \
  --vmesh-run "$run" --vmesh-bin "$vmesh" "$@" "${src}/tests/pytest/vm"
