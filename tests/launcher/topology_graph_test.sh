#!/usr/bin/env bash
# vmesh-topology graph: line3 renders as an SVG with three nodes and two links.
set -euo pipefail
tool="$1"
topologies="$2"
command -v dot >/dev/null || { echo "SKIP: Graphviz's dot is not installed"; exit 77; }
out="$(mktemp --suffix=.svg)"
trap 'rm -f "$out"' EXIT
"$tool" graph "$topologies/line3.toml" -o "$out"
nodes=$(grep -c 'class="node"' "$out")
edges=$(grep -c 'class="edge"' "$out")
echo "line3.svg: $nodes nodes, $edges edges"
[[ "$nodes" == 3 && "$edges" == 2 ]]
grep -q '>n2<' "$out"
