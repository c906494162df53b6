#!/usr/bin/env bash
# Every C++ file the repository tracks is formatted as .clang-format says.
set -euo pipefail
cd "$1"
if ! command -v clang-format >/dev/null; then
  echo "SKIP: clang-format is not installed (scripts/install-deps.sh installs it)"
  exit 77
fi
if ! git rev-parse --git-dir >/dev/null 2>&1; then
  echo "SKIP: $1 is not a git checkout, so there is no list of tracked files"
  exit 77
fi
mapfile -t files < <(git ls-files '*.cpp' '*.hpp' '*.h' '*.cc')
clang-format --dry-run -Werror "${files[@]}"
echo "${#files[@]} files formatted"
