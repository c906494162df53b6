#!/usr/bin/env bash
# docs/examples/pytest under `vmesh run topologies/full3.toml -- pytest ...`: the example
# suite passes, the plugin attaches through VMESH_NODES_FILE/VMESH_RUN, and vmesh run's
# teardown leaves nothing behind.
# Usage: run_examples.sh VMESH_BIN SOURCE_DIR. Exit 77: skipped (reason printed).
set -euo pipefail
vmesh="${1:?usage: run_examples.sh VMESH_BIN SOURCE_DIR}"
src="${2:?usage: run_examples.sh VMESH_BIN SOURCE_DIR}"
command -v qemu-system-x86_64 >/dev/null || { echo "SKIP: qemu-system-x86_64 not found"; exit 77; }
command -v pytest-3 >/dev/null || { echo "SKIP: pytest-3 not found"; exit 77; }
cd "$src"
PYTHONPATH="${src}/launcher/pytest" PYTHONDONTWRITEBYTECODE=1 \
  "$vmesh" run topologies/full3.toml --timeout 900 -- \
  pytest-3 -p vmesh_pytest -p no:cacheprovider -v -rA docs/examples/pytest
