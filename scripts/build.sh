#!/usr/bin/env bash
# Configures (once) and builds the default preset into build/.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
[[ -f build/build.ninja ]] || cmake --preset default >/dev/null
cmake --build build "$@"
