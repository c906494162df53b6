#!/usr/bin/env bash
# One command for the whole-mesh benchmark report: builds what it needs, boots the VMs,
# measures (mesh_bench.py) and renders bench/mesh/results/REPORT.md with report.svg.
#   usage: bench/mesh/run.sh [mesh_bench.py options, e.g. --repeats 5]
set -euo pipefail
top="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$top"
./scripts/build.sh >/dev/null
results="$top/bench/mesh/results"
python3 bench/mesh/mesh_bench.py --build "$top/build" --out "$results" "$@"
python3 bench/mesh/report.py "$results"
