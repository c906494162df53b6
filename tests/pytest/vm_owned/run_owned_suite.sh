#!/usr/bin/env bash
# The plugin owning its mesh: pytest with LG_VIRTUAL_MESH=1 VIRTUAL_MESH_NODES=2 starts two
# nodes of the default topology through `vmesh up --ssh-key-only` and stops them at the session's end; no
# process of that run may be alive afterwards.
# Usage: run_owned_suite.sh VMESH_BIN SOURCE_DIR. Exit 77: skipped (reason printed).
set -euo pipefail
vmesh="${1:?usage: run_owned_suite.sh VMESH_BIN SOURCE_DIR}"
src="${2:?usage: run_owned_suite.sh VMESH_BIN SOURCE_DIR}"

skip() {
  echo "SKIP: $*"
  exit 77
}
command -v qemu-system-x86_64 >/dev/null || skip "qemu-system-x86_64 not found"
command -v pytest-3 >/dev/null || skip "pytest-3 not found (apt-get install python3-pytest)"
command -v ssh >/dev/null || skip "ssh not found (apt-get install openssh-client)"

work_dir="$(mktemp -d)"
trap 'rm -rf "$work_dir"' EXIT
pids_file="${work_dir}/pids.json"
unset VMESH_NODES_FILE VMESH_RUN VMESH_RUN_DIR
rc=0
(cd "$work_dir" && LG_VIRTUAL_MESH=1 VIRTUAL_MESH_NODES=2 VIRTUAL_MESH_SSH_BASE_PORT=2500 \
  VMESH_TEST_PIDS_FILE="$pids_file" PYTHONPATH="${src}/launcher/pytest" \
  PYTHONDONTWRITEBYTECODE=1 pytest-3 -p vmesh_pytest -p no:cacheprovider -v -rA \
  --rootdir "$src" --vmesh-bin "$vmesh" --vmesh-up-arg=--ssh-key-only \
  "${src}/tests/pytest/vm_owned") || rc=$?
[[ -s "$pids_file" ]] || { echo "FAIL: the suite recorded no PIDs (pytest exit ${rc})" >&2; exit 1; }
left="$(python3 - "$pids_file" <<'PY'
import json, sys
left = []
for pid, ticks in json.load(open(sys.argv[1])):
    try:
        fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    except OSError:
        continue
    if fields[0] != "Z" and (ticks == 0 or int(fields[19]) == ticks):
        left.append(str(pid))
print(" ".join(left))
PY
)"
if [[ -n "$left" ]]; then
  echo "FAIL: processes of the plugin's run still alive after pytest: ${left}" >&2
  exit 1
fi
((rc == 0)) || { echo "FAIL: pytest exited ${rc}" >&2; exit 1; }
echo PASS
